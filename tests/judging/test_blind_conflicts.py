"""Blind judging cannot be de-anonymised through conflicts of interest (issue 13, part 2), through the real stack.

The attack: a juror declares a conflict with one company after another, looks at what changes on their pages and
withdraws again; before the fix the assignment of that company disappeared from /jury ("gesperrte Zuweisungen: 1")
and came back on withdrawal, so ~150 requests mapped every blind entry to its company, leaving no conflict rows.
"""

from __future__ import annotations

import re

import pytest

from competition.core.audit import AuditEvent
from competition.extensions import db
from competition.judging.models import Assignment, Conflict, ConflictSource, ConflictStatus, ScoreSheet
from tests.conftest import PASSWORD, empty_all_tables
from tests.judging.blind_world import ASSIGNED, COMPANIES, build_blind_world

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")|(<meta name="csrf-token" content=")[^"]*(")')
SELECT = re.compile(r"<select\b.*?</select>", re.S)
CLOCK = re.compile(r"(Entwurf gespeichert um )[^<]*")  # the time of the autosave: the clock, not the company


def sign_in(client, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def normalise(page: bytes, named: str) -> bytes:
    """The page without CSRF tokens and without the company the juror typed in themselves (their own words); files
    (the attachments) as they are."""
    if not page.lstrip().startswith((b"<!", b"<")):
        return page
    text = page.decode()
    text = CSRF.sub(lambda m: (m.group(1) or m.group(3)) + "…" + (m.group(2) or m.group(4)), text)
    text = SELECT.sub("<select>…</select>", text)  # every company, the same in every run (checked apart)
    text = CLOCK.sub(r"\1…", text)
    return text.replace(named, "«genannt»").encode()


def play_the_attack(client, world, company_index: int) -> tuple[list[tuple[str, int, bytes]], bytes]:
    """What a script does to learn whether one of my blind entries is this company's: 25 requests."""
    company = world.companies[company_index]
    seen: list[tuple[str, int, bytes]] = []

    def look(label, response):
        seen.append((label, response.status_code, response.data))

    sheets = [f"/jury/assignments/{a.id}" for a in world.assignments]
    look("dashboard before", client.get("/jury"))
    conflicts_page = client.get("/jury/conflicts")
    look("conflicts before", conflicts_page)
    look("declare", client.post("/jury/conflicts", data={"company_id": company.id, "reason": "Beiratsmitglied"},
                                follow_redirects=True))
    look("dashboard after declaring", client.get("/jury"))
    for url in sheets:
        look(f"{url} after declaring", client.get(url))
        look(f"{url} attachment", client.get(f"{url}/attachments/1"))
        look(f"{url} download", client.get(f"{url}/attachments/1?download=1"))
        look(f"{url} confirm", client.post(url, data={"action": "confirm"}, follow_redirects=True))
        look(f"{url} autosave", client.post(f"{url}/autosave", data={"overall_comment": "Notiz"}))
    conflict = db.session.scalar(db.select(Conflict).where(Conflict.company_id == company.id))
    look("withdraw", client.post(f"/jury/conflicts/{conflict.id}/withdraw", data={"reason": "Irrtum"},
                                 follow_redirects=True))
    look("dashboard after withdrawing", client.get("/jury"))
    for url in sheets:
        look(f"{url} after withdrawing", client.get(url))
    look("conflicts after", client.get("/jury/conflicts"))
    return seen, SELECT.search(conflicts_page.get_data(as_text=True)).group(0).encode()


def test_the_juror_sees_the_same_bytes_whichever_company_they_name(app, client, outbox):
    runs = {}
    for index in range(len(COMPANIES)):
        empty_all_tables()
        outbox.clear()
        world = build_blind_world()
        sign_in(client, world.juror.email)
        seen, select = play_the_attack(client, world, index)
        client.post("/logout")
        conflict = db.session.scalar(db.select(Conflict))
        actions = list(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("conflict.%"))))
        facts = {"conflict kept": conflict is not None and conflict.company_id == world.companies[index].id,
                 "actions": actions, "mailed to": {tuple(m.to) for m in outbox}, "mails": len(outbox),
                 "assignments": db.session.scalar(db.select(db.func.count()).select_from(Assignment))}
        runs[index] = (seen, select, facts)
    requests = sum(len(seen) for seen, _select, _facts in runs.values())
    assert requests >= 150
    first_seen, first_select, _facts = runs[0]
    sheet_pages = [body for label, _s, body in first_seen if label.startswith("/jury/") and "after" in label]
    assert len(sheet_pages) == 2 * ASSIGNED and all(b"Anlage 1" in body for body in sheet_pages)
    for index, (seen, select, _facts) in runs.items():
        assert select == first_select
        assert [label for label, _s, _b in seen] == [label for label, _s, _b in first_seen]
        for (label, status, body), (_l, first_status, first_body) in zip(seen, first_seen, strict=True):
            assert status == first_status, (COMPANIES[index], label)
            assert normalise(body, COMPANIES[index]) == normalise(first_body, COMPANIES[0]), (COMPANIES[index], label)
            for name in COMPANIES:  # no page and no file names any company but the one the juror typed
                if name != COMPANIES[index] and label not in ("conflicts before",):
                    assert name.encode() not in SELECT.sub("", body.decode(errors="replace")).encode(), (name, label)
    # The declaration is kept (withdrawing needs an organiser), audited, and mailed to the organisers only.
    for _seen, _select, facts in runs.values():
        assert facts == {"conflict kept": True, "actions": ["conflict.declared", "conflict.withdrawal_requested"],
                         "mailed to": {("orga@ind.example",)}, "mails": 2, "assignments": len(COMPANIES)}


def test_a_declaration_on_a_blind_sheet_names_the_entry_never_the_company(client, login_as, outbox):
    world = build_blind_world()
    entry, assignment = world.entries[0], world.assignments[0]
    login_as(world.juror)
    response = client.post(f"/jury/assignments/{assignment.id}", data={"action": "declare",
                                                                       "reason": "Ich kenne das Vorhaben"})
    assert response.headers["Location"] == "/jury"
    conflict = db.session.scalar(db.select(Conflict))
    assert conflict.entry_id == entry.id and conflict.company_id is None
    assert conflict.source is ConflictSource.DECLARED
    assert db.session.get(Assignment, assignment.id) is None  # no frozen ranking yet: the assignment goes
    page = client.get("/jury/conflicts").get_data(as_text=True)
    assert f"Beitrag {entry.number} „Vorhaben 1“" in page and "Ich kenne das Vorhaben" in page
    assert COMPANIES[0] not in page.split("<select")[0] + page.split("</select>")[-1]
    # Only that entry: the juror's other entries of other companies stay as they were.
    dashboard = client.get("/jury").get_data(as_text=True)
    assert "Vorhaben 2" in dashboard and "Vorhaben 3" in dashboard and "gesperrte" not in dashboard
    [mail] = outbox
    assert mail.to == [world.organiser.email]
    assert f"beim Beitrag {entry.number} „Vorhaben 1“ ({COMPANIES[0]})" in mail.body
    assert "Die Zuweisung wurde entfernt" in mail.body and "Ich kenne das Vorhaben" in mail.body


def test_an_entry_level_declaration_covers_the_company_for_planning(client, login_as):
    """The organisers' planner keeps the juror away from every entry of that company (and its group)."""
    from competition.editions.models import Category
    from competition.entries.models import Entry
    from competition.judging import conflict_check

    world = build_blind_world()
    other = Category(edition=world.edition, name="Mobilität", position=2)
    db.session.add(other)
    db.session.commit()
    second = Entry(edition_id=world.edition.id, category_id=other.id, company_id=world.companies[0].id,
                   title="Zweites Vorhaben")
    db.session.add(second)
    db.session.commit()
    login_as(world.juror)
    client.post(f"/jury/assignments/{world.assignments[0].id}", data={"action": "declare", "reason": "Kunde"})
    assert conflict_check.is_conflicted(world.juror, second)
    assert not conflict_check.is_locked(world.juror, second)  # the juror would learn the two belong together


def test_withdrawing_once_assignments_exist_needs_an_organiser(client, login_as, outbox):
    world = build_blind_world()
    login_as(world.juror)
    client.post("/jury/conflicts", data={"company_id": world.companies[4].id, "reason": "Beirat"})
    conflict = db.session.scalar(db.select(Conflict))
    page = client.get("/jury/conflicts").get_data(as_text=True)
    assert "Rücknahme beantragen" in page and ">Zurücknehmen<" not in page
    response = client.post(f"/jury/conflicts/{conflict.id}/withdraw", data={"reason": "Mandat beendet"},
                           follow_redirects=True)
    assert "Ihr Antrag auf Rücknahme ist beim Organisationsteam" in response.get_data(as_text=True)
    db.session.refresh(conflict)
    assert conflict.withdrawal_requested_at is not None and conflict.withdrawal_reason == "Mandat beendet"
    again = client.post(f"/jury/conflicts/{conflict.id}/withdraw", data={}, follow_redirects=True)
    assert "liegt dem Organisationsteam bereits vor" in again.get_data(as_text=True)
    assert "Rücknahme beantragt" in client.get("/jury/conflicts").get_data(as_text=True)
    mail = outbox[-1]
    assert mail.subject == "Rücknahme einer Befangenheit beantragt: Jana Jury" and "Mandat beendet" in mail.body
    client.post("/logout")

    login_as(world.organiser)
    jury_page = client.get(f"/organisation/editions/{world.edition.id}/jury").get_data(as_text=True)
    assert "Rücknahme beantragt" in jury_page and "Rücknahme genehmigen" in jury_page
    base = f"/organisation/editions/{world.edition.id}/jury/conflicts/{conflict.id}"
    client.post(f"{base}/refuse")
    db.session.refresh(conflict)
    assert conflict.withdrawal_requested_at is None and conflict.counts
    conflict.withdrawal_requested_at = conflict.created_at
    db.session.commit()
    response = client.post(f"{base}/approve", follow_redirects=True)
    assert "Die Rücknahme ist genehmigt" in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict.id) is None
    actions = list(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("conflict.%"))
                                      .order_by(AuditEvent.id)))
    assert actions == ["conflict.declared", "conflict.withdrawal_requested", "conflict.withdrawal_refused",
                       "conflict.withdrawal_approved"]


def test_the_juror_cannot_lift_a_declaration_by_other_routes(client, login_as):
    world = build_blind_world()
    login_as(world.juror)
    client.post("/jury/conflicts", data={"company_id": world.companies[0].id, "reason": "Beirat"})
    conflict = db.session.scalar(db.select(Conflict))
    base = f"/organisation/editions/{world.edition.id}/jury/conflicts/{conflict.id}"
    for action in ("delete", "dismiss", "approve"):
        assert client.post(f"{base}/{action}").status_code == 403
    assert db.session.get(Conflict, conflict.id).counts
    client.post("/logout")
    login_as(world.other_juror)  # someone else's declaration
    assert client.post(f"/jury/conflicts/{conflict.id}/withdraw", data={}).status_code == 403


def test_without_assignments_the_juror_withdraws_at_once_and_the_organisers_hear_of_it(client, login_as, outbox):
    world = build_blind_world()
    db.session.execute(db.delete(Assignment).where(Assignment.user_id == world.juror.id))
    db.session.commit()
    login_as(world.juror)
    client.post("/jury/conflicts", data={"company_id": world.companies[1].id, "reason": "Frühere Beratung"})
    conflict = db.session.scalar(db.select(Conflict))
    assert ">Zurücknehmen" in client.get("/jury/conflicts").get_data(as_text=True)
    response = client.post(f"/jury/conflicts/{conflict.id}/withdraw", data={}, follow_redirects=True)
    assert "Die Erklärung wurde zurückgenommen" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Conflict)) is None
    declared, withdrawn = outbox
    assert declared.subject == "Befangenheit erklärt: Jana Jury" and COMPANIES[1] in declared.body
    assert "Dem Jurymitglied ist derzeit kein Beitrag zugewiesen" in declared.body
    assert withdrawn.subject == "Befangenheit zurückgenommen: Jana Jury" and "Frühere Beratung" in withdrawn.body
    assert [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("conflict.%"))
                                                 .order_by(AuditEvent.id))] == ["conflict.declared",
                                                                                "conflict.removed"]


def test_organisers_decide_on_a_blind_declaration_that_touches_an_assignment(client, login_as, outbox):
    """The mail names the assignment; the jury page offers the decision; taking it back voids the sheet."""
    world = build_blind_world()
    assignment = world.assignments[1]
    login_as(world.juror)
    client.post(f"/jury/assignments/{assignment.id}", data={"action": "confirm"})
    client.post("/jury/conflicts", data={"company_id": world.companies[1].id, "reason": "Aufsichtsrat"})
    [mail] = outbox
    assert f"{world.entries[1].number} „Vorhaben 2“ (Vorauswahl)" in mail.body and "Anonyme Bewertung" in mail.body
    assert client.get(f"/jury/assignments/{assignment.id}").status_code == 200  # unchanged for the juror
    client.post("/logout")

    login_as(world.organiser)
    url = f"/organisation/editions/{world.edition.id}/jury"
    page = client.get(url).get_data(as_text=True)
    assert "Zuweisungen trotz Befangenheit (1)" in page and "für das Jurymitglied unverändert sichtbar" in page
    decide = f"/organisation/editions/{world.edition.id}/assignments/{assignment.id}/conflict-decision"
    prefix = f"entscheidung{assignment.id}-"
    missing = client.post(decide, data={"decision": "void", "back": "jury", f"{prefix}reason": "  "})
    assert missing.status_code == 422 and "Bitte begründen Sie Ihre Entscheidung" in missing.get_data(as_text=True)
    assert db.session.get(Assignment, assignment.id) is not None
    response = client.post(decide, data={"decision": "void", "back": "jury", f"{prefix}reason": "Aufsichtsrat"},
                           follow_redirects=True)
    assert "ist zurückgenommen" in response.get_data(as_text=True)
    assert db.session.get(Assignment, assignment.id) is None
    sheet = db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.entry_id == world.entries[1].id))
    assert sheet.is_void and sheet.events[-1].action == "voided" and sheet.events[-1].reason == "Aufsichtsrat"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "assignment.set_aside"))
    assert event.data["reason"] == "Aufsichtsrat" and event.actor_id == world.organiser.id


def test_in_an_open_edition_a_declaration_still_locks_at_once(client, login_as):
    """Without blind judging the juror sees the company anyway: the assignment is locked right away."""
    world = build_blind_world(blind=False)
    login_as(world.juror)
    client.post("/jury/conflicts", data={"company_id": world.companies[0].id, "reason": "Beirat"})
    assert client.get(f"/jury/assignments/{world.assignments[0].id}").status_code == 403
    dashboard = client.get("/jury").get_data(as_text=True)
    assert "gesperrte Zuweisungen (hier nicht angezeigt): 1" in dashboard
    assert "Vorhaben 1" not in dashboard


@pytest.mark.parametrize("source", [ConflictSource.ORGANISER, ConflictSource.DETECTED])
def test_conflicts_the_juror_did_not_name_lock_also_in_blind_judging(client, login_as, source):
    world = build_blind_world()
    db.session.add(Conflict(user_id=world.juror.id, company_id=world.companies[2].id, source=source,
                            status=ConflictStatus.ACTIVE, reason="Beirat"))
    db.session.commit()
    login_as(world.juror)
    assert client.get(f"/jury/assignments/{world.assignments[2].id}").status_code == 403
    assert client.get(f"/jury/assignments/{world.assignments[2].id}/attachments/1").status_code == 403

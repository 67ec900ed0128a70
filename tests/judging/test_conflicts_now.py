"""A juror who works (or worked) for the entering company is conflicted, always (issue 13, part 3): memberships,
addresses, domains and company groups count at every check, whether or not the detection has run.

The reproduction: a company admin invites a juror as a colleague; the juror joins, is (already) assigned the
company's own entry, confirms "nicht befangen" and submits 10 on every criterion. Before the fix every step went
through, because the check read only stored conflict rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.entries.models import CompanyMember, Entry
from competition.extensions import db
from competition.judging import services
from competition.judging.models import (
    Assignment,
    CompanyGroup,
    Conflict,
    ConflictSource,
    ConflictStatus,
    DomainAlias,
    ScoreSheet,
)
from tests.conftest import PASSWORD, link_in
from tests.judging.blind_world import COMPANIES, build_blind_world


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def assert_locked_everywhere(client, assignment, criterion_id):
    """Sheet, confirmation, scoring, submit, autosave and attachments: refused, and nothing stored."""
    url = f"/jury/assignments/{assignment.id}"
    responses = [client.get(url), client.post(url, data={"action": "confirm"}),
                 client.post(url, data={"action": "submit", f"score_{criterion_id}": "10"}),
                 client.post(f"{url}/autosave", data={f"score_{criterion_id}": "10"}),
                 client.get(f"{url}/attachments/1"), client.get(f"{url}/attachments/1?download=1")]
    assert [r.status_code for r in responses] == [403] * 6
    assert db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id)) is None


def test_a_juror_who_joins_the_company_as_a_colleague_cannot_score_its_entry(app, client, outbox):
    world = build_blind_world(blind=False)
    owner, juror, assignment = world.owners[0], world.juror, world.assignments[0]
    criterion_id = world.judging_round.criteria[0].id
    sign_in(client, owner)
    client.post("/company/colleagues", data={"email": juror.email})
    link = link_in(outbox[-1], "/company/join/")
    client.post("/logout")
    outbox.clear()

    sign_in(client, juror)
    response = client.post(link, follow_redirects=True)
    assert f"Sie gehören jetzt zu {COMPANIES[0]}" in response.get_data(as_text=True)
    assert_locked_everywhere(client, assignment, criterion_id)
    dashboard = client.get("/jury").get_data(as_text=True)
    assert "gesperrte Zuweisungen (hier nicht angezeigt): 1" in dashboard and "Vorhaben 1" not in dashboard
    assert "Vorhaben 2" in dashboard  # the other companies' entries stay

    [mail] = outbox
    assert mail.to == [world.organiser.email]
    assert mail.subject == "Jurymitglied gehört jetzt zu einem Unternehmen: Jana Jury"
    assert COMPANIES[0] in mail.body and f"{world.entries[0].number} „Vorhaben 1“" in mail.body
    assert f"/organisation/editions/{world.edition.id}/jury" in mail.body
    joined = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "company.member_joined"))
    assert joined.actor_id == juror.id and joined.data["juror_of_running_editions"] == [world.edition.id]
    client.post("/logout")

    # The organisers see the assignment waiting for their decision; only taking it back is offered.
    sign_in(client, world.organiser)
    page = client.get(f"/organisation/editions/{world.edition.id}/jury").get_data(as_text=True)
    assert "Zuweisungen trotz Befangenheit (1)" in page and f"Gehört zum Unternehmen „{COMPANIES[0]}“" in page
    assert "Befangenheit verwerfen, Bogen zählt" not in page
    assert "Befangenheiten, die immer gelten (1)" in page
    decide = f"/organisation/editions/{world.edition.id}/assignments/{assignment.id}/conflict-decision"
    refused = client.post(decide, data={"decision": "keep", "back": "jury",
                                        f"entscheidung{assignment.id}-reason": "Passt schon"})
    assert refused.status_code == 422 and "gilt immer und kann nicht verworfen werden" in refused.get_data(
        as_text=True)
    assert "Passt schon" in refused.get_data(as_text=True)  # what was typed stays
    client.post(decide, data={"decision": "void", "back": "jury",
                              f"entscheidung{assignment.id}-reason": "Mitarbeiterin des Unternehmens"})
    assert db.session.get(Assignment, assignment.id) is None

    # Nobody can assign it again, by hand or by the planner.
    matrix = f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}/matrix"
    response = client.post(matrix, data={"entry_id": world.entries[0].id, "juror_id": juror.id},
                           follow_redirects=True)
    assert "ist bei diesem Beitrag befangen" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Assignment).where(Assignment.user_id == juror.id,
                                                         Assignment.entry_id == world.entries[0].id)) is None
    problem, *_rest = services.build_problem(world.judging_round)
    assert (str(juror.id), str(world.entries[0].id)) in problem.conflicts


def test_joining_without_a_jury_role_or_a_running_edition_tells_nobody(client, outbox, make_user, make_company):
    owner = make_user(email="chef@firma.example")
    make_company(owner, legal_name="Firma ohne Jury GmbH")
    colleague = make_user(email="kollegin@firma.example")
    sign_in(client, owner)
    client.post("/company/colleagues", data={"email": colleague.email})
    link = link_in(outbox[-1], "/company/join/")
    client.post("/logout")
    outbox.clear()
    sign_in(client, colleague)
    client.post(link)
    assert outbox == []
    joined = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "company.member_joined"))
    assert joined.data["juror_of_running_editions"] == []


def test_a_past_membership_stays_a_conflict(client):
    from competition.entries.company_services import end_membership
    from competition.entries.models import PastCompanyMembership
    from competition.judging import conflict_check

    world = build_blind_world(blind=False)
    juror, assignment = world.juror, world.assignments[1]
    membership = CompanyMember(company_id=world.companies[1].id, user_id=juror.id, joined_at=utcnow())
    db.session.add(membership)
    db.session.commit()
    end_membership(membership=membership, now=utcnow())
    db.session.commit()
    assert db.session.scalar(db.select(CompanyMember).where(CompanyMember.user_id == juror.id)) is None
    past = db.session.scalar(db.select(PastCompanyMembership))
    assert (past.user_id, past.company_id) == (juror.id, world.companies[1].id)
    sign_in(client, juror)
    assert_locked_everywhere(client, assignment, world.judging_round.criteria[0].id)
    [finding] = conflict_check.findings(juror, world.entries[1])
    assert finding.standing and finding.evidence == f"Gehörte früher zum Unternehmen „{COMPANIES[1]}“"


def test_the_same_free_mail_address_as_a_company_contact_is_a_conflict_without_detection(client, make_user):
    world = build_blind_world(blind=False)
    juror = world.juror
    juror.email = "jana.privat@gmx.de"
    world.companies[2].contact_email = "Jana.Privat@GMX.de"
    db.session.commit()
    assert db.session.scalar(db.select(Conflict)) is None  # the detection never ran
    sign_in(client, juror)
    assert_locked_everywhere(client, world.assignments[2], world.judging_round.criteria[0].id)
    # Another address at the same free-mail provider proves nothing.
    world.companies[2].contact_email = "jemand.anderes@gmx.de"
    db.session.commit()
    assert client.get(f"/jury/assignments/{world.assignments[2].id}").status_code == 200


def test_domains_aliases_and_groups_count_at_every_check(client):
    from competition.judging import conflict_check

    world = build_blind_world(blind=False)
    juror, entries = world.juror, world.entries
    # The juror's domain is an alias of company 1's website domain …
    db.session.add(DomainAlias(domain="hochschule.example", alias="firma1.example"))
    # … and company 1 and company 4 belong to one group (company 4's entry is another juror's).
    db.session.add(CompanyGroup(name="Konzern", members=[COMPANIES[0], "firma4.example"]))
    db.session.commit()
    found = conflict_check.conflict_map(juror_ids=[juror.id, world.other_juror.id], entries=entries)
    assert found.pairs() == {(juror.id, entries[0].id), (juror.id, entries[3].id)}
    assert all(f.standing for pair in found.pairs() for f in found.of(*pair))
    sign_in(client, juror)
    assert_locked_everywhere(client, world.assignments[0], world.judging_round.criteria[0].id)
    client.post("/logout")
    sign_in(client, world.organiser)
    matrix = client.get(f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}/matrix")
    assert matrix.get_data(as_text=True).count("matrix-conflict") == 2


def test_a_standing_conflict_cannot_be_dismissed(client):
    world = build_blind_world(blind=False)
    world.companies[0].website = "https://www.hochschule.example"
    detected = Conflict(user_id=world.juror.id, company_id=world.companies[0].id, source=ConflictSource.DETECTED,
                        status=ConflictStatus.ACTIVE, reason="E-Mail-Domain")
    db.session.add(detected)
    db.session.commit()
    sign_in(client, world.organiser)
    page = client.get(f"/organisation/editions/{world.edition.id}/jury").get_data(as_text=True)
    assert "gilt immer" in page
    response = client.post(f"/organisation/editions/{world.edition.id}/jury/conflicts/{detected.id}/dismiss",
                           follow_redirects=True)
    assert "gilt immer und kann nicht verworfen werden" in response.get_data(as_text=True)
    db.session.refresh(detected)
    assert detected.status is ConflictStatus.ACTIVE


def test_detection_also_stores_memberships_and_addresses(client):
    world = build_blind_world(blind=False)
    db.session.add(CompanyMember(company_id=world.companies[4].id, user_id=world.other_juror.id))
    db.session.commit()
    new = services.detect_conflicts(edition=world.edition, by=world.organiser, now=utcnow())
    rows = db.session.scalars(db.select(Conflict)).all()
    assert new == 1 and [(c.user_id, c.company_id) for c in rows] == [(world.other_juror.id, world.companies[4].id)]
    assert rows[0].reason == f"Gehört zum Unternehmen „{COMPANIES[4]}“"


def _queries(call) -> int:
    count = 0

    def before(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count


@pytest.mark.parametrize("groups", [False, True])
def test_the_batch_check_runs_a_fixed_number_of_queries(groups, make_user, make_company, make_entry,
                                                        make_edition, make_category):
    """The planner's form: as many queries for 40 jurors × 40 entries as for 2 × 2 (no N+1)."""
    from competition.accounts.models import Role
    from competition.judging import conflict_check

    edition = make_edition()
    category = make_category(edition)
    jurors = [make_user(roles=(Role.JUROR,)) for _ in range(40)]
    entries = []
    for n in range(40):
        company = make_company(make_user())
        entries.append(make_entry(company=company, category=make_category(edition) if n else category,
                                  edition=edition))
    for juror, entry in zip(jurors[::5], entries[::5], strict=True):
        db.session.add(CompanyMember(company_id=entry.company_id, user_id=juror.id))
        db.session.add(Conflict(user_id=juror.id, company_id=entries[-1].company_id, source=ConflictSource.ORGANISER,
                                reason="x"))
    if groups:
        db.session.add(CompanyGroup(name="Gruppe", members=[entries[0].company.legal_name,
                                                            entries[1].company.legal_name]))
    db.session.commit()
    ids = [j.id for j in jurors]
    small = _queries(lambda: conflict_check.conflict_map(juror_ids=ids[:2], entries=entries[:2]))
    large = _queries(lambda: conflict_check.conflict_map(juror_ids=ids, entries=entries))
    assert large == small <= 12
    found = conflict_check.conflict_map(juror_ids=ids, entries=entries)
    expected = {(j.id, e.id) for j, e in zip(jurors[::5], entries[::5], strict=True)}
    expected |= {(j.id, entries[-1].id) for j in jurors[::5]}
    if groups:
        expected |= {(jurors[0].id, entries[1].id)}
    assert found.pairs() == expected
    assert all(isinstance(e, Entry) for e in entries)


def test_a_remembered_answer_never_outlives_a_change():
    """findings() keeps its answer for the request, but any write (pending, flushed, a bulk statement, a commit)
    makes it ask again."""
    from sqlalchemy import insert

    from competition.judging import conflict_check

    world = build_blind_world(blind=False)
    juror, entries = world.juror, world.entries
    assert conflict_check.findings(juror, entries[0]) == []
    db.session.add(CompanyMember(company_id=world.companies[0].id, user_id=juror.id))  # pending, not flushed
    assert conflict_check.findings(juror, entries[0])[0].standing
    assert conflict_check.findings(juror, entries[1]) == []
    db.session.execute(insert(Conflict).values(user_id=juror.id, company_id=world.companies[1].id,
                                               source=ConflictSource.ORGANISER, status=ConflictStatus.ACTIVE,
                                               reason="Beirat", created_at=utcnow(), withdrawal_reason=""))
    assert conflict_check.is_locked(juror, entries[1])
    db.session.rollback()
    assert conflict_check.findings(juror, entries[0]) == [] and conflict_check.findings(juror, entries[1]) == []

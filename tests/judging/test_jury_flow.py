"""Jury through the real stack: profiles, conflicts from three sources, plan preview and apply, matrix, commands."""

from __future__ import annotations

import html
import json

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging import queries, services
from competition.judging.models import Assignment, Conflict, ConflictSource, ConflictStatus, JurorProfile


@pytest.fixture
def setup(make_edition, make_category, make_round, make_user, make_company, make_entry, organiser):
    edition = make_edition(slug="ind-2026")
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", jurors_per_entry=2)
    jurors = []
    for n, (org, domain, expertise) in enumerate([
        ("TU Chemnitz", "tu-chemnitz.de", [mobility]),
        ("Fraunhofer IWU", "iwu.fraunhofer.de", [digital]),
        ("IHK Chemnitz", "chemnitz.ihk.de", [mobility, digital]),
        ("Westsächsische Hochschule Zwickau", "fh-zwickau.de", []),
    ]):
        juror = make_user(roles=(Role.JUROR,), email=f"juror{n}@{domain}", full_name=f"Juror {n}")
        services.save_profile(user=juror, data=services.ProfileData(
            organisation=org, position="Professur", employer_domains=[domain], former_employers=[],
            capacity=4, expertise=[c.id for c in expertise]), by=juror, now=utcnow())
        jurors.append(juror)
    db.session.commit()
    entries = []
    for n, (name, website, category) in enumerate([
        ("Niles-Simmons Industrieanlagen GmbH", "https://niles-simmons.example", mobility),
        ("Wolf Fertigungstechnik GmbH & Co. KG", "https://wolf-ft.example", digital),
        ("KOMSA AG", "https://komsa.example", digital),
        ("Erzgebirge Präzision GmbH", "https://praezision.example", mobility),
    ]):
        owner = make_user(email=f"kontakt@{website.split('//')[1]}")
        company = make_company(owner, legal_name=name, website=website)
        entries.append(make_entry(company=company, category=category, status=EntryStatus.ELIGIBLE,
                                  number=f"IND-2026-{n + 1:04d}", title=f"Beitrag {n + 1}"))
    return edition, judging_round, jurors, entries


def test_detected_conflict_by_former_employer_is_never_assigned(client, login_as, organiser, setup):
    edition, judging_round, jurors, entries = setup
    profile = db.session.scalar(db.select(JurorProfile).where(JurorProfile.user_id == jurors[0].id))
    profile.former_employers = ["KOMSA Kommunikation Sachsen AG", "Wolf Fertigungstechnik KG"]
    db.session.commit()
    login_as(organiser)
    response = client.post(f"/organisation/editions/{edition.id}/jury/detect", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "neue mögliche Befangenheiten" in page
    detected = db.session.scalars(db.select(Conflict).where(Conflict.source == ConflictSource.DETECTED)).all()
    assert {(c.user_id, c.company_id) for c in detected} == {(jurors[0].id, entries[1].company_id)}
    assert "Wolf Fertigungstechnik" in page and "automatisch erkannt" in page

    preview = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan")
    text = preview.get_data(as_text=True)
    assert "Vorschau der automatischen Zuweisung" in text and "Noch ist nichts gespeichert" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0
    digest = text.split('name="digest" type="hidden" value="')[1].split('"')[0]
    applied = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/apply",
                          data={"digest": digest}, follow_redirects=True)
    assert "Die Zuweisung ist gespeichert: 8 neu" in applied.get_data(as_text=True)
    pairs = {(a.user_id, a.entry_id) for a in db.session.scalars(db.select(Assignment))}
    assert len(pairs) == 8 and (jurors[0].id, entries[1].id) not in pairs
    per_entry = {e.id: sum(1 for _j, eid in pairs if eid == e.id) for e in entries}
    assert set(per_entry.values()) == {2}


def test_dismissed_conflict_no_longer_counts_and_declared_one_does(client, login_as, organiser, setup):
    edition, _judging_round, jurors, entries = setup
    conflict = Conflict(user_id=jurors[1].id, company_id=entries[2].company_id, source=ConflictSource.DETECTED,
                        reason="E-Mail-Domain")
    db.session.add(conflict)
    db.session.commit()
    assert services.is_conflicted(jurors[1], entries[2])
    login_as(organiser)
    client.post(f"/organisation/editions/{edition.id}/jury/conflicts/{conflict.id}/dismiss")
    db.session.refresh(conflict)
    assert conflict.status is ConflictStatus.DISMISSED and not services.is_conflicted(jurors[1], entries[2])

    client.post(f"/organisation/editions/{edition.id}/jury/conflicts",
                data={"juror_id": jurors[1].id, "company_id": entries[2].company_id, "reason": "Beirat"})
    assert services.is_conflicted(jurors[1], entries[2])
    page = client.get(f"/organisation/editions/{edition.id}/jury").get_data(as_text=True)
    assert "vom Organisationsteam gesetzt" in page and "Beirat" in page


def test_juror_declares_a_conflict_and_the_assignment_goes(client, login_as, organiser, setup):
    _edition, judging_round, jurors, entries = setup
    services.add_assignment(judging_round=judging_round, juror=jurors[2], entry=entries[0], by=organiser,
                            now=utcnow())
    db.session.commit()
    login_as(jurors[2])
    page = client.get("/jury/conflicts").get_data(as_text=True)
    assert "Niles-Simmons Industrieanlagen GmbH" in page
    response = client.post("/jury/conflicts", data={"company_id": entries[0].company_id, "reason": "Ehemaliger Kunde"},
                           follow_redirects=True)
    assert "ist erfasst" in response.get_data(as_text=True)
    preview = services.plan_round(judging_round=judging_round)
    assert (jurors[2].id, entries[0].id) in preview.removed
    assert all(not (j == jurors[2].id and e == entries[0].id) for j, e in preview.plan.assignments)


def test_infeasible_plan_names_the_entries_and_stores_nothing(client, login_as, organiser, setup):
    edition, judging_round, jurors, entries = setup
    for juror in jurors[1:]:
        db.session.add(Conflict(user_id=juror.id, company_id=entries[3].company_id,
                                source=ConflictSource.ORGANISER, reason="Test"))
    db.session.commit()
    login_as(organiser)
    response = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "IND-2026-0004" in page or "Beitrag 4" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


def test_preview_becomes_stale_when_state_changes(client, login_as, organiser, setup):
    edition, judging_round, jurors, entries = setup
    login_as(organiser)
    text = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan").get_data(as_text=True)
    digest = text.split('name="digest" type="hidden" value="')[1].split('"')[0]
    db.session.add(Conflict(user_id=jurors[0].id, company_id=entries[0].company_id,
                            source=ConflictSource.ORGANISER, reason="neu"))
    db.session.commit()
    page = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/apply",
                       data={"digest": digest}, follow_redirects=True).get_data(as_text=True)
    assert "Seit der Vorschau hat sich etwas geändert" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


def test_matrix_adds_removes_and_refuses_conflicted_cells(client, login_as, organiser, setup):
    edition, judging_round, jurors, entries = setup
    db.session.add(Conflict(user_id=jurors[3].id, company_id=entries[0].company_id,
                            source=ConflictSource.DECLARED, reason="Kunde"))
    db.session.commit()
    login_as(organiser)
    url = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/matrix"
    page = client.get(url).get_data(as_text=True)
    assert "ist bei IND-2026-0001 befangen" in page
    client.post(url, data={"entry_id": entries[0].id, "juror_id": jurors[0].id})
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 1
    refused = client.post(url, data={"entry_id": entries[0].id, "juror_id": jurors[3].id}, follow_redirects=True)
    assert "befangen und kann ihn nicht bewerten" in refused.get_data(as_text=True)
    client.post(url, data={"entry_id": entries[0].id, "juror_id": jurors[0].id})
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


def test_juror_profile_and_dashboard(client, login_as, organiser, setup):
    _edition, judging_round, jurors, entries = setup
    juror = jurors[3]
    login_as(juror)
    page = client.post("/jury/profile", data={"organisation": "WHZ", "employer_domains": "gmail.com",
                                              "capacity": "5"}).get_data(as_text=True)
    assert "Freemail" in page and 'value="WHZ"' in page
    response = client.post("/jury/profile", data={"organisation": "WHZ", "employer_domains": "www.fh-zwickau.de",
                                                  "capacity": "5"})
    assert response.headers["Location"] == "/jury"
    assert queries.profile_of(juror).employer_domains == ["fh-zwickau.de"]
    services.add_assignment(judging_round=judging_round, juror=juror, entry=entries[1], by=organiser, now=utcnow())
    db.session.commit()
    page = client.get("/jury").get_data(as_text=True)
    assert "Beitrag 2" in page and "Beitrag 1" not in page
    # the edition is still in the submission phase: no scoring deadline countdown, but why scoring is closed
    assert "Bewertungen sind nur während der Jurybewertung möglich." in page and "Bewertungsfrist:" not in page


def test_assign_command_json_and_dry_run(app, organiser, setup):
    _edition, _judging_round, _jurors, _entries = setup
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["judging", "assign", "--edition", "ind-2026", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.output)
    assert summary["assignments"] == 8 and summary["conflicts_violated"] == 0 and summary["applied"] is False
    assert {"entries_without_expert", "load_min", "load_max"} <= set(summary)
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0
    done = runner.invoke(args=["judging", "assign", "--edition", "ind-2026", "--round", "1"])
    assert done.exit_code == 0 and "Zugewiesen" in done.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 8
    again = json.loads(runner.invoke(args=["judging", "assign", "--edition", "ind-2026", "--json"]).output)
    assert again["new"] == 0 and again["assignments"] == 8  # incremental: nothing to do


def test_assign_command_bad_input(app, organiser, setup):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["judging", "assign", "--edition", "gibt-es-nicht"])
    assert unknown.exit_code != 0 and "Unbekannte Ausschreibung" in unknown.output
    no_round = runner.invoke(args=["judging", "assign", "--edition", "ind-2026", "--round", "7"])
    assert no_round.exit_code != 0 and "keine Bewertungsrunde 7" in no_round.output


def test_remind_command(app, organiser, setup, outbox):
    _edition, judging_round, jurors, entries = setup
    services.add_assignment(judging_round=judging_round, juror=jurors[0], entry=entries[0], by=organiser, now=utcnow())
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["judging", "remind", "--edition", "ind-2026", "--dry-run"])
    assert dry.exit_code == 0 and jurors[0].email in dry.output and outbox == []
    sent = runner.invoke(args=["judging", "remind", "--edition", "ind-2026"])
    assert sent.exit_code == 0 and "1 Erinnerungen gesendet" in sent.output
    assert outbox[0].to == [jurors[0].email] and "/jury" in outbox[0].body


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_jury_administration_is_for_organisers(client, login_as, make_user, setup, role):
    edition, judging_round, jurors, entries = setup
    login_as(make_user(roles=(role,)))
    for path in (f"/organisation/editions/{edition.id}/jury",
                 f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/assignments",
                 f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/matrix"):
        assert client.get(path).status_code == 403
    assert client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/matrix",
                       data={"entry_id": entries[0].id, "juror_id": jurors[0].id}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


def test_round_pool_and_a_juror_dropping_out(client, login_as, organiser, setup):
    edition, judging_round, jurors, _entries = setup
    login_as(organiser)
    base = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}"
    client.post(f"{base}/pool", data={f"take_{j.id}": "1" for j in jurors} | {f"capacity_{j.id}": "3" for j in jurors})
    preview = services.plan_round(judging_round=judging_round)
    services.apply_plan(judging_round=judging_round, digest=preview.digest, by=organiser, now=utcnow())
    db.session.commit()
    assert max(preview.plan.loads.values()) <= 3
    dropped = jurors[0]
    kept = {f"take_{j.id}": "1" for j in jurors[1:]} | {f"capacity_{j.id}": "4" for j in jurors[1:]}
    page = client.post(f"{base}/pool", data=kept, follow_redirects=True).get_data(as_text=True)
    assert "3 Jurymitglieder nehmen an dieser Runde teil" in page
    replanned = services.plan_round(judging_round=judging_round)
    assert {j for j, _e in replanned.removed} == {dropped.id}
    assert all(int(j) != dropped.id for j, _e in replanned.plan.assignments)
    kept_pairs = {(a.user_id, a.entry_id) for a in queries.current_assignments(judging_round)
                  if a.user_id != dropped.id}
    assert kept_pairs <= {(int(j), int(e)) for j, e in replanned.plan.assignments}  # the others stay


def test_a_later_round_takes_the_shortlist(make_round, organiser, setup):
    edition, _judging_round, _jurors, entries = setup
    final = make_round(edition, name="Finale", jurors_per_entry=2)
    assert queries.round_entries(final) == []
    entries[1].status = EntryStatus.SHORTLISTED
    db.session.commit()
    assert [e.id for e in queries.round_entries(final)] == [entries[1].id]
    preview = services.plan_round(judging_round=final)
    assert len(preview.plan.assignments) == 2


def test_a_declared_conflict_covers_the_whole_company_group(organiser, setup):
    from competition.judging.models import CompanyGroup

    edition, judging_round, jurors, entries = setup
    db.session.add(Conflict(user_id=jurors[0].id, company_id=entries[1].company_id,
                            source=ConflictSource.DECLARED, reason="Kunde"))
    db.session.commit()
    assert not services.is_conflicted(jurors[0], entries[2])
    db.session.add(CompanyGroup(name="Konzern", members=["Wolf Fertigungstechnik GmbH & Co. KG", "komsa.example"]))
    db.session.commit()
    assert services.is_conflicted(jurors[0], entries[1]) and services.is_conflicted(jurors[0], entries[2])
    assert not services.is_conflicted(jurors[0], entries[0])
    preview = services.plan_round(judging_round=judging_round)
    assert all(not (int(j) == jurors[0].id and int(e) in (entries[1].id, entries[2].id))
               for j, e in preview.plan.assignments)


def test_preview_shows_each_juror_and_entry_and_why_an_expert_is_missing(client, login_as, organiser, setup,
                                                                         make_category, make_entry):
    edition, judging_round, jurors, entries = setup
    nobody_knows = make_category(edition, name="Kreislaufwirtschaft")
    lonely = make_entry(category=nobody_knows, status=EntryStatus.ELIGIBLE, number="IND-2026-0099",
                        title="Späne zu Sinterpulver")
    login_as(organiser)
    text = html.unescape(client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan")
                         .get_data(as_text=True))
    assert "Je Jurymitglied" in text and "Je Beitrag: wer bewertet was" in text
    for juror in jurors:
        assert juror.full_name in text
    assert "neu: " in text  # what each juror gains
    assert "1 Beitrag ohne Fachjurymitglied" in text
    assert ("IND-2026-0099 Späne zu Sinterpulver (Kreislaufwirtschaft): Niemand in der Jury dieser Runde hat "
            "Fachkenntnis in „Kreislaufwirtschaft“.") in text
    assert text.count("Fachkenntnis</span>") >= len(entries)  # the other entries each get an expert
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0  # nothing applied yet
    assert lonely.id


def test_preview_details_are_plain_values():
    from competition.judging import plan_preview

    changes = plan_preview.juror_changes(jurors={1: "Anna", 2: "Bernd"}, capacities={1: 2, 2: 2}, before={1: 1},
                                         assignments=[(1, 10), (2, 10), (2, 11)], new=[(2, 10), (2, 11)],
                                         removed=[(1, 12)], labels={10: "A", 11: "B", 12: "C"})
    assert [(c.name, c.before, c.after, c.added, c.removed) for c in changes] == [
        ("Anna", 1, 1, (), ("C",)), ("Bernd", 0, 2, ("A", "B"), ())]
    plans = plan_preview.entry_plans(entries={10: ("A", 5, "Mobilität"), 11: ("B", 6, "Digital")},
                                     jurors={1: "Anna", 2: "Bernd"}, expertise={1: {5}},
                                     assignments=[(1, 10), (2, 10), (2, 11)], new=[(2, 11)], removed=[],
                                     liked={(2, 11)}, disliked={(2, 10)})
    a, b = plans
    assert a.has_expert and not b.has_expert and b.experts_in_pool == 0
    assert [(m.name, m.is_new, m.preference) for m in b.panel] == [("Bernd", True, "gern")]
    assert [m.preference for m in a.panel] == ["", "lieber nicht"] and not a.changed and b.changed

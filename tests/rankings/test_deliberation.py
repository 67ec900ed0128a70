"""Deliberation and publication: snapshot content, shortlist, awards, overrides, publishing, the public page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.core.errors import Locked, PermissionDenied, ValidationFailed
from competition.editions.phases import Phase
from competition.entries.models import Entry, EntryStatus
from competition.extensions import db
from competition.judging import queries as judging_queries
from competition.judging.models import Score, ScoreSheet, SheetStatus
from competition.rankings import freezing, queries, services
from competition.rankings.models import AwardKind, Publication
from competition.rankings.publication import publish_results

# Per category: entries' scores by juror (two criteria, equal weights → the total is the mean of the pair).
SCORES = {
    "Digitalisierung": [
        ("Digitaler Zwilling <script>alert(1)</script>", [(9, 9), (8, 9), (9, 8)]),
        ("Sensorik im Bestand", [(6, 6), (7, 7), (6, 7)]),
        ("Papierlose Fertigung", [(4, 5), (5, 5), (3, 4)]),
    ],
    "Nachhaltigkeit": [
        ("Wärmerückgewinnung", [(8, 8), (8, 7), (9, 9)]),
        ("Recycling von Spänen", [(7, 6), (6, 6), (7, 7)]),
    ],
}


@dataclass
class World:
    edition: object
    first: object
    final: object
    jurors: list
    entries: dict = field(default_factory=dict)  # title → Entry


def _score(judging_round, entry, juror, values, now):
    sheet = ScoreSheet(round_id=judging_round.id, entry_id=entry.id, user_id=juror.id, status=SheetStatus.SUBMITTED,
                       submitted_at=now, feedback=f"Rückmeldung von {juror.full_name}")
    db.session.add(sheet)
    db.session.flush()
    for criterion, value in zip(judging_round.criteria, values, strict=True):
        db.session.add(Score(sheet_id=sheet.id, criterion_id=criterion.id, value=Decimal(value),
                             comment=f"Kommentar {criterion.name}"))


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_user, make_entry,
          organiser) -> World:
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=60), submission_deadline_at=now - timedelta(
        days=40), jury_starts_at=now - timedelta(days=30), jury_ends_at=now - timedelta(days=2),
        publication_at=now + timedelta(days=5))
    first = make_round(edition, name="Vorauswahl")
    final = make_round(edition, name="Finale")
    for judging_round in (first, final):
        make_criterion(judging_round, name="Innovation", weight=Decimal(1))
        make_criterion(judging_round, name="Wirkung", weight=Decimal(1))
    jurors = [make_user(email=f"jury{i}@example.org", full_name=f"Jurorin {i}", roles=(Role.JUROR,)) for i in range(3)]
    w = World(edition=edition, first=first, final=final, jurors=jurors)
    for n, (category_name, rows) in enumerate(SCORES.items()):
        category = make_category(edition, name=category_name)
        for i, (title, per_juror) in enumerate(rows):
            entry = make_entry(category=category, title=title, status=EntryStatus.ELIGIBLE,
                               number=f"IND-{n}{i}", publish_summary=(i == 0),
                               summary=f"Kurzbeschreibung {i} aus {category_name}")
            w.entries[title] = entry
            for juror, values in zip(jurors, per_juror, strict=True):
                _score(first, entry, juror, values, now)
    db.session.commit()
    return w


def test_snapshot_content_has_categories_entries_sheets_and_decisions(world, organiser):
    snapshot = services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=organiser, now=utcnow())
    content = snapshot.content
    assert content["format"] == 1 and content["round"] == {"id": world.first.id, "name": "Vorauswahl",
                                                            "position": 1, "is_final": False}
    assert [c["name"] for c in content["categories"]] == ["Digitalisierung", "Nachhaltigkeit"]
    digital = next(c["id"] for c in content["categories"] if c["name"] == "Digitalisierung")
    order = [content["entries"][r["entry"]]["title"] for r in content["by_category"][digital]["ranking"]]
    assert order == [t for t, _ in SCORES["Digitalisierung"]]
    top = content["by_category"][digital]["ranking"][0]
    assert top["score"] == pytest.approx((9 + 8.5 + 8.5) / 3, abs=1e-4) and top["sheets"] == 3
    assert len(content["sheets"]) == 15 and content["sheets"][0]["comments"]
    # People by id in the hashed content, their names beside it (erasable without breaking the hash).
    assert {j["name"] for j in content["jurors"].values()} == {f"#{j.id}" for j in world.jurors}
    resolved = queries.resolved_content(snapshot)
    assert {j["name"] for j in resolved["jurors"].values()} == {"Jurorin 0", "Jurorin 1", "Jurorin 2"}
    assert content["frozen_by"] == f"#{organiser.id}" and resolved["frozen_by"] == organiser.full_name
    assert content["decisions"] == {"shortlist": [], "awards": [], "overrides": [],
                                    "final_order": {k: [r["entry"] for r in v["ranking"]]
                                                    for k, v in content["by_category"].items()}}
    assert sum(r["sheets"] for r in content["overall"]["ranking"]) == 15
    assert services.verify_snapshot(snapshot) and freezing.staleness(snapshot) == []


def test_shortlist_proposed_edited_and_applied_moves_entries_to_the_final(world, organiser):
    now = utcnow()
    snapshot = services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=organiser, now=now)
    proposal = queries.propose_shortlist(snapshot, per_category=1)
    titles = {snapshot.content["entries"][e]["title"] for e in proposal}
    assert titles == {"Digitaler Zwilling <script>alert(1)</script>", "Wärmerückgewinnung"}
    chosen = [int(e) for e in proposal] + [world.entries["Sensorik im Bestand"].id]
    now += timedelta(seconds=1)
    services.apply_shortlist(judging_round=world.first, entry_ids=chosen, by=organiser, now=now)
    db.session.commit()
    finalists = judging_queries.round_entries(world.final)
    assert {e.id for e in finalists} == set(chosen)
    assert all(e.status is EntryStatus.SHORTLISTED for e in finalists)
    assert freezing.staleness(snapshot)  # the decision came after the snapshot
    # Edited again: one removed, it goes back to eligible and out of the final.
    services.apply_shortlist(judging_round=world.first, entry_ids=chosen[:2], by=organiser, now=now)
    db.session.commit()
    assert world.entries["Sensorik im Bestand"].status is EntryStatus.ELIGIBLE
    assert {e.id for e in judging_queries.round_entries(world.final)} == set(chosen[:2])
    frozen = services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=organiser,
                                     now=now + timedelta(seconds=1))
    assert sorted(frozen.content["decisions"]["shortlist"]) == sorted(str(e) for e in chosen[:2])
    events = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action == "ranking.shortlist_applied"))
    assert len(list(events)) == 2


def test_shortlist_is_refused_in_the_final_round_when_empty_and_once_the_final_is_scored(world, organiser):
    now = utcnow()
    with pytest.raises(ValidationFailed):
        services.apply_shortlist(judging_round=world.final, entry_ids=[1], by=organiser, now=now)
    with pytest.raises(ValidationFailed):
        services.apply_shortlist(judging_round=world.first, entry_ids=[], by=organiser, now=now)
    world.final.scoring_started_at = now
    with pytest.raises(Locked):
        services.apply_shortlist(judging_round=world.first, entry_ids=[world.entries["Wärmerückgewinnung"].id],
                                 by=organiser, now=now)


def _final_scores(world):
    now = utcnow()
    finalists = ["Digitaler Zwilling <script>alert(1)</script>", "Sensorik im Bestand", "Wärmerückgewinnung",
                 "Recycling von Spänen"]
    services.apply_shortlist(judging_round=world.first, entry_ids=[world.entries[t].id for t in finalists],
                             by=_organiser(), now=now)
    for title in finalists:
        entry = world.entries[title]
        base = {"Digitaler Zwilling <script>alert(1)</script>": 7, "Sensorik im Bestand": 8,
                "Wärmerückgewinnung": 9, "Recycling von Spänen": 6}[title]
        for juror in world.jurors:
            _score(world.final, entry, juror, (base, base), now)
    db.session.commit()
    return now


def _organiser():
    from competition.accounts.models import Role, User, UserRole

    return db.session.scalar(db.select(User).join(UserRole).where(UserRole.role == Role.ORGANISER))


def test_awards_overrides_freeze_and_publication(world, organiser, client, login_as):
    now = _final_scores(world)
    zwilling, sensorik = world.entries["Digitaler Zwilling <script>alert(1)</script>"], world.entries[
        "Sensorik im Bestand"]
    with pytest.raises(ValidationFailed):  # no justification
        services.set_award(judging_round=world.final, entry=sensorik, kind=AwardKind.WINNER, place=1,
                           justification="", by=organiser, now=now)
    with pytest.raises(ValidationFailed):  # awards belong to the last round
        services.set_award(judging_round=world.first, entry=sensorik, kind=AwardKind.WINNER, place=1,
                           justification="Überzeugende Lösung für den Mittelstand.", by=organiser, now=now)
    with pytest.raises(PermissionDenied):
        services.set_award(judging_round=world.final, entry=sensorik, kind=AwardKind.WINNER, place=1,
                           justification="Überzeugende Lösung für den Mittelstand.", by=world.jurors[0], now=now)
    services.set_award(judging_round=world.final, entry=sensorik, kind=AwardKind.WINNER, place=1,
                       justification="Überzeugende Lösung für den Mittelstand.", by=organiser, now=now)
    with pytest.raises(ValidationFailed):  # place 1 taken in the category
        services.set_award(judging_round=world.final, entry=zwilling, kind=AwardKind.WINNER, place=1,
                           justification="Ebenfalls hervorragend umgesetzt.", by=organiser, now=now)
    services.set_award(judging_round=world.final, entry=zwilling, kind=AwardKind.MENTION, place=None,
                       justification="Mutiger Ansatz mit <b>Wirkung</b>.", by=organiser, now=now)
    with pytest.raises(ValidationFailed):  # an override needs a reason
        services.set_override(judging_round=world.final, entry=zwilling, to_rank=1, reason="", by=organiser, now=now)
    with pytest.raises(ValidationFailed):  # rank beyond the category
        services.set_override(judging_round=world.final, entry=zwilling, to_rank=7,
                              reason="Die Jury sieht mehr Potenzial.", by=organiser, now=now)
    services.set_override(judging_round=world.final, entry=zwilling, to_rank=1,
                          reason="Die Jury sieht mehr Potenzial.", by=organiser, now=now)
    db.session.commit()

    snapshot = services.freeze_ranking(judging_round=world.final, method="weighted-mean", by=organiser,
                                       now=now + timedelta(seconds=1))
    db.session.commit()
    decisions = snapshot.content["decisions"]
    digital = str(zwilling.category_id)
    computed = [r["entry"] for r in snapshot.content["by_category"][digital]["ranking"]]
    assert computed == [str(sensorik.id), str(zwilling.id)]
    assert decisions["final_order"][digital] == [str(zwilling.id), str(sensorik.id)]
    assert decisions["overrides"] == [{"entry": str(zwilling.id), "category": digital, "from_rank": 2, "to_rank": 1,
                                       "reason": "Die Jury sieht mehr Potenzial.", "by": f"#{organiser.id}",
                                       "at": now.isoformat()}]
    assert {(a["entry"], a["kind"], a["place"]) for a in decisions["awards"]} == {
        (str(sensorik.id), "winner", 1), (str(zwilling.id), "mention", None)}
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"ranking.award_set", "ranking.override_set", "ranking.frozen"} <= actions

    # Publishing: not from the first round, then from the final snapshot; the page shows only in the phase.
    first_snapshot = services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=organiser, now=now)
    with pytest.raises(ValidationFailed):
        publish_results(snapshot=first_snapshot, by=organiser, now=now)
    publish_results(snapshot=snapshot, by=organiser, now=now)
    db.session.commit()
    assert sensorik.status is EntryStatus.AWARDED and zwilling.status is EntryStatus.AWARDED
    assert world.entries["Wärmerückgewinnung"].status is EntryStatus.NOT_AWARDED
    assert db.session.scalar(db.select(Publication)).snapshot_id == snapshot.id

    page = client.get(f"/ergebnisse/{world.edition.slug}")
    assert page.status_code == 404 and "noch nicht veröffentlicht" in page.get_data(as_text=True)
    world.edition.publication_at = now - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/ergebnisse/{world.edition.slug}").get_data(as_text=True)
    assert "Sensorik im Bestand" in html and "Platz 1" in html and "Überzeugende Lösung" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Mutiger Ansatz mit &lt;b&gt;Wirkung&lt;/b&gt;" in html
    assert "Jurorin" not in html  # no juror names in public
    assert "Kurzbeschreibung 0 aus Digitalisierung" in html  # allowed by its company
    assert "Kurzbeschreibung 1 aus Digitalisierung" not in html  # not allowed
    assert client.get("/ergebnisse/gibt-es-nicht").status_code == 404


def test_publishing_needs_winners_in_the_frozen_snapshot(world, organiser):
    now = _final_scores(world)
    snapshot = services.freeze_ranking(judging_round=world.final, method="weighted-mean", by=organiser, now=now)
    with pytest.raises(ValidationFailed, match="Preisträger"):
        publish_results(snapshot=snapshot, by=organiser, now=now)


def test_freeze_refuses_a_round_without_sheets_and_a_non_organiser(world, organiser):
    with pytest.raises(ValidationFailed, match="keine eingereichten"):
        services.freeze_ranking(judging_round=world.final, method="weighted-mean", by=organiser, now=utcnow())
    with pytest.raises(PermissionDenied):
        services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=world.jurors[0], now=utcnow())


def test_organiser_pages_show_the_stored_ranking_and_take_decisions(world, organiser, client, login_as):
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rankings"
    page = client.get(base)
    assert page.status_code == 200 and "noch keine Rangliste eingefroren" in page.get_data(as_text=True)
    response = client.post(f"{base}/rounds/{world.first.id}/freeze", data={"method": "calibrated"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Rangliste eingefroren" in html and "Digitaler Zwilling &lt;script&gt;" in html and "geprüft" in html
    assert html.count("<svg") >= 3 and 'role="img"' in html  # distribution, leniency, intervals
    page = client.get(f"{base}/rounds/{world.first.id}/deliberation?propose=1").get_data(as_text=True)
    assert "Vorschlag" in page
    chosen = [world.entries["Wärmerückgewinnung"].id, world.entries["Sensorik im Bestand"].id]
    response = client.post(f"{base}/rounds/{world.first.id}/shortlist", data={"entry": chosen},
                           follow_redirects=True)
    assert "Shortlist übernommen: 2" in response.get_data(as_text=True)
    assert {e.id for e in judging_queries.round_entries(world.final)} == set(chosen)
    # An override without a reason: refused with the message next to the field, nothing stored.
    entry = world.entries["Papierlose Fertigung"]
    response = client.post(f"{base}/rounds/{world.first.id}/entries/{entry.id}/override",
                           data={f"o{entry.id}-to_rank": "1", f"o{entry.id}-reason": ""})
    assert response.status_code == 422 and "braucht eine Begründung" in response.get_data(as_text=True)
    # Publishing a first-round snapshot is refused with a message.
    snapshot_id = queries.latest_snapshot(world.first).id
    response = client.post(f"{base}/snapshots/{snapshot_id}/publish", follow_redirects=True)
    assert "letzten Runde" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Publication)) is None


def test_entry_of_another_edition_cannot_be_decided_through_this_one(world, organiser, client, login_as,
                                                                    make_entry):
    stranger = make_entry(title="Fremder Beitrag")
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rankings"
    response = client.post(f"{base}/rounds/{world.final.id}/entries/{stranger.id}/award",
                           data={f"a{stranger.id}-kind": "winner"})
    assert response.status_code == 404
    assert db.session.scalar(db.select(Entry.status).where(Entry.id == stranger.id)) is EntryStatus.DRAFT


def test_snapshot_downloads_and_decisions_are_for_organisers_only(world, organiser, client, login_as):
    snapshot = services.freeze_ranking(judging_round=world.first, method="weighted-mean", by=organiser, now=utcnow())
    db.session.commit()
    entry = world.entries["Sensorik im Bestand"]
    base = f"/organisation/editions/{world.edition.id}/rankings"
    downloads = [f"{base}/snapshots/{snapshot.id}/{kind}.pdf" for kind in ("internal", "protocol", "public")] + [
        f"{base}/snapshots/{snapshot.id}/feedback/{entry.id}.pdf",
        f"{base}/snapshots/{snapshot.id}/export.xlsx", f"{base}/snapshots/{snapshot.id}/export.csv"]
    posts = [f"{base}/rounds/{world.first.id}/freeze", f"{base}/rounds/{world.first.id}/shortlist",
             f"{base}/rounds/{world.final.id}/entries/{entry.id}/award",
             f"{base}/rounds/{world.first.id}/entries/{entry.id}/override",
             f"{base}/snapshots/{snapshot.id}/publish", f"{base}/unpublish",
             f"{base}/snapshots/{snapshot.id}/bulk/certificates"]
    for url in downloads + posts:
        method = client.get if url in downloads else client.post
        assert method(url).status_code == 302, url  # anonymous: to the login page
    owner = db.session.get(type(organiser), entry.company.members[0].user_id)
    for user in (world.jurors[0], owner):
        login_as(user)
        for url in downloads:
            response = client.get(url)
            assert response.status_code == 403, url
            assert entry.title not in response.get_data(as_text=True)
        for url in posts:
            assert client.post(url, data={"method": "median", "entry": [entry.id]}).status_code == 403, url
    assert db.session.scalar(db.select(db.func.count()).select_from(type(snapshot))) == 1
    login_as(organiser)
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200 and len(response.data) > 500, url
    # a snapshot is only reachable through its own edition's URLs
    assert client.get(f"/organisation/editions/{world.edition.id + 999}/rankings/snapshots/{snapshot.id}/"
                      "internal.pdf").status_code == 404


def test_bulk_certificates_run_as_a_job_and_their_qr_target_confirms_the_award(world, organiser, client, login_as):
    import io
    import re

    from pypdf import PdfReader

    from competition.jobs import Job, JobStatus

    now = _final_scores(world)
    winner = world.entries["Wärmerückgewinnung"]
    services.set_award(judging_round=world.final, entry=winner, kind=AwardKind.WINNER, place=1,
                       justification="Vorbildliche Energieeffizienz im Mittelstand.", by=organiser, now=now)
    db.session.commit()
    snapshot = services.freeze_ranking(judging_round=world.final, method="weighted-mean", by=organiser,
                                       now=now + timedelta(seconds=1))
    db.session.commit()
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rankings"
    from competition.rankings.models import Certificate

    # not published: a draft ("Entwurf") without codes, and no certificate row
    draft = client.post(f"{base}/snapshots/{snapshot.id}/bulk/certificates", follow_redirects=True)
    assert "als Entwurf ohne Prüfcode" in draft.get_data(as_text=True)
    job = db.session.scalar(db.select(Job).where(Job.kind == "rankings.certificates"))
    assert job.status is JobStatus.DONE and job.result_filename.startswith("urkunden-entwurf-")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"/organisation/jobs/{job.id}/download")
                                                           .data)).pages]
    assert len(pages) == 4 and all("ENTWURF" in p and "/verify/certificate/" not in p for p in pages)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    publish_results(snapshot=snapshot, by=organiser, now=now + timedelta(seconds=2))
    world.edition.phase_override = Phase.PUBLISHED
    db.session.commit()
    response = client.post(f"{base}/snapshots/{snapshot.id}/bulk/certificates")
    job = db.session.scalars(db.select(Job).where(Job.kind == "rankings.certificates").order_by(Job.id.desc())).first()
    assert response.headers["Location"] == f"/organisation/jobs/{job.id}"
    db.session.refresh(job)
    assert job.status is JobStatus.DONE and job.progress_done == job.progress_total == 4
    pdf = client.get(f"/organisation/jobs/{job.id}/download")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 4  # one certificate per finalist, in one document
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.entry_id == winner.id))
    winner_page = next(page.extract_text() for page in reader.pages if "Wärmerückgewinnung" in page.extract_text())
    assert f"/verify/certificate/{certificate.code}" in re.sub(r"\s+", "", winner_page)
    client.get("/logout")
    page = client.get(f"/verify/certificate/{certificate.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Wärmerückgewinnung" in html and winner.company.legal_name in html


def test_results_mail_tells_every_company_its_outcome_with_its_feedback_once(world, organiser, client, login_as,
                                                                            outbox):
    from competition.jobs import Job, JobStatus
    from competition.jobs.runner import restart, run_job

    now = _final_scores(world)
    winner = world.entries["Wärmerückgewinnung"]
    services.set_award(judging_round=world.final, entry=winner, kind=AwardKind.WINNER, place=1,
                       justification="Vorbildliche Energieeffizienz im Mittelstand.", by=organiser, now=now)
    snapshot = services.freeze_ranking(judging_round=world.final, method="weighted-mean", by=organiser,
                                       now=now + timedelta(seconds=1))
    db.session.commit()
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rankings"
    refused = client.post(f"{base}/snapshots/{snapshot.id}/bulk/results_mail", follow_redirects=True)
    assert "veröffentlichen Sie diesen Stand zuerst" in refused.get_data(as_text=True)
    publish_results(snapshot=snapshot, by=organiser, now=now + timedelta(seconds=2))
    db.session.commit()
    outbox.clear()
    client.post(f"{base}/snapshots/{snapshot.id}/bulk/results_mail")
    job = db.session.scalar(db.select(Job).where(Job.kind == "rankings.results_mail"))
    assert job.status is JobStatus.DONE, job.message
    members = {e.company.members[0].user.email: title for title, e in world.entries.items()
               if str(e.id) in snapshot.content["entries"]}
    assert sorted(m.to[0] for m in outbox) == sorted(members)  # one mail per member of each finalist
    mail = next(m for m in outbox if members[m.to[0]] == "Wärmerückgewinnung")
    assert "1. Platz" in mail.body and "/ergebnisse/" in mail.body
    name, data, mimetype = mail.attachments[0]
    assert mimetype == "application/pdf" and data.startswith(b"%PDF") and name.startswith("rueckmeldung-")
    others = [m for m in outbox if members[m.to[0]] != "Wärmerückgewinnung"]
    assert all("Finale" in m.body and "1. Platz" not in m.body for m in others)
    restart(job, now=utcnow())  # a second run mails nobody twice
    db.session.commit()
    run_job(job.id)
    assert len(outbox) == len(members)

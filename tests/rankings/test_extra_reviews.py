"""The reliability meter in the database: stored at freezing (old snapshots keep verifying), extra reviews requested
from the latest snapshot (solver, conflicts, capacities, experts, audit, mails), refusals, the page and the PDF."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.core.errors import Locked, PermissionDenied, ValidationFailed
from competition.extensions import db
from competition.jobs.models import Job, JobStatus
from competition.judging.models import Assignment
from competition.rankings import extra_reviews, services, snapshot_reliability
from competition.rankings.models import ExtraReviewRequest, RankingSnapshot

from .reliability_world import build_world


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_user, make_entry, organiser):
    return build_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                       make_criterion=make_criterion, make_company=make_company, make_user=make_user,
                       make_entry=make_entry, organiser=organiser)


def freeze(world, *, line=3, method="calibrated", now=None):
    snapshot = services.freeze_ranking(judging_round=world.round, method=method, by=world.organiser,
                                       now=now or utcnow(), line=line)
    db.session.commit()
    return snapshot


def test_the_freeze_stores_the_meter_per_category_inside_the_hash(world):
    snapshot = freeze(world, line=3)
    stored = snapshot.content["reliability"]
    assert stored["format"] == 1 and stored["line"] == 3
    assert set(stored["categories"]) == {str(c.id) for c in world.categories.values()}
    digital = stored["categories"][str(world.categories["Digitalisierung"].id)]
    assert digital["status"] == "ok" and digital["method"] == "calibrated" and digital["entries"] == 8
    assert 0 < digital["single_rater"] < digital["panel"] < 1 and digital["line_stable"] is False
    assert digital["recommendations"]
    assert services.verify_snapshot(snapshot)
    snapshot.content = {**snapshot.content, "reliability": {**stored, "line": 2}}  # part of what the hash covers
    assert not services.verify_snapshot(snapshot)
    db.session.rollback()


def test_a_snapshot_frozen_before_the_meter_keeps_verifying_and_is_assessed_for_display(world):
    snapshot = freeze(world)
    old = {k: v for k, v in snapshot.content.items() if k != "reliability"}
    legacy = RankingSnapshot(edition_id=snapshot.edition_id, round_id=snapshot.round_id, method="calibrated",
                             content=old, people=snapshot.people, inputs_sha256=snapshot.inputs_sha256,
                             sha256=services.canonical_sha256(old), created_at=snapshot.created_at)
    db.session.add(legacy)
    db.session.commit()
    assert services.verify_snapshot(legacy) and "reliability" not in legacy.content
    meter = snapshot_reliability.read(legacy.content)
    assert meter.computed_for_display and meter.line == snapshot_reliability.LINE_FINAL  # the final round: 3 prizes
    fresh = snapshot_reliability.read(snapshot.content)
    assert not fresh.computed_for_display
    assert {c: r.panel for c, r in meter.categories.items()} == {c: r.panel for c, r in fresh.categories.items()}
    assert services.verify_snapshot(legacy)  # reading changed nothing


def test_the_freeze_line_defaults_to_the_last_one_and_is_checked(world):
    freeze(world, line=4)
    assert snapshot_reliability.default_line(world.round) == 4
    assert services.freeze_ranking(judging_round=world.round, method="weighted-mean", by=world.organiser,
                                   now=utcnow()).content["reliability"]["line"] == 4
    with pytest.raises(ValidationFailed):
        services.freeze_ranking(judging_round=world.round, method="weighted-mean", by=world.organiser, now=utcnow(),
                                line=0)


def _pairs_before(world) -> set[tuple[int, int]]:
    return {(a.user_id, a.entry_id) for a in db.session.scalars(select(Assignment))}


def test_requested_reviews_go_to_free_unconflicted_jurors_experts_first(world, app):
    snapshot = freeze(world)
    before = _pairs_before(world)
    meter = snapshot_reliability.read(snapshot.content)
    budget = min(5, len(meter.candidates()))
    wanted = [int(c.entry) for _cid, c in meter.candidates()[:budget]]
    result = extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=budget,
                                                 by=world.organiser, now=utcnow())
    db.session.commit()
    pairs = {(r.user_id, r.entry_id) for r in result.requests}
    skipped = {e.id for e in result.skipped}
    assert {e for _j, e in pairs} | skipped == set(wanted) and len(pairs) + len(skipped) == budget
    assert len({e for _j, e in pairs}) == len(pairs)  # one extra juror each
    for juror_id, entry_id in pairs:
        assert (juror_id, entry_id) not in before  # nobody reviews an entry twice
        assert not (juror_id == world.jurors[5].id and entry_id == world.conflicted_entry.id)  # conflicts respected
    load = Counter(j for j, _e in _pairs_before(world))
    assert load[world.jurors[4].id] <= 2  # the expert's capacity
    digital = {e.id for e in world.entries.values() if e.category_id == world.categories["Digitalisierung"].id}
    requested_digital = [e for _j, e in pairs if e in digital]
    assert sum(1 for j, e in pairs if j == world.jurors[4].id and e in digital) == min(2, len(requested_digital))
    rows = db.session.scalars(select(ExtraReviewRequest)).all()
    assert {(r.user_id, r.entry_id) for r in rows} == pairs and all(r.snapshot_id == snapshot.id for r in rows)
    assert all(r.assignment_id is not None for r in rows)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ranking.extra_reviews_requested"))
    assert event.object_id == world.round.id and event.actor_id == world.organiser.id
    # The freeze had locked the round; asking for sheets opens it again (audited), so the jurors can score them.
    assert world.round.is_frozen is False
    reopened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.reopened"))
    assert reopened is not None and "Zusätzliche Bewertungen" in reopened.data["reason"]


def test_the_mail_job_sends_each_juror_their_links_once(world, app, outbox):
    snapshot = freeze(world)
    result = extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=3,
                                                 by=world.organiser, now=utcnow())
    from competition.jobs import submit

    ids = [r.id for r in result.requests]
    submit("rankings.extra_reviews", params={"round_id": world.round.id, "request_ids": ids,
                                             "base_url": "https://evil.example"},  # of an older job: ignored
           by=world.organiser, now=utcnow())
    db.session.commit()  # runs inline
    jurors = {r.user.email for r in result.requests}
    mails = [m for m in outbox if m.to[0] in jurors]
    assert len(mails) == len(jurors)
    for request in result.requests:
        mail = next(m for m in mails if m.to == [request.user.email])
        assert f"{app.config['BASE_URL']}/jury/assignments/{request.assignment_id}" in mail.body
        assert "evil.example" not in mail.body
        assert request.entry.title in mail.body and "zusätzlich" in mail.subject + mail.body
    assert all(r.mailed_at is not None for r in db.session.scalars(select(ExtraReviewRequest)))
    job = db.session.scalar(select(Job).where(Job.kind == "rankings.extra_reviews"))
    assert job.status is JobStatus.DONE
    again = submit("rankings.extra_reviews", params={"round_id": world.round.id, "request_ids": ids},
                   by=world.organiser, now=utcnow())
    db.session.commit()
    assert len([m for m in outbox if m.to[0] in jurors]) == len(jurors)  # nobody is mailed twice
    assert db.session.get(Job, again.id).status is JobStatus.DONE


def test_refusals_say_why_and_change_nothing(world, make_user):
    snapshot = freeze(world)
    count = db.session.scalar(select(func.count()).select_from(Assignment))
    juror = world.jurors[0]
    with pytest.raises(PermissionDenied):
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=1, by=juror,
                                            now=utcnow())
    with pytest.raises(ValidationFailed) as too_many:
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=500,
                                            by=world.organiser, now=utcnow())
    assert too_many.value.field == "budget"
    with pytest.raises(Locked, match="nur während der Jurybewertung"):
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=1,
                                            by=world.organiser, now=world.edition.jury_ends_at + timedelta(hours=1))
    newer = freeze(world)
    with pytest.raises(ValidationFailed, match="neueren Stand"):
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=1,
                                            by=world.organiser, now=utcnow())
    extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=newer, budget=1, by=world.organiser,
                                        now=utcnow())
    db.session.commit()
    with pytest.raises(ValidationFailed, match="bereits 1 zusätzliche"):
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=newer, budget=1, by=world.organiser,
                                            now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == count + 1


def test_entries_nobody_can_take_are_named_and_none_at_all_is_refused(world):
    snapshot = freeze(world)
    from competition.judging.models import RoundJuror

    for row in db.session.scalars(select(RoundJuror)):  # everyone full: their current load is their capacity
        row.capacity = db.session.scalar(select(func.count()).select_from(Assignment)
                                         .where(Assignment.user_id == row.user_id))
    db.session.commit()
    with pytest.raises(extra_reviews.NoJurorAvailable, match="Für keinen der empfohlenen Beiträge"):
        extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=2,
                                            by=world.organiser, now=utcnow())
    db.session.rollback()
    spare = db.session.scalar(select(RoundJuror).where(RoundJuror.user_id == world.jurors[5].id))
    spare.capacity = 1  # one free place in the whole jury
    db.session.commit()
    result = extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=snapshot, budget=2,
                                                 by=world.organiser, now=utcnow())
    assert len(result.requests) == 1 and result.requests[0].user_id == world.jurors[5].id


# --- the page, the request form and the PDF ---------------------------------------------------------------------

def _page(client, world, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/organisation/editions/{world.edition.id}/rankings?round={world.round.id}&{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_explains_the_meter_and_the_button_asks_for_reviews(world, client, login_as, outbox):
    snapshot = freeze(world)
    login_as(world.organiser)
    page = _page(client, world)
    assert "Wie sicher ist die Jury?" in page and "Zuverlässigkeit der Gesamtwertung" in page
    assert "Die Linie nach Platz 3 ist nicht gesichert" in page
    assert "Was bedeuten diese Angaben?" in page and "Henderson" in page
    assert 'name="budget"' in page and "Zusätzliche Bewertungen anfordern" in page
    url = f"/organisation/editions/{world.edition.id}/rankings/rounds/{world.round.id}/extra-reviews"
    refused = client.post(url, data={"snapshot_id": snapshot.id, "budget": "999"})
    assert refused.status_code == 302 and "budget=999" in refused.headers["Location"]
    again = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Bitte wählen Sie zwischen 1 und" in again or "Bitte eine Zahl von 1 bis 500" in again
    assert 'value="999"' in again  # what was typed is kept
    response = client.post(url, data={"snapshot_id": snapshot.id, "budget": "2"})
    assert response.headers["Location"].endswith(f"/rankings?round={world.round.id}#zuverlaessigkeit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 zusätzliche Bewertungen angefordert" in page
    assert "wurden aus diesem Stand 2 zusätzliche Bewertungen angefordert; eingereicht: 0" in page
    assert 'name="budget"' not in page  # one request per snapshot
    assert len({m.to[0] for m in outbox}) >= 1 and all("/jury/assignments/" in m.body for m in outbox)


def _submit_extra_sheets(make_score_sheet, value=None):
    """The jurors score their extra entries (as the browser test does through the form)."""
    for request in list(db.session.scalars(select(ExtraReviewRequest))):
        make_score_sheet(db.session.get(Assignment, request.assignment_id), value=value or 6)


def test_the_next_freeze_shows_the_change_against_the_previous_snapshot(world, client, login_as, make_score_sheet):
    first = freeze(world)
    extra_reviews.request_extra_reviews(judging_round=world.round, snapshot=first, budget=3, by=world.organiser,
                                        now=utcnow())
    db.session.commit()
    _submit_extra_sheets(make_score_sheet)
    login_as(world.organiser)
    assert "eingereicht: 3" in _page(client, world)
    second = freeze(world, now=utcnow() + timedelta(seconds=1))
    page = _page(client, world, snapshot=second.id)
    assert page.count("Gegenüber dem Stand vom") == 2  # each category
    assert re.search(r"Zuverlässigkeit \d,\d+ → \d,\d+", page)
    assert sum(int(n) for n in re.findall(r"(\d+) Bögen? mehr", page)) == 3  # the three extra sheets
    assert "eingereicht: 3" not in page  # the new snapshot has no request of its own yet
    assert "Zusätzliche Bewertungen anfordern" in page or "Eine einzelne weitere Bewertung" in page


def test_the_internal_pdf_has_the_meter(world, client, login_as):
    snapshot = freeze(world)
    login_as(world.organiser)
    response = client.get(f"/organisation/editions/{world.edition.id}/rankings/snapshots/{snapshot.id}/internal.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Wie sicher ist die Jury?" in text
    assert "Kategorie: Digitalisierung – Linie nicht gesichert" in text
    assert "Zuverlässigkeit der Gesamtwertung" in text and "Empfohlen: je eine weitere Bewertung" in text


def test_only_organisers_may_request(world, client, login_as):
    snapshot = freeze(world)
    login_as(world.jurors[0])
    response = client.post(f"/organisation/editions/{world.edition.id}/rankings/rounds/{world.round.id}/extra-reviews",
                           data={"snapshot_id": snapshot.id, "budget": "1"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ExtraReviewRequest)) == 0


def test_the_freeze_command_takes_the_line(world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rankings", "freeze", "--edition", world.edition.slug, "--method", "calibrated",
                                 "--line", "2"])
    assert result.exit_code == 0, result.output
    snapshot = db.session.scalar(select(RankingSnapshot))
    assert snapshot.content["reliability"]["line"] == 2 and services.verify_snapshot(snapshot)
    refused = runner.invoke(args=["rankings", "freeze", "--edition", world.edition.slug, "--line", "0"])
    assert refused.exit_code == 2 and "--line" in refused.output
    assert db.session.scalar(select(func.count()).select_from(RankingSnapshot)) == 1


def test_the_pdf_of_a_snapshot_frozen_before_the_meter_stays_as_it_was(world):
    from competition.rankings import outputs

    snapshot = freeze(world)
    old = {k: v for k, v in snapshot.content.items() if k != "reliability"}
    legacy = RankingSnapshot(edition_id=snapshot.edition_id, round_id=snapshot.round_id, method="calibrated",
                             content=old, people=snapshot.people, inputs_sha256=snapshot.inputs_sha256,
                             sha256=services.canonical_sha256(old), created_at=snapshot.created_at)
    db.session.add(legacy)
    db.session.commit()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(outputs.internal_pdf(legacy))).pages)
    assert "Wie sicher ist die Jury?" not in text  # archived documents show only what was frozen


def test_an_entry_withdrawn_since_the_snapshot_gets_no_juror_and_is_named(world, client, login_as):
    from competition.entries.models import Entry, EntryStatus

    snapshot = freeze(world)
    meter = snapshot_reliability.read(snapshot.content)
    first = db.session.get(Entry, int(meter.candidates()[0][1].entry))
    first.status = EntryStatus.WITHDRAWN
    db.session.commit()
    login_as(world.organiser)
    response = client.post(f"/organisation/editions/{world.edition.id}/rankings/rounds/{world.round.id}/"
                           "extra-reviews", data={"snapshot_id": snapshot.id, "budget": "2"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 zusätzliche Bewertung angefordert" in page
    assert f"nicht zugelassen, daher ohne weitere Bewertung: {first.number} „{first.title}“" in page
    assert db.session.scalar(select(func.count()).select_from(ExtraReviewRequest)
                             .where(ExtraReviewRequest.entry_id == first.id)) == 0

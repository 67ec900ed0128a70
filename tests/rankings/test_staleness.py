"""Issue 13.5: the "snapshot out of date" notice notices everything that changes what a ranking counts, also voided
sheets and removed assignments (it used to look only at sheet update times), exactly and cheaply: a fingerprint of
the counted inputs (sheet ids and versions, assignment ids, the round's settings) recorded with the snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.extensions import db
from competition.judging import services as jury
from competition.judging import sheets
from competition.rankings import freezing, services
from competition.rankings.models import RankingSnapshot

from ..judging.round_world import build_round_world


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser)


def _freeze_and_reopen(world, organiser) -> RankingSnapshot:
    now = utcnow()
    snapshot = services.freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=organiser,
                                       now=now)
    freezing.reopen_round(judging_round=world.judging_round, reason="Korrekturen nach der Jurysitzung",
                          by=organiser, now=now + timedelta(seconds=1))
    db.session.commit()
    assert freezing.staleness(snapshot) == []
    return snapshot


def test_a_voided_sheet_and_a_removed_assignment_make_the_snapshot_out_of_date(client, login_as, world, organiser):
    snapshot = _freeze_and_reopen(world, organiser)
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}"
    # The organiser removes a scored assignment (e.g. a conflict came to light); its submitted sheet is voided.
    client.post(f"{base}/matrix", data={"entry_id": world.entries[1].id, "juror_id": world.jurors[1].id,
                                        "confirm": "1"})
    assert db.session.get(type(world.assignment(1, 1)), world.assignment(1, 1).id) is None
    reasons = freezing.staleness(snapshot)
    assert "1 Bewertungsbogen zählt nicht mehr, weil seine Zuweisung entfernt wurde." in reasons
    assert "1 Zuweisung wurde seitdem entfernt." in reasons
    page = client.get(f"/organisation/editions/{world.edition.id}/rankings?round={world.judging_round.id}"
                      f"&snapshot={snapshot.id}").get_data(as_text=True)
    assert "Dieser Stand ist nicht mehr aktuell." in page and "weil seine Zuweisung entfernt wurde" in page
    deliberation = client.get(f"/organisation/editions/{world.edition.id}/rankings/rounds/"
                              f"{world.judging_round.id}/deliberation").get_data(as_text=True)
    assert "weil seine Zuweisung entfernt wurde" in deliberation


def test_a_removed_assignment_without_a_sheet_and_an_added_one_are_noticed(world, organiser, make_user):
    extra = make_user(roles=(Role.JUROR,), email="extra@hochschule.example", full_name="Extra Jurorin")
    assignment = jury.add_assignment(judging_round=world.judging_round, juror=extra, entry=world.entries[0],
                                     by=organiser, now=utcnow())
    db.session.commit()
    snapshot = _freeze_and_reopen(world, organiser)
    jury.remove_assignment(assignment=assignment, by=organiser, now=utcnow())
    db.session.commit()
    assert freezing.staleness(snapshot) == ["1 Zuweisung wurde seitdem entfernt."]
    jury.add_assignment(judging_round=world.judging_round, juror=extra, entry=world.entries[1], by=organiser,
                        now=utcnow())
    db.session.commit()
    assert freezing.staleness(snapshot) == ["1 Zuweisung wurde seitdem entfernt.",
                                            "1 Zuweisung ist seitdem hinzugekommen."]


def test_a_reopened_sheet_counts_until_it_is_submitted_again_and_then_as_changed(world, organiser):
    snapshot = _freeze_and_reopen(world, organiser)
    assignment = world.assignment(0, 0)
    juror = world.jurors[0]
    sheet = sheets.sheet_for(assignment)
    sheets.reopen_sheet(sheet=sheet, reason="Eingabefehler", by=juror, now=utcnow())
    db.session.commit()
    assert freezing.staleness(snapshot) == ["1 Bewertungsbogen wurde seitdem wieder geöffnet und zählt nicht mehr."]
    sheets.submit_sheet(assignment=assignment, version=None, by=juror, now=utcnow())
    db.session.commit()
    assert freezing.staleness(snapshot) == [
        "1 Bewertungsbogen wurde seitdem wieder geöffnet und erneut eingereicht."]
    fresh = services.freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=organiser,
                                    now=utcnow() + timedelta(seconds=2))
    db.session.commit()
    assert freezing.staleness(fresh) == []


def test_a_draft_saved_after_the_freeze_does_not_make_the_snapshot_out_of_date(world, organiser, make_user):
    extra = make_user(roles=(Role.JUROR,), email="extra@hochschule.example", full_name="Extra Jurorin")
    assignment = jury.add_assignment(judging_round=world.judging_round, juror=extra, entry=world.entries[0],
                                     by=organiser, now=utcnow())
    sheets.confirm_no_conflict(assignment=assignment, by=extra, now=utcnow())
    db.session.commit()
    snapshot = _freeze_and_reopen(world, organiser)
    sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
        values={world.criteria[0].id: "4"}, comments={}, overall_comment="", feedback=""), version=None, by=extra,
        now=utcnow())
    db.session.commit()
    assert freezing.staleness(snapshot) == []  # a draft is not counted (the old check called this "geändert")


def test_the_check_is_cheap_a_fixed_number_of_narrow_queries(world, organiser):
    snapshot = _freeze_and_reopen(world, organiser)
    db.session.expire_all()
    snapshot = db.session.get(RankingSnapshot, snapshot.id)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert freezing.staleness(snapshot) == []
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) <= 5, statements
    assert not any("FROM scores" in s or "ranking_snapshots.content" in s or "ranking_snapshots.counted," in s
                   for s in statements), statements


def test_a_snapshot_frozen_before_the_fingerprint_compares_the_recomputed_inputs(world, organiser):
    snapshot = _freeze_and_reopen(world, organiser)
    snapshot.counted, snapshot.counted_sha256 = None, None  # as the migration leaves older snapshots
    db.session.commit()
    assert freezing.staleness(snapshot) == []
    jury.remove_assignment(assignment=world.assignment(1, 1), by=organiser, now=utcnow(), confirmed=True)
    db.session.commit()
    assert freezing.staleness(snapshot) == ["Die gezählten Bewertungen haben sich seitdem geändert."]

"""Issue 17: the ranking page's "out of date" check is one query while nothing changed. Every write that changes a
round's sheets, scores, assignments or criteria bumps `JudgingRound.inputs_revision` in the same transaction
(judging.revisions, whatever code path makes it); a snapshot records the revision at freeze. Writes elsewhere leave
it alone, and a bump that changed nothing counted still says "current" (the exact hash decides then)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, event, select, update

from competition.accounts.models import Role, User
from competition.core.clock import utcnow
from competition.editions.models import Criterion, JudgingRound
from competition.entries.models import Entry
from competition.extensions import db
from competition.judging import services as jury
from competition.judging import sheets
from competition.judging.models import Assignment, AssignmentSource, Score, ScoreSheet
from competition.rankings import freezing, services
from competition.rankings.models import RankingSnapshot

from ..judging.round_world import build_round_world


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser)


def _revision(judging_round) -> int:
    return db.session.scalar(select(JudgingRound.inputs_revision).where(JudgingRound.id == judging_round.id))


def _freeze_and_reopen(world, organiser) -> RankingSnapshot:
    now = utcnow()
    snapshot = services.freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=organiser,
                                       now=now)
    freezing.reopen_round(judging_round=world.judging_round, reason="Korrekturen nach der Jurysitzung",
                          by=organiser, now=now + timedelta(seconds=1))
    db.session.commit()
    assert snapshot.inputs_revision == _revision(world.judging_round)  # reopening is no change of the inputs
    return snapshot


def _statements(snapshot) -> tuple[list[str], list[str]]:
    db.session.expire_all()
    snapshot = db.session.get(RankingSnapshot, snapshot.id)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        reasons = freezing.staleness(snapshot)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return reasons, statements


def test_an_unchanged_round_is_checked_without_reading_sheets_or_assignments(world, organiser):
    snapshot = _freeze_and_reopen(world, organiser)
    reasons, statements = _statements(snapshot)
    assert reasons == []
    assert not any("FROM score_sheets" in s or "FROM assignments" in s for s in statements), statements


def _change_then_expect_stale(world, organiser, change, expected: str | None = None) -> None:
    snapshot = _freeze_and_reopen(world, organiser)
    before = _revision(world.judging_round)
    change()
    db.session.commit()
    assert _revision(world.judging_round) > before
    reasons, statements = _statements(snapshot)
    assert reasons, "the snapshot must say it is out of date"
    if expected:
        assert expected in reasons
    assert any("FROM score_sheets" in s for s in statements)  # the exact check ran


def test_a_reopened_sheet_marks_the_snapshot_stale(world, organiser):
    sheet = sheets.sheet_for(world.assignment(0, 0))
    _change_then_expect_stale(world, organiser, lambda: sheets.reopen_sheet(
        sheet=sheet, reason="Eingabefehler", by=world.jurors[0], now=utcnow()),
        "1 Bewertungsbogen wurde seitdem wieder geöffnet und zählt nicht mehr.")


def test_a_new_submitted_sheet_marks_the_snapshot_stale(world, organiser, make_user):
    extra = make_user(roles=(Role.JUROR,), email="extra@hochschule.example", full_name="Extra Jurorin")
    assignment = jury.add_assignment(judging_round=world.judging_round, juror=extra, entry=world.entries[0],
                                     by=organiser, now=utcnow())
    sheets.confirm_no_conflict(assignment=assignment, by=extra, now=utcnow())
    db.session.commit()

    def submit():
        sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
            values={c.id: "5" for c in world.criteria}, comments={}, overall_comment="", feedback="Gut"),
            version=None, by=extra, now=utcnow())
        sheets.submit_sheet(assignment=assignment, version=None, by=extra, now=utcnow())

    _change_then_expect_stale(world, organiser, submit, "1 Bewertungsbogen wurde seitdem eingereicht.")


def test_a_voided_sheet_and_a_removed_assignment_mark_the_snapshot_stale(world, organiser):
    _change_then_expect_stale(world, organiser, lambda: jury.remove_assignment(
        assignment=world.assignment(1, 1), by=organiser, now=utcnow(), confirmed=True),
        "1 Zuweisung wurde seitdem entfernt.")


def test_an_added_assignment_marks_the_snapshot_stale(world, organiser, make_user):
    extra = make_user(roles=(Role.JUROR,), email="extra@hochschule.example", full_name="Extra Jurorin")
    _change_then_expect_stale(world, organiser, lambda: jury.add_assignment(
        judging_round=world.judging_round, juror=extra, entry=world.entries[1], by=organiser, now=utcnow()),
        "1 Zuweisung ist seitdem hinzugekommen.")


def test_writes_that_bypass_the_services_are_noticed_too(world, organiser):
    """A sheet voided or a score changed directly on the model, a bulk delete: nothing can forget the bump."""
    sheet_id = sheets.sheet_for(world.assignment(0, 1)).id

    def void_directly():
        db.session.get(ScoreSheet, sheet_id).is_void = True

    _change_then_expect_stale(world, organiser, void_directly,
                              "1 Bewertungsbogen zählt nicht mehr, weil seine Zuweisung entfernt wurde.")


def test_a_bulk_delete_of_assignments_is_noticed(world, organiser):
    assignment_id = world.assignment(1, 0).id
    _change_then_expect_stale(world, organiser, lambda: db.session.execute(
        delete(Assignment).where(Assignment.id == assignment_id)), "1 Zuweisung wurde seitdem entfernt.")


def test_a_changed_score_and_a_deleted_juror_bump_the_revision(world, organiser):
    before = _revision(world.judging_round)
    score = db.session.scalars(select(Score).join(ScoreSheet).where(
        ScoreSheet.round_id == world.judging_round.id)).first()
    score.value = Decimal("1")
    db.session.commit()
    assert _revision(world.judging_round) == before + 1
    db.session.execute(update(Score).where(Score.id == score.id).values(value=Decimal("2")))
    db.session.commit()
    assert _revision(world.judging_round) == before + 2
    db.session.delete(db.session.get(User, world.jurors[1].id))  # the database cascades to sheets and assignments
    db.session.commit()
    assert _revision(world.judging_round) == before + 3
    criterion = db.session.get(Criterion, world.criteria[0].id)
    criterion.weight = Decimal("2")
    db.session.commit()
    assert _revision(world.judging_round) == before + 4


def test_nothing_else_bumps_the_revision_or_marks_the_snapshot_stale(world, organiser, make_round):
    snapshot = _freeze_and_reopen(world, organiser)
    before = _revision(world.judging_round)
    other = make_round(world.edition, name="Finale", jurors_per_entry=1, deadline_at=utcnow() + timedelta(days=9))
    db.session.add(Assignment(round_id=other.id, user_id=world.jurors[0].id, entry_id=world.entries[0].id,
                              source=AssignmentSource.MANUAL, created_at=utcnow()))
    db.session.get(Entry, world.entries[0].id).title = "Hybride Drehmaschine 2.0"
    db.session.get(User, world.jurors[0].id).full_name = "Prof. Jurorin Null"
    round_ = db.session.get(JudgingRound, world.judging_round.id)
    round_.description = "Neue Beschreibung"
    db.session.commit()
    db.session.execute(update(User).where(User.id == world.jurors[1].id).values(full_name="Prof. Jurorin Eins"))
    db.session.commit()
    assert _revision(world.judging_round) == before
    assert _revision(other) >= 1
    reasons, statements = _statements(snapshot)
    assert reasons == []
    assert not any("FROM score_sheets" in s for s in statements), statements


def test_a_bump_that_changed_nothing_counted_still_says_current(world, organiser, make_user):
    extra = make_user(roles=(Role.JUROR,), email="extra@hochschule.example", full_name="Extra Jurorin")
    assignment = jury.add_assignment(judging_round=world.judging_round, juror=extra, entry=world.entries[0],
                                     by=organiser, now=utcnow())
    sheets.confirm_no_conflict(assignment=assignment, by=extra, now=utcnow())
    db.session.commit()
    snapshot = _freeze_and_reopen(world, organiser)
    before = _revision(world.judging_round)
    sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
        values={world.criteria[0].id: "4"}, comments={}, overall_comment="", feedback=""), version=None, by=extra,
        now=utcnow())
    db.session.commit()
    assert _revision(world.judging_round) > before
    assert freezing.staleness(snapshot) == []  # a draft is not counted: the exact hash says so

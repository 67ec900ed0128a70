"""`flask demo seed --scored`: realistic, deterministic scores for the preliminary round, made through the services."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from statistics import mean

from competition.admin.demo import (
    SHEET_DRAFT,
    SHEET_NOT_STARTED,
    SHEET_SUBMITTED,
    juror_leniency,
    plan_scores,
)
from competition.core.audit import AuditEvent, first_broken_link
from competition.core.clock import utcnow
from competition.editions.models import Edition
from competition.editions.phases import Phase
from competition.editions.scales import Scale
from competition.extensions import db
from competition.judging import sheets
from competition.judging.models import Assignment, ScoreSheet, ScoreSheetEvent, SheetStatus
from tests.conftest import empty_all_tables

ARGS = ["demo", "seed", "--entries", "16", "--jurors", "6", "--seed", "11"]
SUMMARY = re.compile(r"(\d+) Bewertungsbögen, davon (\d+) eingereicht und (\d+) Entwürfe; (\d+) Zuweisungen noch "
                     r"nicht begonnen")


def _seed(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _scores() -> dict[tuple[str, str, str], tuple[str, Decimal | None, str]]:
    """(juror e-mail, entry number, criterion) → (sheet status, value, comment): independent of database ids."""
    found = {}
    for sheet in db.session.scalars(db.select(ScoreSheet)):
        for score in sheet.scores:
            criterion = next(c for c in sheet.round.criteria if c.id == score.criterion_id)
            found[(sheet.user.email, sheet.entry.number, criterion.name)] = (sheet.status.value, score.value,
                                                                          score.comment)
    return found


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_scored_demo_is_realistic_and_made_through_the_services(app):
    output = _seed(app, *ARGS, "--scored")
    scored, submitted, drafts, not_started = map(int, SUMMARY.search(output).groups())
    assert "Bewertungen erzeugt" in output and "jetzt in der Jurybewertung" in output

    edition = db.session.scalar(db.select(Edition))
    preliminary = edition.rounds[0]
    assert edition.phase_override is Phase.JURY and preliminary.scoring_started_at is not None
    assignments = db.session.scalars(db.select(Assignment).where(Assignment.round_id == preliminary.id)).all()
    all_sheets = db.session.scalars(db.select(ScoreSheet)).all()
    assert len(all_sheets) == scored and scored + not_started == len(assignments) == 3 * 13
    assert submitted + drafts == scored and submitted >= 0.7 * len(assignments) and drafts >= 1
    assert Counter(s.status for s in all_sheets) == {SheetStatus.SUBMITTED: submitted, SheetStatus.DRAFT: drafts}

    scale = preliminary.scale
    for sheet in all_sheets:
        assert sheet.assignment_id is not None and sheet.no_conflict_confirmed_at is not None
        values = sheet.values()
        assert all(scale.allows(v) for v in values.values() if v is not None)  # within the scale, on a step
        if sheet.status is SheetStatus.SUBMITTED:
            assert len(values) == len(preliminary.criteria) and None not in values.values()
            assert [e.action for e in sheet.events] == ["saved", "submitted"]
            assert scale.minimum <= sheets.total_of(sheet) <= scale.maximum
        else:
            assert 1 <= len([v for v in values.values() if v is not None]) < len(preliminary.criteria)
            assert [e.action for e in sheet.events] == ["saved"]
    comments = [s.comment for sheet in all_sheets for s in sheet.scores if s.comment]
    assert comments and all(len(c) < 120 for c in comments)  # short German remarks on some criteria only
    assert len(comments) < scored * len(preliminary.criteria) / 2
    actions = Counter(db.session.scalars(db.select(AuditEvent.action)))
    assert actions["sheet.submitted"] == submitted and actions["sheet.no_conflict_confirmed"] == scored
    assert actions["edition.phase_override"] == 1
    assert first_broken_link() is None


def test_the_same_seed_gives_the_same_scores_and_another_seed_others(app):
    _seed(app, *ARGS, "--scored")
    first = _scores()
    assert first
    db.session.remove()
    empty_all_tables()
    _seed(app, *ARGS, "--scored")
    assert _scores() == first

    pairs = [(f"jury{j}@ind-demo.example", f"IND-2026-{e:04d}") for j in range(6) for e in range(12)]
    scale, criteria = Scale(Decimal(0), Decimal(10), Decimal(1)), ["Innovationsgrad", "Nachhaltigkeit"]
    assert plan_scores(pairs=pairs, criteria=criteria, scale=scale, seed=1) == plan_scores(
        pairs=list(reversed(pairs)), criteria=criteria, scale=scale, seed=1)  # not even the order matters
    assert plan_scores(pairs=pairs, criteria=criteria, scale=scale, seed=1) != plan_scores(
        pairs=pairs, criteria=criteria, scale=scale, seed=2)


def test_lenient_jurors_score_higher_than_harsh_ones(app):
    _seed(app, *ARGS, "--scored")
    all_sheets = db.session.scalars(db.select(ScoreSheet)).all()
    leniency = juror_leniency([s.user.email for s in all_sheets], seed=11)
    lenient = max(leniency, key=leniency.get)
    harsh = min(leniency, key=leniency.get)
    assert leniency[lenient] >= 1 and leniency[harsh] <= -0.8
    assert sum(1 for value in leniency.values() if abs(value) < 0.8) >= len(leniency) - 2  # most are near 0

    def average(email: str) -> Decimal:
        totals = [sheets.total_of(s) for s in all_sheets if s.user.email == email and s.status is SheetStatus.SUBMITTED]
        assert totals
        return sum(totals) / len(totals)

    assert average(lenient) > average(harsh)
    jury_mean = mean(sheets.total_of(s) for s in all_sheets if s.status is SheetStatus.SUBMITTED)
    assert average(lenient) > jury_mean > average(harsh)


def test_a_second_run_adds_nothing(app):
    _seed(app, *ARGS, "--scored")
    before = (_scores(), _count(ScoreSheet), _count(ScoreSheetEvent), _count(AuditEvent))
    output = _seed(app, *ARGS, "--scored")
    assert "bereits vorhanden" in output and "keine neuen erzeugt" in output
    assert "nichts geändert" not in output  # it would not be true in general with --scored
    db.session.expire_all()
    assert (_scores(), _count(ScoreSheet), _count(ScoreSheetEvent), _count(AuditEvent)) == before


def test_scores_are_added_to_an_existing_demo_where_none_exist_yet(app):
    _seed(app, *ARGS)  # the demo without scores
    assignment = db.session.scalars(db.select(Assignment).order_by(Assignment.id)).first()
    juror = assignment.user
    edition = db.session.scalar(db.select(Edition))
    edition.phase_override = Phase.JURY
    now = utcnow()
    sheets.confirm_no_conflict(assignment=assignment, by=juror, now=now)
    sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
        values={assignment.round.criteria[0].id: "2"}, comments={}, overall_comment="Von Hand begonnen",
        feedback=""), version=None, by=juror, now=now)
    db.session.commit()

    output = _seed(app, *ARGS, "--scored")
    assert "Bewertungen ergänzt (1 Bewertungsbögen waren schon vorhanden)" in output
    assert "jetzt in der Jurybewertung" not in output  # it was already
    db.session.expire_all()
    kept = sheets.sheet_for(assignment)
    assert kept.overall_comment == "Von Hand begonnen" and kept.status is SheetStatus.DRAFT  # never touched
    assert [e.action for e in kept.events] == ["saved"]
    scored = int(SUMMARY.search(output).group(1))
    assert _count(ScoreSheet) == scored + 1


def test_plan_shares_and_scale_with_half_steps():
    pairs = [(f"jury{j:02d}@ind-demo.example", f"IND-2026-{e:04d}") for j in range(20) for e in range(60)]
    criteria = ["Innovationsgrad", "Wirtschaftliches Potenzial", "Präsentation"]
    scale = Scale(Decimal(1), Decimal(7), Decimal("0.5"))
    plan = plan_scores(pairs=pairs, criteria=criteria, scale=scale, seed=2026)
    states = Counter(p.state for p in plan.values())
    assert 0.82 < states[SHEET_SUBMITTED] / len(plan) < 0.88
    assert states[SHEET_DRAFT] > states[SHEET_NOT_STARTED] > 0
    for sheet in plan.values():
        assert all(scale.allows(v) for v in sheet.values if v is not None)
        assert all(not text or v is not None for v, text in zip(sheet.values, sheet.comments, strict=True))
        if sheet.state == SHEET_SUBMITTED:
            assert None not in sheet.values
    used = Counter(v for sheet in plan.values() for v in sheet.values if v is not None)
    assert used[Decimal("1.0")] > 0 and used[Decimal("7.0")] > 0 and used[Decimal("4.5")] > 0  # the whole range
    assert juror_leniency([], seed=1) == {} and list(juror_leniency(["a"], seed=1)) == ["a"]


def test_without_assignments_there_is_nothing_to_score(app):
    output = _seed(app, "demo", "seed", "--entries", "3", "--jurors", "0", "--scored")
    assert "Keine Bewertungen erzeugt: die Vorauswahl hat keine Zuweisungen." in output
    assert _count(ScoreSheet) == 0
    assert db.session.scalar(db.select(Edition)).phase_override is None  # nothing to score, phase left alone

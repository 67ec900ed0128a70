"""Use cases of score sheets: open, confirm no conflict, save (optimistic locking), submit, reopen.
They flush, never commit; the acting user and `now` are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError, Locked, PermissionDenied, ValidationFailed
from ..editions import services as edition_services
from ..editions.models import Criterion, JudgingRound
from ..entries.versions import version_at_deadline  # noqa: F401 - the content the jury sees (sheet views)
from ..extensions import db
from . import conflict_services, permissions, scoring
from .models import Assignment, Score, ScoreSheet, ScoreSheetEvent, SheetStatus

VALUE_MESSAGES = {
    scoring.ValueProblem.NOT_A_NUMBER: _l("Bitte geben Sie eine Zahl ein."),
    scoring.ValueProblem.OUT_OF_SCALE: _l("Die Punktzahl muss zwischen %(min)s und %(max)s liegen."),
    scoring.ValueProblem.OFF_STEP: _l("Bitte wählen Sie eine Punktzahl in Schritten von %(step)s."),
}


CENT = Decimal("0.01")  # scores are stored with two decimals (Numeric(7, 2)); the history uses the same form


class StaleSheet(DomainError):
    """The sheet was saved elsewhere after this form was loaded; carries the stored values to show."""

    def __init__(self, sheet: ScoreSheet):
        super().__init__(_l("Dieser Bewertungsbogen wurde inzwischen an anderer Stelle gespeichert (anderer Tab oder "
                            "anderes Gerät). Unten sehen Sie die gespeicherten Werte neben Ihren Eingaben; bitte "
                            "prüfen Sie sie und speichern Sie erneut."))
        self.sheet = sheet


class InvalidScores(ValidationFailed):
    """The sheet cannot be submitted yet; `problems` says why per form field (everything typed is kept)."""

    def __init__(self, problems: dict[str, str], *, names: str = ""):
        super().__init__(_l("Der Bogen ist noch nicht vollständig und wurde nicht eingereicht; Ihre Eingaben sind "
                            "als Entwurf gespeichert. Bitte prüfen Sie: %(names)s", names=names))
        self.problems = problems


def problem_names(judging_round: JudgingRound, problems: dict[str, str]) -> str:
    """The criteria (and texts) named by the problems, in the sheet's order."""
    names = [c.name for c in judging_round.criteria
             if f"score_{c.id}" in problems or f"comment_{c.id}" in problems]
    if "overall_comment" in problems:
        names.append(str(_l("Gesamtkommentar")))
    if "feedback" in problems:
        names.append(str(_l("Rückmeldung an das Unternehmen")))
    return ", ".join(names)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def value_message(problem: scoring.ValueProblem, judging_round: JudgingRound) -> str:
    scale = judging_round.scale
    return str(VALUE_MESSAGES[problem]) % {"min": _fmt(scale.minimum), "max": _fmt(scale.maximum),
                                            "step": _fmt(scale.step)}


def criteria_weights(judging_round: JudgingRound) -> list[scoring.CriterionWeight]:
    return [scoring.CriterionWeight(c.id, Decimal(c.weight)) for c in judging_round.criteria]


def total_of(sheet: ScoreSheet) -> Decimal | None:
    return scoring.weighted_total(sheet.values(), criteria_weights(sheet.round))


def sheet_for(assignment: Assignment) -> ScoreSheet | None:
    return db.session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))


def sheets_of_entry(entry_id: int, round_id: int) -> list[ScoreSheet]:
    return list(db.session.scalars(select(ScoreSheet).where(ScoreSheet.entry_id == entry_id,
                                                            ScoreSheet.round_id == round_id,
                                                            ScoreSheet.is_void.is_(False))
                                   .order_by(ScoreSheet.user_id)))


def _snapshot(sheet: ScoreSheet) -> dict[str, Any]:
    return {
        "status": sheet.status.value,
        "scores": {str(s.criterion_id): (str(Decimal(s.value).quantize(CENT)) if s.value is not None else None)
                   for s in sheet.scores},
        "comments": {str(s.criterion_id): s.comment for s in sheet.scores if s.comment},
        # scores kept as typed because they are not valid (a draft only: a submitted sheet has none)
        **({"typed": typed} if (typed := {str(s.criterion_id): s.typed for s in sheet.scores if s.typed}) else {}),
        "overall_comment": sheet.overall_comment,
        "feedback": sheet.feedback,
    }


def _event(sheet: ScoreSheet, *, action: str, by: User, now: datetime, before: dict, reason: str = "") -> None:
    sheet.events.append(ScoreSheetEvent(occurred_at=now, actor_id=by.id, action=action, reason=reason,
                                        before=before, after=_snapshot(sheet)))


# --- use cases ---------------------------------------------------------------------------------------------------

def confirm_no_conflict(*, assignment: Assignment, by: User, now: datetime) -> ScoreSheet:
    reason = permissions.why_not_score_sheet(by, assignment, now)
    if reason:
        raise Locked(reason)
    sheet = sheet_for(assignment)
    if sheet is None:
        try:
            with db.session.begin_nested():  # two tabs confirming at once: the second finds the first's sheet
                sheet = ScoreSheet(assignment_id=assignment.id, round_id=assignment.round_id,
                                   entry_id=assignment.entry_id, user_id=assignment.user_id, created_at=now,
                                   updated_at=now)
                db.session.add(sheet)
        except IntegrityError:
            sheet = sheet_for(assignment)
    if sheet.no_conflict_confirmed_at is None:
        sheet.no_conflict_confirmed_at = now
        db.session.flush()
        audit.record(actor=by, action="sheet.no_conflict_confirmed", obj_type="score_sheet", obj_id=sheet.id,
                     now=now, entry=assignment.entry_id, round=assignment.round_id)
    return sheet


def declare_conflict_instead(*, assignment: Assignment, reason: str, by: User,
                             now: datetime) -> conflict_services.SheetDeclaration:
    """The juror declares a conflict from the sheet (see conflict_services.declare_on_sheet)."""
    return conflict_services.declare_on_sheet(assignment=assignment, reason=reason, by=by, now=now)


@dataclass(frozen=True)
class SheetInput:
    values: dict[int, str]  # criterion id → typed score
    comments: dict[int, str]
    overall_comment: str
    feedback: str


COMMENT_LIMIT = 5000
TEXT_LIMIT = 10000
TYPED_LIMIT = 100  # a typed score longer than this is no number anyway; it is kept cut to this length


def criterion_problems(sheet: ScoreSheet) -> dict[str, str]:
    """What needs the juror's attention on a stored draft, field by field (form field name → German message):
    scores kept as typed that are not valid on the scale, and texts over their limit. Nothing for empty fields."""
    judging_round = sheet.round
    problems: dict[str, str] = {}
    for score in sheet.scores:
        if score.value is None and score.typed:
            _value, problem = scoring.parse_value(score.typed, judging_round.scale)
            problems[f"score_{score.criterion_id}"] = value_message(problem or scoring.ValueProblem.NOT_A_NUMBER,
                                                                     judging_round)
        if len(score.comment or "") > COMMENT_LIMIT:
            problems[f"comment_{score.criterion_id}"] = str(_l("Bitte kürzen Sie den Kommentar auf höchstens "
                                                               "5000 Zeichen."))
    if len(sheet.overall_comment or "") > TEXT_LIMIT:
        problems["overall_comment"] = str(_l("Bitte kürzen Sie den Text auf höchstens 10 000 Zeichen."))
    if len(sheet.feedback or "") > TEXT_LIMIT:
        problems["feedback"] = str(_l("Bitte kürzen Sie den Text auf höchstens 10 000 Zeichen."))
    return problems


def submit_problems(sheet: ScoreSheet) -> dict[str, str]:
    """Everything that keeps a sheet from being submitted, field by field: the draft's problems and every
    criterion (with a weight) that has no valid score yet."""
    problems = criterion_problems(sheet)
    for criterion_id in scoring.unscored(sheet.values(), criteria_weights(sheet.round)):
        problems.setdefault(f"score_{criterion_id}", str(_l("Bitte vergeben Sie eine Punktzahl.")))
    return problems


@dataclass(frozen=True)
class LiveTotal:
    """The weighted total of the valid scores and how many of the criteria that count have one."""

    total: Decimal | None
    scored: int
    counted: int

    @property
    def is_complete(self) -> bool:
        return self.counted > 0 and self.scored == self.counted


def live_total(sheet: ScoreSheet | None, judging_round: JudgingRound) -> LiveTotal:
    """Only valid stored scores count (an invalid one is kept as text, never as a number); the total of a complete
    sheet is exactly `total_of`, the figure that rankings use."""
    weights = [w for w in criteria_weights(judging_round) if w.weight > 0]
    values = sheet.values() if sheet is not None else {}
    scored = sum(1 for w in weights if values.get(w.id) is not None)
    return LiveTotal(total=scoring.weighted_total(values, weights), scored=scored, counted=len(weights))


def save_sheet(*, assignment: Assignment, data: SheetInput, version: int | None, by: User,
               now: datetime) -> ScoreSheet:
    """Keep every field as typed, field by field: valid scores are stored as numbers, invalid ones as the text typed
    (no number, so no total is ever made from them), comments always. What needs attention is then
    `criterion_problems(sheet)`; nothing the juror typed is dropped because another field is wrong."""
    reason = permissions.why_not_score_sheet(by, assignment, now)
    if reason:
        raise Locked(reason)
    sheet = sheet_for(assignment)
    if sheet is None or sheet.no_conflict_confirmed_at is None:
        raise ValidationFailed(_l("Bitte bestätigen Sie zuerst, dass keine Befangenheit besteht."))
    if sheet.status is SheetStatus.SUBMITTED:
        raise Locked(_l("Dieser Bewertungsbogen ist eingereicht und gesperrt. Sie können ihn mit Begründung wieder "
                        "öffnen."))
    if version is not None and version != sheet.version:
        raise StaleSheet(sheet)
    judging_round = assignment.round
    criteria = {c.id: c for c in judging_round.criteria}
    parsed: dict[int, tuple[Decimal | None, str]] = {}
    for criterion_id, raw in data.values.items():
        if criterion_id not in criteria:
            continue
        value, problem = scoring.parse_value(raw, judging_round.scale)
        parsed[criterion_id] = (value, raw.strip()[:TYPED_LIMIT] if problem else "")
    before = _snapshot(sheet)
    existing = {s.criterion_id: s for s in sheet.scores}
    for criterion_id in criteria:
        if criterion_id not in parsed and criterion_id not in data.comments:
            continue
        score = existing.get(criterion_id)
        if score is None:
            score = Score(criterion_id=criterion_id, typed="", comment="")
            sheet.scores.append(score)
        if criterion_id in parsed:
            score.value, score.typed = parsed[criterion_id]
        if criterion_id in data.comments:
            score.comment = data.comments[criterion_id].strip()
    sheet.overall_comment = data.overall_comment.strip()
    sheet.feedback = data.feedback.strip()
    if _snapshot(sheet) != before:
        sheet.updated_at = now
        _event(sheet, action="saved", by=by, now=now, before=before)
        db.session.flush()
        audit.record(actor=by, action="sheet.saved", obj_type="score_sheet", obj_id=sheet.id, now=now,
                     entry=sheet.entry_id, round=sheet.round_id, before=before["scores"],
                     after=_snapshot(sheet)["scores"])
        if any(value is not None for value, _typed in parsed.values()):
            edition_services.mark_scoring_started(judging_round=judging_round, now=now)
    db.session.flush()
    return sheet


def submit_sheet(*, assignment: Assignment, version: int | None, by: User, now: datetime) -> ScoreSheet:
    reason = permissions.why_not_score_sheet(by, assignment, now)
    if reason:
        raise Locked(reason)
    sheet = sheet_for(assignment)
    if sheet is None or sheet.no_conflict_confirmed_at is None:
        raise ValidationFailed(_l("Bitte bestätigen Sie zuerst, dass keine Befangenheit besteht."))
    if sheet.status is SheetStatus.SUBMITTED:
        raise Locked(_l("Dieser Bewertungsbogen ist bereits eingereicht."))
    if version is not None and version != sheet.version:
        raise StaleSheet(sheet)
    problems = submit_problems(sheet)
    if problems:
        raise InvalidScores(problems, names=problem_names(assignment.round, problems))
    before = _snapshot(sheet)
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = now
    sheet.updated_at = now
    _event(sheet, action="submitted", by=by, now=now, before=before)
    db.session.flush()
    audit.record(actor=by, action="sheet.submitted", obj_type="score_sheet", obj_id=sheet.id, now=now,
                 entry=sheet.entry_id, round=sheet.round_id, scores=_snapshot(sheet)["scores"],
                 total=str(total_of(sheet)))
    return sheet


def reopen_sheet(*, sheet: ScoreSheet, reason: str, by: User, now: datetime) -> None:
    """Organisers may reopen any time unless the round is frozen; the juror with a reason while they may score.
    (An organiser acting as the juror of their own sheet is treated as the organiser.)"""
    if sheet.status is not SheetStatus.SUBMITTED:
        raise ValidationFailed(_l("Dieser Bewertungsbogen ist nicht eingereicht."))
    if sheet.is_void:
        raise Locked(_l("Dieser Bewertungsbogen zählt nicht mehr (Zuweisung entfernt) und kann nicht wieder geöffnet "
                        "werden."))
    if by.is_organiser:
        frozen = permissions.why_round_frozen(sheet.round)
        if frozen:
            raise Locked(frozen)
    else:
        if sheet.user_id != by.id:
            raise PermissionDenied(_l("Das ist nicht Ihr Bewertungsbogen."))
        closed = permissions.why_scoring_closed(by.id, sheet.round, now)
        if closed:
            raise Locked(closed)
    if not reason.strip():
        raise ValidationFailed(_l("Bitte begründen Sie, warum der Bogen wieder geöffnet wird."), field="reason")
    before = _snapshot(sheet)
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.updated_at = now
    _event(sheet, action="reopened", by=by, now=now, before=before, reason=reason.strip())
    db.session.flush()
    audit.record(actor=by, action="sheet.reopened", obj_type="score_sheet", obj_id=sheet.id, now=now,
                 reason=reason.strip(), entry=sheet.entry_id, round=sheet.round_id)


def criteria_of(judging_round: JudgingRound) -> list[Criterion]:
    return list(judging_round.criteria)

"""Read side for organisers: how far the jury is in a round, how far apart an entry's sheets are, and each sheet's
history. Returns plain dataclasses for the templates; every function runs a fixed number of queries (no N+1).

A sheet counts for progress only while its assignment exists: a sheet whose assignment was removed (marked
`is_void`, or left without a matching assignment) is shown greyed on the entry's page and counted nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from ..accounts.models import User
from ..editions.models import Category, JudgingRound
from ..entries.models import Entry
from ..extensions import db
from . import queries, scoring, sheets
from .models import Assignment, ScoreSheet, ScoreSheetEvent, ScoringExtension, SheetStatus
from .window import ScoringWindow, latest

# Shares of the round's scale range (maximum − minimum). Display heuristics for the organising team, not rules.
LARGE_SPREAD_SHARE = Decimal("0.25")  # an entry's submitted totals lie further apart: "große Abweichung"
OUTLIER_SHARE = Decimal("0.20")  # a sheet's total lies further from the median of the others: outlier

CENT = Decimal("0.01")


def scale_range(judging_round: JudgingRound) -> Decimal:
    scale = judging_round.scale
    return scale.maximum - scale.minimum


def mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def _assignment_pairs(judging_round: JudgingRound) -> list[tuple[int, int, str]]:
    """(entry id, juror id, juror name) of every current assignment of the round, in one query."""
    rows = db.session.execute(
        select(Assignment.entry_id, Assignment.user_id, User.full_name)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.round_id == judging_round.id)
    )
    return [(entry_id, user_id, name) for entry_id, user_id, name in rows]


def _is_void(sheet: ScoreSheet, assigned: set[tuple[int, int]]) -> bool:
    return sheet.is_void or (sheet.entry_id, sheet.user_id) not in assigned


# --- a round's progress ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JurorRow:
    user_id: int
    name: str
    assigned: int
    not_started: int  # no sheet yet, or a sheet without any score
    started: int  # a draft with at least one score
    submitted: int
    is_late: bool  # the juror's deadline (the round's, or an extension) has passed and not everything is submitted
    extended_until: datetime | None = None  # an organiser's extension for this juror (or all jurors)

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted


@dataclass(frozen=True)
class EntryRow:
    entry_id: int
    number: str | None
    title: str
    category: str
    assigned: int
    submitted: int
    expected: int  # the round's jurors per entry, or more when more jurors are assigned
    average: Decimal | None  # of the submitted sheets' totals
    spread: Decimal | None
    large_spread: bool


@dataclass(frozen=True)
class CategoryRow:
    category_id: int
    name: str
    entries: int
    submitted: int
    expected: int


@dataclass(frozen=True)
class RoundProgress:
    jurors: list[JurorRow]
    entries: list[EntryRow]
    categories: list[CategoryRow]
    submitted: int
    expected: int
    deadline_passed: bool
    spread_limit: Decimal  # spreads above this are flagged

    @property
    def late(self) -> list[JurorRow]:
        return [j for j in self.jurors if j.is_late]

    @property
    def large_spreads(self) -> int:
        return sum(1 for e in self.entries if e.large_spread)


def round_progress(judging_round: JudgingRound, *, now: datetime) -> RoundProgress:
    pairs = _assignment_pairs(judging_round)
    assigned = {(entry_id, user_id) for entry_id, user_id, _name in pairs}
    entries = queries.round_entries(judging_round)
    # An entry that left the round (e.g. withdrawn) but still has assignments stays visible.
    missing_ids = {entry_id for entry_id, _u, _n in pairs} - {e.id for e in entries}
    if missing_ids:
        entries += list(db.session.scalars(select(Entry).where(Entry.id.in_(missing_ids))
                                           .order_by(Entry.number, Entry.id)))
    category_names = {c.id: c.name for c in db.session.scalars(
        select(Category).where(Category.edition_id == judging_round.edition_id)
        .order_by(Category.position, Category.id))}
    weights = sheets.criteria_weights(judging_round)
    round_sheets = [s for s in db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == judging_round.id))
                    if not _is_void(s, assigned)]

    submitted_totals: dict[int, list[Decimal]] = defaultdict(list)
    per_juror: dict[int, dict[str, int]] = defaultdict(lambda: {"submitted": 0, "started": 0})
    for sheet in round_sheets:
        if sheet.status is SheetStatus.SUBMITTED:
            per_juror[sheet.user_id]["submitted"] += 1
            total = scoring.weighted_total(sheet.values(), weights)
            if total is not None:
                submitted_totals[sheet.entry_id].append(total)
        elif any(value is not None for value in sheet.values().values()):
            per_juror[sheet.user_id]["started"] += 1

    deadline_passed = now >= judging_round.deadline_at
    extensions: dict[int | None, datetime] = {}
    for user_id, until in db.session.execute(select(ScoringExtension.user_id, ScoringExtension.extended_until)
                                             .where(ScoringExtension.round_id == judging_round.id)):
        extensions[user_id] = latest([extensions.get(user_id), until])
    assigned_count: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    for _entry_id, user_id, name in pairs:
        assigned_count[user_id] += 1
        names[user_id] = name
    jurors = []
    for user_id in sorted(names, key=lambda uid: (names[uid].casefold(), uid)):
        counts = per_juror[user_id]
        window = ScoringWindow(judging_round.deadline_at, latest([extensions.get(None), extensions.get(user_id)]))
        jurors.append(JurorRow(
            user_id=user_id, name=names[user_id], assigned=assigned_count[user_id],
            not_started=assigned_count[user_id] - counts["submitted"] - counts["started"],
            started=counts["started"], submitted=counts["submitted"],
            is_late=now >= window.closes_at and counts["submitted"] < assigned_count[user_id],
            extended_until=window.closes_at if window.is_extended else None,
        ))

    limit = scale_range(judging_round) * LARGE_SPREAD_SHARE
    per_entry_assigned: dict[int, int] = defaultdict(int)
    for entry_id, _u, _n in pairs:
        per_entry_assigned[entry_id] += 1
    entry_rows = []
    for entry in entries:
        totals = submitted_totals.get(entry.id, [])
        spread = scoring.spread(totals)
        entry_rows.append(EntryRow(
            entry_id=entry.id, number=entry.number, title=entry.title,
            category=category_names.get(entry.category_id, ""), assigned=per_entry_assigned[entry.id],
            submitted=len(totals), expected=max(judging_round.jurors_per_entry, per_entry_assigned[entry.id]),
            average=mean(totals), spread=spread, large_spread=spread is not None and spread > limit,
        ))

    by_category: dict[int, list[EntryRow]] = defaultdict(list)
    category_of = {e.id: e.category_id for e in entries}
    for row in entry_rows:
        by_category[category_of[row.entry_id]].append(row)
    categories = [
        CategoryRow(category_id=category_id, name=name, entries=len(by_category[category_id]),
                    submitted=sum(r.submitted for r in by_category[category_id]),
                    expected=sum(r.expected for r in by_category[category_id]))
        for category_id, name in category_names.items() if by_category.get(category_id)
    ]
    return RoundProgress(
        jurors=jurors, entries=entry_rows, categories=categories,
        submitted=sum(r.submitted for r in entry_rows), expected=sum(r.expected for r in entry_rows),
        deadline_passed=deadline_passed, spread_limit=limit,
    )


# --- one entry's sheets ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionRow:
    id: int
    name: str
    weight_percent: Decimal


@dataclass(frozen=True)
class Change:
    what: str  # "score", "status", "comment", "overall_comment", "feedback"
    criterion: str  # the criterion's name for "score" and "comment"
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryItem:
    occurred_at: datetime
    actor: str | None
    action: str  # "saved", "submitted", "reopened", …
    reason: str
    changes: list[Change]


@dataclass(frozen=True)
class SheetColumn:
    sheet_id: int
    juror: str
    status: SheetStatus
    is_void: bool
    values: dict[int, Decimal | None]
    comments: dict[int, str]
    overall_comment: str
    feedback: str
    total: Decimal | None  # provisional for a draft
    is_outlier: bool
    submitted_at: datetime | None
    updated_at: datetime
    history: list[HistoryItem]

    @property
    def is_submitted(self) -> bool:
        return self.status is SheetStatus.SUBMITTED

    @property
    def can_reopen(self) -> bool:
        return self.is_submitted and not self.is_void


@dataclass(frozen=True)
class OtherRound:
    round_id: int
    name: str
    sheets: int


@dataclass(frozen=True)
class EntrySheets:
    criteria: list[CriterionRow]
    columns: list[SheetColumn]  # current sheets first (by juror name), removed ones last
    submitted: int
    expected: int
    average: Decimal | None
    spread: Decimal | None
    large_spread: bool
    spread_limit: Decimal
    outlier_threshold: Decimal
    other_rounds: list[OtherRound]

    @property
    def current(self) -> list[SheetColumn]:
        return [c for c in self.columns if not c.is_void]


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def changes_between(before: dict, after: dict, criterion_names: dict[int, str]) -> list[Change]:
    """What an event changed, from the snapshots `sheets` stores: scores compared as numbers ("7" equals "7.00")."""
    changes = []
    if before.get("status") != after.get("status") and after.get("status"):
        changes.append(Change("status", "", before.get("status"), after.get("status")))
    old_scores, new_scores = before.get("scores") or {}, after.get("scores") or {}
    old_comments, new_comments = before.get("comments") or {}, after.get("comments") or {}

    def name(key: str) -> str:
        return criterion_names.get(int(key), f"#{key}") if str(key).isdigit() else str(key)

    def order(key: str) -> tuple[int, str]:
        return (list(criterion_names).index(int(key)) if str(key).isdigit() and int(key) in criterion_names
                else len(criterion_names), str(key))

    for key in sorted(set(old_scores) | set(new_scores), key=order):
        old, new = _decimal(old_scores.get(key)), _decimal(new_scores.get(key))
        if old != new:
            changes.append(Change("score", name(key), old, new))
    for key in sorted(set(old_comments) | set(new_comments), key=order):
        if (old_comments.get(key) or "") != (new_comments.get(key) or ""):
            changes.append(Change("comment", name(key), old_comments.get(key) or "", new_comments.get(key) or ""))
    for what in ("overall_comment", "feedback"):
        if (before.get(what) or "") != (after.get(what) or ""):
            changes.append(Change(what, "", before.get(what) or "", after.get(what) or ""))
    return changes


def _history(sheet_ids: list[int], criterion_names: dict[int, str]) -> dict[int, list[HistoryItem]]:
    history: dict[int, list[HistoryItem]] = defaultdict(list)
    if not sheet_ids:
        return history
    rows = db.session.execute(
        select(ScoreSheetEvent, User.full_name).outerjoin(User, User.id == ScoreSheetEvent.actor_id)
        .where(ScoreSheetEvent.sheet_id.in_(sheet_ids)).order_by(ScoreSheetEvent.id)
    )
    for event, actor in rows:
        history[event.sheet_id].append(HistoryItem(
            occurred_at=event.occurred_at, actor=actor, action=event.action, reason=event.reason,
            changes=changes_between(event.before or {}, event.after or {}, criterion_names)))
    return history


def entry_sheets(*, judging_round: JudgingRound, entry: Entry) -> EntrySheets:
    criteria = [CriterionRow(c.id, c.name, percent) for c, percent in judging_round.weight_percentages()]
    criterion_names = {c.id: c.name for c in criteria}
    assigned = {(entry_id, user_id) for entry_id, user_id, _n in _assignment_pairs(judging_round)
                if entry_id == entry.id}
    rows = db.session.execute(
        select(ScoreSheet, User.full_name).join(User, User.id == ScoreSheet.user_id)
        .where(ScoreSheet.round_id == judging_round.id, ScoreSheet.entry_id == entry.id)
    ).all()
    history = _history([sheet.id for sheet, _n in rows], criterion_names)
    totals = {sheet.id: sheets.total_of(sheet) for sheet, _n in rows}
    submitted = {sheet.id: totals[sheet.id] for sheet, _n in rows
                 if not _is_void(sheet, assigned) and sheet.status is SheetStatus.SUBMITTED
                 and totals[sheet.id] is not None}
    threshold = scale_range(judging_round) * OUTLIER_SHARE
    flagged = scoring.outliers(submitted, threshold=threshold)
    columns = [
        SheetColumn(
            sheet_id=sheet.id, juror=name, status=sheet.status, is_void=_is_void(sheet, assigned),
            values=sheet.values(), comments={s.criterion_id: s.comment for s in sheet.scores if s.comment},
            overall_comment=sheet.overall_comment, feedback=sheet.feedback, total=totals[sheet.id],
            is_outlier=sheet.id in flagged, submitted_at=sheet.submitted_at, updated_at=sheet.updated_at,
            history=history.get(sheet.id, []),
        )
        for sheet, name in rows
    ]
    columns.sort(key=lambda c: (c.is_void, c.juror.casefold(), c.sheet_id))
    spread = scoring.spread(list(submitted.values()))
    limit = scale_range(judging_round) * LARGE_SPREAD_SHARE
    others = db.session.execute(
        select(JudgingRound.id, JudgingRound.name, func.count(ScoreSheet.id))
        .join(ScoreSheet, ScoreSheet.round_id == JudgingRound.id)
        .where(ScoreSheet.entry_id == entry.id, JudgingRound.id != judging_round.id,
               JudgingRound.edition_id == judging_round.edition_id)
        .group_by(JudgingRound.id, JudgingRound.name, JudgingRound.position).order_by(JudgingRound.position)
    )
    return EntrySheets(
        criteria=criteria, columns=columns, submitted=len(submitted),
        expected=max(judging_round.jurors_per_entry, len(assigned)), average=mean(list(submitted.values())),
        spread=spread, large_spread=spread is not None and spread > limit, spread_limit=limit,
        outlier_threshold=threshold, other_rounds=[OtherRound(rid, name, count) for rid, name, count in others],
    )

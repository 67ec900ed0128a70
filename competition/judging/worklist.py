"""A juror's work: their assignments with the state of each sheet, open work first, the next open entry, progress
per round, their own overview sorted by any column and the distribution of their totals on the round's scale.

The ordering, sorting and the distribution are pure functions over plain rows (`Row`); `worklist_of` loads them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..editions.scales import Scale
from ..extensions import db
from . import conflict_check, extensions, scoring
from .models import Assignment, ScoreSheet, SheetStatus
from .permissions import why_scoring_closed


class State(enum.IntEnum):
    """The state of a juror's sheet; the order is the order of the work list (open work first)."""

    DRAFT = 0  # begun, not submitted
    NOT_STARTED = 1
    SUBMITTED = 2


@dataclass(frozen=True)
class Row:
    """One assignment as the juror's overview shows it."""

    assignment_id: int
    round_id: int
    number: str
    title: str
    category: str
    state: State
    values: dict[int, Decimal | None]  # criterion id → the juror's valid score
    total: Decimal | None  # the weighted total once every criterion has a valid score, else None
    assignment: Any = None  # the ORM row, for templates only

    @property
    def is_open(self) -> bool:
        return self.state is not State.SUBMITTED


SORT_KEYS = ("number", "title", "category", "state", "total")  # and "c<criterion id>"


def work_order(rows: list[Row]) -> list[Row]:
    """Open work first (drafts, then not started), then submitted; by number within each."""
    return sorted(rows, key=lambda r: (r.state, r.number or "~", r.assignment_id))


def sort_rows(rows: list[Row], key: str | None, descending: bool = False) -> list[Row]:
    """The overview sorted by a column; rows without a value go last either way. Unknown keys: the work order."""
    if key not in SORT_KEYS and not (key and key.startswith("c") and key[1:].isdigit()):
        return work_order(rows)

    def value(row: Row):
        if key == "number":
            return row.number or None
        if key == "title":
            return row.title.casefold()
        if key == "category":
            return row.category.casefold()
        if key == "state":
            return int(row.state)
        if key == "total":
            return row.total
        return row.values.get(int(key[1:]))

    base = work_order(rows)  # a stable tie-break
    present = [r for r in base if value(r) is not None]
    missing = [r for r in base if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def next_open(rows: list[Row], current_id: int, *, may_score: set[int]) -> Row | None:
    """The next open assignment after the current one in the work order, in the same round first, then in the
    others (rounds in the given order); only assignments the juror may still score (`may_score`: round ids)."""
    candidates = [r for r in rows if r.is_open and r.assignment_id != current_id and r.round_id in may_score]
    if not candidates:
        return None
    current = next((r for r in rows if r.assignment_id == current_id), None)
    if current is not None:
        same = [r for r in candidates if r.round_id == current.round_id]
        if same:
            return same[0]
    return candidates[0]


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal
    count: int


@dataclass(frozen=True)
class Distribution:
    """How the juror's totals fall on the round's scale."""

    bins: list[Bin]
    count: int
    mean: Decimal | None
    scale: Scale

    @property
    def midpoint(self) -> Decimal:
        return (self.scale.minimum + self.scale.maximum) / 2

    @property
    def peak(self) -> int:
        return max((b.count for b in self.bins), default=0)

    def position(self, value: Decimal) -> float:
        """Where a value lies on the scale, 0 (minimum) to 1 (maximum), for drawing."""
        return float((Decimal(value) - self.scale.minimum) / (self.scale.maximum - self.scale.minimum))

    def height(self, item: Bin) -> float:
        """A bin's bar height relative to the highest bar, 0 to 1."""
        return item.count / self.peak if self.peak else 0.0


def distribution(totals: list[Decimal], scale: Scale, *, bins: int = 10) -> Distribution:
    """Totals counted in equal bins over [minimum, maximum]; the last bin includes the maximum. Fewer bins when the
    scale has fewer steps (a 1–5 scale gets 4 bins of width 1)."""
    steps = int((scale.maximum - scale.minimum) / scale.step)
    count = max(1, min(bins, steps))
    width = (scale.maximum - scale.minimum) / count
    counts = [0] * count
    for total in totals:
        index = int((Decimal(total) - scale.minimum) / width) if width else 0
        counts[min(max(index, 0), count - 1)] += 1
    result = [Bin(scale.minimum + i * width, scale.minimum + (i + 1) * width, counts[i]) for i in range(count)]
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")) if totals else None
    return Distribution(result, len(totals), mean, scale)


# --- loading ---------------------------------------------------------------------------------------------------


@dataclass
class RoundWork:
    judging_round: Any
    rows: list[Row]
    deadline: Any  # extensions.deadline_for(...)
    closed_reason: Any  # why the juror may not score now, or None

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if not r.is_open)

    @property
    def open(self) -> int:
        return len(self.rows) - self.done


@dataclass
class Worklist:
    rounds: list[RoundWork]
    blocked: int  # assignments locked by a conflict (not shown)

    @property
    def rows(self) -> list[Row]:
        return [row for work in self.rounds for row in work_order(work.rows)]

    def round_of(self, round_id: int) -> RoundWork | None:
        return next((w for w in self.rounds if w.judging_round.id == round_id), None)

    def next_open(self, current_id: int) -> Row | None:
        return next_open(self.rows, current_id,
                         may_score={w.judging_round.id for w in self.rounds if w.closed_reason is None})


def _row(assignment: Assignment, sheet: ScoreSheet | None) -> Row:
    judging_round = assignment.round
    if sheet is not None and sheet.status is SheetStatus.SUBMITTED:
        state = State.SUBMITTED
    elif sheet is not None and (sheet.scores or sheet.overall_comment or sheet.feedback):
        state = State.DRAFT
    else:
        state = State.NOT_STARTED
    values = sheet.values() if sheet is not None else {}
    weights = [scoring.CriterionWeight(c.id, Decimal(c.weight)) for c in judging_round.criteria]
    complete = not scoring.unscored(values, [w for w in weights if w.weight > 0])
    total = scoring.weighted_total(values, weights) if complete else None
    entry = assignment.entry
    return Row(assignment_id=assignment.id, round_id=judging_round.id, number=entry.number or "",
               title=entry.title, category=entry.category.name, state=state, values=values, total=total,
               assignment=assignment)


def worklist_of(user, now: datetime) -> Worklist:
    """The juror's assignments that are not locked by a conflict, per round; rounds with open work first, then by
    deadline."""
    assignments = list(db.session.scalars(select(Assignment).where(Assignment.user_id == user.id)
                                          .order_by(Assignment.round_id, Assignment.entry_id)))
    conflicts_now = conflict_check.conflict_map(juror_ids=[user.id], entries=[a.entry_id for a in assignments])
    blocked = [a for a in assignments if conflicts_now.locked(user.id, a.entry_id)]
    visible = [a for a in assignments if a not in blocked]
    sheets = {s.assignment_id: s for s in db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.user_id == user.id, ScoreSheet.assignment_id.is_not(None)))}
    by_round: dict[Any, list[Row]] = {}
    for assignment in visible:
        by_round.setdefault(assignment.round, []).append(_row(assignment, sheets.get(assignment.id)))
    rounds = [RoundWork(r, rows, extensions.deadline_for(user.id, r), why_scoring_closed(user.id, r, now))
              for r, rows in by_round.items()]
    rounds.sort(key=lambda w: (w.open == 0 or w.closed_reason is not None, w.deadline.closes_at,
                               w.judging_round.edition_id, w.judging_round.position))
    return Worklist(rounds, len(blocked))

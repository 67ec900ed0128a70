"""Read side of the organisers' conflict decisions: the current assignments whose juror is conflicted with the entry
(a conflict found or declared after the assignment was made, a declaration after a freeze, a juror who joined the
company). Each waits for an organiser: void the sheet and take the assignment back, or dismiss the conflict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..accounts.models import User
from ..editions.models import Edition, JudgingRound
from ..entries.models import Entry
from ..extensions import db
from . import conflict_check
from .models import Assignment, ScoreSheet, SheetStatus


@dataclass(frozen=True)
class OpenDecision:
    assignment_id: int
    juror_id: int
    juror: str
    entry_id: int
    entry_number: str
    entry_title: str
    round_id: int
    round_name: str
    sheet_id: int | None
    sheet_status: str  # "none", "draft", "submitted"
    evidence: tuple[str, ...]
    standing: bool  # membership, address or domain: only "take back" is possible
    locked: bool  # the juror's own view is locked; False for a juror's own declaration in blind judging

    @property
    def can_keep(self) -> bool:
        return not self.standing


def open_decisions(edition: Edition, *, entry: Entry | None = None,
                   judging_round: JudgingRound | None = None) -> list[OpenDecision]:
    """The edition's conflicted assignments (optionally of one entry and round), in a fixed number of queries."""
    query = (select(Assignment, User.full_name, JudgingRound.name)
             .join(User, User.id == Assignment.user_id)
             .join(JudgingRound, JudgingRound.id == Assignment.round_id)
             .where(JudgingRound.edition_id == edition.id))
    if entry is not None:
        query = query.where(Assignment.entry_id == entry.id)
    if judging_round is not None:
        query = query.where(Assignment.round_id == judging_round.id)
    rows = db.session.execute(query.order_by(JudgingRound.position, Assignment.entry_id, User.full_name)).all()
    if not rows:
        return []
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(
        Entry.id.in_({a.entry_id for a, _n, _r in rows})))}
    found = conflict_check.conflict_map(juror_ids={a.user_id for a, _n, _r in rows}, entries=entries.values())
    conflicted = [(a, name, round_name) for a, name, round_name in rows if found.conflicted(a.user_id, a.entry_id)]
    sheets = {s.assignment_id: s for s in db.session.scalars(select(ScoreSheet).where(
        ScoreSheet.assignment_id.in_([a.id for a, _n, _r in conflicted])))} if conflicted else {}
    result = []
    for a, name, round_name in conflicted:
        sheet = sheets.get(a.id)
        findings = found.of(a.user_id, a.entry_id)
        result.append(OpenDecision(
            assignment_id=a.id, juror_id=a.user_id, juror=name, entry_id=a.entry_id,
            entry_number=entries[a.entry_id].number or f"#{a.entry_id}", entry_title=entries[a.entry_id].title,
            round_id=a.round_id, round_name=round_name, sheet_id=sheet.id if sheet else None,
            sheet_status="none" if sheet is None else (
                "submitted" if sheet.status is SheetStatus.SUBMITTED else "draft"),
            evidence=tuple(f.evidence for f in findings), standing=any(f.standing for f in findings),
            locked=any(f.locks for f in findings),
        ))
    return result

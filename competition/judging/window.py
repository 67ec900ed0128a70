"""When a juror may still change score sheets: the round's scoring deadline, an organiser's extension and the
edition's phase. Pure: no Flask, no database; `now` is a parameter.

The deadline itself is closed (like the submission deadline): at `closes_at` nothing can be saved any more. Without
an extension scoring needs the jury phase; with one it also runs on into the jury meeting (deliberation), where an
organiser grants the extra time, but never after the results are published.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from ..editions.phases import Phase


class Closed(enum.Enum):
    NOT_YET = "not_yet"  # before the jury phase
    DEADLINE_PASSED = "deadline_passed"  # the round's (or the juror's extended) deadline has passed
    JURY_OVER = "jury_over"  # the jury phase has ended (deadline not reached; e.g. the phase was set by hand)
    PUBLISHED = "published"  # the results are published


@dataclass(frozen=True)
class ScoringWindow:
    round_deadline: datetime
    extended_until: datetime | None = None  # the latest extension for this juror (their own or all jurors')

    @property
    def is_extended(self) -> bool:
        return self.extended_until is not None and self.extended_until > self.round_deadline

    @property
    def closes_at(self) -> datetime:
        return self.extended_until if self.is_extended else self.round_deadline


def latest(deadlines: list[datetime | None]) -> datetime | None:
    """The latest of several extensions (the juror's own, the one for all jurors); None when there is none."""
    given = [d for d in deadlines if d is not None]
    return max(given) if given else None


def why_closed(window: ScoringWindow, *, phase: Phase, now: datetime) -> Closed | None:
    """None while the juror may save, submit and reopen sheets; else why not."""
    if phase is Phase.PUBLISHED:
        return Closed.PUBLISHED
    if phase in (Phase.PREPARATION, Phase.SUBMISSION, Phase.REVIEW):
        return Closed.NOT_YET
    if now >= window.closes_at:
        return Closed.DEADLINE_PASSED
    if phase is Phase.DELIBERATION and not window.is_extended:
        return Closed.JURY_OVER
    return None

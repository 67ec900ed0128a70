"""Phases of an edition. Pure: no Flask, no database; `now` is a parameter."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


class Phase(enum.StrEnum):
    PREPARATION = "preparation"  # before registration opens
    SUBMISSION = "submission"  # registration open until the submission deadline
    REVIEW = "review"  # eligibility check between the deadline and the jury evaluation
    JURY = "jury"  # jury evaluation
    DELIBERATION = "deliberation"  # jury meeting, decisions
    PUBLISHED = "published"  # results are public


PHASE_ORDER = list(Phase)


@dataclass(frozen=True)
class PhaseDates:
    registration_opens_at: datetime
    submission_deadline_at: datetime
    jury_starts_at: datetime
    jury_ends_at: datetime
    publication_at: datetime

    def boundaries(self) -> list[tuple[str, datetime]]:
        return [
            ("registration_opens_at", self.registration_opens_at),
            ("submission_deadline_at", self.submission_deadline_at),
            ("jury_starts_at", self.jury_starts_at),
            ("jury_ends_at", self.jury_ends_at),
            ("publication_at", self.publication_at),
        ]


def phase_from_dates(dates: PhaseDates, now: datetime) -> Phase:
    """The phase the calendar gives. Each boundary belongs to the later phase (the deadline itself is closed)."""
    if now < dates.registration_opens_at:
        return Phase.PREPARATION
    if now < dates.submission_deadline_at:
        return Phase.SUBMISSION
    if now < dates.jury_starts_at:
        return Phase.REVIEW
    if now < dates.jury_ends_at:
        return Phase.JURY
    if now < dates.publication_at:
        return Phase.DELIBERATION
    return Phase.PUBLISHED


def current_phase(dates: PhaseDates, now: datetime, override: Phase | None = None) -> Phase:
    """An organiser's override wins over the calendar (e.g. to extend the jury phase by hand)."""
    return override if override is not None else phase_from_dates(dates, now)


def date_order_problems(dates: PhaseDates) -> list[tuple[str, str]]:
    """Pairs (later field, earlier field) where the later date is not strictly after the earlier one."""
    problems = []
    bounds = dates.boundaries()
    for (earlier_name, earlier), (later_name, later) in pairwise(bounds):
        if later <= earlier:
            problems.append((later_name, earlier_name))
    return problems


@dataclass(frozen=True)
class PhaseFlags:
    """What the rules of other modules read: explicit flags rather than phase comparisons everywhere."""

    submissions_open: bool
    scoring_open: bool
    deliberation_open: bool
    results_published: bool


def flags_for(phase: Phase) -> PhaseFlags:
    return PhaseFlags(
        submissions_open=phase is Phase.SUBMISSION,
        scoring_open=phase is Phase.JURY,
        deliberation_open=phase is Phase.DELIBERATION,
        results_published=phase is Phase.PUBLISHED,
    )

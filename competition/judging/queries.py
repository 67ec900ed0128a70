"""Reads of the jury module that several places share (views, services, the planner's problem). Each returns rows or
a `select(...)`; nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..editions.models import JudgingRound
from ..extensions import db
from .assignment import GERN, LIEBER_NICHT
from .models import Preference, PreferencePhase, PreferenceValue

PLANNER_VALUES = {PreferenceValue.GERN: GERN, PreferenceValue.LIEBER_NICHT: LIEBER_NICHT}


def preference_phase(judging_round: JudgingRound) -> PreferencePhase | None:
    return db.session.scalar(select(PreferencePhase).where(PreferencePhase.round_id == judging_round.id))


def preferences_in_round(judging_round: JudgingRound):
    """Every mark of the round, by juror and entry."""
    return (select(Preference).where(Preference.round_id == judging_round.id)
            .order_by(Preference.user_id, Preference.entry_id))


def marks_of(user_id: int, judging_round: JudgingRound) -> dict[int, Preference]:
    """A juror's marks in a round, by entry id."""
    rows = db.session.scalars(select(Preference).where(Preference.round_id == judging_round.id,
                                                       Preference.user_id == user_id))
    return {p.entry_id: p for p in rows}


def planner_preferences(judging_round: JudgingRound, juror_ids: Iterable[int],
                        entry_ids: Iterable[int]) -> tuple[tuple[str, str, int], ...]:
    """The round's "gern" (1) and "lieber nicht" (-1) marks of these jurors on these entries, in the planner's form
    (neutral and "befangen" marks are not preferences: a declared conflict reaches the planner as a conflict)."""
    jurors, entries = set(juror_ids), set(entry_ids)
    rows = db.session.execute(select(Preference.user_id, Preference.entry_id, Preference.value).where(
        Preference.round_id == judging_round.id,
        Preference.value.in_([PreferenceValue.GERN, PreferenceValue.LIEBER_NICHT])))
    return tuple((str(user_id), str(entry_id), PLANNER_VALUES[value]) for user_id, entry_id, value in rows
                 if user_id in jurors and entry_id in entries)

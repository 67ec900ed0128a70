"""Consequences of a phase switch for the jury (see editions.phase_effects)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, select

from ..editions.models import Edition, JudgingRound
from ..editions.phase_effects import closes, opens, subscribe
from ..editions.phases import Phase
from ..extensions import db
from .models import Assignment, ScoreSheet, SheetStatus


def open_sheets(edition: Edition) -> int:
    """Assigned sheets not yet submitted in the edition's rounds that are not frozen (one query)."""
    return db.session.scalar(
        select(func.count()).select_from(Assignment)
        .join(JudgingRound, JudgingRound.id == Assignment.round_id)
        .outerjoin(ScoreSheet, and_(ScoreSheet.round_id == Assignment.round_id,
                                    ScoreSheet.entry_id == Assignment.entry_id,
                                    ScoreSheet.user_id == Assignment.user_id,
                                    ScoreSheet.status == SheetStatus.SUBMITTED))
        .where(JudgingRound.edition_id == edition.id, JudgingRound.frozen_at.is_(None), ScoreSheet.id.is_(None)))


@subscribe
def scoring_consequences(edition: Edition, old: Phase, new: Phase, now: datetime) -> list[str]:
    if closes(old, new, "scoring_open"):
        count = open_sheets(edition)
        lines = [ngettext("%(num)s offener Bewertungsbogen kann dann nicht mehr eingereicht werden.",
                          "%(num)s offene Bewertungsbögen können dann nicht mehr eingereicht werden.", count)
                 if count else _("Alle zugewiesenen Bewertungsbögen sind eingereicht.")]
        if new is Phase.DELIBERATION:
            lines.append(_("Jurymitglieder mit einer verlängerten Bewertungsfrist können weiter bewerten."))
        return lines
    if opens(old, new, "scoring_open"):
        count = open_sheets(edition)
        return [ngettext("Die Jury kann bewerten: %(num)s Bewertungsbogen ist offen.",
                         "Die Jury kann bewerten: %(num)s Bewertungsbögen sind offen.", count)]
    return []


@subscribe
def publication_consequences(edition: Edition, old: Phase, new: Phase, now: datetime) -> list[str]:
    if new is Phase.PUBLISHED:
        return [_("Bewertungen können danach nicht mehr geändert werden, auch nicht mit verlängerter Frist.")]
    return []

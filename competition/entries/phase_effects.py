"""Consequences of a phase switch for companies (see editions.phase_effects)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..editions.models import Edition
from ..editions.phase_effects import closes, opens, subscribe
from ..editions.phases import Phase
from ..extensions import db
from .models import DeadlineExtension, Entry, EntryStatus


@subscribe
def submission_consequences(edition: Edition, old: Phase, new: Phase, now: datetime) -> list[str]:
    drafts = db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.edition_id == edition.id, Entry.status == EntryStatus.DRAFT))
    lines = []
    if closes(old, new, "submissions_open"):
        extended = db.session.scalar(select(func.count()).select_from(DeadlineExtension).where(
            DeadlineExtension.edition_id == edition.id, DeadlineExtension.extended_until > now))
        lines.append(ngettext(
            "%(num)s Entwurf kann dann nicht mehr eingereicht werden.",
            "%(num)s Entwürfe können dann nicht mehr eingereicht werden.", drafts) if drafts else
            _("Es gibt keine offenen Entwürfe."))
        if extended:
            lines.append(ngettext(
                "%(num)s Unternehmen mit verlängerter Frist kann weiter einreichen.",
                "%(num)s Unternehmen mit verlängerter Frist können weiter einreichen.", extended))
        lines.append(_("Die Startseite bietet keine Registrierung mehr an."))
    elif opens(old, new, "submissions_open"):
        lines.append(ngettext(
            "Unternehmen können sich wieder registrieren und Beiträge einreichen (%(num)s Entwurf wartet).",
            "Unternehmen können sich wieder registrieren und Beiträge einreichen (%(num)s Entwürfe warten).",
            drafts))
    return lines

"""Who may see and change which score sheet and assignment, and when. Each check says why not.

A juror's sheet: the object checks (assigned to this juror, no conflict), then the two locks of a round:
- the scoring window: the round's deadline, moved by an organiser's extension for one juror or all of them
  (`window.py` holds the rule);
- the freeze: once a ranking of the round is frozen (`JudgingRound.frozen_at`, set by the rankings module), neither
  jurors nor organisers change the round's sheets or assignments until an organiser reopens the round with a reason.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..core.i18n import datetime_filter
from ..editions.models import JudgingRound
from ..extensions import db
from . import conflict_check
from .models import Assignment, ScoringExtension
from .window import Closed, ScoringWindow, why_closed


def extension_until(user_id: int, judging_round: JudgingRound) -> datetime | None:
    """The latest extension that applies to this juror in this round (their own or all jurors'), one query."""
    return db.session.scalar(select(func.max(ScoringExtension.extended_until)).where(
        ScoringExtension.round_id == judging_round.id,
        (ScoringExtension.user_id == user_id) | ScoringExtension.user_id.is_(None)))


def scoring_window(user_id: int, judging_round: JudgingRound) -> ScoringWindow:
    return ScoringWindow(round_deadline=judging_round.deadline_at,
                         extended_until=extension_until(user_id, judging_round))


def closed_message(closed: Closed, window: ScoringWindow):
    if closed is Closed.DEADLINE_PASSED:
        if window.is_extended:
            return _l("Ihre verlängerte Bewertungsfrist ist am %(when)s abgelaufen. Bewertungsbögen können nicht mehr "
                      "gespeichert, eingereicht oder wieder geöffnet werden.", when=datetime_filter(window.closes_at))
        return _l("Die Bewertungsfrist dieser Runde ist am %(when)s abgelaufen. Bewertungsbögen können nicht mehr "
                  "gespeichert, eingereicht oder wieder geöffnet werden. Wenn Sie mehr Zeit brauchen, wenden Sie sich "
                  "bitte an das Organisationsteam.", when=datetime_filter(window.closes_at))
    if closed is Closed.PUBLISHED:
        return _l("Die Ergebnisse sind veröffentlicht; Bewertungen können nicht mehr geändert werden.")
    if closed is Closed.JURY_OVER:
        return _l("Die Jurybewertung ist beendet. Bewertungen sind nur während der Jurybewertung möglich.")
    return _l("Bewertungen sind nur während der Jurybewertung möglich.")


# --- jurors --------------------------------------------------------------------------------------------------------

def why_frozen_for_juror(judging_round: JudgingRound):
    if judging_round.is_frozen:
        return _l("Die Rangliste dieser Runde ist eingefroren; die Bewertungen können nicht mehr geändert werden. "
                  "Wenn Sie etwas korrigieren müssen, wenden Sie sich bitte an das Organisationsteam.")
    return None


def why_scoring_closed(user_id: int, judging_round: JudgingRound, now: datetime):
    """Why this juror may not save, submit or reopen sheets of this round now (None: they may): the freeze first,
    then the scoring window. The object checks (assigned, no conflict) are `why_not_view_sheet`."""
    reason = why_frozen_for_juror(judging_round)
    if reason:
        return reason
    window = scoring_window(user_id, judging_round)
    closed = why_closed(window, phase=judging_round.edition.phase(now), now=now)
    return closed_message(closed, window) if closed else None


# --- organisers ----------------------------------------------------------------------------------------------------

def why_round_frozen(judging_round: JudgingRound):
    """Why an organiser may not change the round's sheets or assignments now (None: they may)."""
    if judging_round.is_frozen:
        return _l("Die Rangliste der Runde „%(name)s“ ist seit %(when)s eingefroren. Bewertungsbögen und Zuweisungen "
                  "dieser Runde können erst geändert werden, wenn Sie die Runde auf der Ranglisten-Seite mit "
                  "Begründung wieder öffnen.", name=judging_round.name, when=datetime_filter(judging_round.frozen_at))
    return None


def can_change_round(judging_round: JudgingRound) -> bool:
    return why_round_frozen(judging_round) is None


# --- a juror's score sheet -----------------------------------------------------------------------------------------

def why_not_view_sheet(user: User, assignment: Assignment):
    if assignment.user_id != user.id:
        return _l("Dieser Beitrag ist Ihnen nicht zugewiesen.")
    if conflict_check.is_locked(user, assignment.entry):
        return _l("Bei diesem Beitrag besteht eine Befangenheit; er ist für Sie gesperrt.")
    return None


def can_view_sheet(user: User, assignment: Assignment) -> bool:
    return why_not_view_sheet(user, assignment) is None


def why_not_score_sheet(user: User, assignment: Assignment, now: datetime):
    """Why this juror may not save, submit or reopen the sheet now: not theirs, a conflict, the round frozen, or
    the scoring window closed (deadline passed without extension, outside the jury phase)."""
    return why_not_view_sheet(user, assignment) or why_scoring_closed(user.id, assignment.round, now)


def can_score_sheet(user: User, assignment: Assignment, now: datetime) -> bool:
    return why_not_score_sheet(user, assignment, now) is None

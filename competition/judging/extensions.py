"""Scoring deadline extensions: an organiser gives one juror, or all jurors of a round, more time, with a reason the
juror sees. Use cases flush, never commit; every grant and withdrawal is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.i18n import datetime_filter
from ..core.permissions import require_organiser
from ..editions.models import JudgingRound
from ..extensions import db
from . import permissions
from .models import Assignment, ScoringExtension


def extensions_of(judging_round: JudgingRound) -> list[ScoringExtension]:
    """The round's extensions: the one for all jurors first, then by juror."""
    rows = db.session.scalars(select(ScoringExtension).where(ScoringExtension.round_id == judging_round.id)
                              .order_by(ScoringExtension.user_id.is_not(None), ScoringExtension.id))
    return list(rows)


def round_jurors(judging_round: JudgingRound) -> list[User]:
    """Jurors with at least one assignment in the round (the ones an extension can be for)."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(Assignment.user_id).where(Assignment.round_id == judging_round.id)))
        .order_by(User.full_name, User.id)))


def grant_scoring_extension(*, judging_round: JudgingRound, juror: User | None, until: datetime, reason: str,
                            by: User, now: datetime) -> ScoringExtension:
    """Give `juror` (None: every juror of the round) until `until`; replaces an earlier extension of the same
    juror (or of all jurors) in this round."""
    require_organiser(by, _l("Nur das Organisationsteam kann Bewertungsfristen verlängern."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Bitte begründen Sie die Fristverlängerung; das Jurymitglied sieht die "
                                  "Begründung."), field="reason")
    if until <= judging_round.deadline_at:
        raise ValidationFailed(_l("Die neue Frist muss nach der regulären Bewertungsfrist (%(when)s) liegen.",
                                  when=datetime_filter(judging_round.deadline_at)), field="until")
    if until <= now:
        raise ValidationFailed(_l("Die neue Frist muss in der Zukunft liegen."), field="until")
    publication_at = judging_round.edition.publication_at
    if until >= publication_at:
        raise ValidationFailed(_l("Die neue Frist muss vor der Veröffentlichung der Ergebnisse (%(when)s) liegen.",
                                  when=datetime_filter(publication_at)), field="until")
    if juror is not None and juror.id not in {u.id for u in round_jurors(judging_round)}:
        raise ValidationFailed(_l("%(name)s hat in dieser Runde keine Zuweisungen.", name=juror.full_name),
                               field="juror")
    query = select(ScoringExtension).where(ScoringExtension.round_id == judging_round.id)
    query = query.where(ScoringExtension.user_id.is_(None) if juror is None
                        else ScoringExtension.user_id == juror.id)
    extension = db.session.scalars(query.order_by(ScoringExtension.id)).first()
    if extension is None:
        extension = ScoringExtension(round_id=judging_round.id, user_id=juror.id if juror else None)
        db.session.add(extension)
    extension.extended_until, extension.reason = until, reason
    extension.granted_by_id, extension.granted_at = by.id, now
    db.session.flush()
    audit.record(actor=by, action="scoring.extended", obj_type="round", obj_id=judging_round.id, now=now,
                 juror=juror.id if juror else "all", until=until.isoformat(), reason=reason,
                 frozen=judging_round.is_frozen)
    return extension


def withdraw_scoring_extension(*, extension: ScoringExtension, by: User, now: datetime) -> None:
    require_organiser(by, _l("Nur das Organisationsteam kann Bewertungsfristen verlängern."))
    audit.record(actor=by, action="scoring.extension_withdrawn", obj_type="round", obj_id=extension.round_id,
                 now=now, juror=extension.user_id or "all", until=extension.extended_until.isoformat())
    db.session.delete(extension)
    db.session.flush()


@dataclass(frozen=True)
class JurorDeadline:
    """What a juror is shown for a round: when scoring closes for them and why (an extension and its reason)."""

    closes_at: datetime
    extended: bool
    reason: str


def deadline_for(user_id: int, judging_round: JudgingRound) -> JurorDeadline:
    window = permissions.scoring_window(user_id, judging_round)
    if not window.is_extended:
        return JurorDeadline(closes_at=window.closes_at, extended=False, reason="")
    extension = db.session.scalars(
        select(ScoringExtension).where(ScoringExtension.round_id == judging_round.id,
                                       ScoringExtension.extended_until == window.closes_at,
                                       (ScoringExtension.user_id == user_id) | ScoringExtension.user_id.is_(None))
        .order_by(ScoringExtension.user_id.is_(None))).first()
    return JurorDeadline(closes_at=window.closes_at, extended=True, reason=extension.reason if extension else "")

"""Reads of the jury module that several places share (views, services, the planner's problem). Each returns rows or
a `select(...)`; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..accounts.models import Role, User, UserRole
from ..core.audit import AuditEvent
from ..core.errors import ValidationFailed
from ..core.ids import db_int
from ..editions.models import Edition, JudgingRound
from ..entries.models import Entry, EntryStatus
from ..extensions import db
from .assignment import GERN, LIEBER_NICHT
from .models import (
    Assignment,
    CompanyGroup,
    Conflict,
    DomainAlias,
    JurorExpertise,
    JurorProfile,
    Preference,
    PreferencePhase,
    PreferenceValue,
    RoundJuror,
    ShortlistEntry,
)

PLANNER_VALUES = {PreferenceValue.GERN: GERN, PreferenceValue.LIEBER_NICHT: LIEBER_NICHT}

# Entries that take part in a round: the first round takes every eligible entry, a later one the shortlist.
FIRST_ROUND_STATUSES = (EntryStatus.ELIGIBLE, EntryStatus.IN_REVIEW, EntryStatus.SHORTLISTED, EntryStatus.AWARDED,
                        EntryStatus.NOT_AWARDED)
LATER_ROUND_STATUSES = (EntryStatus.SHORTLISTED, EntryStatus.AWARDED, EntryStatus.NOT_AWARDED)


# --- jurors and profiles -----------------------------------------------------------------------------------------

def profile_of(user: User) -> JurorProfile | None:
    return db.session.scalar(select(JurorProfile).where(JurorProfile.user_id == user.id))


def expertise_of(user_ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(select(JurorExpertise.user_id, JurorExpertise.category_id)
                              .where(JurorExpertise.user_id.in_(user_ids))) if user_ids else []
    for user_id, category_id in rows:
        result[user_id].add(category_id)
    return result


def jurors():
    return (select(User).join(UserRole).where(UserRole.role == Role.JUROR, User.is_active_account.is_(True))
            .order_by(User.full_name, User.id))


def juror_profiles() -> dict[int, JurorProfile]:
    """Every juror profile, by user id."""
    return {p.user_id: p for p in db.session.scalars(select(JurorProfile))}


def conflicts_by_status():
    return select(Conflict).order_by(Conflict.status, Conflict.created_at)


def company_groups():
    return select(CompanyGroup).order_by(CompanyGroup.name)


def domain_aliases():
    return select(DomainAlias).order_by(DomainAlias.domain)


def system_actor() -> User:
    """The organiser in whose name a command-line action is recorded: the first organiser account."""
    organiser = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.ORGANISER)
                                  .order_by(User.id).limit(1))
    if organiser is None:
        raise ValidationFailed(_l("Es gibt noch kein Konto des Organisationsteams (flask accounts create-admin)."))
    return organiser


# --- rounds, pools and assignments -------------------------------------------------------------------------------

def current_round(edition: Edition, now: datetime) -> JudgingRound:
    """The first round whose deadline has not passed, else the last one."""
    for judging_round in edition.rounds:
        if judging_round.deadline_at > now:
            return judging_round
    return edition.rounds[-1]


def round_entry_ids(judging_round: JudgingRound):
    """`select(Entry.id)` of the round's entries: the first round takes every eligible entry; a later one the
    shortlist applied in the round before it (by status when no shortlist was recorded, e.g. statuses set by
    hand)."""
    statuses = FIRST_ROUND_STATUSES if judging_round.is_first else LATER_ROUND_STATUSES
    query = select(Entry.id).where(Entry.edition_id == judging_round.edition_id, Entry.status.in_(statuses))
    if not judging_round.is_first:
        previous = db.session.scalar(select(JudgingRound.id).where(
            JudgingRound.edition_id == judging_round.edition_id, JudgingRound.position < judging_round.position)
            .order_by(JudgingRound.position.desc()).limit(1))
        chosen = select(ShortlistEntry.entry_id).where(ShortlistEntry.round_id == previous)
        if previous is not None and db.session.scalar(chosen.limit(1)) is not None:
            query = query.where(Entry.id.in_(chosen))
    return query


def round_entries(judging_round: JudgingRound) -> list[Entry]:
    """The round's entries (see `round_entry_ids`), by number."""
    ids = round_entry_ids(judging_round)
    return list(db.session.scalars(select(Entry).where(Entry.id.in_(ids)).order_by(Entry.number, Entry.id)))


def round_pool(judging_round: JudgingRound) -> list[tuple[User, int]]:
    """The round's jurors with their capacity: those chosen for the round, else every juror with a profile."""
    chosen = db.session.execute(select(User, RoundJuror.capacity).join(RoundJuror, RoundJuror.user_id == User.id)
                                .where(RoundJuror.round_id == judging_round.id).order_by(User.full_name)).all()
    if chosen:
        return [(user, capacity) for user, capacity in chosen]
    profiles = {p.user_id: p.capacity for p in db.session.scalars(select(JurorProfile))}
    return [(user, profiles.get(user.id, 0)) for user in db.session.scalars(jurors())]


def round_pool_size(judging_round: JudgingRound) -> int:
    """How many jurors were chosen for the round (0: the round takes every juror, see `round_pool`)."""
    return db.session.scalar(select(func.count()).select_from(RoundJuror)
                             .where(RoundJuror.round_id == judging_round.id))


def assignment_for(judging_round: JudgingRound, *, entry_id: int, juror_id: int) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.round_id == judging_round.id, Assignment.entry_id == entry_id, Assignment.user_id == juror_id))


def current_assignments(judging_round: JudgingRound) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.round_id == judging_round.id)
                                   .order_by(Assignment.entry_id, Assignment.user_id)))


def assignments_of(user: User):
    return (select(Assignment).where(Assignment.user_id == user.id)
            .order_by(Assignment.round_id, Assignment.entry_id))


# --- preferences -------------------------------------------------------------------------------------------------


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


# --- the audit trail (organiser pages) ---------------------------------------------------------------------------

def entry_id_by_number(number: str) -> int | None:
    """The id of the entry with this number (or this id), None when there is none."""
    try:
        as_id = db_int(number)
    except ValueError:
        as_id = -1
    return db.session.scalar(select(Entry.id).where(or_(Entry.number == number, Entry.id == as_id)))


def audit_events(*, action: str = "", actor_id: int | None = None, entry_id: int | None = None,
                 unknown_entry: bool = False, since: datetime | None = None, before: datetime | None = None):
    """`select(AuditEvent)` filtered by action, person, entry (events on it or naming it in their data) and time
    (`since` inclusive, `before` exclusive, UTC); `unknown_entry` (an entry asked for that does not exist) matches
    nothing."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if unknown_entry:
        query = query.where(AuditEvent.id == -1)
    elif entry_id is not None:
        query = query.where(or_(
            and_(AuditEvent.object_type == "entry", AuditEvent.object_id == entry_id),
            AuditEvent.data["entry"].as_integer() == entry_id,
            AuditEvent.data["entry_id"].as_integer() == entry_id,
        ))
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if before:
        query = query.where(AuditEvent.occurred_at < before)
    return query


def count_of(query) -> int:
    """How many rows a `select(...)` returns."""
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def audit_event_count(*, after_id: int | None = None) -> int:
    """How many events the trail holds (newer than `after_id`, if given)."""
    query = select(func.count()).select_from(AuditEvent)
    if after_id is not None:
        query = query.where(AuditEvent.id > after_id)
    return db.session.scalar(query)


def names_of(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def audit_people() -> list[tuple[int, str]]:
    """Everyone who appears in the trail, for the person filter (one query)."""
    actor_ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct().scalar_subquery()
    return list(db.session.execute(select(User.id, User.full_name).where(User.id.in_(actor_ids))
                                   .order_by(User.full_name)).all())

"""Preferences before assignment [Präferenzen]: in a round's preference phase each juror of the round's pool marks
the round's entries "gern", "neutral", "lieber nicht" or "befangen"; the planner honours them (see assignment.py).
Use cases and the rules of who may mark what; flush, never commit.

What a juror sees: the round's entries except those they are conflicted with through a conflict they did not
declare themselves (organiser-set, detected, company groups). Entries conflicted only through the juror's own
declarations stay in the list, so in an anonymous (blind) edition nothing on the list depends on which company a
juror named: an entry marked "befangen" shows that mark, the company's other entries look as before (the planner
still never assigns them). With names shown, those other entries carry a note instead.

"befangen" is a conflict declaration: it goes through `services.declare_conflict` (audited, counted everywhere
conflicts count) and the organisers are mailed by a job; the juror cannot take it back here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core import audit
from ..core.errors import Locked, PermissionDenied, ValidationFailed
from ..core.i18n import datetime_filter
from ..core.permissions import require_organiser
from ..editions.models import JudgingRound
from ..entries.models import Entry
from ..entries.versions import versions_at_deadline
from ..extensions import db
from . import conflict_check, queries, services
from .models import Conflict, ConflictSource, Preference, PreferencePhase, PreferenceValue

MARKS = (PreferenceValue.GERN, PreferenceValue.NEUTRAL, PreferenceValue.LIEBER_NICHT)  # what a juror sets here
REASON_MAX = 1000


# --- the phase ---------------------------------------------------------------------------------------------------

def open_phase(*, judging_round: JudgingRound, ends_at: datetime | None, by: User, now: datetime) -> PreferencePhase:
    """Open (or reopen, or change the end of) the round's preference phase."""
    require_organiser(by)
    if ends_at is not None and ends_at <= now:
        raise ValidationFailed(_l("Das Ende der Präferenzphase muss in der Zukunft liegen."), field="ends_at")
    phase = queries.preference_phase(judging_round)
    was_open = phase is not None and phase.is_open(now)
    if phase is None:
        phase = PreferencePhase(round_id=judging_round.id)
        db.session.add(phase)
    if not was_open:
        phase.opened_at, phase.opened_by_id = now, by.id
    phase.ends_at, phase.closed_at, phase.closed_by_id = ends_at, None, None
    db.session.flush()
    audit.record(actor=by, action="preferences.changed" if was_open else "preferences.opened", obj_type="round",
                 obj_id=judging_round.id, now=now, ends_at=ends_at.isoformat() if ends_at else None)
    return phase


def close_phase(*, judging_round: JudgingRound, by: User, now: datetime) -> PreferencePhase:
    require_organiser(by)
    phase = queries.preference_phase(judging_round)
    if phase is None or not phase.is_open(now):
        raise ValidationFailed(_l("Die Präferenzphase dieser Bewertungsrunde ist nicht geöffnet."))
    phase.closed_at, phase.closed_by_id = now, by.id
    db.session.flush()
    audit.record(actor=by, action="preferences.closed", obj_type="round", obj_id=judging_round.id, now=now)
    return phase


# --- who may mark ------------------------------------------------------------------------------------------------

def in_pool(user: User, judging_round: JudgingRound) -> bool:
    return any(member.id == user.id for member, _capacity in queries.round_pool(judging_round))


def why_not_mark(user: User, judging_round: JudgingRound, now: datetime):
    """Why `user` may not mark preferences in this round now (None: they may)."""
    if not in_pool(user, judging_round):
        return _l("Sie gehören nicht zur Jury der Bewertungsrunde „%(name)s“.", name=judging_round.name)
    phase = queries.preference_phase(judging_round)
    if phase is None or phase.opened_at > now:
        return _l("Die Präferenzphase der Bewertungsrunde „%(name)s“ ist noch nicht geöffnet. Sie erhalten eine "
                  "E-Mail, sobald Sie markieren können.", name=judging_round.name)
    ended = phase.ended_at(now)
    if ended is not None:
        return _l("Die Präferenzphase der Bewertungsrunde „%(name)s“ ist seit %(date)s geschlossen; Ihre "
                  "Markierungen sind gespeichert und werden bei der Zuweisung berücksichtigt.",
                  name=judging_round.name, date=datetime_filter(ended))
    return None


def can_mark(user: User, judging_round: JudgingRound, now: datetime) -> bool:
    return why_not_mark(user, judging_round, now) is None


# --- what a juror sees -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListedEntry:
    """One entry on a juror's preference list, as submitted (from the version the jury sees)."""

    id: int
    number: str
    title: str
    category_id: int
    category: str
    summary: str  # sanitised rich text, as stored
    mark: str | None  # a PreferenceValue value; None: not marked yet
    locked: bool  # "befangen": not changeable here
    company_conflict: bool  # conflicted through a declaration about the company (shown only with names shown)


@dataclass(frozen=True)
class Visibility:
    """For each juror of a round, by entry id: the entries hidden from their list (conflicted through anything but
    their own declarations: memberships, addresses, domains, organiser-set or detected conflicts), and those conflicted
    only through the juror's own declarations (listed as "befangen", not assignable). What the juror declared thus
    never changes which entries they see, so the list tells nothing about which company an entry belongs to."""

    hidden: dict[int, set[int]]
    own_only: dict[int, set[int]]

    @classmethod
    def of(cls, juror_ids: list[int], entries: list[Entry]) -> Visibility:
        cmap = conflict_check.conflict_map(juror_ids=juror_ids, entries=entries)
        ids = {f.conflict_id for findings in cmap.findings.values() for f in findings if f.conflict_id is not None}
        own_ids = set(db.session.scalars(select(Conflict.id).where(Conflict.id.in_(ids),
                                                                   Conflict.source == ConflictSource.DECLARED))
                      ) if ids else set()
        hidden: dict[int, set[int]] = defaultdict(set)
        own_only: dict[int, set[int]] = defaultdict(set)
        for (juror_id, entry_id), findings in cmap.findings.items():
            if all(f.conflict_id in own_ids and not f.standing for f in findings):
                own_only[juror_id].add(entry_id)
            else:
                hidden[juror_id].add(entry_id)
        return cls(hidden=hidden, own_only=own_only)

    def entries_for(self, user_id: int, entries: list[Entry]) -> list[Entry]:
        hidden = self.hidden.get(user_id, set())
        return [entry for entry in entries if entry.id not in hidden]


@dataclass(frozen=True)
class _Marking:
    """A juror's list without the entries' texts: which entries, their marks, what is locked."""

    entries: list[Entry]
    marks: dict[int, str | None]  # entry id → PreferenceValue value (None: not marked)
    own_only: set[int]  # entries conflicted only through the juror's own declarations

    @classmethod
    def of(cls, juror: User, judging_round: JudgingRound) -> _Marking:
        round_entries = queries.round_entries(judging_round)
        visibility = Visibility.of([juror.id], round_entries)
        entries = visibility.entries_for(juror.id, round_entries)
        own_only = visibility.own_only.get(juror.id, set())
        stored = queries.marks_of(juror.id, judging_round)
        marks = {}
        for entry in entries:
            value = stored[entry.id].value.value if entry.id in stored else None
            if value == PreferenceValue.BEFANGEN and entry.id not in own_only:
                value = None  # the declaration was withdrawn (or dismissed): the mark no longer holds
            marks[entry.id] = value
        return cls(entries=entries, marks=marks, own_only=own_only)


def progress_of(juror: User, judging_round: JudgingRound) -> tuple[int, int]:
    """(marked, entries on the list) for one juror."""
    marking = _Marking.of(juror, judging_round)
    return sum(1 for value in marking.marks.values() if value), len(marking.marks)


def juror_list(juror: User, judging_round: JudgingRound) -> list[ListedEntry]:
    """The entries `juror` may mark in the round, by number, with their marks."""
    edition = judging_round.edition
    marking = _Marking.of(juror, judging_round)
    versions = versions_at_deadline(marking.entries)
    items = []
    for entry in marking.entries:
        content = versions[entry.id].content["entry"] if entry.id in versions else None
        value = marking.marks[entry.id]
        items.append(ListedEntry(
            id=entry.id, number=entry.number or "", title=content["title"] if content else entry.title,
            category_id=entry.category_id, category=content["category"] if content else entry.category.name,
            summary=content["summary"] if content else entry.summary, mark=value,
            locked=value == PreferenceValue.BEFANGEN,
            company_conflict=(not edition.is_blind and entry.id in marking.own_only
                              and value != PreferenceValue.BEFANGEN)))
    return items


# --- marking -----------------------------------------------------------------------------------------------------

def _mark_of(juror: User, judging_round: JudgingRound, entry: Entry) -> tuple[str | None, bool]:
    """(the juror's mark, whether the entry's company is conflicted through their own declaration); PermissionDenied
    if the entry is not on their list."""
    marking = _Marking.of(juror, judging_round)
    if entry.edition_id != judging_round.edition_id or entry.id not in marking.marks:
        raise PermissionDenied(_l("Diesen Beitrag können Sie in dieser Bewertungsrunde nicht markieren."))
    return marking.marks[entry.id], entry.id in marking.own_only


def _store(juror: User, judging_round: JudgingRound, entry: Entry, value: PreferenceValue, now: datetime) -> None:
    """Insert or update the juror's mark (a second tab inserting at the same moment is not an error)."""
    where = (Preference.round_id == judging_round.id, Preference.user_id == juror.id, Preference.entry_id == entry.id)
    row = db.session.scalar(select(Preference).where(*where))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Preference(round_id=judging_round.id, user_id=juror.id, entry_id=entry.id,
                                          value=value, updated_at=now))
            return
        except IntegrityError:
            row = db.session.scalar(select(Preference).where(*where))
    row.value, row.updated_at = value, now
    db.session.flush()


def set_preference(*, juror: User, judging_round: JudgingRound, entry: Entry, value: PreferenceValue | None,
                   by: User, now: datetime) -> None:
    """The juror marks an entry "gern", "neutral" or "lieber nicht"."""
    if by.id != juror.id:
        raise PermissionDenied(_l("Präferenzen markiert jedes Jurymitglied selbst."))
    mark, company_conflict = _mark_of(juror, judging_round, entry)
    reason = why_not_mark(juror, judging_round, now)
    if reason:
        raise Locked(reason)
    if value not in MARKS:
        raise ValidationFailed(_l("Bitte wählen Sie „gern“, „neutral“ oder „lieber nicht“."))
    # blind: the company's other entries are marked like any other (refusing them would tell which they are)
    if mark == PreferenceValue.BEFANGEN or (company_conflict and not judging_round.edition.is_blind):
        raise Locked(_l("Für diesen Beitrag haben Sie eine Befangenheit erklärt; zurücknehmen kann sie nur das "
                        "Organisationsteam."))
    _store(juror, judging_round, entry, value, now)


def declare_from_list(*, juror: User, judging_round: JudgingRound, entry: Entry, reason: str, by: User,
                      now: datetime) -> Conflict:
    """The juror marks an entry "befangen": a conflict declaration through the conflict service (audited, counted
    by the planner and every conflict check), remembered as the entry's mark."""
    if by.id != juror.id:
        raise PermissionDenied(_l("Eine Befangenheit erklärt jedes Jurymitglied selbst."))
    mark, _company_conflict = _mark_of(juror, judging_round, entry)
    why = why_not_mark(juror, judging_round, now)
    if why:
        raise Locked(why)
    if mark == PreferenceValue.BEFANGEN:
        raise ValidationFailed(_l("Für diesen Beitrag ist Ihre Befangenheit bereits erfasst."))
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_l("Die Begründung ist zu lang (höchstens %(n)s Zeichen).", n=REASON_MAX),
                               field="reason")
    text = str(_l("In der Präferenzphase der Bewertungsrunde „%(name)s“ bei Beitrag %(number)s als befangen "
                  "markiert.", name=judging_round.name, number=entry.number or entry.id))
    # Against the entry (as on a blind sheet): for planning it covers the company and its group, yet the juror's
    # own pages never depend on which company that is.
    conflict = services.declare_conflict(juror=juror, entry=entry,
                                         reason=f"{text} {reason}" if reason else text, by=by, now=now)
    _store(juror, judging_round, entry, PreferenceValue.BEFANGEN, now)
    return conflict


# --- progress for organisers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JurorProgress:
    juror_id: int
    name: str
    email: str
    total: int  # entries on the juror's list
    marked: int
    gern: int
    lieber_nicht: int
    befangen: int
    last_change: datetime | None


def round_progress(judging_round: JudgingRound) -> list[JurorProgress]:
    """Per juror of the round's pool: how much of their list they have marked, in a handful of queries."""
    entries = queries.round_entries(judging_round)
    pool = queries.round_pool(judging_round)
    visibility = Visibility.of([juror.id for juror, _capacity in pool], entries)
    marks: dict[int, dict[int, Preference]] = defaultdict(dict)
    for mark in db.session.scalars(queries.preferences_in_round(judging_round)):
        marks[mark.user_id][mark.entry_id] = mark
    result = []
    for juror, _capacity in pool:
        listed = visibility.entries_for(juror.id, entries)
        own = marks.get(juror.id, {})
        values = [own[e.id].value for e in listed if e.id in own]
        times = [own[e.id].updated_at for e in listed if e.id in own]
        result.append(JurorProgress(
            juror_id=juror.id, name=juror.full_name, email=juror.email, total=len(listed), marked=len(values),
            gern=values.count(PreferenceValue.GERN), lieber_nicht=values.count(PreferenceValue.LIEBER_NICHT),
            befangen=values.count(PreferenceValue.BEFANGEN), last_change=max(times, default=None)))
    return result


def open_rounds_for(juror: User, now: datetime) -> list[tuple[JudgingRound, PreferencePhase]]:
    """Rounds whose preference phase is open now and whose pool includes the juror (for the dashboard)."""
    phases = db.session.scalars(select(PreferencePhase).where(PreferencePhase.closed_at.is_(None),
                                                              PreferencePhase.opened_at <= now)).all()
    result = []
    for phase in phases:
        judging_round = db.session.get(JudgingRound, phase.round_id)
        if phase.is_open(now) and in_pool(juror, judging_round):
            result.append((judging_round, phase))
    return sorted(result, key=lambda item: (item[0].edition_id, item[0].position))

"""Use cases of conflicts of interest [Befangenheit]: declare (against a company, or on a sheet against an entry),
withdraw or ask to withdraw, the organisers' decisions, and the automatic detection. Flush, never commit; mails
are sent by the views after the commit.

Whether a pair is conflicted is never decided here but in `conflict_check`, from what is true now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Role, User, UserRole
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from ..core.permissions import require_organiser
from ..editions.models import Edition, JudgingRound
from ..editions.phases import Phase
from ..entries.models import Company, Entry
from ..extensions import db
from . import conflict_check
from . import conflicts as detection
from .models import Assignment, Conflict, ConflictSource, ConflictStatus, ScoreSheet, ScoreSheetEvent, SheetStatus

MAX_REASON = 2000


def participating_companies(edition: Edition) -> list[Company]:
    return list(db.session.scalars(
        select(Company).join(Entry, Entry.company_id == Company.id).where(Entry.edition_id == edition.id)
        .distinct().order_by(Company.legal_name)
    ))


def _reason(text: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, field="reason")
    if len(text) > MAX_REASON:
        raise ValidationFailed(_l("Bitte fassen Sie sich kürzer (höchstens %(n)s Zeichen).", n=MAX_REASON),
                               field="reason")
    return text


# --- declaring ---------------------------------------------------------------------------------------------------

def declare_conflict(*, juror: User, reason: str, by: User, now: datetime, company: Company | None = None,
                     entry: Entry | None = None) -> Conflict:
    """A juror declares a conflict (source "declared"), or an organiser sets one (source "organiser"), against a
    company or - on a blind sheet, where the juror does not know the company - against one entry."""
    if (company is None) == (entry is None):
        raise ValueError("a conflict names a company or an entry")
    if by.id == juror.id:
        source = ConflictSource.DECLARED
    elif by.is_organiser:
        source = ConflictSource.ORGANISER
    else:
        raise PermissionDenied(_l("Sie können nur eigene Befangenheiten erklären."))
    reason = _reason(reason, _l("Bitte nennen Sie kurz den Grund."))
    target = Conflict.company_id == company.id if company is not None else Conflict.entry_id == entry.id
    conflict = db.session.scalar(select(Conflict).where(Conflict.user_id == juror.id, target,
                                                        Conflict.source == source))
    if conflict is None:
        conflict = Conflict(user_id=juror.id, company_id=company.id if company is not None else None,
                            entry_id=entry.id if entry is not None else None, source=source, created_at=now,
                            created_by_id=by.id)
        db.session.add(conflict)
    conflict.reason = reason
    conflict.status = ConflictStatus.ACTIVE
    conflict.withdrawal_requested_at = None
    conflict.withdrawal_reason = ""
    db.session.flush()
    audit.record(actor=by, action=f"conflict.{source.value}", obj_type="conflict", obj_id=conflict.id, now=now,
                 juror=juror.id, company=conflict.company_id, entry=conflict.entry_id, reason=conflict.reason)
    return conflict


# Whether a round has ever had a ranking frozen is the rankings module's to know (its snapshots); it registers the
# answer here (`answers_round_frozen`), so judging never imports rankings (docs/architecture.md).
_round_frozen_answer: Callable[[int], bool] | None = None


def answers_round_frozen(answer: Callable[[int], bool]) -> Callable[[int], bool]:
    """Register the function that says, by round id, whether a ranking of that round has been frozen."""
    global _round_frozen_answer
    _round_frozen_answer = answer
    return answer


def round_is_frozen(judging_round: JudgingRound) -> bool:
    """Whether a ranking of this round has been frozen (then sheets change only by an organiser's decision)."""
    if _round_frozen_answer is None:
        raise RuntimeError("rankings has not registered its answer (create_app imports competition.rankings.hooks)")
    return _round_frozen_answer(judging_round.id)


@dataclass(frozen=True)
class SheetDeclaration:
    conflict: Conflict
    entry: Entry
    kept: bool  # the round has a frozen ranking: assignment and sheet stay until an organiser decides


def declare_on_sheet(*, assignment: Assignment, reason: str, by: User, now: datetime) -> SheetDeclaration:
    """The juror declares a conflict from a sheet. In blind judging it is recorded against the entry (the juror
    does not know the company, and the record must not tell them). Before a ranking of the round is frozen the
    assignment goes and its sheet stays in the history, not counted; afterwards both stay until an organiser
    decides (void the sheet with a reason, or dismiss the declaration)."""
    if assignment.user_id != by.id:
        raise PermissionDenied(_l("Dieser Beitrag ist Ihnen nicht zugewiesen."))
    entry = assignment.entry
    if entry.edition.is_blind:
        conflict = declare_conflict(juror=by, entry=entry, reason=reason, by=by, now=now)
    else:
        conflict = declare_conflict(juror=by, company=entry.company, reason=reason, by=by, now=now)
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    if round_is_frozen(assignment.round):
        audit.record(actor=by, action="conflict.declared_after_freeze", obj_type="assignment", obj_id=assignment.id,
                     now=now, conflict=conflict.id, entry=entry.id, round=assignment.round_id,
                     sheet=sheet.id if sheet else None, sheet_status=sheet.status.value if sheet else None)
        return SheetDeclaration(conflict=conflict, entry=entry, kept=True)
    if sheet is not None:
        sheet.is_void = True
        sheet.assignment_id = None
        sheet.updated_at = now
    audit.record(actor=by, action="assignment.removed_by_conflict", obj_type="assignment", obj_id=assignment.id,
                 now=now, entry=entry.id, round=assignment.round_id, sheet=sheet.id if sheet else None)
    db.session.delete(assignment)
    db.session.flush()
    return SheetDeclaration(conflict=conflict, entry=entry, kept=False)


# --- withdrawing -------------------------------------------------------------------------------------------------

def has_running_assignments(juror: User, now: datetime) -> bool:
    """Whether the juror holds assignments in an edition whose results are not yet published."""
    editions = db.session.scalars(select(Edition).join(JudgingRound, JudgingRound.edition_id == Edition.id)
                                  .join(Assignment, Assignment.round_id == JudgingRound.id)
                                  .where(Assignment.user_id == juror.id).distinct())
    return any(edition.phase(now) is not Phase.PUBLISHED for edition in editions)


def withdraw_conflict(*, conflict: Conflict, reason: str, by: User, now: datetime) -> bool:
    """The juror withdraws their own declaration: at once while they hold no assignments in a running edition;
    otherwise they ask, and an organiser decides (so that declaring and withdrawing cannot be used to probe
    which blind entry belongs to which company). True if the declaration is gone, False if it was asked for."""
    if conflict.user_id != by.id or conflict.source is not ConflictSource.DECLARED:
        raise PermissionDenied(_l("Sie können nur eigene Erklärungen zurücknehmen."))
    if conflict.withdrawal_requested_at is not None:
        raise ValidationFailed(_l("Ihr Antrag auf Rücknahme liegt dem Organisationsteam bereits vor."))
    if has_running_assignments(by, now):
        conflict.withdrawal_requested_at = now
        conflict.withdrawal_reason = (reason or "").strip()[:MAX_REASON]
        db.session.flush()
        audit.record(actor=by, action="conflict.withdrawal_requested", obj_type="conflict", obj_id=conflict.id,
                     now=now, juror=conflict.user_id, company=conflict.company_id, entry=conflict.entry_id,
                     reason=conflict.withdrawal_reason)
        return False
    _delete(conflict, action="conflict.removed", by=by, now=now)
    return True


def _delete(conflict: Conflict, *, action: str, by: User, now: datetime, **extra) -> None:
    audit.record(actor=by, action=action, obj_type="conflict", obj_id=conflict.id, now=now, juror=conflict.user_id,
                 company=conflict.company_id, entry=conflict.entry_id, source=conflict.source.value, **extra)
    db.session.delete(conflict)
    db.session.flush()


def remove_conflict(*, conflict: Conflict, by: User, now: datetime) -> None:
    """An organiser removes a declared or organiser-set conflict."""
    require_organiser(by, _l("Nur das Organisationsteam kann Befangenheiten entfernen. Sie können die Rücknahme "
                             "Ihrer Erklärung beantragen."))
    if conflict.source is ConflictSource.DETECTED:
        raise ValidationFailed(_l("Eine erkannte Befangenheit wird verworfen, nicht gelöscht."))
    _delete(conflict, action="conflict.removed", by=by, now=now)


def decide_withdrawal(*, conflict: Conflict, approve: bool, by: User, now: datetime) -> None:
    require_organiser(by)
    if conflict.withdrawal_requested_at is None:
        raise ValidationFailed(_l("Zu dieser Befangenheit liegt kein Antrag auf Rücknahme vor."))
    if approve:
        _delete(conflict, action="conflict.withdrawal_approved", by=by, now=now,
                reason=conflict.withdrawal_reason)
        return
    audit.record(actor=by, action="conflict.withdrawal_refused", obj_type="conflict", obj_id=conflict.id, now=now,
                 juror=conflict.user_id, company=conflict.company_id, entry=conflict.entry_id)
    conflict.withdrawal_requested_at = None
    conflict.withdrawal_reason = ""
    db.session.flush()


# --- organisers' decisions ---------------------------------------------------------------------------------------

def _standing_for(conflict: Conflict) -> str | None:
    company_id = conflict.company_id if conflict.company_id is not None else conflict.entry.company_id
    return conflict_check.standing_company_conflicts([conflict.user_id], [company_id]).get(
        (conflict.user_id, company_id))


def decide_detected_conflict(*, conflict: Conflict, confirm: bool, by: User, now: datetime) -> None:
    """Confirm a detected conflict, or dismiss a recorded one (it no longer counts). A conflict that follows from
    a membership, an address or a domain holds whatever is decided: it cannot be dismissed."""
    require_organiser(by)
    if confirm and conflict.source is not ConflictSource.DETECTED:
        raise ValidationFailed(_l("Nur automatisch erkannte Befangenheiten können bestätigt werden."))
    if not confirm:
        standing = _standing_for(conflict)
        if standing:
            raise ValidationFailed(_l("Diese Befangenheit gilt immer und kann nicht verworfen werden: %(why)s.",
                                      why=standing))
    conflict.status = ConflictStatus.CONFIRMED if confirm else ConflictStatus.DISMISSED
    conflict.decided_at = now
    conflict.decided_by_id = by.id
    conflict.withdrawal_requested_at = None
    db.session.flush()
    audit.record(actor=by, action="conflict.confirmed" if confirm else "conflict.dismissed", obj_type="conflict",
                 obj_id=conflict.id, now=now, juror=conflict.user_id, company=conflict.company_id,
                 entry=conflict.entry_id)


def set_aside_assignment(*, assignment: Assignment, reason: str, by: User, now: datetime) -> ScoreSheet | None:
    """An organiser takes an assignment away because of a conflict (at any time, also after a freeze): its sheet
    is voided with the reason (kept in the history, not counted) and the assignment goes."""
    require_organiser(by)
    reason = _reason(reason, _l("Bitte begründen Sie, warum der Bogen nicht zählen soll."))
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    if sheet is not None:
        before = {"status": sheet.status.value, "is_void": False}
        sheet.is_void = True
        sheet.assignment_id = None
        sheet.updated_at = now  # a frozen ranking of the round now says it is out of date
        sheet.events.append(ScoreSheetEvent(occurred_at=now, actor_id=by.id, action="voided", reason=reason,
                                            before=before, after={"status": sheet.status.value, "is_void": True}))
    audit.record(actor=by, action="assignment.set_aside", obj_type="assignment", obj_id=assignment.id, now=now,
                 juror=assignment.user_id, entry=assignment.entry_id, round=assignment.round_id,
                 sheet=sheet.id if sheet else None,
                 sheet_status=sheet.status.value if sheet else None, reason=reason)
    db.session.delete(assignment)
    db.session.flush()
    return sheet


def keep_assignment(*, assignment: Assignment, reason: str, by: User, now: datetime) -> list[Conflict]:
    """An organiser decides that the recorded conflicts behind a conflicted assignment do not apply: they are
    dismissed (for every entry they cover), and the assignment and its sheet stay. Refused for a conflict that
    holds whatever is decided (membership, address, domain)."""
    require_organiser(by)
    reason = _reason(reason, _l("Bitte begründen Sie, warum die Befangenheit nicht gilt."))
    found = conflict_check.findings(assignment.user, assignment.entry)
    standing = [f.evidence for f in found if f.standing]
    if standing:
        raise ValidationFailed(_l("Diese Befangenheit gilt immer und kann nicht verworfen werden: %(why)s. Bitte "
                                  "nehmen Sie die Zuweisung zurück.", why="; ".join(standing)))
    conflicts = [db.session.get(Conflict, f.conflict_id) for f in found if f.conflict_id is not None]
    for conflict in conflicts:
        conflict.status = ConflictStatus.DISMISSED
        conflict.decided_at = now
        conflict.decided_by_id = by.id
        conflict.withdrawal_requested_at = None
        audit.record(actor=by, action="conflict.dismissed", obj_type="conflict", obj_id=conflict.id, now=now,
                     juror=conflict.user_id, company=conflict.company_id, entry=conflict.entry_id, reason=reason,
                     assignment=assignment.id)
    db.session.flush()
    return conflicts


# --- what a conflict touches -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Affected:
    assignment_id: int
    entry_number: str
    entry_title: str
    round_name: str
    sheet_status: str  # "none", "draft", "submitted"
    blind: bool  # the edition judges blind: the juror's own view of this assignment did not change


def affected_assignments(conflict: Conflict) -> list[Affected]:
    """The juror's current assignments that this conflict makes conflicted (for the organisers' mail and page)."""
    assignments = db.session.scalars(select(Assignment).where(Assignment.user_id == conflict.user_id)
                                     .order_by(Assignment.round_id, Assignment.entry_id)).all()
    found = conflict_check.conflict_map(juror_ids=[conflict.user_id], entries=[a.entry_id for a in assignments])
    sheets = {s.assignment_id: s for s in db.session.scalars(select(ScoreSheet).where(
        ScoreSheet.assignment_id.in_([a.id for a in assignments])))} if assignments else {}
    result = []
    for a in assignments:
        if any(f.conflict_id == conflict.id for f in found.of(a.user_id, a.entry_id)):
            sheet = sheets.get(a.id)
            status = "none" if sheet is None else ("submitted" if sheet.status is SheetStatus.SUBMITTED else "draft")
            result.append(Affected(a.id, a.entry.number or f"#{a.entry_id}", a.entry.title, a.round.name, status,
                                   bool(a.entry.edition.is_blind)))
    return result


# --- automatic detection -----------------------------------------------------------------------------------------

def detect_conflicts(*, edition: Edition, by: User, now: datetime) -> int:
    """Run the automatic detection (names as well as the standing facts) and store newly found conflicts, so that
    organisers can confirm or dismiss the name-based ones. Dismissed ones stay dismissed."""
    require_organiser(by)
    juror_ids = list(db.session.scalars(select(User.id).join(UserRole).where(
        UserRole.role == Role.JUROR, User.is_active_account.is_(True))))
    identities = conflict_check.juror_identities(juror_ids)
    company_ids = {c.id for c in participating_companies(edition)}
    member_companies = {c for j in identities for c in (*j.companies, *j.former_companies)}
    companies = conflict_check.company_identities(company_ids | member_companies)
    found = [item for item in detection.detect_conflicts(identities, companies, conflict_check.affiliations())
             if item.company_id in company_ids]
    existing = {(c.user_id, c.company_id): c for c in db.session.scalars(
        select(Conflict).where(Conflict.source == ConflictSource.DETECTED))}
    new = 0
    for item in found:
        conflict = existing.get((item.juror_id, item.company_id))
        if conflict is None:
            db.session.add(Conflict(user_id=item.juror_id, company_id=item.company_id,
                                    source=ConflictSource.DETECTED, status=ConflictStatus.ACTIVE,
                                    reason=item.evidence, created_at=now, created_by_id=None))
            new += 1
        elif conflict.status is not ConflictStatus.DISMISSED:
            conflict.reason = item.evidence
    db.session.flush()
    if new:
        audit.record(actor=by, action="conflicts.detected", obj_type="edition", obj_id=edition.id, now=now, new=new)
    return new

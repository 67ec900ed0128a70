"""Who may see and change which company, entry and attachment. Each check has a twin that says why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core.i18n import datetime_filter
from ..core.read_memo import remembered
from ..editions.phases import Phase
from ..extensions import db
from . import rules
from .models import Company, CompanyMember, DeadlineExtension, Entry, EntryStatus

EDITABLE = {EntryStatus.DRAFT, EntryStatus.SUBMITTED}


def membership(user: User | None) -> CompanyMember | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    user_id = user.id
    return remembered(("membership", user_id),
                      lambda: db.session.scalar(select(CompanyMember).where(CompanyMember.user_id == user_id)))


def company_of(user: User | None) -> Company | None:
    member = membership(user)
    return member.company if member else None


def is_member(user: User | None, company: Company) -> bool:
    member = membership(user)
    return member is not None and member.company_id == company.id


def is_company_admin(user: User | None, company: Company) -> bool:
    member = membership(user)
    return member is not None and member.company_id == company.id and member.is_admin


def extension_for(entry_or_company_id: int, edition_id: int) -> DeadlineExtension | None:
    """The company's deadline extension in the edition (asked by every check of one page: read once until the
    session writes)."""
    return remembered(("extension", entry_or_company_id, edition_id), lambda: db.session.scalar(
        select(DeadlineExtension).where(
            DeadlineExtension.company_id == entry_or_company_id, DeadlineExtension.edition_id == edition_id
        )
    ))


def deadline_for(entry: Entry) -> datetime:
    extension = extension_for(entry.company_id, entry.edition_id)
    return rules.effective_deadline(entry.edition.submission_deadline_at,
                                    extension.extended_until if extension else None)


def submissions_open_for(entry: Entry, now: datetime) -> bool:
    extension = extension_for(entry.company_id, entry.edition_id)
    edition = entry.edition
    return rules.submissions_open(
        now=now,
        phase_is_submission=edition.flags(now).submissions_open,
        opens_at=edition.registration_opens_at,
        extended_until=extension.extended_until if extension else None,
    )


@dataclass(frozen=True)
class SubmissionState:
    """What a company's pages say about the submission window, from the effective phase (one source for all
    pages): a countdown only while open with a deadline ahead, never "Frist abgelaufen" while still open."""

    is_open: bool
    countdown_to: datetime | None
    message: str


def submission_state(entry: Entry, now: datetime) -> SubmissionState:
    edition = entry.edition
    deadline = deadline_for(entry)
    if submissions_open_for(entry, now):
        if edition.phase_override is not Phase.SUBMISSION and deadline > now:
            return SubmissionState(True, deadline, "")
        # opened by hand: it stays open past any date until an organiser closes it, so no countdown
        return SubmissionState(True, None, str(_l(
            "Die Einreichung ist vom Organisationsteam verlängert. Sie bleibt offen, bis das Organisationsteam sie "
            "schließt.")))
    if edition.phase(now) is Phase.PREPARATION:
        return SubmissionState(False, None, str(_l("Die Einreichung beginnt am %(date)s.",
                                                   date=datetime_filter(edition.registration_opens_at))))
    return SubmissionState(False, None, str(_l("Die Einreichung ist geschlossen.")))


def can_view_entry(user: User | None, entry: Entry) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_organiser or is_member(user, entry.company)


def _why_not_change(user: User | None, entry: Entry, now: datetime, *, withdrawn, closed):
    """The checks that editing and withdrawing share; `withdrawn` and `closed` are the reasons each words its own."""
    if not is_member(user, entry.company):
        return _l("Dieser Beitrag gehört zu einem anderen Unternehmen.")
    if entry.status is EntryStatus.WITHDRAWN:
        return withdrawn
    if entry.status not in EDITABLE:
        return _l("Dieser Beitrag ist bereits in der Prüfung und kann nicht mehr geändert werden.")
    if not submissions_open_for(entry, now):
        return closed
    return None


def why_not_edit(user: User | None, entry: Entry, now: datetime):
    """None if the user may change the entry now, else the reason to show."""
    return _why_not_change(
        user, entry, now, withdrawn=_l("Dieser Beitrag wurde zurückgezogen."),
        closed=_l("Die Einreichungsfrist ist abgelaufen. Der Beitrag kann nicht mehr geändert werden."))


def can_edit_entry(user: User | None, entry: Entry, now: datetime) -> bool:
    return why_not_edit(user, entry, now) is None


def why_not_withdraw(user: User | None, entry: Entry, now: datetime):
    """None if the user may withdraw the entry now (a member, while it is still editable and submission is open),
    else the reason."""
    return _why_not_change(
        user, entry, now, withdrawn=_l("Dieser Beitrag wurde bereits zurückgezogen."),
        closed=_l("Nach Ablauf der Einreichungsfrist kann ein Beitrag nicht mehr zurückgezogen werden. "
                  "Bitte wenden Sie sich an das Organisationsteam."))


def can_withdraw_entry(user: User | None, entry: Entry, now: datetime) -> bool:
    return why_not_withdraw(user, entry, now) is None

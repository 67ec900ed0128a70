"""Mails to the organising team about conflicts of interest: every declaration and every withdrawal (or request to
withdraw), with the assignments it touches. Sent by the views after the commit; the templates get plain values
(`describe` takes them from the conflict before anything changes, so a withdrawn conflict can still be named)."""

from __future__ import annotations

from ..accounts.models import User
from ..accounts.queries import active_organisers
from ..core.mail import send_mail
from ..core.placeholders import person
from ..core.urls import external_url
from . import mails
from .conflict_services import Affected
from .models import Conflict


def describe(conflict: Conflict) -> dict:
    """What the conflict names, as plain values for organisers (who may see companies also in blind judging)."""
    entry = conflict.entry
    return {
        "entry": {"number": entry.number or f"#{entry.id}", "title": entry.title} if entry is not None else None,
        "company": {"legal_name": (entry.company if entry is not None else conflict.company).legal_name},
        "edition_id": entry.edition_id if entry is not None else None,
        "blind": bool(entry.edition.is_blind) if entry is not None else False,
        "reason": conflict.reason,
        "withdrawal_reason": conflict.withdrawal_reason,
    }


def _send(template: str, values, *, described: dict, juror: User, edition_id: int | None,
          affected: list[Affected], skip: set[int] = frozenset(), on_sent=None, **context) -> int | None:
    """Mail every active organiser (but those in `skip`); `on_sent(organiser_id)` after each mail that went out.
    Returns how many went out, or None when a mail failed (a job retries; `skip` keeps anyone from a second mail)."""
    edition_id = described["edition_id"] or edition_id
    link = (external_url("jury_admin.jury", edition_id=edition_id, _anchor="befangenheiten") if edition_id
            else external_url("admin.dashboard"))
    items = [{"number": a.entry_number, "title": a.entry_title, "round": a.round_name, "status": a.sheet_status}
             for a in affected]
    placeholders = values(juror=person(juror), entry=described["entry"], company=described["company"],
                          blind=described["blind"] or any(a.blind for a in affected), affected=items, link=link,
                          **context)
    sent, failed = 0, False
    for organiser in active_organisers():
        if organiser.id in skip:
            continue
        if send_mail(to=organiser.email, template=template, locale=organiser.locale, **placeholders):
            sent += 1
            if on_sent is not None:
                on_sent(organiser.id)
        else:
            failed = True
    return None if failed and on_sent is not None else sent


def tell_declared(*, described: dict, juror: User, outcome: str, affected: list[Affected],
                  edition_id: int | None = None, **delivery) -> int | None:
    """`outcome`: "declared" (on the conflicts page), "removed" (from a sheet: the assignment went) or "kept" (from
    a sheet after a freeze: the sheet stays until an organiser decides)."""
    return _send("conflict_declared", mails.conflict_declared_values, described=described, juror=juror,
                 edition_id=edition_id, affected=affected, outcome=outcome, reason=described["reason"],
                 **delivery)


def tell_withdrawal(*, described: dict, juror: User, requested: bool, affected: list[Affected],
                    edition_id: int | None = None) -> int:
    """`requested`: the juror asked (the conflict still counts until an organiser decides); else it is withdrawn."""
    return _send("conflict_withdrawal", mails.conflict_withdrawal_values, described=described, juror=juror,
                 edition_id=edition_id, affected=affected, requested=requested,
                 reason=described["withdrawal_reason"] if requested else described["reason"])

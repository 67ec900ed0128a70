"""The entries' mails: the submission receipt, with its PDF attached; a juror joining a company."""

from __future__ import annotations

from ..accounts.queries import active_organisers
from ..core.links import absolute_url
from ..core.mail import send_mail
from .receipts import ReceiptData
from .services import juror_in_running_edition


def send_receipt_mail(*, to: str, locale: str | None, data: ReceiptData, pdf: bytes) -> bool:
    """The receipt of a submitted version: number, title, time and attachment checksums, and the receipt PDF.

    Sent by the view after the commit; returns False when the mail could not be sent (the PDF stays available on
    the entry's page)."""
    return send_mail(
        to=to,
        template="receipt",
        locale=locale,
        data=data,
        attachments=[(data.filename, pdf, "application/pdf")],
    )


def tell_organisers_juror_joined(*, user, company, now) -> int:
    """A juror of a running edition has joined (or founded) a company's account: every organiser hears of it,
    with the company's entries in those editions, so they can check assignments and sheets. Sent by the view
    after the commit; returns how many mails went out."""
    editions = juror_in_running_edition(user, now)
    if not editions:
        return 0
    entries = [{"number": e.number or "–", "title": e.title, "edition": e.edition.name}
               for e in company.entries if e.edition_id in {ed.id for ed in editions}]
    links = [{"edition": ed.name, "link": absolute_url("jury_admin.jury", edition_id=ed.id)} for ed in editions]
    sent = 0
    for organiser in active_organisers():
        sent += send_mail(to=organiser.email, template="juror_joined_company", locale=organiser.locale,
                          juror={"full_name": user.full_name, "email": user.email},
                          company={"legal_name": company.legal_name}, entries=entries, editions=links)
    return sent

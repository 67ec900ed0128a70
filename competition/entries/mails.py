"""The entries' mails: the submission receipt, with its PDF attached."""

from __future__ import annotations

from ..core.mail import send_mail
from .receipts import ReceiptData


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

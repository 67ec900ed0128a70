"""Sending mail: plain-text templates rendered in the recipient's language.

The backend is configured (SMTP in production, printed to the log in development, kept in memory in tests).
Mail is sent by views and CLI commands after the database commit, never from services.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)


def send_mail(
    *,
    to: str,
    template: str,
    locale: str | None,
    subject: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] | None = None,
    **context,
) -> bool:
    """Render ``templates/mail/<template>.txt`` (first line ``Subject: …``) and send it to one recipient.

    ``attachments`` are ``(filename, content, mimetype)`` triples, e.g. a receipt PDF.
    Returns False (and logs) when the mail server refused or could not be reached, so the caller can tell the user.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"mail/{template}.txt", **context)
    first, _, body = text.lstrip().partition("\n")
    if subject is None:
        if not first.startswith("Subject:"):
            raise ValueError(f"mail template {template!r} must start with a 'Subject:' line")
        subject = first.removeprefix("Subject:").strip()
    else:
        body = text
    message = EmailMessage(subject=subject, body=body.lstrip("\n"), to=[to])
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        log.exception("mail %s to %s could not be sent", template, to)
        return False
    log.info("mail %s sent to %s", template, to)
    return True

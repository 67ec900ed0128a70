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

from .placeholders import plain_values

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

    The placeholders in ``context`` are plain values built for this mail kind (its ``*_values`` function);
    anything else, such as a database row, is refused with ``placeholders.NotPlain``.

    ``attachments`` are ``(filename, content, mimetype)`` triples, e.g. a receipt PDF.
    Returns False (and logs) when the mail server refused or could not be reached, so the caller can tell the user.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = plain_values(context)  # never a database row: see core/placeholders.py
    override = _render_override(template, locale, context) if subject is None else None
    if override is not None:  # the organisers' edited version of this mail in this language
        subject, body = override
    else:
        with force_locale(locale):
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


def _render_override(template: str, locale: str, context: dict) -> tuple[str, str] | None:
    """``(subject, body)`` from the stored override of (template, locale), if a module registered a renderer under
    ``app.extensions["mail_template_renderer"]`` (the communications module does) and one is stored; else None,
    and the template file is used. A broken override never stops a mail: it is logged and the file is used."""
    renderer = current_app.extensions.get("mail_template_renderer")
    if renderer is None:
        return None
    try:
        with force_locale(locale):
            return renderer(template, locale, context)
    except Exception:
        log.exception("edited mail template %s (%s) could not be rendered; using the file", template, locale)
        return None

"""Sending mail: plain-text templates rendered in the recipient's language.

The backend is configured (SMTP in production, printed to the log in development, kept in memory in tests).
Mail is sent by views and CLI commands after the database commit, never from services.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Sequence
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_mailman import EmailMessage

from .mail_text import fill, find_mail_kind
from .placeholders import plain_values

log = logging.getLogger(__name__)


def send_mail(
    *,
    to: str,
    template: str,
    locale: str | None,
    attachments: Sequence[tuple[str, bytes, str]] | None = None,
    **context,
) -> bool:
    """Send the system mail ``template`` to one recipient in their language.

    The text is the organisers' edited version of this mail in this language, else the file
    ``templates/mail/<locale>/<template>.txt`` (first line ``Subject: …``): plain text with placeholders such as
    ``{Beitragsnummer}`` (core/mail_text.py). The placeholders in ``context`` are plain values built for this mail
    kind (its ``*_values`` function); anything else, such as a database row, is refused with
    ``placeholders.NotPlain``. The kind's ``*_texts`` function turns them into the placeholders' texts.

    ``attachments`` are ``(filename, content, mimetype)`` triples, e.g. a receipt PDF.
    Returns False (and logs) when the mail server refused or could not be reached, so the caller can tell the user.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    kind = find_mail_kind(template)
    if kind is None:
        raise ValueError(f"mail template {template!r} has no registered placeholders (see core/mail_text.py)")
    with force_locale(locale):
        context = plain_values(context)  # never a database row: see core/placeholders.py
        texts = kind.texts(context)
    override = _render_override(template, locale, texts)
    if override is not None:  # the organisers' edited version of this mail in this language
        subject, body = override
    else:
        subject, body = default_text(template, locale)
        subject, body = finish(fill(subject, texts), fill(body, texts))
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


def default_text(template: str, locale: str) -> tuple[str, str]:
    """The subject line and body of the file of a system mail in ``locale`` (German if there is none)."""
    folder = Path(current_app.template_folder) / "mail"
    path = folder / locale / f"{template}.txt"
    if not path.is_file():
        path = folder / current_app.config["BABEL_DEFAULT_LOCALE"] / f"{template}.txt"
    text = path.read_text(encoding="utf-8")
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail template {path} must start with a 'Subject:' line")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def finish(subject: str, body: str) -> tuple[str, str]:
    """A filled-in mail made tidy: the subject on one line; at most one empty line in a row in the body (an empty
    placeholder on its own line leaves no gap), no empty lines at the start or end."""
    return " ".join(subject.split()), _BLANK_LINES.sub("\n\n", body).strip("\n")


def _render_override(template: str, locale: str, texts: dict) -> tuple[str, str] | None:
    """``(subject, body)`` from the stored override of (template, locale) filled with ``texts``, if a module
    registered a renderer under
    ``app.extensions["mail_template_renderer"]`` (the communications module does) and one is stored; else None,
    and the template file is used. A broken override never stops a mail: it is logged and the file is used."""
    renderer = current_app.extensions.get("mail_template_renderer")
    if renderer is None:
        return None
    try:
        with force_locale(locale):
            return renderer(template, locale, texts)
    except Exception:
        log.exception("edited mail template %s (%s) could not be rendered; using the file", template, locale)
        return None

"""Sending a group mail in the background: one mail per recipient, in their language, each logged exactly once.

Idempotent by the log: before a mail goes out its ``MailLog`` row (unique per job and person) is committed as
*sending*; after the attempt it becomes *sent* or *failed*. A retried job skips everyone who is *sent*, sends again
to those who *failed* (the mail server refused or was down: nothing went out), and does not repeat a mail whose
send was cut off by a dying worker (*sending* left behind → *uncertain*, shown to the organisers), so nobody
gets the same mail twice.
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMessage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.errors import ValidationFailed
from ..core.i18n import datetime_filter
from ..core.urls import external_url
from ..extensions import db
from ..jobs import RetryLater, task
from ..jobs.runner import german
from . import rendering
from .audiences import Recipient
from .models import Campaign, MailLog, MailStatus

log = logging.getLogger(__name__)


def locale_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def placeholders(recipient: Recipient) -> dict[str, str]:
    """The placeholders' texts for this person (call inside force_locale)."""
    fields = recipient.fields
    endpoint = "judging.dashboard" if recipient.kind == "juror" else "entries.dashboard"
    return {
        "Name": fields.get("name") or "", "E-Mail": fields.get("email") or "",
        "Unternehmen": fields.get("company") or "", "Beitragstitel": fields.get("entry_title") or "",
        "Beitragsnummer": fields.get("entry_number") or "", "Kategorie": fields.get("category") or "",
        "Ausschreibung": fields.get("edition") or "",
        "Frist": datetime_filter(recipient.deadline_at) if recipient.deadline_at else "",
        "Offene-Bewertungen": str(fields.get("open_count") or 0), "Link": external_url(endpoint),
    }


def personalise(subject: str, body: str, recipient: Recipient) -> rendering.Rendered:
    """The mail for this person, in their language."""
    with force_locale(locale_of(recipient.user)):
        return rendering.render(subject, body, placeholders(recipient))


def deliver(*, to: str, subject: str, body: str) -> str | None:
    """Send one mail; None when it went out, else the error (the mail server refused or could not be reached)."""
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("campaign mail to %s failed: %s", to, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


@task("communications.campaign", label=_l("Gruppen-E-Mail"))
def send_campaign(ctx, *, campaign_id: int, user_ids: list[int]) -> None:
    from .audiences import recipients

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        ctx.set_message(_l("Die Gruppen-E-Mail wurde gelöscht; es wurde nichts versandt."))
        return
    job_id = ctx.job.id
    logs = {row.user_id: row for row in db.session.scalars(select(MailLog).where(MailLog.job_id == job_id))}
    # Placeholders as they are now (entry titles, open work), for the people fixed when the campaign started.
    current = {r.user.id: r for r in recipients(edition=campaign.edition, audience=campaign.audience,
                                                 category_id=campaign.category_id, now=ctx.now())}
    total = len(user_ids)
    ctx.progress(0, total)
    for done, user_id in enumerate(user_ids, start=1):
        row = logs.get(user_id)
        if row is not None and row.status in (MailStatus.SENT, MailStatus.UNCERTAIN):
            ctx.progress(done, total)
            continue
        if row is not None and row.status == MailStatus.SENDING:  # the run before died during this very send
            row.status = MailStatus.UNCERTAIN
            row.error = german(_l("Der Versand wurde während dieser E-Mail unterbrochen; ob sie angekommen ist, "
                                  "ist unklar. Sie wird nicht erneut gesendet, damit niemand sie doppelt erhält."))
            ctx.progress(done, total)
            continue
        user = db.session.get(User, user_id)
        if user is None:
            ctx.progress(done, total)
            continue
        recipient = current.get(user_id) or _fallback(user, campaign)
        try:
            rendered = personalise(campaign.subject, campaign.body, recipient)
        except ValidationFailed as exc:  # e.g. this person's values push the template over a limit
            rendered, problem = None, german(_l("Die Vorlage lässt sich für diese Person nicht anwenden: %(reason)s",
                                               reason=exc.message))
        if row is None:
            row = MailLog(job_id=job_id, campaign_id=campaign.id, user_id=user.id, address=user.email,
                          template_key=campaign.template_key, subject=campaign.subject, status=MailStatus.SENDING,
                          created_at=ctx.now())
            db.session.add(row)
        row.status = MailStatus.SENDING
        row.address = user.email
        try:
            db.session.commit()  # the claim: from here on a retry will not send this mail again
        except IntegrityError:  # another run of this job claimed the person first
            db.session.rollback()
            continue
        if rendered is None:
            row.status, row.error = MailStatus.FAILED, problem
            ctx.progress(done, total)
            continue
        error = deliver(to=user.email, subject=rendered.subject, body=rendered.body)
        row.subject = rendered.subject
        row.attempts += 1
        if error is None:
            row.status = MailStatus.SENT
            row.sent_at = ctx.now()
            row.error = ""
        else:
            row.status = MailStatus.FAILED
            row.error = error
        ctx.progress(done, total)  # commits the outcome
    statuses = [r.status for r in db.session.scalars(select(MailLog).where(MailLog.job_id == job_id))]
    sent = statuses.count(MailStatus.SENT)
    failed = statuses.count(MailStatus.FAILED)
    uncertain = statuses.count(MailStatus.UNCERTAIN)
    if failed:
        raise RetryLater(german(_l("%(failed)s von %(total)s E-Mails konnten nicht zugestellt werden (der Mailserver "
                                   "hat sie abgelehnt oder war nicht erreichbar).", failed=failed, total=total)))
    message = _l("%(sent)s von %(total)s E-Mails versandt.", sent=sent, total=total)
    if uncertain:
        message = _l("%(sent)s von %(total)s E-Mails versandt; bei %(n)s ist die Zustellung unklar (siehe Protokoll).",
                     sent=sent, total=total, n=uncertain)
    ctx.set_message(message)


def _fallback(user: User, campaign: Campaign) -> Recipient:
    """Someone who left the group after the campaign started still gets the mail that was promised to them."""
    fields = {"name": user.full_name, "email": user.email, "edition": campaign.edition.name, "company": "",
              "entry_title": "", "entry_number": "", "category": "", "open_count": 0}
    kind = "juror" if campaign.audience.value.startswith("jurors") else "applicant"
    return Recipient(user=user, kind=kind, fields=fields, deadline_at=None)

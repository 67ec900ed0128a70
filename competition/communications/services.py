"""Use cases of communications: editing mail templates and starting group mails. Flush, never commit."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core import audit
from ..core.errors import ValidationFailed
from ..core.slugs import slugify
from ..editions.models import Category, Edition
from ..extensions import db
from ..jobs import submit
from . import catalog, rendering, tasks  # noqa: F401 - tasks registers the campaign task
from .audiences import recipients
from .models import Audience, Campaign, MailTemplate

LOCALES = ("de", "en")
CAMPAIGN_TASK = "communications.campaign"


def find_template(key: str, locale: str) -> MailTemplate | None:
    return db.session.scalar(select(MailTemplate).where(MailTemplate.key == key, MailTemplate.locale == locale))


def render_override(key: str, locale: str, texts: dict) -> tuple[str, str] | None:
    """The renderer core.mail.send_mail asks for system mails (registered in app.extensions): the stored version
    filled with the placeholders' texts. A stored version that still holds unknown placeholders (one the
    conversion of old templates could not finish) is not used: the file is sent instead."""
    stored = find_template(key, locale)
    if stored is None or stored.conversion_note:
        return None
    rendered = rendering.render(stored.subject, stored.body, texts)
    return rendered.subject, rendered.body


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ValidationFailed(_l("Unbekannte Sprache."), field="locale")


def save_system_template(*, key: str, locale: str, subject: str, body: str, by, now: datetime) -> MailTemplate:
    """Store the organisers' version of a system mail; refused (with line and message) if it would not render."""
    _check_locale(locale)
    system = catalog.system_template(key)
    if system is None:
        raise ValidationFailed(_l("Diese Systemvorlage gibt es nicht."))
    rendering.check(subject, body, system.names)
    return _upsert(key=key, locale=locale, name="", subject=subject, body=body, by=by, now=now)


def save_custom_template(*, key: str | None, name: str, locale: str, subject: str, body: str, by,
                         now: datetime) -> MailTemplate:
    """A template of the organisers' own for group mails (placeholders: catalog.CAMPAIGN_PLACEHOLDERS)."""
    _check_locale(locale)
    if not name.strip():
        raise ValidationFailed(_l("Bitte geben Sie der Vorlage einen Namen."), field="name")
    if key is None:
        key = "eigene-" + (slugify(name)[:60] or "vorlage")
        if catalog.system_template(key) is not None:
            raise ValidationFailed(_l("Dieser Name ist vergeben."), field="name")
    elif not key.startswith("eigene-"):
        raise ValidationFailed(_l("Diese Vorlage gibt es nicht."))
    rendering.check(subject, body, catalog.CAMPAIGN_NAMES)
    return _upsert(key=key, locale=locale, name=name.strip(), subject=subject, body=body, by=by, now=now)


def _upsert(*, key, locale, name, subject, body, by, now) -> MailTemplate:
    template = find_template(key, locale)
    if template is None:
        template = MailTemplate(key=key, locale=locale)
        db.session.add(template)
    template.name = name
    template.subject = subject
    template.body = body
    template.conversion_note = ""  # saved after the check: nothing left to convert
    template.updated_at = now
    template.updated_by_id = by.id
    db.session.flush()
    audit.record(actor=by, action="mail_template.saved", obj_type="mail_template", obj_id=template.id, now=now,
                 key=key, locale=locale)
    return template


def reset_template(*, key: str, locale: str, by, now: datetime) -> bool:
    """Back to the system file (or: delete a custom template in this language). False when nothing was stored."""
    template = find_template(key, locale)
    if template is None:
        return False
    audit.record(actor=by, action="mail_template.reset", obj_type="mail_template", obj_id=template.id, now=now,
                 key=key, locale=locale)
    db.session.delete(template)
    db.session.flush()
    return True


def custom_templates() -> list[MailTemplate]:
    return db.session.scalars(
        select(MailTemplate).where(MailTemplate.key.like("eigene-%")).order_by(MailTemplate.name, MailTemplate.locale)
    ).all()


# --- group mails -----------------------------------------------------------------------------------------------------

def check_audience(*, edition: Edition, audience: Audience, category_id: int | None) -> Category | None:
    if audience == Audience.CATEGORY:
        category = db.session.get(Category, category_id) if category_id else None
        if category is None or category.edition_id != edition.id:
            raise ValidationFailed(_l("Bitte wählen Sie eine Kategorie dieser Ausschreibung."), field="category_id")
        return category
    return None


def start_campaign(*, edition: Edition, audience: Audience, category_id: int | None, subject: str, body: str,
                   template_key: str | None, by, now: datetime) -> Campaign:
    """Check the text, fix the recipients and hand the sending to a background job (runs after the commit)."""
    category = check_audience(edition=edition, audience=audience, category_id=category_id)
    rendering.check(subject, body, catalog.CAMPAIGN_NAMES)
    people = recipients(edition=edition, audience=audience, category_id=category.id if category else None, now=now)
    if not people:
        raise ValidationFailed(_l("Diese Gruppe hat keine Empfängerinnen und Empfänger. Es wurde nichts versandt."),
                               field="audience")
    campaign = Campaign(edition_id=edition.id, audience=audience, category_id=category.id if category else None,
                        subject=subject, body=body, template_key=template_key or None,
                        recipient_count=len(people), created_at=now, created_by_id=by.id)
    db.session.add(campaign)
    db.session.flush()
    job = submit(CAMPAIGN_TASK, params={"campaign_id": campaign.id, "user_ids": [p.user.id for p in people]},
                 by=by, now=now, edition_id=edition.id)
    campaign.job_id = job.id
    audit.record(actor=by, action="campaign.started", obj_type="campaign", obj_id=campaign.id, now=now,
                 audience=audience.value, recipients=len(people), job_id=job.id)
    db.session.flush()
    return campaign

"""Legal pages and consents: rendering a text, saving it (a material change raises the version), recording consents.
Flush, never commit. The reads (current versions, missing consents) are in queries.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from ..core.markdown import render_markdown, sanitise_html
from ..extensions import db
from .models import CONSENT_KINDS, Consent, LegalKind, LegalPage
from .queries import current_versions, stored_page, version_number

LOCALES = ("de", "en")

MAX_BODY = 100_000


def render_legal(markdown: str | None) -> str:
    """A legal text written in Markdown (stored as typed) as the sanitised HTML the public page shows; texts
    saved as HTML before the switch to Markdown still show as they were."""
    return render_markdown(markdown)


def sanitise_legal(value: str | None) -> str:
    return sanitise_html(value)


@dataclass(frozen=True)
class PageData:
    body: str
    bump_version: bool = False


def save_page(*, kind: LegalKind, locale: str, data: PageData, by: User, now: datetime) -> LegalPage:
    """Store the text of one page in one language. A material change ("wesentliche Änderung") of the terms or
    the privacy notice raises the version of that kind in every language: every user is asked again."""
    if not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam kann die rechtlichen Seiten bearbeiten."))
    if locale not in LOCALES:
        raise ValidationFailed(_l("Unbekannte Sprache."), field="locale")
    body = (data.body or "").replace("\r\n", "\n").strip()  # Markdown as typed; rendered and sanitised when shown
    if not render_legal(body):
        raise ValidationFailed(_l("Bitte geben Sie einen Text ein."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(_l("Der Text ist zu lang (höchstens 100.000 Zeichen)."), field="body")
    version = current_versions()[kind]
    bump = data.bump_version and kind in CONSENT_KINDS
    if bump:
        version = str(version_number(version) + 1)
    page = stored_page(kind, locale)
    if page is None:
        page = LegalPage(kind=kind, locale=locale)
        db.session.add(page)
    page.body = body
    page.updated_at = now
    page.updated_by_id = by.id
    page.version = version
    if bump:
        page.version_changed_at = now
        for other in db.session.scalars(select(LegalPage).where(LegalPage.kind == kind, LegalPage.locale != locale)):
            other.version = version
            other.version_changed_at = now
    db.session.flush()
    audit.record(actor=by, action="legal_page.saved", obj_type="legal_page", obj_id=page.id, now=now,
                 kind=kind.value, locale=locale, version=version, new_version=bump)
    return page


# --- consents ------------------------------------------------------------------------------------------------------

def record_consents(*, user: User, now: datetime, kinds=CONSENT_KINDS) -> list[Consent]:
    """The user agrees to the current versions of the given texts (registration, invitation, the consent page)."""
    versions = current_versions()
    rows = [Consent(user_id=user.id, kind=kind, version=versions[kind], given_at=now) for kind in kinds]
    db.session.add_all(rows)
    db.session.flush()
    return rows



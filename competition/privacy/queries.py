"""Reads of legal pages and consents: which text and version is current, who agreed to what."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from .models import CONSENT_KINDS, INITIAL_VERSION, Consent, LegalKind, LegalPage

FALLBACK_LOCALE = "de"


def stored_page(kind: LegalKind, locale: str) -> LegalPage | None:
    return db.session.scalar(select(LegalPage).where(LegalPage.kind == kind, LegalPage.locale == locale))


def page_for(kind: LegalKind, language: str) -> LegalPage | None:
    """The stored page in the reader's language, else the German one, else None (the default text applies)."""
    return stored_page(kind, language) or (stored_page(kind, FALLBACK_LOCALE) if language != FALLBACK_LOCALE
                                           else None)


def current_versions() -> dict[LegalKind, str]:
    """The current version of every kind (one query); a kind without stored text is at the initial version."""
    versions = {kind: INITIAL_VERSION for kind in LegalKind}
    for kind, version in db.session.execute(select(LegalPage.kind, LegalPage.version)):
        if version_number(version) > version_number(versions[kind]):
            versions[kind] = version
    return versions


def version_number(version: str) -> int:
    try:
        return int(version)
    except (TypeError, ValueError):
        return 0


def missing_consents(user: User, *, versions: dict[LegalKind, str] | None = None) -> list[LegalKind]:
    """The texts whose current version this user has not agreed to yet.

    The initial version is the baseline: accounts from before consents were recorded (or made on the command
    line) are asked only once a text gets a new version, which is what "a new version asks again" means.
    """
    versions = versions or current_versions()
    pending = [kind for kind in CONSENT_KINDS if versions[kind] != INITIAL_VERSION]
    if not pending:
        return []
    given = set(db.session.execute(
        select(Consent.kind, Consent.version).where(Consent.user_id == user.id, Consent.kind.in_(pending))
    ).all())
    return [kind for kind in pending if (kind, versions[kind]) not in given]


def consents_of(user: User) -> list[Consent]:
    return list(db.session.scalars(select(Consent).where(Consent.user_id == user.id)
                                   .order_by(Consent.given_at, Consent.id)))

"""Data protection: the legal pages (imprint, privacy notice, terms of use) and each user's consents with the
version they agreed to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db


class LegalKind(enum.StrEnum):
    IMPRINT = "imprint"  # Impressum (§ 5 DDG)
    PRIVACY = "privacy"  # Datenschutzerklärung (Art. 13 GDPR)
    TERMS = "terms"  # Nutzungsbedingungen


# The texts a user agrees to; a new version of either asks again.
CONSENT_KINDS = (LegalKind.TERMS, LegalKind.PRIVACY)
INITIAL_VERSION = "1"


def _kind():
    return value_enum(LegalKind, "legal_kind", 20)


class LegalPage(db.Model):
    """The organiser's text of one legal page in one language. All rows of a kind share its version."""

    __tablename__ = "legal_pages"
    __table_args__ = (UniqueConstraint("kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LegalKind] = mapped_column(_kind())
    locale: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    version: Mapped[str] = mapped_column(String(20), default=INITIAL_VERSION)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the version was last raised

    updated_by: Mapped[Any] = relationship("User")


class Consent(db.Model):
    """A user's agreement to one version of the terms or the privacy notice. No IP address is stored.
    Kept after an erasure as proof (linked only to the anonymised account)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LegalKind] = mapped_column(_kind())
    version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

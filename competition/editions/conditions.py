"""The Teilnahmebedingungen of an edition: versioned documents (Markdown text or PDF), the newest one is current.

Submission needs them: ``why_not_open`` says why an edition cannot take submissions yet (the submit page and the
phase override ask it); a company agrees to the current version when it submits and can open that version later.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db
from .models import Edition, ParticipationConditions

MAX_PDF = 10 * 1024 * 1024
MAX_TEXT = 100_000
NOT_YET = _l("Die Teilnahmebedingungen dieser Ausschreibung liegen noch nicht vor. Eine Einreichung ist erst "
             "möglich, wenn das Organisationsteam sie veröffentlicht hat.")


def current_conditions(edition_id: int) -> ParticipationConditions | None:
    return db.session.scalar(select(ParticipationConditions).where(ParticipationConditions.edition_id == edition_id)
                             .order_by(ParticipationConditions.version.desc()).limit(1))


def all_versions(edition_id: int) -> list[ParticipationConditions]:
    return list(db.session.scalars(select(ParticipationConditions)
                                   .where(ParticipationConditions.edition_id == edition_id)
                                   .order_by(ParticipationConditions.version.desc())))


def why_not_open(edition: Edition):
    """None if the edition may take submissions as far as its documents go, else the reason (German)."""
    return None if current_conditions(edition.id) is not None else NOT_YET


def publish_conditions(*, edition: Edition, body: str, pdf: bytes | None, pdf_name: str, by,
                       now: datetime) -> ParticipationConditions:
    """Store a new version: the Markdown text, or a PDF (checked to be one). Flushes, never commits."""
    body = (body or "").replace("\r\n", "\n").strip()
    if pdf:
        if len(pdf) > MAX_PDF:
            raise ValidationFailed(_l("Die PDF-Datei ist größer als 10 MB. Bitte laden Sie eine kleinere Datei "
                                      "hoch."), field="pdf")
        if not pdf.startswith(b"%PDF-"):
            raise ValidationFailed(_l("Die Datei ist keine gültige PDF-Datei. Bitte laden Sie die Datei erneut "
                                      "hoch."), field="pdf")
    elif not body:
        raise ValidationFailed(_l("Bitte geben Sie den Text der Teilnahmebedingungen ein oder laden Sie eine "
                                  "PDF-Datei hoch."), field="body")
    elif len(body) > MAX_TEXT:
        raise ValidationFailed(_l("Der Text ist zu lang (höchstens 100.000 Zeichen)."), field="body")
    last = db.session.scalar(select(func.max(ParticipationConditions.version))
                             .where(ParticipationConditions.edition_id == edition.id)) or 0
    row = ParticipationConditions(edition_id=edition.id, version=last + 1, body="" if pdf else body, pdf=pdf or None,
                                  pdf_name=(pdf_name or "teilnahmebedingungen.pdf")[:200] if pdf else "",
                                  created_at=now, created_by_id=by.id)
    db.session.add(row)
    edition.terms_version = str(row.version)
    db.session.flush()
    audit.record(actor=by, action="conditions.published", obj_type="edition", obj_id=edition.id, now=now,
                 version=row.version, kind="pdf" if pdf else "text")
    return row

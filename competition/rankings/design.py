"""The look of an edition's certificates and protocol: logos, signatories and place (``CertificateDesign``), as
plain data for the PDF templates, and the check of an uploaded image.

An uploaded logo or signature is opened with Pillow, refused unless it is a PNG or JPEG of sensible size, and
stored re-encoded as PNG: no metadata, no other content. The PDF gets it as a ``data:`` URL (core/pdf.py allows
those for images only).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db
from .models import CertificateDesign

MAX_UPLOAD = 3 * 1024 * 1024  # bytes of an uploaded image
MAX_PIXELS = 4000  # width or height
STORED_WIDTH = 1200  # larger images are scaled down to this width before they are stored


@dataclass(frozen=True)
class Signatory:
    name: str
    function: str
    signature: str | None  # data: URL of the PNG, or None


@dataclass(frozen=True)
class Logo:
    image: str  # data: URL
    text: str  # alternative text


@dataclass(frozen=True)
class Design:
    place: str
    logos: tuple[Logo, ...]
    signatories: tuple[Signatory, ...]


EMPTY = Design(place="", logos=(), signatories=())


def _data_url(png: bytes | None) -> str | None:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None


def design_of(row) -> Design:
    """The design as plain data (EMPTY when the edition has none)."""
    if row is None:
        return EMPTY
    logos = tuple(Logo(image=_data_url(image), text=text or "")
                  for image, text in ((row.logo_1, row.logo_1_text), (row.logo_2, row.logo_2_text)) if image)
    signatories = tuple(
        Signatory(name=name, function=function or "", signature=_data_url(signature))
        for name, function, signature in (
            (row.signatory_1_name, row.signatory_1_function, row.signatory_1_signature),
            (row.signatory_2_name, row.signatory_2_function, row.signatory_2_signature),
            (row.signatory_3_name, row.signatory_3_function, row.signatory_3_signature))
        if name and name.strip())
    return Design(place=(row.place or "").strip(), logos=logos, signatories=signatories)


def clean_image(data: bytes, *, field: str) -> bytes:
    """The uploaded image re-encoded as PNG without metadata; ValidationFailed (on ``field``) with a German message
    if it is not a PNG or JPEG image, too large, or damaged."""
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(_l("Das Bild ist größer als 3 MB. Bitte laden Sie eine kleinere Datei hoch."),
                               field=field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValidationFailed(_l("Bitte laden Sie ein Bild im Format PNG oder JPEG hoch."), field=field)
            if image.width > MAX_PIXELS or image.height > MAX_PIXELS:
                raise ValidationFailed(_l("Das Bild ist größer als 4000 × 4000 Pixel. Bitte verkleinern Sie es."),
                                       field=field)
            image.load()
            converted = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationFailed(_l("Die Datei ist kein lesbares Bild. Bitte laden Sie eine PNG- oder JPEG-Datei "
                                  "hoch."), field=field) from None
    if converted.width > STORED_WIDTH:
        height = max(1, round(converted.height * STORED_WIDTH / converted.width))
        converted = converted.resize((STORED_WIDTH, height))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the use case -------------------------------------------------------------------------------------------------

TEXT_FIELDS = ("place", "logo_1_text", "logo_2_text", "signatory_1_name", "signatory_1_function", "signatory_2_name",
               "signatory_2_function", "signatory_3_name", "signatory_3_function")
IMAGE_FIELDS = ("logo_1", "logo_2", "signatory_1_signature", "signatory_2_signature", "signatory_3_signature")


def find_design(edition_id: int) -> CertificateDesign | None:
    return db.session.scalar(select(CertificateDesign).where(CertificateDesign.edition_id == edition_id))


def save_design(*, edition_id: int, texts: dict[str, str], uploads: dict[str, bytes], remove: set[str], by,
                now) -> CertificateDesign:
    """Store an edition's certificate design: the texts as given, each uploaded image checked and re-encoded, the
    images in ``remove`` dropped. Every image is checked before anything is changed. Flushes, never commits."""
    cleaned = {name: clean_image(data, field=name) for name, data in uploads.items() if name in IMAGE_FIELDS}
    for number in (1, 2, 3):
        has_image = cleaned.get(f"signatory_{number}_signature") is not None
        if (texts.get(f"signatory_{number}_function", "").strip() or has_image) and \
                not texts.get(f"signatory_{number}_name", "").strip():
            raise ValidationFailed(_l("Bitte geben Sie den Namen der unterzeichnenden Person an."),
                                   field=f"signatory_{number}_name")
    row = find_design(edition_id)
    if row is None:
        row = CertificateDesign(edition_id=edition_id)
        db.session.add(row)
    for name in TEXT_FIELDS:
        setattr(row, name, (texts.get(name) or "").strip())
    for name in IMAGE_FIELDS:
        if name in cleaned:
            setattr(row, name, cleaned[name])
        elif name in remove:
            setattr(row, name, None)
    row.updated_at = now
    row.updated_by_id = by.id
    db.session.flush()
    audit.record(actor=by, action="certificate_design.saved", obj_type="edition", obj_id=edition_id, now=now)
    return row

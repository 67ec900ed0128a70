"""The submission receipt [Eingangsbestätigung]: what a company submitted, as a PDF it can keep.

``receipt_data_from_snapshot`` maps the snapshot stored in ``EntryVersion.content`` to frozen dataclasses (never ORM
objects). Values stay typed; the ``*_text`` properties format them in the current locale (German: 24.11.2026,
14:30 Uhr in Europe/Berlin, decimal commas, "1,2 MB"), so ``render_receipt_pdf`` and the receipt mail, which
render within the reader's language, show them the same way. Text fields are sanitised again before they are
marked safe: the snapshot is never trusted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..core.clock import BERLIN
from ..core.i18n import DATE_PATTERNS, DATETIME_PATTERNS
from ..core.pdf import render_pdf
from .labels import CORE_FIELD_LABELS, DISTRICT_LABELS, TURNOVER_LABELS, VISIBILITY_LABELS
from .text import sanitise

TEMPLATE = "entries/pdf/receipt.html"
TEXT_FIELDS = ("summary", "description", "implementation", "regional_benefit", "sustainability")
YES_NO_LABELS = {True: _l("Ja"), False: _l("Nein")}
NOT_GIVEN = "–"
_BLOCK_TAG = re.compile(r"<(p|ul|ol|br)\b", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")


# --- formatting in the current locale ------------------------------------------------------------------------------

def _locale():
    return get_locale() or "de"


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "de"


def format_moment(moment: datetime) -> str:
    """24.11.2026, 14:30 Uhr (German) or 24 Nov 2026, 14:30 (English), always in Europe/Berlin."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    pattern = DATETIME_PATTERNS.get(_language(), DATETIME_PATTERNS["en"])
    return format_datetime(moment, pattern, tzinfo=BERLIN, locale=_locale())


def format_day(day: date) -> str:
    return format_date(day, DATE_PATTERNS.get(_language(), DATE_PATTERNS["en"]), locale=_locale())


def format_number(value: int | float | Decimal) -> str:
    """1.234,5 in German; up to three decimals, trailing zeros dropped."""
    return format_decimal(value, format="#,##0.###", locale=_locale())


def format_size(size_bytes: int) -> str:
    """File sizes as people read them: 850 B, 12 KB, 1,2 MB (binary multiples, like the upload limits; never more
    than three digits before the comma)."""
    if size_bytes < 1000:
        return f"{size_bytes}\u00a0B"
    value, unit = size_bytes / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1024, bigger
    pattern = "#,##0" if unit == "KB" or value >= 100 else "#,##0.#"
    return format_decimal(value, format=pattern, locale=_locale()) + "\u00a0" + unit


def rich_text(value: Any) -> Markup:
    """Entry text as safe HTML: only p, br, strong, em, ul, ol, li survive; plain text keeps its paragraphs."""
    cleaned = sanitise(value if isinstance(value, str) else "")
    if cleaned and not _BLOCK_TAG.search(cleaned):
        # Plain text from a textarea: blank lines separate paragraphs, single newlines are line breaks. The pieces
        # are already clean; the second pass repairs nesting if a paragraph break fell inside <strong>/<em>.
        paragraphs = (part.strip().replace("\n", "<br>") for part in _BLANK_LINES.split(cleaned))
        cleaned = sanitise("".join(f"<p>{part}</p>" for part in paragraphs if part))
    return Markup(cleaned)  # noqa: S704  # nosec B704  # sanitised by nh3 to the allowed subset just above


def snapshot_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot in its canonical JSON form (the same as EntryVersion.content_sha256)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- the receipt's data ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceiptCompany:
    legal_name: str
    legal_form: str
    street: str
    postal_code: str
    city: str
    district: str
    employees: int | None
    turnover_band: str
    industry: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str

    @property
    def name(self) -> str:
        """The legal name with its legal form, unless the name already ends with it ("Muster GmbH")."""
        if self.legal_form and not self.legal_name.endswith(self.legal_form):
            return f"{self.legal_name} {self.legal_form}"
        return self.legal_name

    @property
    def address_lines(self) -> tuple[str, ...]:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return tuple(line for line in (self.street, town) if line)

    @property
    def district_text(self) -> str:
        return str(DISTRICT_LABELS.get(self.district, self.district or NOT_GIVEN))

    @property
    def turnover_text(self) -> str:
        return str(TURNOVER_LABELS.get(self.turnover_band, self.turnover_band or NOT_GIVEN))

    @property
    def employees_text(self) -> str:
        return NOT_GIVEN if self.employees is None else format_number(self.employees)


@dataclass(frozen=True)
class ReceiptAttachment:
    id: int
    name: str
    kind: str
    size_bytes: int
    sha256: str
    question_id: int | None

    @property
    def kind_text(self) -> str:
        return self.kind.upper()

    @property
    def size_text(self) -> str:
        return format_size(self.size_bytes)


@dataclass(frozen=True)
class ReceiptAnswer:
    question_id: int
    label: str
    kind: str
    visibility: str
    value: Any  # str, int, float, bool, tuple[str, ...] or None, as in the snapshot (lists become tuples)
    attachments: tuple[ReceiptAttachment, ...] = ()  # for file questions: the files uploaded for it

    @property
    def is_list(self) -> bool:
        return self.kind in ("multiple_choice", "file")

    @property
    def items(self) -> tuple[str, ...]:
        """Multiple choice: the chosen options; file questions: the attachment names."""
        if self.kind == "file":
            return tuple(a.name for a in self.attachments)
        if isinstance(self.value, tuple):
            return tuple(str(v) for v in self.value)
        return () if self.value in (None, "") else (str(self.value),)

    @property
    def text(self) -> str | Markup:
        """The answer as shown: Ja/Nein, 01.03.2026, 12,5, sanitised rich text, or "–" when not answered."""
        value = self.value
        if self.is_list:
            return ", ".join(self.items) or NOT_GIVEN
        if value is None or value == "":
            return NOT_GIVEN
        if self.kind == "yes_no" and isinstance(value, bool):
            return str(YES_NO_LABELS[value])
        if self.kind == "number" and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return format_number(value)
        if self.kind == "date" and isinstance(value, str):
            try:
                return format_day(date.fromisoformat(value))
            except ValueError:
                return value
        if self.kind == "long_text":
            return rich_text(value)
        return str(value)

    @property
    def visibility_text(self) -> str:
        return str(VISIBILITY_LABELS.get(self.visibility, ""))


@dataclass(frozen=True)
class ReceiptEntry:
    id: int
    number: str
    edition: str
    category: str
    title: str
    summary: Markup
    description: Markup
    implementation: Markup
    regional_benefit: Markup
    sustainability: Markup
    video_url: str

    @property
    def sections(self) -> tuple[tuple[str, Markup], ...]:
        """The text fields in form order, each with its label (lazily translated)."""
        return tuple((str(CORE_FIELD_LABELS[name]), getattr(self, name)) for name in TEXT_FIELDS)


@dataclass(frozen=True)
class ReceiptData:
    edition_name: str
    entry: ReceiptEntry
    company: ReceiptCompany
    answers: tuple[ReceiptAnswer, ...]
    attachments: tuple[ReceiptAttachment, ...]
    version: int
    submitted_at: datetime  # aware, UTC
    submitted_by: str  # "Name <email>"
    terms_version: str
    snapshot_sha256: str

    @property
    def submitted_at_text(self) -> str:
        return format_moment(self.submitted_at)

    @property
    def filename(self) -> str:
        """Eingangsbestaetigung-IND-2026-0001.pdf (ASCII only, safe in a Content-Disposition header)."""
        number = re.sub(r"[^A-Za-z0-9-]+", "-", self.entry.number).strip("-") or "Beitrag"
        return f"Eingangsbestaetigung-{number}.pdf"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _attachment(raw: Mapping[str, Any]) -> ReceiptAttachment:
    return ReceiptAttachment(
        id=_int(raw.get("id")) or 0,
        name=_text(raw.get("name")),
        kind=_text(raw.get("kind")),
        size_bytes=_int(raw.get("size_bytes")) or 0,
        sha256=_text(raw.get("sha256")).lower(),
        question_id=_int(raw.get("question_id")),
    )


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def receipt_data_from_snapshot(content: Mapping[str, Any], *, edition_name: str) -> ReceiptData:
    """The receipt of one submitted version, from its stored snapshot (``EntryVersion.content``)."""
    entry = content.get("entry") or {}
    company = content.get("company") or {}
    attachments = tuple(_attachment(a) for a in content.get("attachments") or ())
    answers = []
    for raw in content.get("answers") or ():
        question_id = _int(raw.get("question_id")) or 0
        kind = _text(raw.get("kind"))
        value = raw.get("value")
        answers.append(ReceiptAnswer(
            question_id=question_id,
            label=_text(raw.get("label")),
            kind=kind,
            visibility=_text(raw.get("visibility")),
            value=tuple(_text(v) for v in value) if isinstance(value, list | tuple) else value,
            attachments=tuple(a for a in attachments if a.question_id == question_id) if kind == "file" else (),
        ))
    return ReceiptData(
        edition_name=edition_name,
        entry=ReceiptEntry(
            id=_int(entry.get("id")) or 0,
            number=_text(entry.get("number")),
            edition=_text(entry.get("edition")),
            category=_text(entry.get("category")),
            title=_text(entry.get("title")),
            video_url=_text(entry.get("video_url")),
            **{name: rich_text(entry.get(name)) for name in TEXT_FIELDS},
        ),
        company=ReceiptCompany(
            **{name: _text(company.get(name)) for name in (
                "legal_name", "legal_form", "street", "postal_code", "city", "district", "turnover_band",
                "industry", "website", "contact_name", "contact_email", "contact_phone")},
            employees=_int(company.get("employees")),
        ),
        answers=tuple(answers),
        attachments=attachments,
        version=_int(content.get("version")) or 1,
        submitted_at=_moment(content.get("submitted_at")),
        submitted_by=_text(content.get("submitted_by")),
        terms_version=_text(content.get("terms_version")),
        snapshot_sha256=snapshot_sha256(content),
    )


def render_receipt_pdf(data: ReceiptData, *, lang: str = "de") -> bytes:
    """The receipt as an A4 PDF in `lang` (German by default)."""
    return render_pdf(
        TEMPLATE,
        title=_l("Eingangsbestätigung %(number)s", number=data.entry.number),
        lang=lang,
        data=data,
        edition_name=data.edition_name,
        document_id=f"{data.entry.number} · v{data.version} · SHA-256 {data.snapshot_sha256}",
    )

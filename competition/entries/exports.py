"""Exports of entries for organisers: a table (CSV for German Excel, XLSX) and a ZIP of attachments.

The builders take rows already loaded and return bytes or write to a file; they never query. Every text cell is
neutralised against formula injection (see `core.tabular`).

Which data a row shows: the title and the answers are the last submitted version (what the jury sees; the working
copy for drafts); company master data, category, status and the eligibility reason are as they are now (the same
data the list filters on and the eligibility proposal is made from), with the name as submitted beside today's, so a
rename after the submission is visible.

Tables, CSV, XLSX and the formula-injection guard are `core.tabular`'s.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import tabular
from ..core.clock import to_berlin, utcnow
from ..core.tabular import Cell, Table, to_csv
from .labels import DISTRICT_LABELS, STATUS_LABELS, TURNOVER_LABELS
from .models import Entry, Question

# --- answers as plain text -----------------------------------------------------------------------------------------

_BREAK = re.compile(r"<br\s*/?>|</p>|</li>", re.IGNORECASE)
_ITEM = re.compile(r"<li>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(value: str | None) -> str:
    """Sanitised rich text (p, br, ul/ol/li, strong, em) as plain text with line breaks."""
    if not value:
        return ""
    text = _ITEM.sub("• ", value)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def answer_value(kind: str, value: Any, *, file_names: Sequence[str] = ()) -> Cell:
    """One answer for a table cell: numbers stay numbers, everything else becomes text in the current locale."""
    if kind == "file":
        return ", ".join(file_names) or None
    if value is None or value == "" or value == []:
        return None
    if kind == "yes_no":
        return _("Ja") if value else _("Nein")
    if kind == "multiple_choice":
        return ", ".join(str(v) for v in value)
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%d.%m.%Y")
        except ValueError:
            return str(value)
    if kind == "long_text":
        return plain_text(str(value))
    return str(value)


# --- the table -----------------------------------------------------------------------------------------------------

def entries_table(entries: Iterable[Entry], *, questions: Sequence[Question],
                  snapshots: dict[int, dict[str, Any]]) -> Table:
    """One row per entry. `questions` are the custom questions to add as columns (in order; from one or more
    editions: an entry gets a value only for its own edition's questions); `snapshots` maps entry id to the
    content of its last submitted version."""
    editions = {q.edition_id for q in questions}
    headers = [
        _("Nr."), _("Titel"), _("Unternehmen"), _("Name bei Einreichung"), _("Rechtsform"), _("Landkreis"),
        _("Beschäftigte"), _("Jahresumsatz"), _("Kategorie"), _("Status"), _("Zuletzt eingereicht"),
        _("Begründung zur Zulassung"),
    ]
    for question in questions:
        headers.append(f"{question.edition.name}: {question.label}" if len(editions) > 1 else question.label)
    rows = []
    for entry in entries:
        company = entry.company
        content = snapshots.get(entry.id)
        title = content.get("entry", {}).get("title", entry.title) if content else entry.title
        row: list[Cell] = [
            entry.number or _("(Entwurf)"),
            title,
            company.legal_name,
            (content.get("company") or {}).get("legal_name") if content else None,
            company.legal_form,
            str(DISTRICT_LABELS.get(company.district, company.district)),
            company.employees,
            str(TURNOVER_LABELS.get(company.turnover_band, company.turnover_band)),
            entry.category.name,
            str(STATUS_LABELS[entry.status]),
            to_berlin(entry.last_submitted_at).replace(tzinfo=None) if entry.last_submitted_at else None,
            entry.eligibility_reason or None,
        ]
        row.extend(_answers(entry, content, questions))
        rows.append(row)
    return Table(headers=headers, rows=rows)


def _answers(entry: Entry, content: dict[str, Any] | None, questions: Sequence[Question]) -> list[Cell]:
    if content is not None:
        values = {a.get("question_id"): a.get("value") for a in content.get("answers", [])}
        files: dict[int | None, list[str]] = {}
        for attachment in content.get("attachments", []):
            files.setdefault(attachment.get("question_id"), []).append(attachment.get("name", ""))
    else:
        values = {a.question_id: a.value for a in entry.answers}
        files = {}
        for attachment in entry.attachments:
            files.setdefault(attachment.question_id, []).append(attachment.original_name)
    cells: list[Cell] = []
    for question in questions:
        if question.edition_id != entry.edition_id:
            cells.append(None)
            continue
        cells.append(answer_value(question.kind.value, values.get(question.id), file_names=files.get(question.id, ())))
    return cells


# --- XLSX ----------------------------------------------------------------------------------------------------------

def to_xlsx(table: Table, *, sheet_title: str | None = None) -> bytes:
    return tabular.to_xlsx([(sheet_title or _("Beiträge"), table)])


# --- ZIP of attachments --------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")


def safe_name(name: str, *, fallback: str, limit: int = 80) -> str:
    """A file or folder name that works on Windows, macOS and Linux: no separators, no reserved characters, no
    leading dots, not too long (the extension is kept when shortening)."""
    name = unicodedata.normalize("NFC", name or "")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" .")
    if not name:
        return fallback
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:limit].rstrip(" .")
    return name


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`, … before the extension, whichever is still free (case-insensitive)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    candidate, counter = name, 1
    while candidate.casefold() in taken:
        counter += 1
        candidate = f"{stem} ({counter})" + (f".{extension}" if extension else "")
    taken.add(candidate.casefold())
    return candidate


@dataclass(frozen=True)
class ZipSource:
    """One attachment to pack: which entry, its name and stored checksum, and its key in the storage."""

    entry_number: str
    entry_title: str
    name: str
    storage_key: str
    sha256: str
    size_bytes: int


MANIFEST_HEADERS = (_l("Nr."), _l("Titel"), _l("Datei im Archiv"), _l("Originalname"), _l("Größe (Bytes)"),
                    _l("SHA-256"), _l("Prüfung"))


def write_attachments_zip(target: BinaryIO, sources: Iterable[ZipSource],
                          open_file: Callable[[str], BinaryIO]) -> int:
    """Write a ZIP with one folder per entry (`<number> <title>/<name>`) and `manifest.csv` to `target`, copying
    each file in chunks (never whole in memory) and hashing it on the way. Returns the number of files packed."""
    taken_folders: set[str] = set()
    folders: dict[str, str] = {}
    taken_names: dict[str, set[str]] = {}
    manifest: list[list[Cell]] = []
    packed = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as archive:
        for source in sources:
            if source.entry_number not in folders:
                folder = safe_name(f"{source.entry_number} {source.entry_title}", fallback=source.entry_number)
                folders[source.entry_number] = unique_name(folder, taken_folders)
            folder = folders[source.entry_number]
            names = taken_names.setdefault(folder, {"manifest.csv"})
            name = unique_name(safe_name(source.name, fallback=_("Anlage")), names)
            path = f"{folder}/{name}"
            digest = hashlib.sha256()
            size = 0
            try:
                stream = open_file(source.storage_key)
            except (FileNotFoundError, ValueError):
                manifest.append([source.entry_number, source.entry_title, "", source.name, source.size_bytes,
                                 source.sha256, _("Datei fehlt im Speicher")])
                continue
            with stream, archive.open(_info(path), "w", force_zip64=source.size_bytes > 2**31) as out:
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            packed += 1
            ok = digest.hexdigest() == source.sha256
            manifest.append([source.entry_number, source.entry_title, path, source.name, size, digest.hexdigest(),
                             _("in Ordnung") if ok else _("Prüfsumme weicht von der beim Hochladen ab")])
        table = Table(headers=[str(h) for h in MANIFEST_HEADERS], rows=manifest)
        archive.writestr(_info("manifest.csv"), to_csv(table))
    return packed


def _info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=to_berlin(utcnow()).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


"""Which files an entry accepts: the type is decided by the content, never by the name, and every file is parsed in
full before it is accepted (a PDF that opens in pypdf, an image that Pillow decodes, an Office file whose zip and XML
are sound). Refusals carry a message that says what to do next.

PDF, PNG and JPEG are always allowed; XLSX, DOCX and PPTX only where the edition allows office files.
"""

from __future__ import annotations

import logging
import posixpath
import re
import threading
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree  # nosec B405  # every document passes _expat_parser (no DTD) first
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from PIL import Image, ImageFile
from pypdf import PdfReader
from pypdf.errors import DependencyError

from ..core.errors import ValidationFailed


@dataclass(frozen=True)
class FileType:
    kind: str  # stored on the attachment: pdf, png, jpeg, xlsx, docx, pptx
    label: str  # shown to people
    content_type: str
    extensions: tuple[str, ...]  # the first is the one added to a download name that lacks a fitting one


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",))
PNG = FileType("png", "PNG", "image/png", (".png",))
JPEG = FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
XLSX = FileType("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
DOCX = FileType("docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
PPTX = FileType("pptx", "PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                (".pptx",))
ALWAYS = (PDF, PNG, JPEG)
OFFICE = (XLSX, DOCX, PPTX)
BY_KIND = {t.kind: t for t in ALWAYS + OFFICE}

# Limits of the content check (beyond the size caps of the edition).
MAX_PDF_PAGES = 2000
MAX_IMAGE_PIXELS = 50_000_000  # 50 megapixels: more than any usual camera, bounded memory while decoding
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNCOMPRESSED = 300 * 1024 * 1024
MAX_ZIP_RATIO = 100  # uncompressed : compressed, for members over 1 MiB (XML rarely packs better than 1:20)
MAX_CONTENT_TYPES_XML = 1024 * 1024
READ_CHUNK = 1024 * 1024

EMPTY = _l("Die Datei ist leer. Bitte wählen Sie die richtige Datei aus und laden Sie sie erneut hoch.")
NOT_WHAT_NAME_SAYS = _l("Die Datei ist keine gültige %(label)s-Datei. Bitte laden Sie die Datei erneut hoch.")
UNSUPPORTED = _l("Dieses Dateiformat wird nicht angenommen. Erlaubt sind: %(types)s. Bitte laden Sie die Datei in "
                 "einem dieser Formate hoch.")
EXECUTABLE = _l("Die Datei ist ein ausführbares Programm und wird aus Sicherheitsgründen nicht angenommen. Erlaubt "
                "sind: %(types)s.")
PDF_DAMAGED = _l("Die PDF-Datei ist unvollständig oder beschädigt. Bitte speichern oder exportieren Sie sie neu und "
                 "laden Sie sie erneut hoch.")
PDF_ENCRYPTED = _l("Die PDF-Datei ist mit einem Passwort geschützt. Bitte laden Sie eine Fassung ohne Passwort hoch, "
                   "damit die Jury sie öffnen kann.")
PDF_TOO_MANY_PAGES = _l("Die PDF-Datei hat mehr als %(limit)s Seiten. Bitte kürzen Sie sie und laden Sie sie erneut "
                        "hoch.")
IMAGE_DAMAGED = _l("Das Bild ist unvollständig oder beschädigt. Bitte speichern Sie es neu und laden Sie es erneut "
                   "hoch.")
IMAGE_TOO_LARGE = _l("Das Bild hat mehr als %(limit)s Megapixel. Bitte verkleinern Sie es und laden Sie es erneut "
                     "hoch.")
OFFICE_NOT_ALLOWED = _l("In dieser Ausschreibung werden keine Office-Dateien angenommen, nur PDF, PNG und JPEG. "
                        "Bitte speichern Sie die Datei als PDF und laden Sie sie erneut hoch.")
OFFICE_DAMAGED = _l("Die Office-Datei ist beschädigt oder ungewöhnlich aufgebaut. Bitte speichern Sie sie neu (oder "
                    "als PDF) und laden Sie sie erneut hoch.")
OFFICE_MACROS = _l("Office-Dateien mit Makros oder Steuerelementen werden aus Sicherheitsgründen nicht angenommen. "
                   "Bitte speichern Sie die Datei ohne Makros (als .xlsx, .docx oder .pptx) oder als PDF.")
LEGACY_OFFICE = _l("Ältere Office-Formate (.doc, .xls, .ppt) und passwortgeschützte Office-Dateien werden nicht "
                   "angenommen. Bitte speichern Sie die Datei ohne Passwort als PDF.")


def allowed_types(*, allow_office: bool) -> tuple[FileType, ...]:
    return ALWAYS + OFFICE if allow_office else ALWAYS


def type_list(*, allow_office: bool) -> str:
    """"PDF, PNG, JPEG" – for messages and the upload form."""
    return ", ".join(t.label for t in allowed_types(allow_office=allow_office))


def accept_attribute(*, allow_office: bool) -> str:
    """The `accept` of the file input: a hint for the browser's file picker, never a check."""
    types = allowed_types(allow_office=allow_office)
    return ",".join([ext for t in types for ext in t.extensions] + [t.content_type for t in types])


def _refuse(message, **params) -> ValidationFailed:
    return ValidationFailed(message % params if params else message, field="file")


def check_file(file: BinaryIO, *, allow_office: bool, filename: str = "") -> FileType:
    """The type of a seekable file, after a full parse; raises ValidationFailed with the reason otherwise.

    `filename` only shapes the message (a "report.pdf" that is no PDF hears exactly that); it never decides.
    """
    file.seek(0, 2)
    size = file.tell()
    if size == 0:
        raise _refuse(EMPTY)
    file.seek(0)
    head = file.read(16)
    types = type_list(allow_office=allow_office)
    claimed = _claimed_type(filename)
    if head.startswith(b"%PDF-"):
        _check_pdf(file, size)
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_image(file, "PNG")
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_image(file, "JPEG")
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        if not allow_office:
            raise _refuse(OFFICE_NOT_ALLOWED if _looks_like_office(file) else UNSUPPORTED, types=types)
        return _check_office(file, size)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc/.xls/.ppt, or encrypted OOXML
        raise _refuse(LEGACY_OFFICE)
    if _is_executable(head):
        raise _refuse(EXECUTABLE, types=types)
    if claimed is not None and claimed in allowed_types(allow_office=allow_office):
        raise _refuse(NOT_WHAT_NAME_SAYS, label=claimed.label)
    raise _refuse(UNSUPPORTED, types=types)


def _claimed_type(filename: str) -> FileType | None:
    extension = posixpath.splitext(filename.replace("\\", "/").lower())[1]
    return next((t for t in BY_KIND.values() if extension in t.extensions), None)


_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows (PE/DOS)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # macOS (Mach-O)
    b"\xca\xfe\xba\xbe",  # macOS universal binary, Java class
    b"#!",  # scripts
)


def _is_executable(head: bytes) -> bool:
    return head.startswith(_EXECUTABLE_MAGIC)


# --- PDF ---------------------------------------------------------------------------------------------------------

@contextmanager
def _quiet(logger_name: str):
    """pypdf and openpyxl log or warn about oddities; a refusal (or acceptance) is our decision, not log noise."""
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


_OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")


def _check_pdf(file: BinaryIO, size: int) -> None:
    file.seek(max(0, size - 1024))
    if b"%%EOF" not in file.read():  # cut off: the end of file marker is missing
        raise _refuse(PDF_DAMAGED)
    file.seek(0)
    try:
        with _quiet("pypdf"):
            # strict: no guessing around broken cross-reference tables (that is how truncated files get "repaired").
            # The reader reads objects on demand from the file; it never loads the whole file into memory.
            reader = PdfReader(file, strict=True)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")  # only an owner password (printing/editing restrictions) is fine
                except DependencyError:
                    opened = False
                if not opened:
                    raise _refuse(PDF_ENCRYPTED)
            pages = len(reader.pages)
            if pages == 0:
                raise _refuse(PDF_DAMAGED)
            if pages > MAX_PDF_PAGES:
                raise _refuse(PDF_TOO_MANY_PAGES, limit=MAX_PDF_PAGES)
            _check_object_offsets(reader, file, size)
            for page in reader.pages:
                _ = page.mediabox, page.get("/Resources")
                contents = page.get_contents()  # decoded (pypdf caps decompression), so a broken stream shows
                if contents is not None:
                    contents.get_data()
    except ValidationFailed:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on broken input; all mean "damaged"
        raise _refuse(PDF_DAMAGED) from exc


def _check_object_offsets(reader, file: BinaryIO, size: int) -> None:
    """Every object the cross-reference table lists starts where it says (cheap: a few bytes per object)."""
    for generation, entries in (getattr(reader, "xref", None) or {}).items():
        for number, offset in entries.items():
            if not isinstance(offset, int) or not 0 < offset < size:
                raise _refuse(PDF_DAMAGED)
            file.seek(offset)
            match = _OBJECT_HEADER.match(file.read(48))
            if match is None or int(match.group(1)) != number or int(match.group(2)) != generation:
                raise _refuse(PDF_DAMAGED)


# --- images ------------------------------------------------------------------------------------------------------

_PILLOW_FLAGS = threading.Lock()


@contextmanager
def _truncated_images_refused():
    """Pillow accepts cut-off images when the process-wide ImageFile.LOAD_TRUNCATED_IMAGES is set, and WeasyPrint
    sets it on import. Checks run with it off (serialised, so that one check cannot switch it back on under
    another)."""
    with _PILLOW_FLAGS:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(file: BinaryIO, image_format: str) -> None:
    try:
        with _truncated_images_refused(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file, formats=[image_format]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(IMAGE_TOO_LARGE, limit=MAX_IMAGE_PIXELS // 1_000_000)
                image.verify()  # PNG: every chunk and its checksum
            file.seek(0)
            with Image.open(file, formats=[image_format]) as image:
                if image_format == "JPEG":
                    # Decodes every block of the file, at an eighth of the size: the whole file is checked while
                    # memory stays small.
                    image.draft(None, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(IMAGE_TOO_LARGE, limit=MAX_IMAGE_PIXELS // 1_000_000) from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, … on broken input
        raise _refuse(IMAGE_DAMAGED) from exc


# --- Office Open XML (xlsx, docx, pptx) --------------------------------------------------------------------------

_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ACTIVE_CONTENT = re.compile(r"macroEnabled|vbaProject|activeX|vbaData", re.IGNORECASE)


class _Odd(Exception):
    """Internal signal: the package is not a sound OOXML file."""


def _looks_like_office(file: BinaryIO) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except Exception:  # not even a readable zip
        return False


def _check_office(file: BinaryIO, size: int) -> FileType:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = _check_zip_structure(archive, size)
            content_types = _read_xml(archive, members, "[Content_Types].xml", limit=MAX_CONTENT_TYPES_XML)
            overrides = {
                element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
                for element in content_types.iter(f"{_CONTENT_TYPES_NS}Override")
            }
            defaults = [element.get("ContentType", "") for element in content_types.iter(f"{_CONTENT_TYPES_NS}Default")]
            if any(_ACTIVE_CONTENT.search(value) for value in [*overrides.values(), *defaults]) or any(
                _ACTIVE_CONTENT.search(name) for name in members
            ):
                raise _refuse(OFFICE_MACROS)
            mains = [(part, _MAIN_PARTS[value]) for part, value in overrides.items() if value in _MAIN_PARTS]
            if len(mains) != 1:
                raise _Odd("no single main part")
            main_part, file_type = mains[0]
            if main_part not in members:
                raise _Odd("main part missing")
            relationships = _read_xml(archive, members, "_rels/.rels", limit=MAX_CONTENT_TYPES_XML)
            targets = {
                posixpath.normpath(element.get("Target", "").lstrip("/"))
                for element in relationships.iter(f"{_RELATIONSHIPS_NS}Relationship")
                if element.get("Type", "").endswith(_OFFICE_DOCUMENT)
            }
            if targets != {main_part}:
                raise _Odd("officeDocument relationship does not name the main part")
            for info in members.values():
                _read_member(archive, info)
        if file_type is XLSX:
            _open_workbook(file)
    except ValidationFailed:
        raise
    except Exception as exc:  # zipfile, expat and openpyxl errors all mean "damaged or odd"
        raise _refuse(OFFICE_DAMAGED) from exc
    return file_type


def _check_zip_structure(archive: zipfile.ZipFile, size: int) -> dict[str, zipfile.ZipInfo]:
    """Refuse zip bombs and odd archives before anything is decompressed."""
    infos = archive.infolist()
    if not infos or len(infos) > MAX_ZIP_MEMBERS:
        raise _Odd("member count")
    if min(info.header_offset for info in infos) != 0:  # data in front of the archive (e.g. self-extracting)
        raise _Odd("prefixed data")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if (name in members or name.startswith("/") or "\\" in name or ".." in name.split("/")
                or ":" in name or "\x00" in name):
            raise _Odd(f"member name {name!r}")
        if info.flag_bits & 0x1:  # encrypted member
            raise _Odd("encrypted member")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Odd("compression method")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise _Odd("compression ratio")
        total += info.file_size
        members[name] = info
    if total > MAX_ZIP_UNCOMPRESSED or total > MAX_ZIP_RATIO * size:
        raise _Odd("uncompressed size")
    return members


def _expat_parser():
    """An XML parser that refuses document type declarations (no entity expansion, no external entities)."""
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise _Odd("DTD in OOXML part")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a member to its end (zipfile checks its CRC and size); XML parts must be well-formed."""
    is_xml = info.filename.endswith((".xml", ".rels"))
    parser = _expat_parser() if is_xml else None
    with archive.open(info) as member:
        while chunk := member.read(READ_CHUNK):
            if parser is not None:
                parser.Parse(chunk, False)
    if parser is not None:
        parser.Parse(b"", True)


def _read_xml(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, *, limit: int):
    info = members.get(name)
    if info is None or info.file_size > limit:
        raise _Odd(f"{name} missing or too large")
    data = archive.read(info)
    parser = _expat_parser()
    parser.Parse(data, True)  # refuses a DTD before ElementTree sees the bytes
    return ElementTree.fromstring(data)  # noqa: S314  # nosec B314  # DTDs/entities refused above; size capped


def _open_workbook(file: BinaryIO) -> None:
    file.seek(0)
    with _quiet("openpyxl"):
        workbook = load_workbook(file, read_only=True, data_only=True, keep_links=False)
        try:
            for sheet in workbook.worksheets:
                _ = sheet.title
        finally:
            workbook.close()

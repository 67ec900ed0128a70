"""Copies of attachments without document metadata, for jurors of a blind edition. Pure: bytes in, bytes out, no
Flask, no database.

What goes (where a company's name, its people or its software hide besides the visible content):
- PDF: the document information dictionary (/Author, /Creator, /Producer, custom keys), every XMP packet (/Metadata
  of the catalogue, of pages, images, fonts), application data (/PieceInfo), the file identifier, embedded files
  and file-attachment annotations (their own metadata cannot be cleaned), and the author (/T) of comments. The
  file is written anew, so earlier revisions of an incrementally saved PDF go as well.
- PNG: every chunk except those that make up the image (IHDR, PLTE, IDAT, IEND, transparency, colour and pixel
  size, animation): tEXt, zTXt, iTXt, eXIf, tIME, iCCP (a profile carries free text) and private chunks go. The
  pixel data stays byte for byte.
- JPEG: APP1-APP15 (EXIF with its thumbnail, XMP, ICC profile, Photoshop/IPTC), comments (COM) and anything after
  the end of the image; JFIF (APP0) is rewritten without its thumbnail, Adobe (APP14, needed for colours) stays.
  The compressed image data stays byte for byte (no re-encoding, no loss).
- DOCX, XLSX, PPTX: docProps/core.xml, app.xml and custom.xml are replaced by empty property sets, the thumbnail
  goes, the authors of comments and tracked changes become a neutral "Autor", the path of the template a document
  was made from becomes "Vorlage.dotx"; the archive is rebuilt without timestamps, comments or extra fields.
Colour profiles are dropped rather than cleaned: viewers then assume sRGB, which is what nearly every file uses.

Every copy is checked before it is used (`strip` re-reads the result); anything unexpected raises StripFailed, and
the caller must then serve nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

METHOD = "strip-1"  # stored with each copy; a copy made by other rules is made again
NEUTRAL_AUTHOR = "Autor"


class StripFailed(Exception):
    """The copy could not be made, or did not come out clean and sound: serve nothing."""


# --- PDF ---------------------------------------------------------------------------------------------------------

_PDF_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/AF")
_PDF_DROPPED_TYPES = ("/Metadata", "/EmbeddedFile", "/Filespec")
_MARKUP_ANNOTATIONS = {"/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight",
                       "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Sound", "/Redact",
                       "/Popup"}


def _clean_pdf_object(obj: DictionaryObject) -> None:
    for key in _PDF_DROPPED_KEYS:
        obj.pop(key, None)
    is_annotation = obj.get("/Type") == "/Annot" or ("/Subtype" in obj and "/Rect" in obj)
    if is_annotation and obj.get("/Subtype") in _MARKUP_ANNOTATIONS:
        obj.pop("/T", None)  # the author of a comment
    if obj.get("/Type") == "/Catalog" and "/Names" in obj:
        obj["/Names"].get_object().pop("/EmbeddedFiles", None)
    annotations = obj.get("/Annots")
    if annotations is not None and isinstance(annotations.get_object(), ArrayObject):
        kept = ArrayObject(a for a in annotations.get_object() if a.get_object().get("/Subtype") != "/FileAttachment")
        obj[NameObject("/Annots")] = kept


def _clean_pdf(root) -> None:
    """Clean every dictionary reachable from the document catalogue, in place (the reader keeps what it parsed)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too
            _clean_pdf_object(item)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def strip_pdf(source: BinaryIO, target: BinaryIO) -> None:
    reader = PdfReader(source, strict=False)
    if reader.is_encrypted:
        raise StripFailed("encrypted PDF")
    pages = len(reader.pages)
    _clean_pdf(reader.trailer.raw_get("/Root"))
    # The new file takes what hangs on the cleaned catalogue, and nothing else: no XMP packet, no embedded file,
    # no earlier revision; then its information dictionary and identifier go.
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    writer._ID = None
    buffer = io.BytesIO()
    writer.write(buffer)
    _check_pdf(buffer, pages)
    target.write(buffer.getvalue())


def _check_pdf(buffer: io.BytesIO, pages: int) -> None:
    buffer.seek(0)
    reader = PdfReader(buffer, strict=True)
    if len(reader.pages) != pages:
        raise StripFailed("pages lost")
    if reader.metadata or reader.xmp_metadata is not None or "/ID" in reader.trailer:
        raise StripFailed("metadata left")
    for obj in all_pdf_objects(reader):
        if isinstance(obj, DictionaryObject) and (any(key in obj for key in _PDF_DROPPED_KEYS)
                                                  or obj.get("/Type") in _PDF_DROPPED_TYPES):
            raise StripFailed("metadata left")


def all_pdf_objects(reader: PdfReader):
    """Every indirect object of a file, read back (compressed object streams included)."""
    numbers = set(reader.xref_objStm)
    for entries in reader.xref.values():
        numbers.update(entries)
    for number in sorted(numbers):
        if number == 0:
            continue
        yield reader.get_object(number)


# --- PNG ---------------------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"sBIT", b"sRGB", b"cICP", b"bKGD",
             b"pHYs", b"hIST", b"acTL", b"fcTL", b"fdAT"}


def strip_png(source: BinaryIO, target: BinaryIO) -> None:
    data = source.read()
    if not data.startswith(PNG_SIGNATURE):
        raise StripFailed("no PNG")
    out = bytearray(PNG_SIGNATURE)
    position = len(PNG_SIGNATURE)
    ended = False
    while position < len(data) and not ended:
        if position + 8 > len(data):
            raise StripFailed("truncated chunk")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise StripFailed("truncated chunk")
        if kind in _PNG_KEPT:
            out += data[position:end]
        ended = kind == b"IEND"
        position = end
    if not ended:
        raise StripFailed("no IEND")
    _check_image(bytes(out), "PNG", data)
    target.write(out)


# --- JPEG --------------------------------------------------------------------------------------------------------

_SOI, _EOI, _SOS, _COM, _APP0, _APP14 = 0xD8, 0xD9, 0xDA, 0xFE, 0xE0, 0xEE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length
_JFIF_WITHOUT_THUMBNAIL = 14  # "JFIF\0", version (2), units (1), densities (2 + 2), thumbnail size (1 + 1)


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def strip_jpeg(source: BinaryIO, target: BinaryIO) -> None:
    data = source.read()
    if not data.startswith(b"\xff\xd8"):
        raise StripFailed("no JPEG")
    out = bytearray(b"\xff\xd8")
    position, size = 2, len(data)
    while True:
        if position >= size or data[position] != 0xFF:
            raise StripFailed("marker expected")
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            raise StripFailed("truncated")
        marker = data[position]
        position += 1
        if marker == _EOI:
            out += b"\xff\xd9"
            break  # anything after the end of the image goes
        if marker in _STANDALONE or marker == _SOI:
            out += bytes((0xFF, marker))
            continue
        if position + 2 > size:
            raise StripFailed("truncated")
        length = struct.unpack(">H", data[position:position + 2])[0]
        if length < 2 or position + length > size:
            raise StripFailed("bad segment length")
        payload = data[position + 2:position + length]
        position += length
        if marker == _APP0 and payload.startswith(b"JFIF\x00") and len(payload) >= _JFIF_WITHOUT_THUMBNAIL:
            out += _jpeg_segment(marker, payload[:12] + b"\x00\x00")
        elif marker == _APP14 and payload.startswith(b"Adobe"):
            out += _jpeg_segment(marker, payload)
        elif 0xE0 <= marker <= 0xEF or marker == _COM:
            continue  # EXIF, XMP, ICC, IPTC, JFXX thumbnails, comments, makers' notes
        else:
            out += _jpeg_segment(marker, payload)
        if marker == _SOS:  # entropy-coded data up to the next real marker
            start = position
            while position < size:
                if data[position] == 0xFF and position + 1 < size and data[position + 1] != 0x00 \
                        and not 0xD0 <= data[position + 1] <= 0xD7:
                    break
                position += 1
            out += data[start:position]
    _check_image(bytes(out), "JPEG", data)
    target.write(out)


def _check_image(data: bytes, kind: str, original: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image, Image.open(io.BytesIO(original)) as before:
            if image.format != kind or image.size != before.size:
                raise StripFailed("image changed")
            image.load()
            if image.info.keys() & {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp", "photoshop"}:
                raise StripFailed("metadata left")
            if kind == "PNG" and any(isinstance(v, str) for v in image.text.values()):
                raise StripFailed("text left")
    except StripFailed:
        raise
    except Exception as exc:  # whatever Pillow says, the copy is not usable
        raise StripFailed(f"image unreadable: {exc}") from exc


# --- DOCX, XLSX, PPTX --------------------------------------------------------------------------------------------

_EMPTY_PARTS = {
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'),
    "docProps/custom.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'),
}
_THUMBNAIL = re.compile(r"docProps/thumbnail\.\w+", re.IGNORECASE)
_THUMBNAIL_RELATIONSHIP = re.compile(rb'<Relationship\b[^>]*Target="/?docProps/thumbnail\.\w+"[^>]*/>', re.IGNORECASE)
_THUMBNAIL_OVERRIDE = re.compile(rb'<Override\b[^>]*PartName="/docProps/thumbnail\.\w+"[^>]*/>', re.IGNORECASE)


def _attribute(names: str) -> re.Pattern[bytes]:
    return re.compile(rb'(\s(?:' + names.encode() + rb')=)("[^"]*"|\'[^\']*\')')


# Where Office keeps people's names besides the properties: comments, tracked changes, comment authors, persons.
_PEOPLE = (
    (re.compile(r"word/.+\.xml"), _attribute(r"w:author|w:initials|w15:author|w15:userId|w15:providerId")),
    (re.compile(r"ppt/(commentAuthors|authors)\.xml"), _attribute(r"name|initials|userId|providerId")),
    (re.compile(r"xl/persons/[^/]+\.xml"), _attribute(r"displayName|userId|providerId")),
)
_XL_COMMENT_AUTHOR = (re.compile(r"xl/comments[^/]*\.xml"), re.compile(rb"(<author>)[^<]*(</author>)"))
# The template a document was made from, as a path on the author's machine ("C:\Users\m.mueller\Firma\…dotx").
_TEMPLATE_PATH = re.compile(rb'(<Relationship\b[^>]*Type="[^"]*/attachedTemplate"[^>]*Target=)("[^"]*"|\'[^\']*\')'
                            rb'|(<Relationship\b[^>]*Target=)("[^"]*"|\'[^\']*\')(?=[^>]*Type="[^"]*/attachedTemplate")')


def _clean_people(name: str, data: bytes) -> bytes:
    for pattern, attributes in _PEOPLE:
        if pattern.fullmatch(name):
            data = attributes.sub(rb'\1"' + NEUTRAL_AUTHOR.encode() + rb'"', data)
    if _XL_COMMENT_AUTHOR[0].fullmatch(name):
        data = _XL_COMMENT_AUTHOR[1].sub(rb"\1" + NEUTRAL_AUTHOR.encode() + rb"\2", data)
    if name.endswith(".rels"):
        data = _TEMPLATE_PATH.sub(lambda m: (m.group(1) or m.group(3)) + b'"Vorlage.dotx"', data)
    return data


def strip_office(source: BinaryIO, target: BinaryIO) -> None:
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            name = info.filename
            if _THUMBNAIL.fullmatch(name) or info.is_dir():
                continue
            if name in _EMPTY_PARTS:
                data = _EMPTY_PARTS[name].encode()
            else:
                data = archive.read(info)
                if name == "_rels/.rels":
                    data = _THUMBNAIL_RELATIONSHIP.sub(b"", data)
                elif name == "[Content_Types].xml":
                    data = _THUMBNAIL_OVERRIDE.sub(b"", data)
                elif name.endswith((".xml", ".rels")):
                    data = _clean_people(name, data)
            member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            out.writestr(member, data)


# --- dispatch ----------------------------------------------------------------------------------------------------

STRIPPERS: dict[str, Callable[[BinaryIO, BinaryIO], None]] = {
    "pdf": strip_pdf, "png": strip_png, "jpeg": strip_jpeg,
    "docx": strip_office, "xlsx": strip_office, "pptx": strip_office,
}


def strip(kind: str, source: BinaryIO, target: BinaryIO) -> None:
    """Write a copy of `source` (an attachment of this kind) without document metadata to `target`. Raises
    StripFailed, whatever went wrong (an unknown kind included): then nothing must be served."""
    stripper = STRIPPERS.get(kind)
    if stripper is None:
        raise StripFailed(f"no rules for {kind!r}")
    try:
        stripper(source, target)
    except StripFailed:
        raise
    except Exception as exc:  # fail closed: a library's error of any kind means no copy
        raise StripFailed(f"{type(exc).__name__}: {exc}") from exc

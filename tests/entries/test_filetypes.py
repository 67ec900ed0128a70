"""The content check of attachments: the type comes from the bytes, and every file is parsed in full.

The sample builders at the top are shared with test_attachments.py.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

from competition.core.errors import ValidationFailed
from competition.entries import filetypes
from competition.entries.attachments import display_name

# --- sample files, small and made on the spot ----------------------------------------------------------------------


def pdf_bytes(*, pages: int = 1, padding: int = 0, encrypt: str | None = None, owner_only: bool = False) -> bytes:
    """A valid PDF; `padding` bytes of incompressible data go into an embedded file (still a legitimate PDF)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_attachment("daten.bin", random.Random(7).randbytes(padding))
    if encrypt or owner_only:
        writer.encrypt(user_password="" if owner_only else encrypt, owner_password="eigentuemer",
                       algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 0)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Umsatz 2025"
    workbook.active["B1"] = 1250000
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(main_part: str, main_type: str, main_xml: bytes = b"<document/>", *, extra=(), content_types=None,
          compression=zipfile.ZIP_DEFLATED) -> bytes:
    types = content_types or (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}"><Relationship '
                                        f'Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{main_part}"/></Relationships>')
        archive.writestr(main_part, main_xml)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml("word/document.xml", DOCX_MAIN,
                 b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                 b"<w:body><w:p><w:r><w:t>Hallo</w:t></w:r></w:p></w:body></w:document>")


def pptx_bytes() -> bytes:
    return ooxml("ppt/presentation.xml", PPTX_MAIN,
                 b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>')


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(112) + b"PE\x00\x00"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def check(data: bytes, name: str = "datei", *, office: bool = False) -> filetypes.FileType:
    return filetypes.check_file(io.BytesIO(data), allow_office=office, filename=name)


def refusal(data: bytes, name: str = "datei", *, office: bool = False) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check(data, name, office=office)
    assert caught.value.field == "file"
    return str(caught.value.message)


# --- accepted ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "expected"), [
    (pdf_bytes, filetypes.PDF), (png_bytes, filetypes.PNG), (jpeg_bytes, filetypes.JPEG),
])
def test_pdf_png_jpeg_are_accepted_with_or_without_office_files(make, expected):
    data = make()
    assert check(data, office=False) is expected
    assert check(data, office=True) is expected


def test_the_content_decides_not_the_name():
    assert check(jpeg_bytes(), "foto.png") is filetypes.JPEG
    assert check(png_bytes(), "bericht.pdf") is filetypes.PNG
    assert check(pdf_bytes(), "ohne-endung") is filetypes.PDF


def test_a_pdf_with_many_pages_and_an_owner_password_only_is_accepted():
    assert check(pdf_bytes(pages=12)) is filetypes.PDF
    assert check(pdf_bytes(owner_only=True)) is filetypes.PDF  # opens without a password, only "restricted"


@pytest.mark.parametrize(("make", "expected"), [
    (xlsx_bytes, filetypes.XLSX), (docx_bytes, filetypes.DOCX), (pptx_bytes, filetypes.PPTX),
])
def test_office_files_only_where_the_edition_allows_them(make, expected):
    data = make()
    assert check(data, office=True) is expected
    message = refusal(data, "zahlen.xlsx", office=False)
    assert message.startswith("In dieser Ausschreibung werden keine Office-Dateien angenommen")
    assert "als PDF" in message


# --- refused -------------------------------------------------------------------------------------------------------

def test_an_html_file_named_pdf_is_refused_as_no_valid_pdf():
    expected = "Die Datei ist keine gültige PDF-Datei. Bitte laden Sie die Datei erneut hoch."
    assert refusal(HTML, "angebot.pdf") == expected


@pytest.mark.parametrize("data", [WINDOWS_EXE, ELF, b"#!/bin/sh\nrm -rf ~\n"], ids=["windows", "linux", "script"])
def test_renamed_programs_are_refused(data):
    message = refusal(data, "bericht.pdf")
    assert message == ("Die Datei ist ein ausführbares Programm und wird aus Sicherheitsgründen nicht angenommen. "
                       "Erlaubt sind: PDF, PNG, JPEG.")


def test_an_unsupported_type_names_the_allowed_ones():
    assert refusal(b"Nur Text.\n", "notiz.txt") == (
        "Dieses Dateiformat wird nicht angenommen. Erlaubt sind: PDF, PNG, JPEG. Bitte laden Sie die Datei in einem "
        "dieser Formate hoch.")
    assert "PDF, PNG, JPEG, XLSX, DOCX, PPTX" in refusal(b"GIF89a" + bytes(40), "bild.gif", office=True)


def test_an_empty_file_is_refused():
    assert refusal(b"", "leer.pdf").startswith("Die Datei ist leer.")


def test_old_office_formats_and_encrypted_office_files_are_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert refusal(ole, "alt.doc", office=True).startswith("Ältere Office-Formate (.doc, .xls, .ppt)")


PDF_DAMAGED = "Die PDF-Datei ist unvollständig oder beschädigt."


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_a_truncated_pdf_is_refused(cut):
    data = pdf_bytes(pages=3, padding=20_000)
    assert refusal(data[: int(len(data) * cut)], "bericht.pdf").startswith(PDF_DAMAGED)


def test_a_pdf_with_bytes_missing_in_the_middle_is_refused():
    data = pdf_bytes(pages=3, padding=20_000)
    middle = len(data) // 2
    assert refusal(data[:middle] + data[middle + 500:], "bericht.pdf").startswith(PDF_DAMAGED)


def test_a_pdf_with_a_broken_page_tree_is_refused():
    assert refusal(pdf_bytes().replace(b"/MediaBox", b"/MediaBux")).startswith(PDF_DAMAGED)
    assert refusal(b"%PDF-1.7\n%%EOF\n").startswith(PDF_DAMAGED)


def test_a_password_protected_pdf_is_refused():
    assert refusal(pdf_bytes(encrypt="geheim")).startswith("Die PDF-Datei ist mit einem Passwort geschützt.")


def test_truncated_or_corrupt_images_are_refused():
    png, jpeg = png_bytes((300, 200)), jpeg_bytes((300, 200))
    damaged = "Das Bild ist unvollständig oder beschädigt."
    assert refusal(png[: len(png) // 2]).startswith(damaged)
    assert refusal(jpeg[: len(jpeg) // 2]).startswith(damaged)
    flipped = bytearray(png)
    flipped[60] ^= 0xFF  # inside the image data: its checksum no longer matches
    assert refusal(bytes(flipped)).startswith(damaged)


def test_cut_off_images_are_refused_even_where_pillow_is_told_to_accept_them(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint sets it on import
    jpeg = jpeg_bytes((300, 200))
    assert refusal(jpeg[: len(jpeg) // 2]).startswith("Das Bild ist unvollständig oder beschädigt.")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was for the PDF renderer


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (a decompression bomb in waiting)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(10_000, 6_000), (100_000, 100_000)])
def test_images_with_too_many_pixels_are_refused_before_decoding(width, height):
    assert refusal(_png_claiming(width, height)) == (
        "Das Bild hat mehr als 50 Megapixel. Bitte verkleinern Sie es und laden Sie es erneut hoch.")


OFFICE_DAMAGED = "Die Office-Datei ist beschädigt oder ungewöhnlich aufgebaut."


def test_a_zip_bomb_is_refused_without_unpacking_it():
    bomb = ooxml("word/document.xml", DOCX_MAIN, extra=[("word/media/leer.bin", bytes(20 * 1024 * 1024))])
    assert len(bomb) < 100_000
    assert refusal(bomb, "bombe.docx", office=True).startswith(OFFICE_DAMAGED)


def test_odd_zips_are_refused():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("liesmich.txt", "Hallo")
    assert refusal(plain.getvalue(), "daten.zip", office=True).startswith(OFFICE_DAMAGED)
    assert refusal(plain.getvalue(), "daten.zip", office=False).startswith("Dieses Dateiformat wird nicht angenommen")

    escaping = ooxml("word/document.xml", DOCX_MAIN, extra=[("../../etc/cron.d/x", b"* * * * * root true")])
    assert refusal(escaping, "a.docx", office=True).startswith(OFFICE_DAMAGED)

    glued = docx_bytes() + docx_bytes()  # a second archive behind the first one
    assert refusal(glued, "a.docx", office=True).startswith(OFFICE_DAMAGED)

    wrong_main = ooxml("word/document.xml", "application/xml")
    assert refusal(wrong_main, "a.docx", office=True).startswith(OFFICE_DAMAGED)


def test_a_corrupt_member_is_refused():
    data = bytearray(ooxml("word/document.xml", DOCX_MAIN, b"<document>" + b"x" * 2000 + b"</document>",
                           compression=zipfile.ZIP_STORED))
    at = bytes(data).index(b"xxxx")
    data[at] = ord("y")  # the stored bytes no longer match their CRC
    assert refusal(bytes(data), "a.docx", office=True).startswith(OFFICE_DAMAGED)


def test_malformed_xml_and_entity_expansion_are_refused():
    broken = ooxml("word/document.xml", DOCX_MAIN, b"<document><unclosed></document>")
    assert refusal(broken, "a.docx", office=True).startswith(OFFICE_DAMAGED)
    laughs = (f'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;">]>'
              f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/>'
              "</Types>")
    with_dtd = ooxml("word/document.xml", DOCX_MAIN, content_types=laughs)
    assert refusal(with_dtd, "a.docx", office=True).startswith(OFFICE_DAMAGED)


def test_office_files_with_macros_are_refused():
    docm = ooxml("word/document.xml", DOCM_MAIN, extra=[("word/vbaProject.bin", b"\x00" * 64)])
    assert refusal(docm, "makro.docx", office=True).startswith("Office-Dateien mit Makros")


# --- names and hints -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "file_type", "shown"), [
    ("Übersicht März.pdf", filetypes.PDF, "Übersicht März.pdf"),
    ("C:\\Users\\anna\\Desktop\\Bericht.pdf", filetypes.PDF, "Bericht.pdf"),
    ("../../etc/passwd", filetypes.PDF, "passwd.pdf"),
    ("rechnung\u202efdp.exe", filetypes.PDF, "rechnungfdp.exe.pdf"),  # no right-to-left override trick
    ("foto.pdf", filetypes.PNG, "foto.png"),
    ("Bericht v2.1", filetypes.PDF, "Bericht v2.1.pdf"),
    ("Plan.JPEG", filetypes.JPEG, "Plan.JPEG"),
    ("<script>.pdf", filetypes.PDF, "_script_.pdf"),
    ("", filetypes.PDF, "Anlage.pdf"),
    ("...", filetypes.JPEG, "Anlage.jpg"),
])
def test_display_names_are_cleaned_and_fit_the_content(given, file_type, shown):
    assert display_name(given, file_type) == shown


def test_long_names_are_shortened_keeping_the_extension():
    name = display_name("A" * 400 + ".pdf", filetypes.PDF)
    assert len(name) == 255
    assert name.endswith("A.pdf")


def test_types_for_the_upload_form():
    assert filetypes.type_list(allow_office=False) == "PDF, PNG, JPEG"
    accept = filetypes.accept_attribute(allow_office=True)
    assert ".pdf" in accept and ".xlsx" in accept and "application/pdf" in accept
    assert ".docx" not in filetypes.accept_attribute(allow_office=False)

"""Hostile uploads: thousands of mutated files, polyglots, zip bombs, lying extensions, empty files and poisonous
names. The content check either accepts a file as one of the allowed types or refuses it with a message; it never
crashes. Through HTTP: never a server error, nothing stored for a refused file, only clean names for accepted ones.

The mutation fuzzer is seeded (the same cases every run, so a failure can be replayed); the names come from
hypothesis.
"""

from __future__ import annotations

import io
import random
import shutil
import struct
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from competition.core.errors import ValidationFailed
from competition.editions.phases import Phase
from competition.entries import filetypes
from competition.entries.attachments import MAX_NAME_LENGTH, display_name
from competition.entries.models import Attachment
from competition.extensions import db
from tests.entries.test_filetypes import (
    DOCX_MAIN,
    HTML,
    docx_bytes,
    jpeg_bytes,
    ooxml,
    pdf_bytes,
    png_bytes,
    pptx_bytes,
    xlsx_bytes,
)

MAGIC = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "xlsx": b"PK\x03\x04",
         "docx": b"PK\x03\x04", "pptx": b"PK\x03\x04"}
FUZZ_SEED = 20261125
FUZZ_CASES = 5000  # straight into the content check
HTTP_CASES = 300  # of which through the upload route


# --- hostile material --------------------------------------------------------------------------------------------

def seeds() -> dict[str, bytes]:
    return {"pdf": pdf_bytes(), "pdf2": pdf_bytes(pages=3), "png": png_bytes(), "jpeg": jpeg_bytes(),
            "docx": docx_bytes(), "xlsx": xlsx_bytes(), "pptx": pptx_bytes()}


INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"0", b"9", b"-1", b"4294967295", b"%%EOF", b"obj", b"endobj",
               b"stream", b"<<", b">>", b"/Length 999999999", b"PK\x03\x04", b"IEND", b"\xff\xd9", b"trailer",
               b"xref", b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"&a;"]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """One to four random edits: bit flips, interesting values, insertions, deletions, duplicated chunks,
    truncation, splicing with another file."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buffer:
            buffer = bytearray(rng.choice(pool))
        operation = rng.randrange(8)
        at = rng.randrange(len(buffer))
        if operation == 0:
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(buffer))
                buffer[i] ^= 1 << rng.randrange(8)
        elif operation == 1:
            value = rng.choice(INTERESTING)
            buffer[at:at + len(value)] = value
        elif operation == 2:
            buffer[at:at] = rng.randbytes(rng.randint(1, 64))
        elif operation == 3:
            del buffer[at:at + rng.randint(1, 256)]
        elif operation == 4:
            end = min(len(buffer), at + rng.randint(1, 512))
            buffer[at:at] = buffer[at:end] * rng.randint(2, 20)
        elif operation == 5:
            del buffer[max(8, at):]
        elif operation == 6:
            other = rng.choice(pool)
            cut = rng.randrange(len(other))
            buffer = buffer[:at] + bytearray(other[cut:])
        else:
            buffer[at:at + 1] = rng.choice(INTERESTING)
    # Keep the magic most of the time, so the parsers behind it get exercised and not only the sniffing.
    if rng.random() < 0.8:
        for magic in MAGIC.values():
            if data.startswith(magic) and not bytes(buffer).startswith(magic):
                buffer[: len(magic)] = magic
                break
    return bytes(buffer)


def zip_bomb(kind: str = "docx", *, member_mib: int = 24) -> bytes:
    """A valid-looking DOCX/XLSX whose extra member inflates a thousandfold."""
    zeros = bytes(member_mib * 1024 * 1024)
    if kind == "docx":
        return ooxml("word/document.xml", DOCX_MAIN, b"<w:document/>", extra=[("word/media/bomb.bin", zeros)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info, source.read(info))
        z.writestr("xl/media/bomb.bin", zeros)
    return buffer.getvalue()


def many_members_zip() -> bytes:
    extra = [(f"word/media/f{i}.xml", b"<x/>") for i in range(filetypes.MAX_ZIP_MEMBERS + 5)]
    return ooxml("word/document.xml", DOCX_MAIN, b"<w:document/>", extra=extra, compression=zipfile.ZIP_STORED)


def lying_sizes_zip() -> bytes:
    """The central directory says the member is tiny; it inflates to 8 MiB."""
    data = bytearray(ooxml("word/document.xml", DOCX_MAIN, b"<w:document/>",
                           extra=[("word/media/x.bin", bytes(8 * 1024 * 1024))]))
    # Patch every "uncompressed size" of x.bin (local header and central directory) to 10 bytes.
    name = b"word/media/x.bin"
    index = 0
    while (index := data.find(name, index + 1)) != -1:
        if data[index - 30:index - 26] == b"PK\x03\x04":
            data[index - 30 + 22:index - 30 + 26] = struct.pack("<I", 10)
        elif data[index - 46:index - 42] == b"PK\x01\x02":
            data[index - 46 + 24:index - 46 + 28] = struct.pack("<I", 10)
    return bytes(data)


def nested_zip() -> bytes:
    inner = zip_bomb("docx", member_mib=4)
    return ooxml("word/document.xml", DOCX_MAIN, b"<w:document/>", extra=[("word/embeddings/inner.zip", inner)])


def xxe_docx() -> bytes:
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">'
            b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document>&x;&b;</w:document>')
    return ooxml("word/document.xml", DOCX_MAIN, evil)


def specials() -> list[tuple[str, bytes, str, bool]]:
    """(label, data, filename, office allowed): the named hostile cases."""
    pdf, png, jpeg = pdf_bytes(), png_bytes(), jpeg_bytes()
    php = b"<?php system($_GET['c']); ?>"
    return [
        ("pdf+html", pdf + HTML, "bericht.pdf", False),
        ("pdf+html named html", pdf + HTML, "bericht.html", False),
        ("html inside pdf comment", pdf.replace(b"\n", b"\n%" + HTML + b"\n", 1), "bericht.pdf", False),
        ("png+php", png + php, "bild.php.png", False),
        ("png+html", png + HTML, "bild.png", False),
        ("jpeg+php", jpeg + php, "foto.jpg.php", False),
        ("html named pdf", HTML, "bericht.pdf", False),
        ("svg named png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "bild.png", False),
        ("php named jpg", php, "foto.jpg", False),
        ("pdf named png", pdf, "bild.png", False),
        ("png named pdf", png, "bericht.pdf", False),
        ("docx named pdf", docx_bytes(), "bericht.pdf", True),
        ("docx without office", docx_bytes(), "bericht.docx", False),
        ("empty pdf", b"", "leer.pdf", False),
        ("empty docx", b"", "leer.docx", True),
        ("one byte", b"%", "x.pdf", False),
        ("magic only pdf", b"%PDF-", "x.pdf", False),
        ("magic only png", MAGIC["png"], "x.png", False),
        ("magic only zip", b"PK\x03\x04", "x.docx", True),
        ("zip bomb docx", zip_bomb("docx"), "bombe.docx", True),
        ("zip bomb xlsx", zip_bomb("xlsx"), "bombe.xlsx", True),
        ("zip bomb without office", zip_bomb("docx"), "bombe.docx", False),
        ("many members", many_members_zip(), "viele.docx", True),
        ("lying sizes", lying_sizes_zip(), "luege.docx", True),
        ("nested zip", nested_zip(), "verschachtelt.docx", True),
        ("xxe docx", xxe_docx(), "xxe.docx", True),
        ("elf named pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(120), "programm.pdf", False),
        ("exe named docx", b"MZ\x90\x00" + bytes(200), "programm.docx", True),
        ("huge png header", _png_with_size(100_000, 100_000), "riesig.png", False),
    ]


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG header claiming a giant image (a decompression bomb) with a tiny body."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return MAGIC["png"] + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


HOSTILE_NAMES = [
    "../../etc/passwd.pdf", "..\\..\\windows\\system32\\evil.pdf", "/etc/passwd", "C:\\boot.ini.png",
    "bericht\x00.pdf.exe", "bericht.pdf\x00", "a" * 10_000 + ".pdf", "\u202egnp.exe", "rechnung\u202efdp.exe",
    "<script>alert(1)</script>.pdf", "bericht\r\nContent-Type: text/html.pdf", '"; rm -rf /.pdf', "...", ".",
    "", " ", "CON.pdf", "bericht.pdf.", "%2e%2e%2fpasswd.pdf", "\ud800.pdf".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"), "bild.PNG", "datei", "Über das Öl – Ärger.pdf", "\u200b\u200f\u2066x.pdf",
    "名前.pdf", "😀" * 300 + ".png",
]


def assert_clean_name(name: str, kind: str) -> None:
    assert name, "empty display name"
    assert len(name) <= MAX_NAME_LENGTH, len(name)
    assert "/" not in name and "\\" not in name and "\x00" not in name, name
    assert not any(unicodedata.category(ch).startswith("C") for ch in name), ascii(name)
    assert not name.startswith("."), name
    assert name.lower().endswith(filetypes.BY_KIND[kind].extensions), (name, kind)


def check(data: bytes, name: str, office: bool):
    """The content check's verdict: the FileType, or the refusal message. Anything else propagates (a failure)."""
    try:
        return filetypes.check_file(io.BytesIO(data), allow_office=office, filename=name)
    except ValidationFailed as refusal:
        message = str(refusal.message)
        assert message and "Traceback" not in message
        return message


# --- the content check, directly -----------------------------------------------------------------------------------

def fuzz_cases(count: int, seed: int = FUZZ_SEED):
    rng = random.Random(seed)
    originals = seeds()
    pool = list(originals.values())
    names = list(originals)
    for number in range(count):
        kind = names[number % len(names)]
        yield kind, mutate(rng, originals[kind], pool), rng.choice(HOSTILE_NAMES), rng.random() < 0.5


def test_thousands_of_mutated_files_are_accepted_or_refused_never_crash():
    started = time.perf_counter()
    verdicts = {"accepted": 0, "refused": 0}
    for kind, data, name, office in fuzz_cases(FUZZ_CASES):
        verdict = check(data, name, office)
        if isinstance(verdict, filetypes.FileType):
            verdicts["accepted"] += 1
            assert data.startswith(MAGIC[verdict.kind]), (kind, verdict.kind)
            assert verdict in filetypes.allowed_types(allow_office=office)
            assert_clean_name(display_name(name, verdict), verdict.kind)
        else:
            verdicts["refused"] += 1
    elapsed = time.perf_counter() - started
    print(f"\nfuzz: {FUZZ_CASES} mutated files in {elapsed:.1f} s: {verdicts}")
    assert verdicts["refused"] > FUZZ_CASES // 4 and verdicts["accepted"] > 0  # the fuzzer reaches both outcomes


REFUSED_ALWAYS = {"html named pdf", "svg named png", "php named jpg", "docx without office", "empty pdf",
                  "empty docx", "one byte", "magic only pdf", "magic only png", "magic only zip", "zip bomb docx",
                  "zip bomb xlsx", "zip bomb without office", "many members", "lying sizes", "xxe docx",
                  "elf named pdf", "exe named docx", "huge png header"}


def test_named_hostile_files():
    """Each named case in one test (no database: the per-test cleanup would cost more than the checks)."""
    wrong = []
    for label, data, name, office in specials():
        started = time.perf_counter()
        verdict = check(data, name, office)
        if time.perf_counter() - started > 5:
            wrong.append(f"{label}: took {time.perf_counter() - started:.1f} s")
        if label in REFUSED_ALWAYS and not isinstance(verdict, str):
            wrong.append(f"{label}: accepted as {verdict.kind}")
        # "nested zip" may pass: the check never inflates an embedded archive (real DOCX files embed XLSX charts,
        # which are zips), so its cost stays bounded by the outer caps. Accepted polyglots are what their content
        # says (a PDF with a tail is still a PDF); they are served as downloads of their own type with nosniff.
        if isinstance(verdict, filetypes.FileType):
            if not data.startswith(MAGIC[verdict.kind]):
                wrong.append(f"{label}: accepted as {verdict.kind} without its signature")
            assert_clean_name(display_name(name, verdict), verdict.kind)
    assert wrong == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: "../" * 5 + s + ".pdf"),
    st.sampled_from(HOSTILE_NAMES),
    st.lists(st.sampled_from(["..", "/", "\\", "\x00", "\u202e", "\u200f", ".", " ", "pdf", "png", "a", "\n",
                              "\t", ":", "*", "?", "<", ">", "|", '"', "ẞ", "\U0001F600", "\U000E0001"]),
             max_size=60).map("".join),
), kind=st.sampled_from(sorted(filetypes.BY_KIND)))
def test_any_name_becomes_a_clean_display_name(name, kind):
    assert_clean_name(display_name(name, filetypes.BY_KIND[kind]), kind)


# --- through HTTP --------------------------------------------------------------------------------------------------

def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def http_cases() -> list[tuple[str, bytes, str]]:
    cases = [(label, data, name) for label, data, name, office in specials() if office or "docx" not in name]
    valid = seeds()
    for name in HOSTILE_NAMES:
        cases.append(("valid pdf, hostile name", valid["pdf"], name))
        cases.append(("valid png, hostile name", valid["png"], name))
    for kind, data, name, _office in fuzz_cases(HTTP_CASES - len(cases), seed=FUZZ_SEED + 1):
        cases.append((f"mutated {kind}", data, name))
    return cases


@pytest.fixture
def upload_world(app, make_user, make_company, make_edition, make_category, make_entry, login_as):
    root = Path(app.config["UPLOAD_FOLDER"])
    shutil.rmtree(root, ignore_errors=True)
    applicant = make_user(email="fuzz@firma.example")
    edition = make_edition(allow_office_files=True, max_files=10_000, max_entry_mb=10_000, max_file_mb=30,
                           phase_override=Phase.SUBMISSION)
    entry = make_entry(company=make_company(applicant), category=make_category(edition))
    return login_as(applicant), entry, root


def test_hostile_uploads_through_http(upload_world):
    client, entry, root = upload_world
    cases = http_cases()
    assert len(cases) >= HTTP_CASES
    started = time.perf_counter()
    accepted = refused = 0
    for label, data, name in cases:
        rows_before = db.session.scalar(select(func.count(Attachment.id)))
        files_before = files_in(root)
        response = client.post(f"/entries/{entry.id}/attachments", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        db.session.rollback()
        assert response.status_code in (302, 303, 400, 413), (label, ascii(name[:80]), response.status_code)
        rows = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
        if len(rows) == rows_before:
            refused += 1
            assert files_in(root) == files_before, (label, "a refused file left something in the upload folder")
            continue
        accepted += 1
        assert len(rows) == rows_before + 1
        row = rows[-1]
        assert_clean_name(row.original_name, row.kind)
        assert data.startswith(MAGIC[row.kind]), (label, row.kind)
        new_files = set(files_in(root)) - set(files_before)
        assert len(new_files) == 1, (label, new_files)
        [stored] = new_files
        assert stored.read_bytes() == data
        assert root.resolve() in stored.resolve().parents
        assert name not in str(stored) or not name, "a stored path contains the uploaded name"
    elapsed = time.perf_counter() - started
    print(f"\nhttp: {len(cases)} hostile uploads in {elapsed:.1f} s: {accepted} accepted, {refused} refused")
    assert accepted and refused
    # No temporary file stays behind, whatever happened.
    assert all("tmp" not in p.name and not p.name.startswith(".") for p in files_in(root))


def test_accepted_polyglots_are_served_as_downloads_of_their_own_type(upload_world):
    client, entry, _root = upload_world
    sent = {"pdf": pdf_bytes() + HTML, "png": png_bytes() + b"<?php phpinfo(); ?>"}
    for data, name in [(sent["pdf"], "bericht.html"), (sent["png"], "x.php")]:
        client.post(f"/entries/{entry.id}/attachments", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    rows = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
    assert [r.kind for r in rows] == ["pdf", "png"]
    assert [r.original_name for r in rows] == ["bericht.html.pdf", "x.php.png"] or all(
        not r.original_name.endswith((".html", ".php")) for r in rows)
    for row in rows:
        response = client.get(f"/attachments/{row.id}")
        assert response.status_code == 200
        assert response.mimetype == row.content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.get_data() == sent[row.kind]

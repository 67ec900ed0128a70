"""Attachments in blind judging (issue 13, part 2): jurors of a blind edition get copies without document metadata,
made once and stored beside the original; the company and the organisers keep the original, whose SHA-256 is the
receipt's. The served bytes are read back and searched for the company's name however it is stored (compressed
XMP, UTF-16 info strings, zip members, EXIF, PNG text chunks). Before the fix the original went to blind jurors."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from pypdf import PdfReader

from competition.core.audit import AuditEvent
from competition.core.storage import get_storage
from competition.editions.phases import Phase
from competition.entries.attachments import add_attachment
from competition.entries.models import Attachment, EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from tests.conftest import PASSWORD
from tests.entries.leaky_files import EXTENSIONS, LEAKY, mentions
from tests.judging.blind_world import COMPANIES, build_blind_world

NAME = COMPANIES[0]


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def resubmit_with(world, kind: str) -> Attachment:
    """The first company replaces its PDF by a file of this kind and submits again (before the deadline)."""
    entry, owner, edition = world.entries[0], world.owners[0], world.edition
    edition.phase_override = Phase.SUBMISSION
    edition.allow_office_files = True
    entry.status = EntryStatus.SUBMITTED
    db.session.commit()
    for old in list(entry.attachments):
        old.removed_at = old.uploaded_at
    from competition.core.clock import utcnow

    attachment = add_attachment(entry=entry, stream_or_file=LEAKY[kind](NAME), filename=f"Datei.{EXTENSIONS[kind]}",
                                by=owner, now=utcnow())
    db.session.expire(entry, ["attachments"])
    version = submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
    version.submitted_at = edition.submission_deadline_at.replace(day=1)
    entry.status = EntryStatus.ELIGIBLE
    edition.phase_override = Phase.JURY
    db.session.commit()
    return attachment


@pytest.mark.parametrize("kind", sorted(LEAKY))
def test_a_blind_juror_gets_a_copy_without_the_company_in_any_metadata(client, kind):
    from competition.entries import document_metadata
    from competition.entries.models import AttachmentBlindCopy

    world = build_blind_world()
    attachment = resubmit_with(world, kind)
    original = LEAKY[kind](NAME)
    assert mentions(original, NAME)  # the file really leaks (the finder finds it)
    sign_in(client, world.juror)
    url = f"/jury/assignments/{world.assignments[0].id}/attachments/1"
    served = client.get(url + "?download=1")
    assert served.status_code == 200 and served.headers["Content-Type"] == attachment.content_type
    assert f"Anlage-1.{EXTENSIONS[kind]}" in served.headers["Content-Disposition"]
    assert NAME not in served.headers["Content-Disposition"]
    assert not mentions(served.data, NAME)
    assert served.data != original
    if kind == "pdf":
        reader = PdfReader(io.BytesIO(served.data))
        assert reader.metadata is None and reader.xmp_metadata is None and "/ID" not in reader.trailer
        assert reader.pages[0].extract_text() == "Konzept"  # the content stays
    if kind == "docx":
        with zipfile.ZipFile(io.BytesIO(served.data)) as archive:
            assert b"Konzept" in archive.read("word/document.xml") and "docProps/thumbnail.jpeg" not in \
                archive.namelist()
    # Made once, stored beside the original; a second download serves the same stored copy.
    copy = db.session.scalar(db.select(AttachmentBlindCopy))
    assert copy.attachment_id == attachment.id and copy.method == document_metadata.METHOD
    assert hashlib.sha256(served.data).hexdigest() == copy.sha256 and copy.storage_key != attachment.storage_key
    again = client.get(url)
    assert again.data == served.data and db.session.scalar(
        db.select(db.func.count()).select_from(AttachmentBlindCopy)) == 1
    client.post("/logout")

    # The original stays untouched for the company and the organisers; its SHA-256 is the receipt's.
    with get_storage().open(attachment.storage_key) as stored:
        assert stored.read() == original
    assert hashlib.sha256(original).hexdigest() == attachment.sha256
    listed = world.entries[0].latest_version.content["attachments"]
    assert [a["sha256"] for a in listed] == [attachment.sha256]
    for user in (world.owners[0], world.organiser):
        sign_in(client, user)
        assert client.get(f"/attachments/{attachment.id}").data == original
        client.post("/logout")


def test_owner_and_organiser_still_download_the_original_after_a_blind_download(client):
    world = build_blind_world()
    attachment = world.entries[0].attachments[0]
    with get_storage().open(attachment.storage_key) as stored:
        original = stored.read()
    sign_in(client, world.juror)
    assert not mentions(client.get(f"/jury/assignments/{world.assignments[0].id}/attachments/1").data, NAME)
    client.post("/logout")
    for user in (world.owners[0], world.organiser):
        sign_in(client, user)
        response = client.get(f"/attachments/{attachment.id}")
        assert response.status_code == 200 and response.data == original and mentions(response.data, NAME)
        client.post("/logout")


def test_jurors_of_an_open_edition_get_the_original(client):
    from competition.entries.models import AttachmentBlindCopy

    world = build_blind_world(blind=False)
    attachment = world.entries[0].attachments[0]
    sign_in(client, world.juror)
    served = client.get(f"/jury/assignments/{world.assignments[0].id}/attachments/1")
    assert hashlib.sha256(served.data).hexdigest() == attachment.sha256
    assert db.session.scalar(db.select(AttachmentBlindCopy)) is None


def test_if_no_clean_copy_can_be_made_nothing_is_served(client):
    """Fail closed: a stored original that no longer matches its checksum (or that the rules cannot clean) is never
    sent; the juror reads why, and the organisers find the case in the audit trail."""
    from competition.entries.models import AttachmentBlindCopy

    world = build_blind_world()
    attachment = world.entries[0].attachments[0]
    storage = get_storage()
    with storage.open(attachment.storage_key) as stored:
        original = stored.read()
    storage.put(attachment.storage_key, io.BytesIO(original + b"\n% later appended"))
    sign_in(client, world.juror)
    response = client.get(f"/jury/assignments/{world.assignments[0].id}/attachments/1?download=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Anlage gerade nicht verfügbar" in page
    assert "Das Organisationsteam ist informiert" in page and b"%PDF" not in response.data
    assert not mentions(response.data, NAME)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "attachment.blind_copy_failed"))
    assert event.object_id == attachment.id and "SHA-256" in event.data["detail"]
    assert db.session.scalar(db.select(AttachmentBlindCopy)) is None
    client.post("/logout")
    sign_in(client, world.organiser)
    audit = client.get("/organisation/audit?action=attachment.blind_copy_failed").get_data(as_text=True)
    assert "Anonymisierte Kopie einer Anlage fehlgeschlagen</strong>" in audit


def test_a_copy_by_older_rules_or_a_lost_copy_file_is_made_again(client):
    from competition.entries import document_metadata
    from competition.entries.models import AttachmentBlindCopy

    world = build_blind_world()
    url = f"/jury/assignments/{world.assignments[0].id}/attachments/1"
    sign_in(client, world.juror)
    first = client.get(url).data
    copy = db.session.scalar(db.select(AttachmentBlindCopy))
    old_key = copy.storage_key
    copy.method = "strip-0"
    db.session.commit()
    assert client.get(url).data == first  # the same rules give the same bytes
    db.session.refresh(copy)
    assert copy.method == document_metadata.METHOD and copy.storage_key != old_key
    assert not get_storage().exists(old_key)
    get_storage().delete(copy.storage_key)
    assert client.get(url).data == first
    assert db.session.scalar(db.select(db.func.count()).select_from(AttachmentBlindCopy)) == 1


def test_removing_an_attachment_removes_its_copy(client, login_as):
    from competition.core.clock import utcnow
    from competition.entries.attachments import remove_attachment
    from competition.entries.models import AttachmentBlindCopy

    world = build_blind_world()
    attachment = world.entries[0].attachments[0]
    sign_in(client, world.juror)
    client.get(f"/jury/assignments/{world.assignments[0].id}/attachments/1")
    key = db.session.scalar(db.select(AttachmentBlindCopy.storage_key))
    # Not in any submitted version any more (as if never submitted): the files go with the row.
    for version in world.entries[0].versions:
        version.content = {**version.content, "attachments": []}
    world.edition.phase_override = Phase.SUBMISSION
    world.entries[0].status = EntryStatus.SUBMITTED
    db.session.commit()
    remove_attachment(attachment=attachment, by=world.owners[0], now=utcnow())
    db.session.commit()
    assert not get_storage().exists(key) and db.session.scalar(db.select(AttachmentBlindCopy)) is None


# --- the rules themselves, against hostile files -------------------------------------------------------------------

def _strip(kind: str, data: bytes) -> bytes:  # (imports inside: the first tests also run on the code before)
    from competition.entries import document_metadata

    out = io.BytesIO()
    document_metadata.strip(kind, io.BytesIO(data), out)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(LEAKY))
def test_stripping_is_deterministic_and_leaves_a_file_that_passes_the_upload_check(kind):
    from competition.entries import filetypes

    clean = _strip(kind, LEAKY[kind]("Müller & Söhne Präzision"))
    assert clean == _strip(kind, LEAKY[kind]("Müller & Söhne Präzision"))
    assert not mentions(clean, "Müller & Söhne Präzision") and not mentions(clean, "Müller")
    assert filetypes.check_file(io.BytesIO(clean), allow_office=True).kind == kind


@pytest.mark.parametrize(("kind", "data"), [
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00"),  # truncated chunk
    ("png", b"\x89PNG\r\n\x1a\n"),  # no IEND
    ("jpeg", b"\xff\xd8\xff\xe1\xff\xff" + b"x" * 10),  # a segment longer than the file
    ("jpeg", b"\xff\xd8\x00\x00"),  # no marker
    ("pdf", b"%PDF-1.7\n%%EOF"),  # no pages
    ("docx", b"PK\x03\x04 kaputt"),
    ("xls", b"irgendwas"),  # no rules for it
])
def test_what_cannot_be_cleaned_is_refused(kind, data):
    from competition.entries import document_metadata

    with pytest.raises(document_metadata.StripFailed):
        _strip(kind, data)


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfWriter

    from competition.entries import document_metadata

    writer = PdfWriter()
    writer.add_blank_page(50, 50)
    writer.add_metadata({"/Author": NAME})
    writer.encrypt(user_password="", owner_password="geheim", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(document_metadata.StripFailed):
        _strip("pdf", buffer.getvalue())

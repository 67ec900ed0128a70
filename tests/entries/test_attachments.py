"""Attachments through the whole stack: HTTP, the content check, files on disk under UPLOAD_FOLDER, the database."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.test import EnvironBuilder, encode_multipart

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.core.errors import Locked, PermissionDenied, ValidationFailed
from competition.core.storage import get_storage
from competition.entries import attachments, services
from competition.entries.models import Attachment, EntryStatus, Question, QuestionKind
from competition.extensions import db
from tests.conftest import PASSWORD
from tests.entries.test_filetypes import (
    ELF,
    HTML,
    WINDOWS_EXE,
    docx_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    pptx_bytes,
    xlsx_bytes,
)

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def empty_upload_folder(app):
    """Every test starts with an empty upload folder, so "nothing left behind" can be checked by listing it."""
    root = Path(app.config["UPLOAD_FOLDER"])
    shutil.rmtree(root, ignore_errors=True)
    yield root


def files_in(root: Path) -> list[Path]:
    """Every file under the upload folder, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachment_rows() -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


@pytest.fixture
def applicant(make_user):
    return make_user(email="anna.schubert@praezision.example", full_name="Anna Schubert")


@pytest.fixture
def entry(make_entry, make_company, applicant):
    return make_entry(company=make_company(applicant))


@pytest.fixture
def signed_in(login_as, applicant):
    return login_as(applicant)


def upload(client, entry_id: int, data: bytes, name: str, **fields):
    return client.post(f"/entries/{entry_id}/attachments", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def edit_page(entry_id: int) -> str:
    return f"/entries/{entry_id}/edit#anlagen"


def follow(client, response) -> str:
    """What the user sees after the redirect (flash messages included); the edit page may redirect once more."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"].split("#")[0], follow_redirects=True)
    return page.get_data(as_text=True)


def set_edition(entry, **values):
    for key, value in values.items():
        setattr(entry.edition, key, value)
    db.session.commit()


# --- accepted ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "name", "kind", "content_type"), [
    (pdf_bytes, "Konzept.pdf", "pdf", "application/pdf"),
    (png_bytes, "Skizze.png", "png", "image/png"),
    (jpeg_bytes, "Foto.jpg", "jpeg", "image/jpeg"),
])
def test_valid_files_are_stored_with_size_and_checksum(signed_in, entry, empty_upload_folder, make, name, kind,
                                                       content_type):
    data = make()
    response = upload(signed_in, entry.id, data, name)
    assert response.headers["Location"] == edit_page(entry.id)
    page = follow(signed_in, response)
    assert f"Die Anlage „{name}“" in page and "wurde hochgeladen." in page

    [row] = attachment_rows()
    assert (row.original_name, row.kind, row.content_type) == (name, kind, content_type)
    assert row.size_bytes == len(data)
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.uploaded_by_id is not None and row.removed_at is None
    stored = files_in(empty_upload_folder)
    assert [p.name for p in stored] == [row.storage_key]  # one file, no temporary leftovers
    assert stored[0].read_bytes() == data
    assert name not in str(stored[0])  # the user's name never becomes a path

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment.added"))
    assert event.object_id == row.id and event.data["sha256"] == row.sha256


def attachments_part(app, entry, *, can_edit=True) -> str:
    """The partial as the entry page includes it (templates/entries/_attachments.html)."""
    from flask import render_template

    from competition.entries.attachment_views import upload_form_for

    db.session.expire_all()
    with app.test_request_context(f"/entries/{entry.id}/edit"):
        return render_template("entries/_attachments.html", entry=entry, attachments=entry.attachments,
                               can_edit=can_edit, upload_form=upload_form_for(entry))


def test_the_attachment_list_and_upload_form(app, signed_in, entry):
    data = pdf_bytes(padding=300_000)
    upload(signed_in, entry.id, data, "Übersicht März.pdf")
    row = attachment_rows()[0]
    part = attachments_part(app, entry)
    assert f'<a href="/attachments/{row.id}">Übersicht März.pdf</a>' in part
    assert f'title="{row.sha256}"' in part and f"{row.sha256[:12]}…" in part  # short, the full value for hover
    assert f'<span class="visually-hidden">{row.sha256}</span>' in part  # and for screen readers
    assert f"{round(len(data) / 1024)}\u00a0KB" in part and "<td>PDF</td>" in part
    assert f'action="/attachments/{row.id}/delete"' in part
    assert 'data-confirm="Anlage „Übersicht März.pdf“ wirklich entfernen?"' in part
    assert '<span class="visually-hidden"> Übersicht März.pdf</span>' in part  # the button's name for screen readers
    assert f'action="/entries/{entry.id}/attachments" enctype="multipart/form-data"' in part
    assert 'name="csrf_token"' in part and 'accept=".pdf,.png,.jpg,.jpeg,application/pdf' in part
    assert "Erlaubte Formate: PDF, PNG, JPEG." in part
    assert "Höchstens 20\u00a0MB je Datei und 10 Dateien mit zusammen 50\u00a0MB je Beitrag." in part
    assert "Noch frei: 9 Dateien, 49,7\u00a0MB." in part
    assert "style=" not in part and "<script" not in part  # the CSP forbids both

    readonly = attachments_part(app, entry, can_edit=False)
    assert f'href="/attachments/{row.id}"' in readonly
    assert "/delete" not in readonly and "multipart" not in readonly


def test_office_files_only_when_the_edition_allows_them(signed_in, entry):
    response = upload(signed_in, entry.id, xlsx_bytes(), "Kalkulation.xlsx")
    assert "In dieser Ausschreibung werden keine Office-Dateien angenommen" in follow(signed_in, response)
    assert attachment_rows() == []

    set_edition(entry, allow_office_files=True)
    for data, name in ((xlsx_bytes(), "Kalkulation.xlsx"), (docx_bytes(), "Text.docx"), (pptx_bytes(), "Folien.pptx")):
        assert "wurde hochgeladen" in follow(signed_in, upload(signed_in, entry.id, data, name))
    assert [a.kind for a in attachment_rows()] == ["xlsx", "docx", "pptx"]


def test_a_file_can_belong_to_a_file_question(app, signed_in, entry):
    question = Question(edition_id=entry.edition_id, kind=QuestionKind.FILE, label="Lageplan")
    db.session.add(question)
    db.session.commit()
    assert f'<option value="{question.id}">Lageplan</option>' in attachments_part(app, entry)
    upload(signed_in, entry.id, png_bytes(), "plan.png", question_id=str(question.id))
    assert attachment_rows()[0].question_id == question.id


# --- refused: type and content -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "name", "message"), [
    (b"Nur ein Text.", "notiz.txt", "Dieses Dateiformat wird nicht angenommen. Erlaubt sind: PDF, PNG, JPEG."),
    (WINDOWS_EXE, "bericht.pdf", "Die Datei ist ein ausführbares Programm und wird aus Sicherheitsgründen nicht "
                                 "angenommen."),
    (ELF, "bericht.pdf", "Die Datei ist ein ausführbares Programm"),
    (HTML, "angebot.pdf", "Die Datei ist keine gültige PDF-Datei. Bitte laden Sie die Datei erneut hoch."),
    (pdf_bytes(pages=2, padding=5000)[:-700], "abgebrochen.pdf", "Die PDF-Datei ist unvollständig oder beschädigt."),
    (b"", "leer.pdf", "Die Datei ist leer."),
], ids=["text", "windows-exe", "elf", "html-as-pdf", "truncated-pdf", "empty"])
def test_wrong_or_broken_files_are_refused_and_nothing_is_kept(signed_in, entry, empty_upload_folder, data, name,
                                                                message):
    response = upload(signed_in, entry.id, data, name)
    assert response.headers["Location"] == edit_page(entry.id)
    assert message in follow(signed_in, response)
    assert attachment_rows() == []
    assert files_in(empty_upload_folder) == []


def test_missing_file_is_explained(signed_in, entry):
    response = signed_in.post(f"/entries/{entry.id}/attachments", data={}, content_type="multipart/form-data")
    assert "Bitte wählen Sie eine Datei aus." in follow(signed_in, response)


# --- refused: caps -------------------------------------------------------------------------------------------------

class FakeBody(io.RawIOBase):
    """A request body of `length` bytes, seekable only so that EnvironBuilder can measure it."""

    def __init__(self, length: int):
        self.length, self.pos = length, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.length}[whence] + offset
        return self.pos

    def tell(self):
        return self.pos


class Unreadable(FakeBody):
    """A request body that must not be read."""

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_an_oversized_request_is_refused_by_its_content_length_without_reading_the_body(signed_in, entry):
    set_edition(entry, max_file_mb=2)
    boundary = "grenze"
    builder = EnvironBuilder(path=f"/entries/{entry.id}/attachments", method="POST",
                             input_stream=Unreadable(3 * MIB), content_type=f"multipart/form-data; boundary={boundary}")
    response = signed_in.open(builder)
    assert response.headers["Location"] == edit_page(entry.id)
    page = follow(signed_in, response)
    assert "Die Datei ist zu groß: Eine Anlage darf höchstens 2\u00a0MB groß sein." in page
    assert attachment_rows() == []


def test_a_file_over_the_per_file_cap_is_stopped_while_streaming(signed_in, entry, empty_upload_folder):
    set_edition(entry, max_file_mb=1)
    data = pdf_bytes(padding=MIB + 2000)  # over the cap, but the request is within the cap plus form overhead
    assert len(data) < MIB + 16 * 1024
    page = follow(signed_in, upload(signed_in, entry.id, data, "gross.pdf"))
    assert "Die Datei ist zu groß: Eine Anlage darf höchstens 1\u00a0MB groß sein." in page
    assert attachment_rows() == []
    assert files_in(empty_upload_folder) == []


def test_the_total_of_an_entry_is_capped(signed_in, entry, empty_upload_folder):
    set_edition(entry, max_file_mb=1, max_entry_mb=1)
    first = pdf_bytes(padding=600_000)
    assert "wurde hochgeladen" in follow(signed_in, upload(signed_in, entry.id, first, "eins.pdf"))
    page = follow(signed_in, upload(signed_in, entry.id, pdf_bytes(padding=500_000), "zwei.pdf"))
    assert "Alle Anlagen eines Beitrags zusammen dürfen höchstens 1\u00a0MB groß sein; frei sind noch" in page
    assert [a.original_name for a in attachment_rows()] == ["eins.pdf"]
    assert len(files_in(empty_upload_folder)) == 1


def test_the_number_of_files_is_capped(app, signed_in, entry):
    set_edition(entry, max_files=2)
    for name in ("a.png", "b.png"):
        upload(signed_in, entry.id, png_bytes(), name)
    page = follow(signed_in, upload(signed_in, entry.id, png_bytes(), "c.png"))
    assert "Ein Beitrag kann höchstens 2 Anlagen haben." in page
    assert len(attachment_rows()) == 2
    assert "Die Höchstzahl von 2 Anlagen ist erreicht." in attachments_part(app, entry)


def test_the_server_limit_is_explained_too(make_app, make_user, make_entry, make_company):
    small = make_app(MAX_CONTENT_LENGTH=1 * MIB)
    user = make_user()
    entry = make_entry(company=make_company(user))
    client = small.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = upload(client, entry.id, pdf_bytes(padding=2 * MIB), "gross.pdf")
    assert response.status_code == 302
    assert attachment_rows() == []


# --- refused: who and when -----------------------------------------------------------------------------------------

def test_another_companys_member_gets_403_and_nothing_is_stored(client, login_as, make_user, make_company, entry,
                                                                empty_upload_folder):
    login_as(make_company(make_user()).members[0].user)
    builder = EnvironBuilder(path=f"/entries/{entry.id}/attachments", method="POST", input_stream=Unreadable(1000),
                             content_type="multipart/form-data; boundary=x")
    assert client.open(builder).status_code == 403
    assert client.post(f"/entries/{entry.id}/attachments", data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                       content_type="multipart/form-data").status_code == 403
    assert attachment_rows() == [] and files_in(empty_upload_folder) == []


def test_anonymous_uploads_go_to_the_login(client, entry, empty_upload_folder):
    response = upload(client, entry.id, pdf_bytes(), "a.pdf")
    assert response.headers["Location"].startswith("/login?next=")
    assert attachment_rows() == [] and files_in(empty_upload_folder) == []


def test_no_upload_after_the_deadline(signed_in, entry, empty_upload_folder):
    now = utcnow()
    set_edition(entry, registration_opens_at=now - timedelta(days=30), submission_deadline_at=now - timedelta(hours=1))
    response = upload(signed_in, entry.id, pdf_bytes(), "spaet.pdf")
    assert response.headers["Location"] == edit_page(entry.id)
    assert "Die Einreichungsfrist ist abgelaufen. Der Beitrag kann nicht mehr geändert werden." in follow(
        signed_in, response)
    assert attachment_rows() == [] and files_in(empty_upload_folder) == []


def test_the_service_refuses_with_the_reason(entry, applicant, make_user):
    now = utcnow()
    with pytest.raises(PermissionDenied, match="anderen Unternehmen"):
        attachments.add_attachment(entry=entry, stream_or_file=pdf_bytes(), filename="a.pdf", by=make_user(),
                                   now=now)
    entry.status = EntryStatus.IN_REVIEW
    db.session.commit()
    with pytest.raises(Locked, match="bereits in der Prüfung"):
        attachments.add_attachment(entry=entry, stream_or_file=pdf_bytes(), filename="a.pdf", by=applicant, now=now)


def test_a_question_of_another_kind_is_refused(entry, applicant):
    question = Question(edition_id=entry.edition_id, kind=QuestionKind.SHORT_TEXT, label="Name")
    db.session.add(question)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Zu dieser Frage kann keine Datei hochgeladen werden"):
        attachments.add_attachment(entry=entry, stream_or_file=pdf_bytes(), filename="a.pdf", by=applicant,
                                   now=utcnow(), question=question)


# --- interrupted uploads and failed commits ------------------------------------------------------------------------

class CutOff(FakeBody):
    """A request body that stops part-way: it ends early (the client went away) or the connection breaks."""

    def __init__(self, body: bytes, *, at: int, breaks: bool):
        super().__init__(len(body))
        self.body, self.at, self.breaks = body, at, breaks

    def readinto(self, buffer):
        if self.pos >= self.at:
            if self.breaks:
                raise ConnectionResetError("connection reset by peer")
            return 0
        n = min(len(buffer), self.at - self.pos)
        buffer[:n] = self.body[self.pos:self.pos + n]
        self.pos += n
        return n


@pytest.mark.parametrize("breaks", [False, True], ids=["ends-early", "connection-breaks"])
def test_an_interrupted_upload_leaves_no_file_and_no_row(signed_in, entry, empty_upload_folder, breaks):
    boundary, body = encode_multipart({"file": (io.BytesIO(pdf_bytes(padding=3 * MIB)), "abbruch.pdf")})
    stream = CutOff(body, at=len(body) // 2, breaks=breaks)
    builder = EnvironBuilder(path=f"/entries/{entry.id}/attachments", method="POST", input_stream=stream,
                             content_type=f"multipart/form-data; boundary={boundary}")
    response = signed_in.open(builder)
    assert response.status_code == 400
    assert stream.pos == len(body) // 2  # the body really was being streamed when it broke off
    assert attachment_rows() == []
    assert files_in(empty_upload_folder) == []  # temporary file included


def test_file_parts_stream_into_the_storage_not_into_werkzeugs_temporary_files(signed_in, entry, monkeypatch):
    import werkzeug.formparser

    def forbidden(*args, **kwargs):
        raise AssertionError("Werkzeug's default stream factory was used")

    monkeypatch.setattr(werkzeug.formparser, "default_stream_factory", forbidden)
    assert "wurde hochgeladen" in follow(signed_in, upload(signed_in, entry.id, pdf_bytes(padding=MIB), "a.pdf"))


def test_extra_file_parts_are_not_kept(signed_in, entry, empty_upload_folder):
    response = signed_in.post(f"/entries/{entry.id}/attachments", content_type="multipart/form-data", data={
        "file": (io.BytesIO(png_bytes()), "a.png"), "other": (io.BytesIO(pdf_bytes()), "b.pdf")})
    assert response.status_code == 302
    [row] = attachment_rows()
    assert [p.name for p in files_in(empty_upload_folder)] == [row.storage_key]


def test_a_failed_commit_removes_the_stored_file(entry, applicant, empty_upload_folder):
    attachment = attachments.add_attachment(entry=entry, stream_or_file=io.BytesIO(pdf_bytes()), filename="a.pdf",
                                            by=applicant, now=utcnow())
    assert get_storage().exists(attachment.storage_key)
    clash = Attachment(entry_id=entry.id, original_name="x.pdf", content_type="application/pdf", kind="pdf",
                       size_bytes=1, sha256="0" * 64, storage_key=attachment.storage_key)
    db.session.add(clash)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert files_in(empty_upload_folder) == []


def test_a_failed_commit_in_the_view_is_explained_and_leaves_nothing(signed_in, entry, empty_upload_folder,
                                                                     monkeypatch):
    real_add = attachments.add_attachment

    def add_then_clash(**kwargs):
        attachment = real_add(**kwargs)
        db.session.add(Attachment(entry_id=attachment.entry_id, original_name="x.pdf", content_type="x", kind="pdf",
                                  size_bytes=1, sha256="0" * 64, storage_key=attachment.storage_key))
        return attachment

    monkeypatch.setattr(attachments, "add_attachment", add_then_clash)
    page = follow(signed_in, upload(signed_in, entry.id, pdf_bytes(), "a.pdf"))
    assert "Die Anlage konnte nicht gespeichert werden. Bitte versuchen Sie es erneut." in page
    assert attachment_rows() == [] and files_in(empty_upload_folder) == []


def test_csrf_is_checked_outside_tests(make_app, make_user, make_entry, make_company, empty_upload_folder):
    protected = make_app(WTF_CSRF_ENABLED=True)
    user = make_user()
    entry = make_entry(company=make_company(user))
    client = protected.test_client()

    def token(path: str) -> str:
        page = client.get(path).get_data(as_text=True)
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
        return re.search(r'value="([^"]+)"', tag).group(1)

    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token("/login")})
    response = upload(client, entry.id, pdf_bytes(), "a.pdf")
    assert "Das Formular ist abgelaufen. Bitte senden Sie es erneut ab." in follow(client, response)
    assert attachment_rows() == [] and files_in(empty_upload_folder) == []

    response = upload(client, entry.id, pdf_bytes(), "a.pdf", csrf_token=token("/account"))
    assert "wurde hochgeladen" in follow(client, response)
    [row] = attachment_rows()
    assert client.post(f"/attachments/{row.id}/delete").status_code == 400  # CSRFProtect: no token, no removal
    assert attachment_rows() == [row]


# --- downloads -----------------------------------------------------------------------------------------------------

@pytest.fixture
def stored(signed_in, entry):
    data = pdf_bytes()
    upload(signed_in, entry.id, data, "Übersicht März.pdf")
    signed_in.post("/logout")
    return attachment_rows()[0], data


def test_download_headers(client, login_as, applicant, stored):
    row, data = stored
    login_as(applicant)
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf" in disposition
    assert 'filename="Ubersicht Marz.pdf"' in disposition or "filename=Ubersicht" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Length"] == str(len(data))
    assert "no-store" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200), ("colleague", 200), ("organiser", 200), ("other company", 403), ("juror", 403),
    ("anonymous", 302),
])
def test_download_permissions(client, login_as, make_user, make_company, applicant, entry, stored, who, expected):
    row, _data = stored
    if who == "owner":
        login_as(applicant)
    elif who == "colleague":
        colleague = make_user()
        entry.company.members.append(type(entry.company.members[0])(user_id=colleague.id))
        db.session.commit()
        login_as(colleague)
    elif who == "organiser":
        login_as(make_user(roles=(Role.ORGANISER,)))
    elif who == "other company":
        login_as(make_company(make_user()).members[0].user)
    elif who == "juror":
        login_as(make_user(roles=(Role.JUROR,)))
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")
    if expected == 200:
        assert response.headers["Content-Disposition"].startswith("attachment;")


def test_download_of_a_missing_attachment_is_404(signed_in):
    assert signed_in.get("/attachments/99999").status_code == 404


# --- removing ------------------------------------------------------------------------------------------------------

def test_removing_an_attachment_no_version_lists_deletes_row_and_file(signed_in, entry, empty_upload_folder):
    upload(signed_in, entry.id, png_bytes(), "skizze.png")
    [row] = attachment_rows()
    row_id = row.id
    response = signed_in.post(f"/attachments/{row_id}/delete")
    assert response.headers["Location"] == edit_page(entry.id)
    assert "Die Anlage „skizze.png“ wurde entfernt." in follow(signed_in, response)
    db.session.expire_all()
    assert attachment_rows() == []
    assert files_in(empty_upload_folder) == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment.removed"))
    assert event.object_id == row_id and event.data["kept_for_versions"] is False


def test_removing_an_attachment_a_version_lists_keeps_it_for_the_jury(signed_in, entry, applicant,
                                                                       empty_upload_folder):
    upload(signed_in, entry.id, pdf_bytes(), "konzept.pdf")
    [row] = attachment_rows()
    version = services.submit_entry(entry=entry, consent=True, lock_version=None, by=applicant, now=utcnow())
    db.session.commit()
    assert [a["id"] for a in version.content["attachments"]] == [row.id]
    page = follow(signed_in, signed_in.post(f"/attachments/{row.id}/delete"))
    assert "In der bereits eingereichten Fassung sieht die Jury sie" in page
    db.session.expire_all()
    [kept] = attachment_rows()
    assert kept.removed_at is not None
    assert db.session.get(type(entry), entry.id).attachments == []  # gone from the working copy
    assert [p.name for p in files_in(empty_upload_folder)] == [kept.storage_key]
    assert signed_in.get(f"/attachments/{kept.id}").get_data() == pdf_bytes()  # the submitted version still shows it
    again = follow(signed_in, signed_in.post(f"/attachments/{kept.id}/delete"))
    assert "Diese Anlage wurde bereits entfernt." in again


def test_removing_is_refused_for_others_and_after_the_deadline(client, login_as, make_user, make_company, applicant,
                                                               entry, empty_upload_folder):
    login_as(applicant)
    upload(client, entry.id, png_bytes(), "a.png")
    [row] = attachment_rows()
    login_as(make_company(make_user()).members[0].user)
    assert client.post(f"/attachments/{row.id}/delete").status_code == 403
    login_as(applicant)
    now = utcnow()
    set_edition(entry, registration_opens_at=now - timedelta(days=30), submission_deadline_at=now - timedelta(hours=1))
    page = follow(client, client.post(f"/attachments/{row.id}/delete"))
    assert "Die Einreichungsfrist ist abgelaufen." in page
    assert attachment_rows() == [row] and len(files_in(empty_upload_folder)) == 1
    assert client.post("/attachments/99999/delete").status_code == 404

"""Uploads and downloads of attachments.

An upload is refused by its Content-Length before a byte of the body is read when it cannot fit (per-file cap,
what the entry has left, the server's MAX_CONTENT_LENGTH), and so is one by someone who may not change the entry.
Otherwise the multipart body is parsed here, with a stream factory that writes the file part straight into a spooled
file of the storage (hashed, counted and capped on the way): memory stays flat whatever the size, and the service
moves the checked file into place without copying it.

CSRF: the global CSRFProtect hook would parse the whole body (into /tmp) before this view could check anything,
so the upload view is exempt from that hook and the form checks its CSRF token itself (FlaskForm does, whenever
WTF_CSRF_ENABLED is on) before the service is called. A request without a valid token changes nothing.
"""

from __future__ import annotations

import errno
import logging

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..accounts.forms import ConfirmForm
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.outcomes import show_failure
from ..core.requests import arrival_time
from ..core.storage import FileTooLarge, SpooledFile, Storage, get_storage
from ..extensions import csrf, db
from . import attachments, filetypes, permissions, queries
from .models import Attachment, Entry, Question

log = logging.getLogger(__name__)
bp = Blueprint("attachments", __name__)

FORM_OVERHEAD = 16 * 1024  # multipart framing, CSRF token, field names, a long file name
MAX_FORM_PARTS = 8


class AttachmentUploadForm(FlaskForm):
    file = FileField(_l("Datei"), validators=[FileRequired(message=_l("Bitte wählen Sie eine Datei aus."))])
    question_id = SelectField(_l("Gehört zu"), choices=[SelectChoice("", _l("Allgemeine Anlage"))], default="")
    question_labels: dict[int, str] = {}  # file questions of the entry's edition, for the list of attachments


def _with_choices(form: AttachmentUploadForm, entry: Entry) -> AttachmentUploadForm:
    questions = queries.file_questions(entry.edition_id)
    form.question_id.choices = [SelectChoice("", _("Allgemeine Anlage"))] + [
        SelectChoice(str(q.id), q.label) for q in questions
    ]
    form.question_labels = {q.id: q.label for q in questions}
    return form


def upload_form_for(entry: Entry) -> AttachmentUploadForm:
    """An empty upload form for the entry page (the partial templates/entries/_attachments.html shows it)."""
    return _with_choices(AttachmentUploadForm(formdata=None), entry)


@bp.app_context_processor
def attachment_helpers():
    return {
        "attachment_types": filetypes.type_list,
        "attachment_accept": filetypes.accept_attribute,
        "attachment_size": attachments.format_size,
    }


def _entry_page(entry_id: int) -> str:
    return url_for("entries.edit_entry", entry_id=entry_id, _anchor="anlagen")


class _StreamingUpload:
    """Parses a multipart body; every file part is written straight into a spooled file of the storage."""

    def __init__(self, storage: Storage, max_bytes: int):
        self.storage = storage
        self.max_bytes = max_bytes
        self.spools: list[SpooledFile] = []

    def _stream_factory(self, total_content_length, content_type, filename, content_length=None) -> SpooledFile:
        spool = self.storage.spool(max_bytes=self.max_bytes)
        self.spools.append(spool)
        return spool

    def parse(self):
        parser = FormDataParser(
            stream_factory=self._stream_factory,
            max_form_memory_size=request.max_form_memory_size,
            max_form_parts=MAX_FORM_PARTS,
            silent=False,
        )
        _stream, form, files = parser.parse(request.stream, request.mimetype, request.content_length,
                                            request.mimetype_params)
        return CombinedMultiDict([files, form])

    def discard(self) -> None:
        for spool in self.spools:
            spool.discard()


def _server_max_bytes() -> int | None:
    limit = request.max_content_length
    return None if limit is None else max(0, limit - FORM_OVERHEAD)


def _flash_form_errors(form: AttachmentUploadForm) -> None:
    if form.errors.get("csrf_token"):
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut ab."), "error")
    for name, errors in form.errors.items():
        if name != "csrf_token":
            for error in errors:
                flash(str(error), "error")


@bp.post("/entries/<int:entry_id>/attachments")
@csrf.exempt  # the form checks the token itself, after the cheap refusals (see the module's docstring)
@login_required
def upload(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    if not permissions.is_member(current_user, entry.company):
        abort(403)
    back = _entry_page(entry.id)
    # When the upload reached the platform (before it waited for a free thread or the database; a body that trickles
    # in for longer than REQUEST_ARRIVAL_MAX_WAIT counts from that much before it is complete).
    now = arrival_time()
    reason = permissions.why_not_edit(current_user, entry, now)
    if reason is not None:
        flash(str(reason), "error")
        return redirect(back)
    allowance = attachments.allowance_for(entry, server_max_bytes=_server_max_bytes())
    try:
        allowance.refuse_if_full()
        if request.content_length is not None and request.content_length > allowance.max_bytes + FORM_OVERHEAD:
            raise allowance.too_large()  # the body is never read
    except DomainError as exc:
        show_failure(exc, rollback=False)
        return redirect(back)

    receiver = _StreamingUpload(get_storage(), allowance.max_bytes)
    try:
        try:
            formdata = receiver.parse()
        except FileTooLarge:
            raise allowance.too_large() from None
        except (ValueError, RequestEntityTooLarge):
            flash(_("Die Datei ist nicht vollständig angekommen. Bitte laden Sie sie erneut hoch."), "error")
            return redirect(back)
        form = _with_choices(AttachmentUploadForm(formdata=formdata), entry)
        if not form.validate():
            _flash_form_errors(form)
            return redirect(back)
        question = db.session.get(Question, int(form.question_id.data)) if form.question_id.data else None
        uploaded = form.file.data
        # Judged again once the file is in: the same arrival, capped by the allowed wait (see above).
        attachment = attachments.add_attachment(entry=entry, stream_or_file=uploaded, filename=uploaded.filename,
                                                by=current_user, now=arrival_time(), question=question)
        db.session.commit()
    except DomainError as exc:
        show_failure(exc)  # a file already stored goes with the transaction
        return redirect(back)
    except SQLAlchemyError:
        db.session.rollback()  # likewise: no row, no file
        log.exception("attachment of entry %s could not be saved", entry_id)
        flash(_("Die Anlage konnte nicht gespeichert werden. Bitte versuchen Sie es erneut."), "error")
        return redirect(back)
    except OSError as exc:  # the storage failed while writing (disk full, quota, I/O error): no row, no file
        db.session.rollback()
        log.exception("attachment of entry %s could not be written to the storage", entry_id)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            flash(_("Die Anlage konnte nicht gespeichert werden, weil der Speicherplatz auf dem Server erschöpft "
                    "ist. Ihr Beitrag ist unverändert. Bitte versuchen Sie es später erneut oder wenden Sie sich an "
                    "das Organisationsteam."), "error")
        else:
            flash(_("Die Anlage konnte nicht gespeichert werden. Bitte versuchen Sie es erneut."), "error")
        return redirect(back)
    finally:
        receiver.discard()  # spooled files that were not stored (extra parts, refusals, a broken connection)
    flash(_("Die Anlage „%(name)s“ (%(size)s) wurde hochgeladen.", name=attachment.original_name,
            size=attachments.format_size(attachment.size_bytes)), "success")
    return redirect(back)


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    entry = attachment.entry
    if not permissions.is_member(current_user, entry.company):
        abort(403)
    back = _entry_page(entry.id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut ab."), "error")
        return redirect(back)
    name = attachment.original_name
    try:
        kept = attachments.remove_attachment(attachment=attachment, by=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        show_failure(exc)
        return redirect(back)
    if kept:
        flash(_("Die Anlage „%(name)s“ wurde entfernt. In der bereits eingereichten Fassung sieht die Jury sie, bis "
                "Sie den Beitrag erneut einreichen.", name=name), "success")
    else:
        flash(_("Die Anlage „%(name)s“ wurde entfernt.", name=name), "success")
    return redirect(back)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    if not permissions.can_view_entry(current_user, attachment.entry):
        abort(403)
    try:
        file = get_storage().open(attachment.storage_key)
    except FileNotFoundError:
        log.error("file of attachment %s (key %s) is missing", attachment.id, attachment.storage_key)
        abort(404)
    response = send_file(file, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, conditional=False, etag=False)
    response.content_length = attachment.size_bytes
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""Use cases for attachments [Anlagen]: add one (caps, content check, storage) and remove one.

Like every service: keyword-only arguments, the acting user and `now` explicit, flush but never commit. The stored
file follows the transaction (core/storage.py): a new file goes away again unless the transaction commits, and the
file of a deleted row goes only once the deletion is committed.
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ..core import audit
from ..core.errors import Locked, PermissionDenied, ValidationFailed
from ..core.storage import (
    FileTooLarge,
    SpooledFile,
    Storage,
    delete_after_commit,
    delete_unless_committed,
    get_storage,
)
from ..extensions import db
from . import blind_copies, filetypes, permissions
from .models import Attachment, Entry, EntryVersion, Question, QuestionKind

MIB = 1024 * 1024
MAX_NAME_LENGTH = 255  # Attachment.original_name

TOO_MANY = _l("Ein Beitrag kann höchstens %(limit)s Anlagen haben. Bitte entfernen Sie zuerst eine Anlage, die Sie "
              "nicht mehr brauchen.")
FILE_TOO_LARGE = _l("Die Datei ist zu groß: Eine Anlage darf höchstens %(limit)s groß sein. Bitte verkleinern Sie die "
                    "Datei (z. B. Bilder mit geringerer Auflösung) und laden Sie sie erneut hoch.")
ENTRY_FULL = _l("Alle Anlagen eines Beitrags zusammen dürfen höchstens %(limit)s groß sein; frei sind noch %(left)s. "
                "Bitte entfernen Sie eine Anlage oder verkleinern Sie die Datei.")
NOT_A_FILE_QUESTION = _l("Zu dieser Frage kann keine Datei hochgeladen werden. Bitte laden Sie die Datei ohne "
                         "Zuordnung hoch.")
ALREADY_REMOVED = _l("Diese Anlage wurde bereits entfernt.")


def format_size(size: int) -> str:
    """1,2 MB in German, 1.2 MB in English (binary units, as Windows shows them)."""
    if size < 1024:
        return f"{format_decimal(size, '#,##0')}\u00a0B"
    if size < MIB:
        return f"{format_decimal(size / 1024, '#,##0')}\u00a0KB"
    if size < 1024 * MIB:
        return f"{format_decimal(round(size / MIB, 1), '#,##0.#')}\u00a0MB"
    return f"{format_decimal(round(size / (1024 * MIB), 1), '#,##0.#')}\u00a0GB"


# --- caps --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Allowance:
    """What an entry may still take: files, and bytes per file and in total (non-removed attachments count)."""

    max_files: int
    files_left: int
    file_bytes: int  # the cap for one file (the edition's, or the server's when that is lower)
    entry_bytes: int
    entry_bytes_left: int

    @property
    def max_bytes(self) -> int:
        """The largest file that can be added now."""
        return max(0, min(self.file_bytes, self.entry_bytes_left))

    def refuse_if_full(self) -> None:
        if self.files_left <= 0:
            raise ValidationFailed(TOO_MANY % {"limit": self.max_files}, field="file")

    def too_large(self) -> ValidationFailed:
        if self.file_bytes <= self.entry_bytes_left:
            return ValidationFailed(FILE_TOO_LARGE % {"limit": format_size(self.file_bytes)}, field="file")
        return ValidationFailed(ENTRY_FULL % {"limit": format_size(self.entry_bytes),
                                              "left": format_size(self.entry_bytes_left)}, field="file")


def allowance_for(entry: Entry, *, server_max_bytes: int | None = None) -> Allowance:
    count, total = db.session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size_bytes), 0)).where(
            Attachment.entry_id == entry.id, Attachment.removed_at.is_(None)
        )
    ).one()
    edition = entry.edition
    file_bytes = edition.max_file_mb * MIB
    if server_max_bytes is not None:
        file_bytes = min(file_bytes, server_max_bytes)
    entry_bytes = edition.max_entry_mb * MIB
    return Allowance(
        max_files=edition.max_files,
        files_left=edition.max_files - count,
        file_bytes=file_bytes,
        entry_bytes=entry_bytes,
        entry_bytes_left=max(0, entry_bytes - int(total)),
    )


# --- names -------------------------------------------------------------------------------------------------------

_RESERVED = re.compile(r'[<>:"/\\|?*]')
_KNOWN_EXTENSIONS = {ext for t in filetypes.BY_KIND.values() for ext in t.extensions}


def display_name(filename: str | None, file_type: filetypes.FileType) -> str:
    """The name shown and offered on download: the base name without control or direction characters, with an
    extension that fits the content. Never used as a path (files are stored under random keys)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))  # control, bidi, …
    name = " ".join(_RESERVED.sub("_", name).split()).strip(" .")
    stem, extension = posixpath.splitext(name)
    if extension.lower() not in file_type.extensions:
        if extension.lower() not in _KNOWN_EXTENSIONS:
            stem = name  # "Bericht v2.1" keeps its dots and gets ".pdf"
        extension = file_type.extensions[0]  # "bild.pdf" that is a PNG becomes "bild.png"
    stem = stem.strip(" .") or "Anlage"
    return stem[: MAX_NAME_LENGTH - len(extension)] + extension


# --- use cases ---------------------------------------------------------------------------------------------------

def _require_edit(user, entry: Entry, now: datetime) -> None:
    reason = permissions.why_not_edit(user, entry, now)
    if reason is None:
        return
    if not permissions.is_member(user, entry.company):
        raise PermissionDenied(reason)
    raise Locked(reason)


def _check_question(entry: Entry, question: Question | None) -> None:
    if question is None:
        return
    if (question.edition_id != entry.edition_id or question.kind is not QuestionKind.FILE
            or question.archived_at is not None):
        raise ValidationFailed(NOT_A_FILE_QUESTION, field="question_id")


def _spooled(storage: Storage, stream_or_file: Any, allowance: Allowance) -> SpooledFile:
    """The upload as a spooled file of this storage: taken as it is when the request parser already wrote it there,
    otherwise copied in chunks (stopping at the cap)."""
    if isinstance(stream_or_file, FileStorage):
        stream_or_file = stream_or_file.stream
    if isinstance(stream_or_file, bytes | bytearray | memoryview):
        stream_or_file = io.BytesIO(stream_or_file)
    if isinstance(stream_or_file, SpooledFile) and stream_or_file.owner is storage and not stream_or_file.closed:
        if stream_or_file.size > allowance.max_bytes:
            stream_or_file.discard()
            raise allowance.too_large()
        return stream_or_file
    spool = storage.spool(max_bytes=allowance.max_bytes)
    stream: BinaryIO = stream_or_file
    try:
        while chunk := stream.read(1024 * 1024):
            spool.write(chunk)
    except FileTooLarge:
        raise allowance.too_large() from None
    except BaseException:
        spool.discard()
        raise
    return spool


def _lock_entry(entry: Entry) -> None:
    """Serialise uploads to one entry so that two at once cannot both squeeze under the caps (PostgreSQL; SQLite
    serialises writers anyway)."""
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update())


def add_attachment(*, entry: Entry, stream_or_file: Any, filename: str | None, by, now: datetime,
                   question: Question | None = None) -> Attachment:
    """Check, store and record a file of an entry.

    `stream_or_file`: a spooled upload of the app's storage (moved into place without copying), a Werkzeug
    FileStorage, a binary stream or bytes. Raises PermissionDenied, Locked or ValidationFailed with the reason.
    """
    _require_edit(by, entry, now)
    _check_question(entry, question)
    allowance = allowance_for(entry)
    allowance.refuse_if_full()
    storage = get_storage()
    spool = _spooled(storage, stream_or_file, allowance)
    try:
        spool.seek(0)
        file_type = filetypes.check_file(spool, allow_office=entry.edition.allow_office_files,
                                         filename=filename or "")
        _lock_entry(entry)
        allowance = allowance_for(entry)  # again: another upload may have finished while this file was checked
        allowance.refuse_if_full()
        if spool.size > allowance.max_bytes:
            raise allowance.too_large()
        stored = storage.save(spool)
    finally:
        spool.discard()  # nothing happens once saved
    delete_unless_committed(db.session, storage, stored.key)
    attachment = Attachment(
        entry_id=entry.id,
        question_id=question.id if question is not None else None,
        original_name=display_name(filename, file_type),
        content_type=file_type.content_type,
        kind=file_type.kind,
        size_bytes=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_at=now,
        uploaded_by_id=by.id,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor=by, action="attachment.added", obj_type="attachment", obj_id=attachment.id, now=now,
                 entry_id=entry.id, name=attachment.original_name, kind=attachment.kind,
                 size_bytes=attachment.size_bytes, sha256=attachment.sha256, question_id=attachment.question_id)
    return attachment


def is_in_a_version(attachment: Attachment) -> bool:
    """Whether a submitted version of the entry lists this attachment (then its file must stay)."""
    contents = db.session.scalars(select(EntryVersion.content).where(EntryVersion.entry_id == attachment.entry_id))
    for content in contents:
        for item in (content or {}).get("attachments") or ():
            if (item.get("id") if isinstance(item, dict) else item) == attachment.id:
                return True
    return False


def remove_attachment(*, attachment: Attachment, by, now: datetime) -> bool:
    """Remove an attachment from the working copy. A file that a submitted version lists is only marked removed
    (the jury still sees it in that version); any other is deleted with its row. True if the file was kept."""
    entry = attachment.entry
    _require_edit(by, entry, now)
    if attachment.removed_at is not None:
        raise ValidationFailed(ALREADY_REMOVED)
    kept = is_in_a_version(attachment)
    details = {"entry_id": entry.id, "name": attachment.original_name, "sha256": attachment.sha256,
               "kept_for_versions": kept}
    attachment_id = attachment.id
    if kept:
        attachment.removed_at = now
    else:
        for key in (attachment.storage_key, *blind_copies.keys_of([attachment.id])):
            delete_after_commit(db.session, get_storage(), key)
        db.session.delete(attachment)
    db.session.flush()
    audit.record(actor=by, action="attachment.removed", obj_type="attachment", obj_id=attachment_id, now=now,
                 **details)
    return kept

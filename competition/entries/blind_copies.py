"""Blind copies of attachments: what jurors of a blind edition download instead of the original.

Made lazily, on the first blind download, and stored beside the original in the storage backend (one row in
`attachment_blind_copies`). Lazily, because only attachments a blind juror opens need one, because an edition can
be switched to blind judging after the submissions, because a failed copy must never block a company's
submission, and because a copy that went missing (a restore, a cleaned bucket) is simply made again. The original
stays untouched for the company and the organisers; its SHA-256 is what the receipt states, and it is checked
before a copy is made from it.

Fail closed: if anything goes wrong, `copy_for` raises BlindCopyUnavailable and the caller serves nothing.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.errors import DomainError
from ..core.storage import CHUNK_SIZE, delete_after_commit, delete_unless_committed, get_storage
from ..extensions import db
from . import document_metadata
from .models import Attachment, AttachmentBlindCopy

log = logging.getLogger(__name__)

SPOOL_IN_MEMORY = 8 * 1024 * 1024  # larger originals are worked on in a temporary file


class BlindCopyUnavailable(DomainError):
    """No copy without document metadata could be made: the original must not be served to a blind juror."""

    def __init__(self, detail: str):
        super().__init__(_l("Diese Anlage kann in der anonymen Bewertung gerade nicht geöffnet werden: Sie enthält "
                            "Dokumenteigenschaften (z. B. Autor oder Firma), die sich nicht sicher entfernen "
                            "ließen. Das Organisationsteam ist informiert und kümmert sich darum."))
        self.detail = detail


def _usable(copy: AttachmentBlindCopy | None) -> bool:
    return copy is not None and copy.method == document_metadata.METHOD and get_storage().exists(copy.storage_key)


def copy_for(attachment: Attachment, *, now: datetime) -> AttachmentBlindCopy:
    """The stored blind copy of this attachment, made now if there is none (or only one by older rules, or its
    file is gone). Flushes; the caller commits. Raises BlindCopyUnavailable."""
    existing = db.session.scalar(select(AttachmentBlindCopy).where(AttachmentBlindCopy.attachment_id == attachment.id))
    if _usable(existing):
        return existing
    storage = get_storage()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as original, \
            tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as clean:
        digest = hashlib.sha256()
        try:
            with storage.open(attachment.storage_key) as source:
                while chunk := source.read(CHUNK_SIZE):
                    digest.update(chunk)
                    original.write(chunk)
        except OSError as exc:
            raise BlindCopyUnavailable(f"original unreadable: {exc}") from exc
        if digest.hexdigest() != attachment.sha256:
            raise BlindCopyUnavailable("original does not match its SHA-256")
        original.seek(0)
        try:
            document_metadata.strip(attachment.kind, original, clean)
        except document_metadata.StripFailed as exc:
            raise BlindCopyUnavailable(str(exc)) from exc
        clean.seek(0)
        stored = storage.save(clean)
    delete_unless_committed(db.session, storage, stored.key)
    if existing is not None:
        delete_after_commit(db.session, storage, existing.storage_key)
        existing.storage_key, existing.size_bytes, existing.sha256 = stored.key, stored.size, stored.sha256
        existing.method, existing.created_at = document_metadata.METHOD, now
        db.session.flush()
        return existing
    copy = AttachmentBlindCopy(attachment_id=attachment.id, storage_key=stored.key, size_bytes=stored.size,
                               sha256=stored.sha256, method=document_metadata.METHOD, created_at=now)
    try:
        with db.session.begin_nested():  # two jurors at once: the second takes the first one's copy
            db.session.add(copy)
    except IntegrityError:
        storage.delete(stored.key)
        winner = db.session.scalar(select(AttachmentBlindCopy)
                                   .where(AttachmentBlindCopy.attachment_id == attachment.id))
        if winner is None:
            raise BlindCopyUnavailable("copy vanished") from None
        return winner
    return copy


def keys_of(attachment_ids) -> list[str]:
    """Storage keys of the blind copies of these attachments (a list of ids or a select of them), so that whoever
    deletes the attachments deletes their copies' files too."""
    return list(db.session.scalars(select(AttachmentBlindCopy.storage_key)
                                   .where(AttachmentBlindCopy.attachment_id.in_(attachment_ids))))

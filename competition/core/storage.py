"""Where uploaded files live: one small interface, and the local folder behind it.

A file is written to a temporary file in the storage's own filesystem while it streams in (never held in memory),
hashed and counted on the way, cut off as soon as it passes its byte cap, flushed to disk with ``fsync`` and only
then moved into place under a random key with ``os.replace``. Whatever goes wrong, the temporary file is removed;
if the process itself is killed mid-upload, the next worker to start removes it (``remove_stale_temporaries``).

Files follow the database transaction (see ``delete_unless_committed`` and ``delete_after_commit``): a new file
disappears again when the transaction that refers to it is rolled back, and a file whose row is deleted goes only
once that deletion is committed. So a file and its row appear together or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

log = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024  # bytes read and written at a time when copying a stream
_KEY = re.compile(r"[0-9a-f]{32}")
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "host"
_TEMP_NAME = re.compile(r"upload-(\d+)@([A-Za-z0-9._]+)-[^-]+\.part")
STALE_TEMP_SECONDS = 24 * 3600  # a temporary file this old is abandoned, whoever wrote it


class FileTooLarge(Exception):
    """The stream went past its byte cap; reading stopped there and nothing was kept.

    Deliberately not a ValueError: Werkzeug's form parser would swallow that and report an empty form.
    """

    def __init__(self, limit: int):
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class SpooledFile:
    """A file being received: a temporary file next to the stored ones that hashes, counts and caps what is
    written to it. It can be read back (for the content check) and then saved without copying.

    Werkzeug's multipart parser writes uploads straight into one of these (see ``Storage.spool``).
    """

    def __init__(self, directory: Path, *, max_bytes: int | None, owner: object):
        directory.mkdir(parents=True, exist_ok=True)
        # The name says which process writes it, so that a process killed mid-upload can be cleaned up after.
        fd, name = tempfile.mkstemp(dir=directory, prefix=f"upload-{os.getpid()}@{_HOST}-", suffix=".part")
        self.path = Path(name)
        self.max_bytes = max_bytes
        self.size = 0
        self.owner = owner
        self.saved = False
        self._hash = hashlib.sha256()
        try:
            self._file = os.fdopen(fd, "w+b")
        except BaseException:
            os.close(fd)
            self.path.unlink(missing_ok=True)
            raise

    # --- writing (hashes, counts, enforces the cap) ---

    def write(self, data: bytes) -> int:
        size = len(data)
        if self.max_bytes is not None and self.size + size > self.max_bytes:
            self.discard()
            raise FileTooLarge(self.max_bytes)
        self._file.write(data)
        self._hash.update(data)
        self.size += size
        return size

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    # --- reading back (pypdf, Pillow and zipfile need a seekable binary file) ---

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readinto(self, buffer) -> int:
        return self._file.readinto(buffer)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        self._file.flush()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return not self.closed

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        """Closing an unsaved spool throws it away (Werkzeug closes uploaded files at the end of a request)."""
        self.discard()

    def discard(self) -> None:
        """Remove the temporary file (nothing happens once the file has been saved)."""
        if not self._file.closed:
            self._file.close()
        if not self.saved:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> SpooledFile:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def _finish(self) -> None:
        """Make the bytes durable before the file is moved into place."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


def spool_stream(storage, stream: BinaryIO | SpooledFile, *, max_bytes: int | None = None) -> SpooledFile:
    """The stream as a spooled file of `storage` (hashed and capped): a spool of the same storage is taken as it
    is, anything else is copied in chunks. A spool over the cap, or a failed copy, is discarded."""
    if isinstance(stream, SpooledFile) and stream.owner is storage and not stream.closed:
        if max_bytes is not None and stream.size > max_bytes:
            stream.discard()
            raise FileTooLarge(max_bytes)
        return stream
    spool = storage.spool(max_bytes=max_bytes)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    return spool


class Storage(Protocol):
    """What the app needs from a file store. Keys are opaque; original names never reach the store."""

    def spool(self, *, max_bytes: int | None = None) -> SpooledFile:
        """A temporary file to stream an upload into; ``save`` adopts it without copying."""

    def save(self, stream: BinaryIO | SpooledFile, *, max_bytes: int | None = None) -> StoredFile:
        """Store a stream (read in chunks) under a new random key. Raises FileTooLarge past ``max_bytes``."""

    def open(self, key: str) -> BinaryIO:
        """The stored file, open for reading. Raises FileNotFoundError."""

    def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def iter_keys(self) -> Iterator[str]:
        """Every stored key (for backups), in no particular order."""

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        """Store a stream under the given key (restoring a backup); replaces a file with that key."""


class LocalStorage:
    """Files in a folder of the local filesystem (outside ``static/``): ``<root>/ab/cd/abcd…`` (32 hex digits),
    temporary files in ``<root>/.tmp`` so that the final ``os.replace`` never crosses filesystems."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.temp_dir = self.root / ".tmp"

    def spool(self, *, max_bytes: int | None = None) -> SpooledFile:
        return SpooledFile(self.temp_dir, max_bytes=max_bytes, owner=self)

    def save(self, stream: BinaryIO | SpooledFile, *, max_bytes: int | None = None) -> StoredFile:
        spool = spool_stream(self, stream, max_bytes=max_bytes)
        try:
            spool._finish()
            key = secrets.token_hex(16)
            target = self._path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spool.path, target)
            spool.saved = True
            _fsync_directory(target.parent)
        except BaseException:
            spool.discard()
            raise
        return StoredFile(key=key, size=spool.size, sha256=spool.sha256)

    def remove_stale_temporaries(self, *, max_age: float = STALE_TEMP_SECONDS) -> int:
        """Remove temporary files that no running upload owns: those of processes on this host that have ended
        (a worker killed mid-upload never reaches its own clean-up) and any older than ``max_age`` seconds (another
        host's, sharing this folder). Called when a worker starts (gunicorn.conf.py). Returns how many went."""
        removed = 0
        try:
            candidates = list(self.temp_dir.iterdir())
        except FileNotFoundError:
            return 0
        oldest = time.time() - max_age
        for path in candidates:
            match = _TEMP_NAME.fullmatch(path.name)
            try:
                abandoned = (match is not None and match.group(2) == _HOST and not _process_exists(int(match.group(1)))
                             ) or path.stat().st_mtime < oldest
                if abandoned and path.is_file():
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished (or cleaned) meanwhile
                continue
        return removed

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def iter_keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            if path.is_file() and _KEY.fullmatch(path.name) and path.name[:2] == path.parent.parent.name \
                    and path.name[2:4] == path.parent.name:
                yield path.name

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        target = self._path(key)
        spool = spool_stream(self, stream)
        try:
            spool._finish()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spool.path, target)
            spool.saved = True
            _fsync_directory(target.parent)
        except BaseException:
            spool.discard()
            raise
        return StoredFile(key=key, size=spool.size, sha256=spool.sha256)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):  # keys are ours; anything else must never become a path
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _fsync_directory(path: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def get_storage() -> Storage:
    """The app's storage, bound in create_app."""
    return current_app.extensions["storage"]


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """The backend named by STORAGE_BACKEND: "local" (UPLOAD_FOLDER) or "s3" (S3_BUCKET, see s3_storage.py)."""
    backend = (config.get("STORAGE_BACKEND") or "local").strip().lower()
    if backend == "local":
        return LocalStorage(config["UPLOAD_FOLDER"])
    if backend == "s3":
        from .s3_storage import S3Storage

        if not config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET.")
        return S3Storage(bucket=config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL") or None,
                         region=config.get("S3_REGION") or None, prefix=config.get("S3_PREFIX") or "")
    raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}.")


# --- files follow the database transaction -------------------------------------------------------------------------

_ADDED = "storage.added"  # (storage, key): delete unless the transaction commits
_DOOMED = "storage.doomed"  # (storage, key): delete once the transaction has committed


def delete_unless_committed(session: Session | scoped_session, storage: Storage, key: str) -> None:
    """A file written for a row of this transaction: removed again if the transaction does not commit."""
    session = session() if isinstance(session, scoped_session) else session
    if not session.in_transaction():
        session.begin()  # so that the end of *this* transaction decides
    session.info.setdefault(_ADDED, []).append((storage, key))


def delete_after_commit(session: Session | scoped_session, storage: Storage, key: str) -> None:
    """A file whose row this transaction deletes: removed only once the deletion is committed."""
    session = session() if isinstance(session, scoped_session) else session
    session.info.setdefault(_DOOMED, []).append((storage, key))


def _delete_all(pending: list[tuple[Storage, str]]) -> None:
    for storage, key in pending:
        try:
            storage.delete(key)
        except OSError:  # the row is gone or never was: an orphaned file costs only space
            log.exception("could not delete stored file %s", key)


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    session.info.pop(_ADDED, None)
    _delete_all(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _files_after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint; the outer transaction decides
        return
    # Still listed after the end of the outer transaction means it did not commit (rollback, failed commit, close).
    _delete_all(session.info.pop(_ADDED, []))
    session.info.pop(_DOOMED, None)

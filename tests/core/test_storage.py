"""Local file storage: streamed in chunks, hashed and capped on the way, durable, and tied to the transaction."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from competition.core import storage as storage_module
from competition.core.storage import (
    CHUNK_SIZE,
    FileTooLarge,
    LocalStorage,
    delete_after_commit,
    delete_unless_committed,
    get_storage,
)
from competition.extensions import db


@pytest.fixture
def store(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "uploads")


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class CountingStream(io.RawIOBase):
    """A stream of `size` bytes that records how much each read asked for and got."""

    def __init__(self, size: int, *, fail_after: int | None = None):
        self.remaining = size
        self.fail_after = fail_after
        self.delivered = 0
        self.largest_read = 0

    def readable(self):
        return True

    def read(self, n=-1):
        if self.fail_after is not None and self.delivered >= self.fail_after:
            raise OSError("connection reset by peer")
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        self.remaining -= n
        self.delivered += n
        self.largest_read = max(self.largest_read, n)
        return b"\xab" * n


def test_save_streams_in_chunks_and_records_size_and_hash(store):
    data = os.urandom(3 * CHUNK_SIZE + 123)
    stored = store.save(io.BytesIO(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert len(stored.key) == 32
    path = store.root / stored.key[:2] / stored.key[2:4] / stored.key
    assert path.read_bytes() == data
    assert all_files(store.root) == [path]  # no temporary file left behind

    counting = CountingStream(5 * CHUNK_SIZE)
    store.save(counting)
    assert counting.largest_read == CHUNK_SIZE  # never the whole file at once


def test_reading_back(store):
    stored = store.save(io.BytesIO(b"Inhalt"))
    assert store.exists(stored.key)
    assert store.size(stored.key) == 6
    with store.open(stored.key) as f:
        assert f.read() == b"Inhalt"
    store.delete(stored.key)
    assert not store.exists(stored.key)
    store.delete(stored.key)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        store.open(stored.key)


def test_keys_are_random_and_never_paths(store):
    keys = {store.save(io.BytesIO(b"x")).key for _ in range(20)}
    assert len(keys) == 20
    for bad in ("../../etc/passwd", "/etc/passwd", "ABCDEF" * 6, "", "0" * 31):
        with pytest.raises(ValueError):
            store.open(bad)
        with pytest.raises(ValueError):
            store.delete(bad)


def test_the_cap_stops_reading_early_and_leaves_nothing(store):
    stream = CountingStream(50 * CHUNK_SIZE)
    with pytest.raises(FileTooLarge) as caught:
        store.save(stream, max_bytes=2 * CHUNK_SIZE + 10)
    assert caught.value.limit == 2 * CHUNK_SIZE + 10
    assert stream.delivered <= 3 * CHUNK_SIZE  # stopped at the cap, not at the end of the stream
    assert all_files(store.root) == []


def test_exactly_at_the_cap_is_fine(store):
    assert store.save(io.BytesIO(b"x" * 100), max_bytes=100).size == 100


def test_a_failing_stream_leaves_no_temporary_file(store):
    with pytest.raises(OSError, match="connection reset"):
        store.save(CountingStream(10 * CHUNK_SIZE, fail_after=3 * CHUNK_SIZE))
    assert all_files(store.root) == []


def test_a_failing_rename_leaves_no_temporary_file(store, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(io.BytesIO(b"x" * 1000))
    assert all_files(store.root) == []


def test_the_file_is_fsynced_before_it_is_moved_into_place(store, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(storage_module.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(storage_module.os, "replace",
                        lambda src, dst: (events.append("replace"), real_replace(src, dst))[1])
    store.save(io.BytesIO(b"dauerhaft"))
    assert events[:2] == ["fsync", "replace"]


def test_a_spooled_upload_is_hashed_while_written_and_saved_without_copying(store):
    spool = store.spool(max_bytes=1000)
    for part in (b"Teil 1, ", b"Teil 2"):
        spool.write(part)
    assert spool.size == 14
    assert spool.sha256 == hashlib.sha256(b"Teil 1, Teil 2").hexdigest()
    assert spool.path.parent == store.temp_dir
    spool.seek(0)
    assert spool.read() == b"Teil 1, Teil 2"  # readable for the content check
    inode = spool.path.stat().st_ino
    stored = store.save(spool)
    with store.open(stored.key) as f:
        assert os.fstat(f.fileno()).st_ino == inode  # moved, not copied
    assert stored.sha256 == spool.sha256
    assert not spool.path.exists()
    spool.discard()  # harmless once saved
    assert store.exists(stored.key)


def test_a_spool_past_its_cap_removes_itself(store):
    spool = store.spool(max_bytes=10)
    spool.write(b"12345")
    with pytest.raises(FileTooLarge):
        spool.write(b"678901")
    assert all_files(store.root) == []


def test_a_discarded_spool_leaves_nothing(store):
    spool = store.spool()
    spool.write(b"halb")
    spool.discard()
    assert all_files(store.root) == []


def test_the_app_binds_a_local_storage_to_its_upload_folder(app):
    storage = get_storage()
    assert storage is app.extensions["storage"]
    assert isinstance(storage, LocalStorage)
    assert storage.root == Path(app.config["UPLOAD_FOLDER"])
    assert "static" not in storage.root.parts


# --- files follow the transaction ----------------------------------------------------------------------------------

def _stored_in_transaction(store) -> str:
    db.session.execute(text("SELECT 1"))
    key = store.save(io.BytesIO(b"neu")).key
    delete_unless_committed(db.session, store, key)
    return key


def test_a_new_file_goes_away_when_its_transaction_rolls_back(store):
    key = _stored_in_transaction(store)
    db.session.rollback()
    assert not store.exists(key)


def test_a_new_file_goes_away_when_the_session_is_closed_without_commit(store):
    key = _stored_in_transaction(store)
    db.session.close()
    assert not store.exists(key)


def test_a_new_file_stays_when_its_transaction_commits(store):
    key = _stored_in_transaction(store)
    db.session.commit()
    db.session.rollback()  # a later transaction's end does not touch it
    assert store.exists(key)


def test_a_doomed_file_goes_only_after_the_commit(store):
    key = store.save(io.BytesIO(b"alt")).key
    db.session.execute(text("SELECT 1"))
    delete_after_commit(db.session, store, key)
    db.session.rollback()
    assert store.exists(key)  # the deletion was rolled back, so the file stays

    db.session.execute(text("SELECT 1"))
    delete_after_commit(db.session, store, key)
    assert store.exists(key)
    db.session.commit()
    assert not store.exists(key)

"""The database goes away between two requests and comes back: the next request works, nothing is lost.

PostgreSQL: the server ends the app's connections (pg_terminate_backend, as on a restart or a fail-over). The pool
would hand out a dead connection unless it pings first (SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}).
SQLite has no server to lose; what takes it away in practice is another process holding the file locked (a backup,
a bulk import): a request in that time waits for the lock instead of failing, and saves once the file is free.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from competition.entries.models import Entry
from competition.extensions import db


def core_form(entry: Entry, **changes) -> dict:
    data = {name: getattr(entry, name) or "" for name in
            ("title", "summary", "description", "implementation", "regional_benefit", "sustainability")}
    data.update(video_url="", lock_version=entry.lock_version, **changes)
    return data


def _terminate_other_connections() -> int:
    """End every other session on the test database, from a connection outside the app's pool."""
    engine = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).scalar_one()
    finally:
        engine.dispose()


def _postgresql_goes_away() -> None:
    # Proof that ending the sessions is real: a pool without pre-ping hands out a dead connection afterwards.
    unpinged = sa.create_engine(db.engine.url, pool_pre_ping=False)
    try:
        with unpinged.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert _terminate_other_connections() >= 2  # the app's pooled connection and this one
        with pytest.raises(sa.exc.OperationalError), unpinged.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        unpinged.dispose()


def _sqlite_locked_for(seconds: float) -> threading.Thread:
    """Another process's view: an exclusive lock on the database file, released after `seconds`."""
    locked = threading.Event()
    path = db.engine.url.database

    def hold() -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(5)
    # While it holds, nobody else can write (readers still read: the database runs in WAL mode).
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert probe.execute("SELECT count(*) FROM entries").fetchone()[0] >= 1
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        probe.execute("BEGIN IMMEDIATE")
    probe.close()
    return thread


def test_database_goes_away_between_requests_and_the_next_request_works(app, client, login_as, applicant,
                                                                           entry):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True
    login_as(applicant)
    assert entry.title in client.get(f"/entries/{entry.id}").get_data(as_text=True)
    db.session.remove()  # the test's own session gives its connection back to the pool, like a finished request

    holder = None
    if db.engine.dialect.name == "postgresql":
        _postgresql_goes_away()
    else:
        holder = _sqlite_locked_for(1.0)

    started = time.monotonic()
    saved = client.post(f"/entries/{entry.id}/edit", data=core_form(entry, title="Adaptive Spannvorrichtung 2"))
    if holder is not None:
        holder.join()
        assert time.monotonic() - started >= 0.9  # it waited for the lock rather than failing
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert saved.headers["Location"] == f"/entries/{entry.id}/edit"
    page = client.get(f"/entries/{entry.id}")
    assert page.status_code == 200 and "Adaptive Spannvorrichtung 2" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).title == "Adaptive Spannvorrichtung 2"
    assert client.get("/healthz").status_code == 200

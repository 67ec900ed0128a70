"""The database part of a backup (``backup.py``): dumping it (SQLite's online backup API, ``pg_dump``) and restoring
it (``pg_restore``), and the error a refused backup or restore raises."""

from __future__ import annotations

import os
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore/psql, argument lists, no shell
from pathlib import Path

from sqlalchemy.engine import URL

from ..extensions import db


class BackupError(Exception):
    """A backup or restore was refused; the message (German) says why and what to do. Exit code 2."""


def _pg_env(url: URL) -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore: the password goes in the environment, never on the command line."""
    env = dict(os.environ)
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if key in url.query:
            value = url.query[key]
            env[variable] = value if isinstance(value, str) else value[0]
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} wurde nicht gefunden. Bitte installieren Sie die PostgreSQL-Client-"
                          f"Programme in der Version des Servers.") from None
    if result.returncode != 0:
        raise BackupError(f"{what} ist fehlgeschlagen: {result.stderr.strip()[-2000:]}")


def dump_database(dialect: str, target: Path) -> None:
    if dialect == "sqlite":
        raw = db.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(destination)  # online backup API: a consistent copy, WAL included
                # The copy is one self-contained file (no -wal beside it in the archive), whatever the source's mode.
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
        finally:
            raw.close()
    elif dialect == "postgresql":
        env = _pg_env(db.engine.url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], env, "pg_dump")
    else:
        raise BackupError(f"Datenbank „{dialect}“ wird für Backups nicht unterstützt (nur SQLite und PostgreSQL).")


def restore_database(dialect: str, dump: Path) -> None:
    db.session.remove()
    if dialect == "sqlite":
        source = sqlite3.connect(dump)
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)  # replaces the (empty) target database page by page
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # the target keeps running in WAL mode
        finally:
            raw.close()
            source.close()
    else:
        env = _pg_env(db.engine.url)
        db.engine.dispose()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
              "--exit-on-error", f"--dbname={env.get('PGDATABASE', '')}", str(dump)], env, "pg_restore")
    db.engine.dispose()

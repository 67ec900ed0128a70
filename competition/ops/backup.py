"""Backup and restore: the database and the attachment store in one ``.tar.gz`` with a manifest of checksums.

Archive layout::

    manifest.json            format, versions, dialect, Alembic revision, every member's size and SHA-256,
                             the SHA-256 of every frozen ranking snapshot
    database.sqlite          SQLite: a consistent copy made with sqlite3's online backup API
    database.pgdump          PostgreSQL: ``pg_dump --format=custom``
    storage/<key>            every file of the attachment store (local folder or S3 bucket), under its key

Consistency: stored files are immutable and written before the row that refers to them is committed, and deleted
only after the deletion is committed. So the database is dumped first and the files are listed afterwards: every
file a dumped row refers to is still there (unless deleted in between; that is reported).

Restore goes only into an empty installation (no rows in any table, no stored files): it never overwrites data.
Every checksum is verified before anything is written; afterwards every attachment's SHA-256 and every frozen
ranking's hash are checked against the restored database. The database dump and restore are in ``dumps.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text

from ..core.storage import CHUNK_SIZE, Storage
from ..extensions import db
from .dumps import BackupError, dump_database, restore_database

FORMAT = "competition-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
_MEMBER = re.compile(r"(database\.sqlite|database\.pgdump|storage/[0-9a-f]{32})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


# --- helpers --------------------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_hashing(source, target: Path, limit: int | None = None) -> tuple[str, int]:
    """Copy while hashing. With ``limit``, never write more than ``limit`` bytes: reading stops one byte past it
    and the size returned is then ``limit + 1`` (the caller refuses the member)."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK_SIZE if limit is None else min(CHUNK_SIZE, limit + 1 - size)):
            if limit is not None and size + len(chunk) > limit:
                return digest.hexdigest(), limit + 1
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def app_version() -> str:
    try:
        return metadata.version("competition")
    except metadata.PackageNotFoundError:
        return "unknown"


def alembic_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


# --- backup ---------------------------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    dialect: str
    files: int
    bytes: int
    snapshots: int
    missing_files: list[str]


def create_backup(*, out: Path, storage: Storage, now: datetime) -> BackupResult:
    from ..entries.models import Attachment
    from ..rankings.models import RankingSnapshot

    dialect = db.engine.dialect.name
    if dialect not in DATABASE_MEMBERS:
        raise BackupError(f"Datenbank „{dialect}“ wird für Backups nicht unterstützt (nur SQLite und PostgreSQL).")
    out = out.resolve()
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} ist ein Verzeichnis. Bitte geben Sie einen Dateinamen an, z. B. backup.tar.gz.")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Snapshots are immutable: those listed now are all in the dump taken next.
    snapshots = [{"id": i, "sha256": h} for i, h in
                 db.session.execute(select(RankingSnapshot.id, RankingSnapshot.sha256).order_by(RankingSnapshot.id))]
    revision = alembic_revision()
    db.session.rollback()

    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as work:
        work_dir = Path(work)
        members: list[dict[str, Any]] = []
        db_name = DATABASE_MEMBERS[dialect]
        dump_database(dialect, work_dir / db_name)
        digest, size = _sha256_file(work_dir / db_name)
        members.append({"path": db_name, "sha256": digest, "size": size})

        (work_dir / "storage").mkdir()
        for key in sorted(storage.iter_keys()):
            try:
                with storage.open(key) as source:
                    digest, size = _copy_hashing(source, work_dir / "storage" / key)
            except FileNotFoundError:  # deleted after being listed: its row is gone as well
                (work_dir / "storage" / key).unlink(missing_ok=True)
                continue
            members.append({"path": f"storage/{key}", "sha256": digest, "size": size})

        stored = {m["path"].removeprefix("storage/") for m in members}
        referenced = set(db.session.scalars(select(Attachment.storage_key)))
        db.session.rollback()
        missing = sorted(referenced - stored)

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "app_version": app_version(),
            "database": {"dialect": dialect, "path": db_name},
            "alembic_revision": revision,
            "storage_backend": type(storage).__name__,
            "files": members,
            "ranking_snapshots": snapshots,
            "missing_attachment_files": missing,
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")

        partial = work_dir / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            for name in [MANIFEST] + [m["path"] for m in members]:  # the manifest first
                archive.add(work_dir / name, arcname=name, recursive=False, filter=_plain_member)
        os.chmod(partial, 0o600)  # personal data and business secrets
        os.replace(partial, out)
    total = sum(m["size"] for m in members)
    return BackupResult(path=out, dialect=dialect, files=len(members) - 1, bytes=total, snapshots=len(snapshots),
                        missing_files=missing)


def _plain_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


# --- restore --------------------------------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    dialect: str
    files: int
    attachments_ok: int = 0
    attachments_bad: list[str] = field(default_factory=list)
    snapshots_ok: int = 0
    snapshots_bad: list[str] = field(default_factory=list)
    revision: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.attachments_bad and not self.snapshots_bad


CORRUPT = ("Das Archiv ist beschädigt ({detail}). Es wurde nichts verändert. Bitte verwenden Sie ein anderes "
           "Backup oder erstellen Sie es neu.")
FOREIGN = ("Die Datei ist kein Backup dieser Plattform ({detail}). Es wurde nichts verändert. Backups erstellt "
           "„flask ops backup --out DATEI“.")


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        first = archive.next()
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise BackupError(FOREIGN.format(detail=f"kein lesbares tar.gz-Archiv: {error}")) from None
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError(FOREIGN.format(detail="manifest.json fehlt"))
    try:
        manifest = json.loads(archive.extractfile(first).read(1024 * 1024 * 64).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, tarfile.TarError, zlib.error, EOFError, OSError):
        raise BackupError(FOREIGN.format(detail="manifest.json ist kein gültiges JSON")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(FOREIGN.format(detail="unbekanntes Format im Manifest"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Das Backup hat die Formatversion {manifest.get('format_version')!r}; diese Version der "
                          f"Plattform liest nur Version {FORMAT_VERSION}. Es wurde nichts verändert.")
    files = manifest.get("files")
    database = manifest.get("database")
    if not isinstance(files, list) or not isinstance(database, dict) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and _MEMBER.fullmatch(f["path"])
        and isinstance(f.get("sha256"), str) and _SHA256.fullmatch(f["sha256"])
        and isinstance(f.get("size"), int) and f["size"] >= 0 for f in files
    ) or database.get("path") not in {f["path"] for f in files} or len({f["path"] for f in files}) != len(files):
        raise BackupError(FOREIGN.format(detail="das Manifest ist unvollständig oder ungültig"))
    snapshots = manifest.get("ranking_snapshots", [])
    if not isinstance(snapshots, list) or not all(isinstance(s, dict) and isinstance(s.get("id"), int)
                                                  and isinstance(s.get("sha256"), str) for s in snapshots):
        raise BackupError(FOREIGN.format(detail="die Liste der Ranglisten im Manifest ist ungültig"))
    return manifest


def extract_verified(path: Path, work_dir: Path) -> dict[str, Any]:
    """Read the manifest, extract every listed member into work_dir and check sizes and SHA-256; refuse anything
    else. Nothing outside work_dir is touched."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with block below
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise BackupError(FOREIGN.format(detail=f"kein lesbares tar.gz-Archiv: {error}")) from None
    with archive:
        manifest = read_manifest(archive)
        expected = {f["path"]: f for f in manifest["files"]}
        _check_room(work_dir, sum(f["size"] for f in manifest["files"]))
        seen: set[str] = set()
        try:
            for member in _members(archive):
                if member.name not in expected or member.name in seen or not member.isfile():
                    raise BackupError(CORRUPT.format(detail=f"unerwarteter Eintrag „{member.name}“"))
                listed = expected[member.name]["size"]
                if member.size != listed:  # e.g. a member that unpacks to far more than the manifest says
                    raise BackupError(CORRUPT.format(detail=f"Größe von „{member.name}“ stimmt nicht"))
                target = work_dir / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                # Compared and hashed while streaming: never more than the manifest's size is written.
                digest, size = _copy_hashing(archive.extractfile(member), target, limit=listed)
                if size != listed:
                    raise BackupError(CORRUPT.format(detail=f"Größe von „{member.name}“ stimmt nicht"))
                if digest != expected[member.name]["sha256"]:
                    raise BackupError(CORRUPT.format(detail=f"Prüfsumme von „{member.name}“ stimmt nicht"))
                seen.add(member.name)
        except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
            raise BackupError(CORRUPT.format(detail=str(error) or type(error).__name__)) from None
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(CORRUPT.format(detail=f"{len(missing)} Datei(en) fehlen, z. B. „{missing[0]}“"))
    return manifest


def _check_room(work_dir: Path, needed: int) -> None:
    """Refuse before unpacking when the temporary folder cannot hold what the manifest lists."""
    if needed < 0:
        raise BackupError(FOREIGN.format(detail="das Manifest nennt eine negative Größe"))
    free = shutil.disk_usage(work_dir).free
    if needed > free:
        raise BackupError(f"Für das Entpacken fehlt Platz: das Backup braucht {needed // 2**20} MiB, im temporären "
                          f"Ordner {work_dir.parent} sind {free // 2**20} MiB frei. Es wurde nichts verändert. Bitte "
                          f"schaffen Sie Platz oder setzen Sie TMPDIR auf einen Ordner mit genug Platz.")


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while (member := archive.next()) is not None:
        yield member


def installation_problems(storage: Storage) -> list[str]:
    """Why the target is not empty: tables with rows, stored files."""
    problems, filled = [], []
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        quoted = db.engine.dialect.identifier_preparer.quote(table)
        if db.session.scalar(text(f"SELECT 1 FROM {quoted} LIMIT 1")):  # noqa: S608  # nosec B608  # a real, quoted table name
            filled.append(table)
    db.session.rollback()
    if filled:
        more = f" und {len(filled) - 3} weitere" if len(filled) > 3 else ""
        problems.append("Tabellen mit Daten: " + ", ".join(filled[:3]) + more)
    if next(iter(storage.iter_keys()), None) is not None:
        problems.append("der Dateispeicher enthält Dateien")
    return problems


def verify_installation(manifest: dict[str, Any], storage: Storage, result: RestoreResult) -> None:
    from ..entries.models import Attachment
    from ..rankings.models import RankingSnapshot
    from ..rankings.services import verify_snapshot

    for attachment in db.session.scalars(select(Attachment).order_by(Attachment.id)):
        try:
            with storage.open(attachment.storage_key) as f:
                digest = hashlib.sha256()
                while chunk := f.read(CHUNK_SIZE):
                    digest.update(chunk)
        except FileNotFoundError:
            result.attachments_bad.append(f"Anlage {attachment.id}: Datei fehlt")
            continue
        if digest.hexdigest() == attachment.sha256:
            result.attachments_ok += 1
        else:
            result.attachments_bad.append(f"Anlage {attachment.id}: SHA-256 weicht ab")
    for item in manifest.get("ranking_snapshots", []):
        snapshot = db.session.get(RankingSnapshot, item["id"])
        if snapshot is None:
            result.snapshots_bad.append(f"Rangliste {item['id']}: fehlt")
        elif snapshot.sha256 != item["sha256"] or not verify_snapshot(snapshot):
            result.snapshots_bad.append(f"Rangliste {item['id']}: Hash weicht ab")
        else:
            result.snapshots_ok += 1
    result.revision = alembic_revision()
    db.session.rollback()


def restore_backup(*, path: Path, storage: Storage) -> RestoreResult:
    if not path.is_file():
        raise BackupError(f"Die Datei {path} gibt es nicht.")
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="competition-restore-") as work:
        work_dir = Path(work)
        manifest = extract_verified(path, work_dir)  # every checksum, before anything is touched
        source_dialect = manifest["database"].get("dialect")
        if source_dialect != dialect:
            raise BackupError(f"Das Backup stammt aus einer {source_dialect}-Datenbank, das Ziel ist {dialect}. "
                              f"Bitte stellen Sie es in eine {source_dialect}-Datenbank wieder her. Es wurde nichts "
                              f"verändert.")
        if manifest["database"]["path"] != DATABASE_MEMBERS.get(dialect):
            raise BackupError(FOREIGN.format(detail="Datenbankdatei passt nicht zum Dialekt"))
        problems = installation_problems(storage)
        if problems:
            raise BackupError("Die Zielinstallation ist nicht leer (" + "; ".join(problems) + "). Ein Backup wird "
                              "nur in eine leere Installation eingespielt, damit nichts überschrieben wird. Bitte "
                              "legen Sie eine neue, leere Datenbank und einen leeren Dateispeicher an. Es wurde nichts "
                              "verändert.")
        result = RestoreResult(dialect=dialect, files=len(manifest["files"]) - 1)
        restore_database(dialect, work_dir / manifest["database"]["path"])
        for item in manifest["files"]:
            if item["path"].startswith("storage/"):
                with (work_dir / item["path"]).open("rb") as f:
                    storage.put(item["path"].removeprefix("storage/"), f)
        verify_installation(manifest, storage, result)
        if manifest.get("alembic_revision") != result.revision:
            result.warnings.append(f"Alembic-Revision nach dem Einspielen: {result.revision}, im Backup: "
                                   f"{manifest.get('alembic_revision')}")
        if manifest.get("app_version") != app_version():
            result.warnings.append(f"Das Backup stammt von Version {manifest.get('app_version')}, installiert ist "
                                   f"{app_version()}; bitte danach „flask db upgrade“ ausführen.")
    return result


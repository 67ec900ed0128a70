"""`flask ops restore` never writes more than the manifest promises.

Reproduction from the issue: a 310 KB archive wrote 275 MB to the temporary folder before it was refused, because
every member was unpacked whole before its size was compared. Here the restore runs as its own process with a
file-size limit (RLIMIT_FSIZE): a write past it fails ("File too large"), so the test sees whether more was written
than allowed, without measuring time. The refusal must come from the size comparison, before any such write.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
from pathlib import Path

from competition.ops.backup import FORMAT, FORMAT_VERSION, _copy_hashing

ROOT = Path(__file__).resolve().parents[2]
LISTED = 1000  # bytes the manifest promises for the database
BOMB = 64 * 1024 * 1024  # bytes the member really unpacks to (about 64 KB compressed)
WRITE_LIMIT = 4 * 1024 * 1024  # the restore process may write at most this much


def bomb_archive(path: Path) -> Path:
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": "2026-11-24T12:00:00+00:00",
                "app_version": "0", "alembic_revision": None,
                "database": {"path": "database.sqlite", "dialect": "sqlite"},
                "files": [{"path": "database.sqlite", "sha256": hashlib.sha256(b"\0" * LISTED).hexdigest(),
                           "size": LISTED}],
                "ranking_snapshots": []}
    with tarfile.open(path, "w:gz") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("database.sqlite")
        info.size = BOMB
        tar.addfile(info, io.BytesIO(b"\0" * BOMB))
    return path


def _limit_writes():
    resource.setrlimit(resource.RLIMIT_FSIZE, (WRITE_LIMIT, WRITE_LIMIT))


def test_a_member_bigger_than_its_manifest_size_is_refused_before_it_is_written(tmp_path):
    archive = bomb_archive(tmp_path / "bombe.tar.gz")
    assert archive.stat().st_size < 200 * 1024
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "COMPETITION_ENV": "testing", "FLASK_APP": "competition:create_app", "TMPDIR": str(temp),
           "TEST_DATABASE_URL": f"sqlite:///{tmp_path / 'leer.sqlite'}", "UPLOAD_FOLDER": str(tmp_path / "up"),
           "INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-m", "flask", "ops", "restore", str(archive)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, preexec_fn=_limit_writes, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 2, (result.returncode, output)
    assert "File too large" not in output  # it never tried to write past the limit
    assert "beschädigt" in output and "Größe von „database.sqlite“ stimmt nicht" in output
    assert list(temp.iterdir()) == []  # nothing left behind


def test_the_copy_stops_at_the_limit(tmp_path):
    target = tmp_path / "teil"
    digest, size = _copy_hashing(io.BytesIO(b"x" * 5000), target, limit=LISTED)
    assert size == LISTED + 1 and target.stat().st_size <= LISTED
    digest, size = _copy_hashing(io.BytesIO(b"x" * LISTED), target, limit=LISTED)
    assert size == LISTED and digest == hashlib.sha256(b"x" * LISTED).hexdigest()

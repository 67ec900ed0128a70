"""`flask ops backup` / `flask ops restore`: a round trip keeps every attachment byte and every frozen ranking;
corrupt, foreign and mismatched archives and non-empty targets are refused with nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from competition.core.storage import get_storage
from competition.entries.models import Attachment, Entry
from competition.extensions import db
from competition.rankings.models import RankingSnapshot
from competition.rankings.services import verify_snapshot

from .conftest import fingerprint, is_empty, run_in


@pytest.fixture
def archive(scored_demo, tmp_path):
    path = tmp_path / "backup.tar.gz"
    result = scored_demo.invoke(args=["ops", "backup", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert "Backup geschrieben" in result.output
    return path


def rewrite(source, target, change_manifest=None, drop=None):
    """Copy an archive member by member, optionally changing the manifest or leaving a member out."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json" and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            if drop and member.name.startswith(drop):
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_round_trip_keeps_frozen_rankings_and_every_attachment(app, archive, target_app):
    before = fingerprint()
    assert before["snapshots"] and len(before["files"]) >= 5
    entries_before = db.session.scalar(db.select(db.func.count()).select_from(Entry))

    with tarfile.open(archive, "r:gz") as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for item in manifest["files"]:
            assert hashlib.sha256(tar.extractfile(item["path"]).read()).hexdigest() == item["sha256"]
    assert manifest["format"] == "competition-backup" and manifest["format_version"] == 1
    assert manifest["database"]["dialect"] == db.engine.dialect.name
    assert {s["id"]: s["sha256"] for s in manifest["ranking_snapshots"]} == {
        i: h for i, (h, _content) in before["snapshots"].items()}
    assert manifest["created_at"] and manifest["app_version"] and "alembic_revision" in manifest
    assert {f"storage/{a.storage_key}" for a in db.session.scalars(db.select(Attachment))} <= {
        f["path"] for f in manifest["files"]}

    result = run_in(target_app, "ops", "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert f"Anlagen mit korrekter SHA-256: {len(before['files'])}" in result.output
    assert f"eingefrorene Stände mit korrektem Hash: {len(before['snapshots'])}" in result.output
    assert "Prüfung bestanden" in result.output

    with target_app.app_context():
        after = fingerprint()
        assert after == before  # same rows, same hashes, same bytes
        for snapshot in db.session.scalars(db.select(RankingSnapshot)):
            assert verify_snapshot(snapshot)
        assert db.session.scalar(db.select(db.func.count()).select_from(Entry)) == entries_before
        for attachment_id, (row_sha, file_sha) in after["files"].items():
            assert row_sha == file_sha, attachment_id
        db.session.remove()

    # The restored installation is no longer empty: a second restore is refused.
    again = run_in(target_app, "ops", "restore", str(archive))
    assert again.exit_code == 2 and "nicht leer" in again.output


def test_restore_into_a_migrated_but_empty_database(archive, target_app):
    with target_app.app_context():
        db.create_all()  # as after `flask db upgrade`: tables, no rows
        db.session.remove()
    before = fingerprint()
    result = run_in(target_app, "ops", "restore", str(archive))
    assert result.exit_code == 0, result.output
    with target_app.app_context():
        assert fingerprint() == before
        db.session.remove()


def test_a_corrupt_archive_is_refused_and_nothing_changes(archive, target_app, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(bytes(data))
    result = run_in(target_app, "ops", "restore", str(corrupt))
    assert result.exit_code == 2, result.output
    assert "beschädigt" in result.output and "Es wurde nichts verändert" in result.output
    assert is_empty(target_app)


def test_a_missing_member_or_changed_checksum_is_refused(archive, target_app, tmp_path):
    missing = rewrite(archive, tmp_path / "missing.tar.gz", drop="storage/")
    result = run_in(target_app, "ops", "restore", str(missing))
    assert result.exit_code == 2 and "fehlen" in result.output

    def lie(manifest):
        manifest["files"][0]["sha256"] = "0" * 64

    lied = rewrite(archive, tmp_path / "lied.tar.gz", change_manifest=lie)
    result = run_in(target_app, "ops", "restore", str(lied))
    assert result.exit_code == 2 and "Prüfsumme" in result.output
    assert is_empty(target_app)


@pytest.mark.parametrize("kind", ["text", "tar-without-manifest", "other-format", "zip"])
def test_a_foreign_file_is_refused(kind, target_app, tmp_path):
    path = tmp_path / "foreign"
    if kind == "text":
        path.write_text("Das ist kein Backup.")
    elif kind == "zip":
        import zipfile

        with zipfile.ZipFile(path, "w") as z:
            z.writestr("manifest.json", "{}")
    else:
        with tarfile.open(path, "w:gz") as tar:
            body = b'{"format": "other-app", "files": []}' if kind == "other-format" else b"hallo"
            info = tarfile.TarInfo("manifest.json" if kind == "other-format" else "readme.txt")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    result = run_in(target_app, "ops", "restore", str(path))
    assert result.exit_code == 2, result.output
    assert "kein Backup dieser Plattform" in result.output
    assert is_empty(target_app)


def test_a_backup_of_the_other_database_kind_is_refused(archive, target_app, tmp_path):
    other = "sqlite" if db.engine.dialect.name == "postgresql" else "postgresql"

    def switch(manifest):
        manifest["database"]["dialect"] = other

    switched = rewrite(archive, tmp_path / "other.tar.gz", change_manifest=switch)
    result = run_in(target_app, "ops", "restore", str(switched))
    assert result.exit_code == 2, result.output
    assert f"stammt aus einer {other}-Datenbank" in result.output
    assert is_empty(target_app)


def test_a_non_empty_target_is_refused_and_keeps_its_data(app, archive):
    before = fingerprint()
    entries = db.session.scalar(db.select(db.func.count()).select_from(Entry))
    result = app.test_cli_runner().invoke(args=["ops", "restore", str(archive)])
    assert result.exit_code == 2, result.output
    assert "nicht leer" in result.output and "Tabellen mit Daten" in result.output
    assert "Es wurde nichts verändert" in result.output
    assert fingerprint() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Entry)) == entries


def test_files_in_the_target_storage_alone_make_it_non_empty(archive, target_app):
    with target_app.app_context():
        get_storage().save(io.BytesIO(b"vorhanden"))
    result = run_in(target_app, "ops", "restore", str(archive))
    assert result.exit_code == 2 and "Dateispeicher enthält Dateien" in result.output
    with target_app.app_context():
        assert db.inspect(db.engine).get_table_names() == [] or not db.session.scalar(
            db.select(db.func.count()).select_from(Entry))
        db.session.remove()


def test_backup_refuses_a_directory_and_a_missing_file_to_restore(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ops", "backup", "--out", str(tmp_path)])
    assert result.exit_code != 0
    result = runner.invoke(args=["ops", "restore", str(tmp_path / "gibt-es-nicht.tar.gz")])
    assert result.exit_code == 2 and "gibt es nicht" in result.output

"""SQLite runs in WAL mode: a backup holds what is still only in the -wal file, the archive's database is one
self-contained file, and a restored database runs in WAL mode again. (Own SQLite files, also in a PostgreSQL run.)"""

from __future__ import annotations

import sqlite3
import tarfile

from competition.core.clock import utcnow
from competition.core.storage import get_storage
from competition.extensions import db
from competition.jobs import Job, JobStatus
from competition.ops.backup import create_backup, restore_backup


def _sqlite_app(make_app, path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", UPLOAD_FOLDER=str(path.parent / f"{path.stem}-files"))
    with app.app_context():
        db.create_all()
    return app


def test_backup_and_restore_of_a_database_in_wal_mode(make_app, tmp_path):
    source = _sqlite_app(make_app, tmp_path / "source.sqlite")
    with source.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.add_all([Job(kind="tests.count", params={"n": i}, status=JobStatus.DONE, attempts=1,
                                progress_done=0, message=f"Auftrag {i}", created_at=utcnow()) for i in range(40)])
        db.session.commit()
        wal = tmp_path / "source.sqlite-wal"
        assert wal.stat().st_size > 0  # the rows are (also) in the -wal file: the pool keeps its connection open
        with sqlite3.connect(tmp_path / "source.sqlite") as peek:  # a second reader sees them through the WAL
            assert peek.execute("SELECT count(*) FROM jobs").fetchone()[0] == 40
        archive = tmp_path / "backup.tar.gz"
        create_backup(out=archive, storage=get_storage(), now=utcnow())
        db.engine.dispose()

    alone = tmp_path / "alone"
    alone.mkdir()
    with tarfile.open(archive, "r:gz") as tar:
        (alone / "database.sqlite").write_bytes(tar.extractfile("database.sqlite").read())
    copy = sqlite3.connect(alone / "database.sqlite")  # no -wal beside it: everything must be in the file
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*), max(message) FROM jobs").fetchone() == (40, "Auftrag 9")
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()

    target = _sqlite_app(make_app, tmp_path / "target.sqlite")
    with target.app_context():
        db.drop_all()  # an empty database: restore never overwrites data
        restore_backup(path=archive, storage=get_storage())
        assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 40
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.add(Job(kind="tests.count", params={}, status=JobStatus.QUEUED, attempts=0, progress_done=0,
                           message="", created_at=utcnow()))
        db.session.commit()  # the restored database takes new writes
        db.session.remove()
        db.engine.dispose()
    with sqlite3.connect(tmp_path / "target.sqlite") as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT count(*) FROM jobs").fetchone()[0] == 41

"""Fixtures for operations tests: a scored demo with a frozen ranking, an empty target installation, S3 (moto)."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import create_engine, make_url, text

from competition.core.storage import get_storage
from competition.entries.models import Attachment
from competition.extensions import db
from competition.rankings.models import RankingSnapshot

RESTORE_DB = "comp_h_ops_restore"


@pytest.fixture
def scored_demo(app):
    """The demo competition with scores, attachments and one frozen ranking."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--entries", "5", "--jurors", "4", "--seed", "7", "--scored"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["rankings", "freeze", "--edition", "ind-2026"])
    assert result.exit_code == 0, result.output
    return runner


def fingerprint() -> dict:
    """What must survive a backup round trip, read through the current app: snapshot hashes and the SHA-256 of
    every attachment's stored bytes."""
    storage = get_storage()
    files = {}
    for attachment in db.session.scalars(db.select(Attachment).order_by(Attachment.id)):
        with storage.open(attachment.storage_key) as f:
            files[attachment.id] = (attachment.sha256, hashlib.sha256(f.read()).hexdigest())
    snapshots = {s.id: (s.sha256, s.content) for s in db.session.scalars(db.select(RankingSnapshot))}
    db.session.rollback()
    return {"files": files, "snapshots": snapshots}


def _admin_engine(database_url: str):
    return create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture
def make_target(make_app, database_url, tmp_path):
    """Build an empty installation: a fresh database (SQLite file or PostgreSQL comp_h_ops_restore) and, unless
    other storage settings are given, an empty upload folder."""
    pg = database_url.startswith("postgresql")
    admin = _admin_engine(database_url) if pg else None
    made = []

    def factory(**settings):
        if pg:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{RESTORE_DB}"'))
            url = make_url(database_url).set(database=RESTORE_DB).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
        target = make_app(**{"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "restored-uploads"),
                             **settings})
        made.append(target)
        return target

    yield factory
    for target in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
    if pg:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def target_app(make_target):
    return make_target()


def run_in(target, *args):
    """Run a `flask` command against another app (the test's own app context would otherwise be used)."""
    with target.app_context():
        result = target.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


def is_empty(target) -> bool:
    with target.app_context():
        tables = db.inspect(db.engine).get_table_names()
        rows = sum(db.session.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in tables)  # noqa: S608
        files = list(get_storage().iter_keys())
        db.session.remove()
    return rows == 0 and not files


# --- S3 (moto's server on 127.0.0.1) -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="eu-central-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A new, empty bucket per test."""
    import secrets

    import boto3

    name = f"wettbewerb-{secrets.token_hex(4)}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    return name

"""The storage contract, run against both backends: the local folder and S3 (moto's S3-compatible server on
127.0.0.1). Plus the whole app on S3: uploads, downloads, backup and restore."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from competition.core.s3_storage import S3Storage
from competition.core.storage import CHUNK_SIZE, FileTooLarge, LocalStorage, get_storage
from competition.entries.models import Attachment
from competition.extensions import db
from tests.conftest import login

from .conftest import fingerprint, run_in


class FailingStream(io.RawIOBase):
    def __init__(self, fail_after: int):
        self.fail_after, self.delivered = fail_after, 0

    def readable(self):
        return True

    def read(self, n=-1):
        if self.delivered >= self.fail_after:
            raise OSError("connection reset by peer")
        self.delivered += CHUNK_SIZE
        return b"\x01" * CHUNK_SIZE


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Storage(bucket=bucket, endpoint_url=endpoint, region="eu-central-1", prefix="anlagen",
                     temp_dir=str(tmp_path / "spool"))


def leftovers(store) -> list:
    """Temporary files left behind."""
    temp = store.temp_dir
    return [p for p in temp.rglob("*") if p.is_file()] if temp.exists() else []


def test_save_read_back_and_delete(store):
    data = os.urandom(2 * CHUNK_SIZE + 17)
    stored = store.save(io.BytesIO(data))
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest() and len(stored.key) == 32
    assert store.exists(stored.key) and store.size(stored.key) == len(data)
    with store.open(stored.key) as f:
        assert f.read() == data
    assert list(store.iter_keys()) == [stored.key]
    assert leftovers(store) == []
    store.delete(stored.key)
    store.delete(stored.key)  # twice is fine
    assert not store.exists(stored.key) and list(store.iter_keys()) == []
    with pytest.raises(FileNotFoundError):
        store.open(stored.key)
    with pytest.raises(FileNotFoundError):
        store.size(stored.key)


def test_keys_are_never_paths(store):
    for bad in ("../../etc/passwd", "/etc/passwd", "ABCDEF" * 6, "", "0" * 31):
        for operation in (store.open, store.delete, store.exists):
            with pytest.raises(ValueError):
                operation(bad)
        with pytest.raises(ValueError):
            store.put(bad, io.BytesIO(b"x"))


def test_the_cap_and_a_failing_stream_leave_nothing(store):
    with pytest.raises(FileTooLarge):
        store.save(io.BytesIO(b"x" * 101), max_bytes=100)
    assert store.save(io.BytesIO(b"x" * 100), max_bytes=100).size == 100
    with pytest.raises(OSError, match="connection reset"):
        store.save(FailingStream(2 * CHUNK_SIZE))
    assert len(list(store.iter_keys())) == 1 and leftovers(store) == []


def test_a_spooled_upload_is_saved_and_its_temporary_file_goes(store):
    spool = store.spool(max_bytes=1000)
    spool.write(b"Teil 1, ")
    spool.write(b"Teil 2")
    spool.seek(0)
    assert spool.read() == b"Teil 1, Teil 2"
    stored = store.save(spool)
    assert stored.sha256 == hashlib.sha256(b"Teil 1, Teil 2").hexdigest()
    assert not spool.path.exists() and leftovers(store) == []
    with store.open(stored.key) as f:
        assert f.read() == b"Teil 1, Teil 2"


def test_put_under_a_given_key_for_restores(store):
    key = "ab" * 16
    stored = store.put(key, io.BytesIO(b"wiederhergestellt"))
    assert stored.key == key and stored.sha256 == hashlib.sha256(b"wiederhergestellt").hexdigest()
    with store.open(key) as f:
        assert f.read() == b"wiederhergestellt"
    assert list(store.iter_keys()) == [key]


def test_the_app_on_s3_uploads_downloads_backs_up_and_restores(make_app, make_target, s3_endpoint, s3_bucket,
                                                               tmp_path):
    settings = dict(STORAGE_BACKEND="s3", S3_BUCKET=s3_bucket, S3_ENDPOINT_URL=s3_endpoint, S3_REGION="eu-central-1")
    app = make_app(**settings)
    assert isinstance(app.extensions["storage"], S3Storage)
    result = run_in(app, "demo", "seed", "--entries", "3", "--jurors", "3", "--seed", "5")
    assert result.exit_code == 0, result.output
    with app.app_context():
        before = fingerprint()
        attachment = db.session.scalar(db.select(Attachment).order_by(Attachment.id))
        assert before["files"] and len(list(get_storage().iter_keys())) == len(before["files"])
        db.session.remove()

    client = app.test_client()  # an organiser downloads an attachment streamed from the bucket
    assert login(client, "orga@ind-demo.example", "Demo-Zugang-2026!").status_code == 302
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.get_data()).hexdigest() == attachment.sha256
    assert client.get("/healthz").get_json()["storage"] == "ok"

    archive = tmp_path / "s3-backup.tar.gz"
    result = run_in(app, "ops", "backup", "--out", str(archive))
    assert result.exit_code == 0, result.output

    # Restore into an empty installation: a new database and a new, empty bucket.
    import boto3

    target_bucket = s3_bucket + "-ziel"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1").create_bucket(
        Bucket=target_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    target = make_target(**{**settings, "S3_BUCKET": target_bucket})
    result = run_in(target, "ops", "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Prüfung bestanden" in result.output
    with target.app_context():
        assert fingerprint() == before
        db.session.remove()

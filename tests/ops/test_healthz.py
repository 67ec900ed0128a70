"""/healthz: database, Redis (when configured) and storage (write, read, delete a probe file); 503 names the failure."""

from __future__ import annotations

from competition.core.storage import get_storage


def test_all_checks_ok_with_redis(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/7")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok", "storage": "ok"}


def test_the_probe_file_is_removed(make_app, tmp_path):
    app = make_app(UPLOAD_FOLDER=str(tmp_path / "uploads"))
    assert app.test_client().get("/healthz").status_code == 200
    with app.app_context():
        assert list(get_storage().iter_keys()) == []


def test_unreachable_redis_gives_503_naming_it(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/7")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["redis"] == "unreachable" and body["failed"] == ["redis"]
    assert body["database"] == "ok" and body["storage"] == "ok"


def test_unwritable_storage_gives_503_naming_it(make_app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the upload folder should be")
    app = make_app(UPLOAD_FOLDER=str(blocker))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["storage"] == "unwritable" and body["failed"] == ["storage"] and body["redis"] == "disabled"


def test_a_storage_success_is_reused_briefly_and_a_failure_never(make_app, tmp_path):
    import shutil
    import time

    folder = tmp_path / "uploads"
    app = make_app(UPLOAD_FOLDER=str(folder), HEALTHZ_STORAGE_SECONDS=1)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    shutil.rmtree(folder)
    folder.write_text("the disk is gone")  # the store cannot be written any more
    assert client.get("/healthz").get_json()["storage"] == "ok"  # the success a moment ago still counts
    time.sleep(1.1)
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.status_code == second.status_code == 503  # once it failed, every check probes again
    assert second.get_json()["storage"] == "unwritable"
    folder.unlink()
    assert client.get("/healthz").status_code == 200  # and sees the store back at once

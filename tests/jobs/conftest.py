from __future__ import annotations

import uuid

import pytest

from tests.jobs import tasks  # noqa: F401 - registers the test tasks

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "inline")
    return app


@pytest.fixture
def rq_backend(app, monkeypatch):
    """The RQ back end on real Redis (db 5), with a queue of this test's own."""
    from redis import Redis

    queue = f"test-jobs-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", queue)
    monkeypatch.setitem(app.config, "JOBS_RETRY_DELAY", 0)
    yield queue
    redis = Redis.from_url(REDIS_URL)
    keys = [key for key in redis.scan_iter(match=f"*{queue}*")]
    if keys:
        redis.delete(*keys)
    redis.srem("rq:queues", f"rq:queue:{queue}")

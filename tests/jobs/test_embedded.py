"""The embedded default without Redis: a worker thread in the serving process runs the jobs after the request.

Each test builds an app with JOBS_BACKEND="thread" on the test database (as a gunicorn worker would) and starts its
worker thread with a first request; the suite's own app keeps running jobs inline.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from competition.core.clock import utcnow
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.jobs import Job, JobStatus, embedded, runner, submit
from tests.conftest import PASSWORD, login
from tests.jobs import tasks


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def serving(make_app):
    """Apps as serving processes: each has started its worker thread with a first request."""
    apps = []

    def factory(**overrides):
        settings = {"JOBS_BACKEND": "thread", "JOBS_POLL_SECONDS": 1, "JOBS_PICKUP_SECONDS": 1,
                    "JOBS_RETRY_DELAY": 0, **overrides}
        served = make_app(**settings)
        apps.append(served)
        assert served.test_client().get("/healthz").status_code == 200
        assert embedded.worker_for(served) is not None
        return served

    tasks.RUNS.clear()
    yield factory
    for gate in tasks.GATES.values():
        gate.set()
    for served in apps:
        embedded.stop_worker(served)
        with served.app_context():
            db.engine.dispose()
    tasks.GATES.clear()


def status_of(job_id: int) -> JobStatus:
    with db.engine.connect() as conn:
        return JobStatus(conn.scalar(db.select(Job.__table__.c.status).where(Job.__table__.c.id == job_id)))


def test_backend_is_the_worker_thread_without_redis(make_app):
    assert runner.backend(make_app(JOBS_BACKEND="auto", REDIS_URL=None)) == "thread"
    assert runner.backend(make_app(JOBS_BACKEND="auto", REDIS_URL="redis://127.0.0.1:6379/5")) == "rq"


def test_a_submit_returns_at_once_and_the_worker_thread_sends_the_receipt_afterwards(
        serving, make_user, make_company, make_entry, organiser):
    served = serving()
    owner = make_user(email="anna@firma.example")
    entry = make_entry(company=make_company(owner))
    tasks.GATES["busy"] = threading.Event()
    with served.app_context():  # keep the worker thread busy, so the receipt can only run after the request
        blocker = submit("tests.gated", params={"gate": "busy"}, by=organiser.id, now=utcnow())
        db.session.commit()
        blocker_id = blocker.id
    wait_for(lambda: status_of(blocker_id) is JobStatus.RUNNING)
    client = served.test_client()
    login(client, "anna@firma.example", PASSWORD)
    started = time.monotonic()
    response = client.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version})
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/entries/{entry.id}")
    assert "ist eingereicht" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(entry), entry.id).status is EntryStatus.SUBMITTED
    receipt = db.session.scalar(db.select(Job).where(Job.kind == "entries.receipt"))
    assert receipt.status is JobStatus.QUEUED  # the request did not wait for the PDF and the mail
    assert served.extensions["mailman"].outbox == [] if hasattr(served.extensions["mailman"], "outbox") else True
    tasks.GATES["busy"].set()
    wait_for(lambda: status_of(receipt.id) is JobStatus.DONE)
    mails = served.extensions["mailman"].outbox
    assert [m.to for m in mails] == [["anna@firma.example"]]
    assert mails[0].attachments and mails[0].attachments[0][0].endswith(".pdf")
    assert [name for _job, _attempt, name in tasks.RUNS] == ["embedded-jobs"]  # the gated task ran in the thread


def test_a_job_pushed_to_two_processes_runs_once(serving, organiser):
    """Two serving processes (here: two apps, each with its thread) both get every job: the claim lets one run it."""
    first, second = serving(), serving()
    with first.app_context():
        ids = [submit("tests.once", params={}, by=organiser.id, now=utcnow()).id for _ in range(12)]
        db.session.commit()  # pushed to the first app's thread
    for job_id in ids:  # and, as if dispatched twice, to the second one
        embedded.worker_for(second).push(job_id)
    wait_for(lambda: all(status_of(job_id) is JobStatus.DONE for job_id in ids))
    time.sleep(0.3)
    assert sorted(job_id for job_id, _attempt, _name in tasks.RUNS) == sorted(ids)  # each exactly once
    assert {attempt for _job_id, attempt, _name in tasks.RUNS} == {1}


def test_a_job_that_asks_for_a_retry_runs_again_after_the_delay_and_not_twice(serving, organiser):
    served = serving(JOBS_RETRY_DELAY=1, JOBS_PICKUP_SECONDS=60)
    with served.app_context():
        job_id = submit("tests.once", params={"retry_first": True}, by=organiser.id, now=utcnow()).id
        db.session.commit()
    wait_for(lambda: status_of(job_id) is JobStatus.DONE)
    assert [(job, attempt) for job, attempt, _name in tasks.RUNS] == [(job_id, 1), (job_id, 2)]
    job = db.session.get(Job, job_id)
    assert job.attempts == 2 and job.status is JobStatus.DONE


def test_the_worker_thread_recovers_a_job_whose_process_died(serving, organiser):
    """A job left running by a killed process (no heartbeat for long) is taken up again by a living process."""
    then = utcnow() - timedelta(minutes=30)
    job = Job(kind="tests.once", params={}, status=JobStatus.RUNNING, attempts=1, created_at=then, started_at=then,
              heartbeat_at=then, created_by_id=organiser.id, progress_done=0)
    orphan = Job(kind="tests.once", params={}, status=JobStatus.QUEUED, attempts=0, created_at=then,
                 created_by_id=organiser.id, progress_done=0)  # queued by a process that ended before running it
    alive = Job(kind="tests.once", params={}, status=JobStatus.RUNNING, attempts=1, created_at=utcnow(),
                started_at=utcnow(), heartbeat_at=utcnow(), created_by_id=organiser.id, progress_done=0)
    db.session.add_all([job, orphan, alive])
    db.session.commit()
    serving()
    wait_for(lambda: status_of(job.id) is JobStatus.DONE and status_of(orphan.id) is JobStatus.DONE)
    assert sorted((j, a) for j, a, _name in tasks.RUNS) == sorted([(job.id, 2), (orphan.id, 1)])
    assert status_of(alive.id) is JobStatus.RUNNING  # its process is alive: left alone


def test_outside_a_serving_process_a_job_runs_right_after_the_commit(make_app, organiser):
    """Commands and scripts have no worker thread: their jobs are not left waiting for one."""
    command_app = make_app(JOBS_BACKEND="thread")
    with command_app.app_context():
        job_id = submit("tests.once", params={}, by=organiser.id, now=utcnow()).id
        db.session.commit()
        assert status_of(job_id) is JobStatus.DONE
        db.engine.dispose()


def test_drain_runs_every_queued_job_in_the_calling_thread(make_app, organiser):
    command_app = make_app(JOBS_BACKEND="thread")
    db.session.add_all([Job(kind="tests.once", params={}, status=JobStatus.QUEUED, attempts=0,
                            created_by_id=organiser.id, progress_done=0, created_at=utcnow()) for _ in range(3)])
    db.session.commit()
    assert runner.drain(command_app) == 3
    assert {attempt for _job, attempt, _name in tasks.RUNS[-3:]} == {1}
    assert db.session.scalar(db.select(db.func.count()).select_from(Job).where(Job.status == JobStatus.DONE)) == 3

"""Background jobs on the RQ back end with a real Redis (db 5): in-process worker, the `flask jobs worker`
command in a subprocess, and a worker killed with SIGKILL in the middle of a job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from redis import Redis
from rq import Queue, SimpleWorker

from competition.core.clock import utcnow
from competition.extensions import db
from competition.jobs import Job, JobStatus, runner, submit

from .conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(app, queue: str, database_url: str) -> dict:
    env = dict(os.environ)
    env.update(COMPETITION_ENV="testing", TEST_DATABASE_URL=database_url, REDIS_URL=REDIS_URL, JOBS_QUEUE=queue,
               JOBS_BACKEND="rq", JOBS_IMPORTS="tests.jobs.tasks", JOBS_RETRY_DELAY="0",
               UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"], FLASK_APP="competition:create_app")
    return env


def _flask(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "competition:create_app", *args]


def test_submit_enqueues_after_commit_and_a_worker_runs_it(app, rq_backend, organiser):
    queue = Queue(rq_backend, connection=Redis.from_url(REDIS_URL))
    job = submit("tests.count", params={"n": 3, "result": True}, by=organiser, now=utcnow())
    assert queue.count == 0  # not before the commit
    db.session.commit()
    assert queue.count == 1
    assert queue.job_ids == [f"{rq_backend}-job-{job.id}-0"]
    db.session.refresh(job)
    assert job.status == JobStatus.QUEUED

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total, job.result_filename) == (3, 3, "zahlen.txt")
    assert queue.count == 0


def test_a_job_reaches_redis_in_one_round_trip(app, rq_backend, organiser):
    """A vote's confirmation mail is a job: after the first one, each costs one round trip to Redis (the queue's
    registration, the job's hash and the push in one pipeline; no server-version query per job)."""
    import redis.connection

    queue = Queue(rq_backend, connection=Redis.from_url(REDIS_URL))
    submit("tests.count", params={"n": 1}, by=organiser, now=utcnow())
    db.session.commit()
    sent = []
    real = redis.connection.Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return real(self, command, *args, **kwargs)

    redis.connection.Connection.send_packed_command = counting
    try:
        job = submit("tests.count", params={"n": 2}, by=organiser, now=utcnow())
        db.session.commit()
    finally:
        redis.connection.Connection.send_packed_command = real
    assert len(sent) == 1
    assert queue.job_ids[-1] == f"{rq_backend}-job-{job.id}-0" and queue.count == 2
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DONE


def test_rolled_back_submit_enqueues_nothing(rq_backend, organiser):
    queue = Queue(rq_backend, connection=Redis.from_url(REDIS_URL))
    submit("tests.count", params={"n": 1}, by=organiser, now=utcnow())
    db.session.rollback()
    assert queue.count == 0


def test_recover_enqueues_a_queued_job_that_redis_lost(rq_backend, organiser):
    queue = Queue(rq_backend, connection=Redis.from_url(REDIS_URL))
    job = submit("tests.count", params={"n": 1}, by=organiser, now=utcnow() - timedelta(hours=1))
    db.session.commit()
    queue.empty()  # Redis lost it (flushed, restarted without persistence)
    actions = runner.recover(now=utcnow())
    db.session.commit()
    assert [(j.id, a) for j, a in actions] == [(job.id, "enqueued")]
    assert queue.count == 1
    assert runner.recover(now=utcnow()) == []  # now it is on the queue: nothing more to do


def test_the_worker_command_runs_jobs_in_a_subprocess(app, rq_backend, organiser, database_url):
    job = submit("tests.count", params={"n": 2}, by=organiser, now=utcnow())
    db.session.commit()
    result = subprocess.run(_flask("jobs", "worker", "--burst"), cwd=ROOT, env=_worker_env(app, rq_backend,
                            database_url), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DONE


def test_a_job_whose_worker_is_killed_is_requeued_and_finished_by_the_next_worker(app, rq_backend, organiser,
                                                                                  database_url, tmp_path):
    marker = tmp_path / "started"
    job = submit("tests.slow", params={"marker": str(marker)}, by=organiser, now=utcnow())
    db.session.commit()
    env = _worker_env(app, rq_backend, database_url)
    worker = subprocess.Popen(_flask("jobs", "worker", "--no-scheduler"), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), "the worker did not start the job"
        time.sleep(0.3)
        horse_pid = int(marker.read_text().split()[0])
        os.kill(horse_pid, signal.SIGKILL)  # the work horse (its own process group) …
        os.killpg(worker.pid, signal.SIGKILL)  # … and the worker: as if the machine went down
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.RUNNING and job.attempts == 1  # stuck: nobody will finish it on their own
    assert runner.recover(now=utcnow()) == []  # the heartbeat is fresh: it might still be alive

    later = utcnow() + timedelta(minutes=app.config["JOBS_STALE_MINUTES"] + 1)
    actions = runner.recover(now=later)
    db.session.commit()
    assert [(j.id, a) for j, a in actions] == [(job.id, "requeued")]
    db.session.refresh(job)
    assert job.status == JobStatus.QUEUED and "erneut eingereiht" in job.message

    result = subprocess.run(_flask("jobs", "worker", "--burst"), cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE
    assert job.attempts == 2
    assert marker.read_text().split()[1] == "2"

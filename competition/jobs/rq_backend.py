"""The RQ back end of the jobs (``runner.py``): the app's Redis connection and queue, enqueueing one RQ job per
attempt, and asking RQ whether a queued job is still waiting there (for ``runner.recover``)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

# What RQ calls: `competition.worker.run_job`, a top-level module that builds the app in a bare RQ worker and then
# calls `runner.run_job` (named by string, so this module never imports the app factory above it).
RQ_ENTRY_POINT = "competition.worker.run_job"


# --- the queue ------------------------------------------------------------------------------------------------------

def redis_connection():
    """The app's Redis client for the queue, made once per process (its pool keeps the connection: a vote that
    queues its confirmation mail does not open a new TCP connection each time). redis-py's pool is fork-safe."""
    from redis import Redis

    app = current_app._get_current_object()
    client = app.extensions.get("jobs.redis")
    if client is None:
        client = app.extensions["jobs.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return client


def rq_queue():
    """The app's RQ queue, made once per process: a fresh ``Queue`` asks Redis for its server version (``INFO``)
    before its first job, which would be one more round trip for every vote's confirmation mail."""
    from rq import Queue

    app = current_app._get_current_object()
    name = app.config.get("JOBS_QUEUE") or "competition"
    cached = app.extensions.get("jobs.rq_queue")
    if cached is None or cached.name != name:
        cached = app.extensions["jobs.rq_queue"] = Queue(name, connection=redis_connection())
    return cached


def rq_job_id(job_id: int, attempts: int) -> str:
    """One RQ job per attempt, so a re-queued job never collides with the remains of the run that died."""
    return f"{current_app.config.get('JOBS_QUEUE') or 'competition'}-job-{job_id}-{attempts}"


def enqueue(job_id: int, *, attempts: int, delay: int = 0) -> None:
    queue = rq_queue()
    options = dict(job_id=rq_job_id(job_id, attempts), job_timeout=current_app.config.get("JOBS_TIMEOUT", 3600),
                   result_ttl=3600, failure_ttl=7 * 24 * 3600, description=f"competition job {job_id}")
    if delay:
        queue.enqueue_in(timedelta(seconds=delay), RQ_ENTRY_POINT, job_id, **options)
        return
    # One round trip: the queue's registration, the job's hash and the push go to Redis in one pipeline.
    with queue.connection.pipeline() as pipe:
        queue.enqueue(RQ_ENTRY_POINT, job_id, pipeline=pipe, **options)
        pipe.execute()


def rq_job_is_waiting(job_id: int, attempts: int) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob
    from rq.job import JobStatus as RQStatus

    try:
        rq_job = RQJob.fetch(rq_job_id(job_id, attempts), connection=redis_connection())
    except NoSuchJobError:
        return False
    return rq_job.get_status() in (RQStatus.QUEUED, RQStatus.SCHEDULED, RQStatus.DEFERRED, RQStatus.STARTED)


def preload_rq() -> None:
    """Import the queue's library with the app, not in the first request that queues a job (in the deadline rush
    that import cost each gunicorn worker a few hundred milliseconds of CPU in the middle of the rush)."""
    import rq  # noqa: F401

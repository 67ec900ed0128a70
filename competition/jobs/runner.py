"""Running background jobs: the task registry, ``submit``, the three back ends (RQ on Redis, a worker thread in the
serving process, inline) and recovery. The Redis queue itself is in ``rq_backend.py``.

How a job travels:

1. ``submit(kind, params=…, by=…, now=…)`` adds a ``Job`` row (status *queued*) and flushes; nothing runs yet.
2. When the caller's transaction commits, an ``after_commit`` session event dispatches the job: with the RQ back end
   it is put on the Redis queue; with the embedded default (no Redis) it is handed to the worker thread of the
   serving process (``embedded.py``), so the request returns at once; with ``JOBS_BACKEND=inline`` (the test suite)
   and outside a serving process (commands, scripts) it runs right there, in its own app context and session.
   A rolled-back transaction dispatches nothing. Views just commit; there is no ``dispatch`` call to forget.
3. ``run_job(job_id)`` (reached by RQ through ``competition.worker``; called by the other back ends) claims the
   row (queued → running, one attempt more), calls the task ``fn(ctx, **params)`` and records done or failed. The
   UI reads only the row, so it is identical for every back end.

Tasks report progress with ``ctx.progress(done, total)``, which also refreshes the heartbeat and commits (so the UI
sees it and finished work is kept). A job whose heartbeat is older than ``JOBS_STALE_MINUTES`` while it is marked
running has lost its worker (killed, machine restarted): ``recover`` puts it back on the queue, up to
``JOBS_MAX_ATTEMPTS`` runs, and then marks it failed with a message. Tasks therefore call ``ctx.progress`` (or
``ctx.heartbeat``) at least every few minutes, and must be safe to run again (see the mail campaign's log).
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from ..core.clock import utcnow
from ..core.storage import get_storage
from ..extensions import db
from . import embedded
from .models import Job, JobStatus
from .rq_backend import enqueue, preload_rq, rq_job_is_waiting, rq_queue

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[..., Any]] = {}
TASK_LABELS: dict[str, Any] = {}  # task name → label for the UI (lazy German string)
ROUTINE: set[str] = set()  # tasks that run for every request of a kind (a receipt, a vote's mail): listed on demand
_PENDING = "jobs.pending"  # session.info: jobs to dispatch once the transaction commits


def task(name: str, *, label=None, routine: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(ctx, **params)`` as the task ``name`` (e.g. ``"rankings.certificates"``); ``label`` is what
    the job list shows (defaults to the name); ``routine`` tasks are listed only when chosen or when they failed."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = TASKS.get(name)
        if existing and (existing.__module__, existing.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"task {name!r} is registered twice")
        TASKS[name] = fn
        if label is not None:
            TASK_LABELS[name] = label
        if routine:
            ROUTINE.add(name)
        return fn

    return register


class RetryLater(Exception):
    """Raised by a task when the work may succeed later (e.g. the mail server is down): the job goes back on the
    queue (up to ``JOBS_MAX_ATTEMPTS`` runs) instead of failing at once."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def german(message) -> str:
    """Job messages are stored in German, whoever's request happened to run the job."""
    with force_locale("de"):
        return str(message)


class JobContext:
    """What a task gets: its row, the time, progress reports and a place for its result file."""

    def __init__(self, job: Job):
        self.job = job

    def now(self) -> datetime:
        return utcnow()

    def heartbeat(self) -> None:
        """Show that the job is alive (commits)."""
        self.job.heartbeat_at = utcnow()
        db.session.commit()

    def progress(self, done: int, total: int | None = None) -> None:
        """Report ``done`` of ``total`` steps; refreshes the heartbeat and commits the task's work so far."""
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        self.heartbeat()

    def set_message(self, message: str) -> None:
        self.job.message = german(message)

    def save_result(self, filename: str, data: bytes, mimetype: str) -> None:
        """Store the job's result file (replacing an earlier one); it is offered for download once the job is done."""
        storage = get_storage()
        stored = storage.save(io.BytesIO(data))
        old_key = self.job.result_key
        self.job.result_key = stored.key
        self.job.result_filename = filename
        self.job.result_mimetype = mimetype
        db.session.commit()
        if old_key:
            storage.delete(old_key)


# --- submitting and dispatching --------------------------------------------------------------------------------------

def submit(kind: str, *, params: dict, by, now: datetime, edition_id: int | None = None) -> Job:
    """Create the job row (flush) and dispatch it once the caller's transaction commits."""
    if kind not in TASKS:
        raise ValueError(f"unknown task {kind!r}")
    job = Job(kind=kind, params=params, status=JobStatus.QUEUED, created_by_id=getattr(by, "id", by),
              created_at=now, edition_id=edition_id, attempts=0, progress_done=0, message="")
    db.session.add(job)
    db.session.flush()
    _dispatch_after_commit(job)
    return job


def _dispatch_after_commit(job: Job, *, delay: int = 0) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append((job.id, job.attempts, delay))


@event.listens_for(Session, "after_commit")
def _jobs_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    for job_id, attempts, delay in pending:
        try:
            dispatch(job_id, attempts=attempts, delay=delay)
        except Exception:  # the row stays queued; `flask jobs recover` (and every worker start) enqueues it again
            log.exception("job %s could not be dispatched", job_id)


@event.listens_for(Session, "after_transaction_end")
def _jobs_after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # still listed here means the transaction did not commit: nothing to run
        session.info.pop(_PENDING, None)


def backend(app=None) -> str:
    """``"rq"`` when ``REDIS_URL`` is set (or ``JOBS_BACKEND`` is ``rq``); ``"inline"`` when ``JOBS_BACKEND`` is
    ``inline``; otherwise ``"thread"``, the embedded default (a worker thread in each serving process)."""
    config = (app or current_app).config
    setting = (config.get("JOBS_BACKEND") or "auto").lower()
    if setting in ("inline", "thread"):
        return setting
    if setting == "rq" or config.get("REDIS_URL"):
        return "rq"
    return "thread"


def dispatch(job_id: int, *, attempts: int, delay: int = 0) -> None:
    kind = backend()
    if kind == "rq":
        enqueue(job_id, attempts=attempts, delay=delay)
        return
    worker = embedded.worker_for(current_app._get_current_object()) if kind == "thread" else None
    if worker is not None:
        worker.push(job_id, delay=delay)
    else:  # inline, or outside a serving process (a command, a script): run it right here
        run_job(job_id)


# --- the embedded back end (a worker thread per serving process; see embedded.py) --------------------------------

def init_app(app) -> None:
    """In the embedded default, the first request a process serves starts its worker thread."""
    kind = backend(app)
    if kind == "rq":
        preload_rq()
    if kind != "thread":
        return

    @app.before_request
    def _start_embedded_worker():
        if embedded.worker_for(app) is None:
            start_embedded_worker(app)


def start_embedded_worker(app) -> embedded.EmbeddedWorker:
    return embedded.ensure_worker(app, run=lambda job_id: run_job(job_id, app=app),
                                  poll=lambda: _poll_embedded(app),
                                  poll_seconds=float(app.config.get("JOBS_POLL_SECONDS") or 5))


def _poll_embedded(app) -> list[int]:
    """Recover jobs of dead workers, then list queued jobs that no worker thread has taken."""
    with app.app_context():
        try:
            now = utcnow()
            recover(now=now)
            db.session.commit()  # re-queued jobs are pushed to this process's thread after the commit
            waited = float(app.config.get("JOBS_PICKUP_SECONDS") or 30) + float(app.config.get("JOBS_RETRY_DELAY")
                                                                                   or 0)
            return list(db.session.scalars(
                select(Job.id).where(Job.status == JobStatus.QUEUED,
                                     func.coalesce(Job.heartbeat_at, Job.created_at) < now - timedelta(seconds=waited))
                .order_by(Job.id).limit(50)))
        finally:
            db.session.remove()


def drain(app=None, *, timeout: float = 30) -> int:
    """Run every queued job now, in this thread, until none is left (tests and scripts; the claim keeps a job that a
    worker thread takes at the same time from running twice). Returns how many runs were started."""
    app = app or current_app._get_current_object()
    runs = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            ids = list(db.session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)))
            db.session.remove()
        if not ids:
            return runs
        for job_id in ids:
            run_job(job_id, app=app)
            runs += 1
    raise TimeoutError("jobs still queued after the drain's timeout")


# --- running ---------------------------------------------------------------------------------------------------------

def run_job(job_id: int, *, app=None) -> None:
    """Run one job in its own app context and session (called by the worker thread of the serving process with its
    app, by the inline back end and, through `competition.worker`, by RQ)."""
    with (app or current_app._get_current_object()).app_context():
        try:
            _run(job_id)
        finally:
            db.session.remove()


def _run(job_id: int) -> None:
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, finished_at=None,
                attempts=Job.attempts + 1)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # done, failed, or already taken by another worker
        log.info("job %s is not queued; nothing to do", job_id)
        return
    job = db.session.get(Job, job_id)
    fn = TASKS.get(job.kind)
    log.info("job %s (%s) started, attempt %s", job.id, job.kind, job.attempts)
    heartbeat = Heartbeat(db.engine, job_id, interval=float(current_app.config.get("JOBS_HEARTBEAT_SECONDS") or 30))
    heartbeat.start()
    try:
        if fn is None:
            raise LookupError(f"unknown task {job.kind!r}")
        fn(JobContext(job), **(job.params or {}))
    except RetryLater as exc:
        heartbeat.stop()
        db.session.rollback()
        job = db.session.get(Job, job_id)
        retry_or_fail(job, reason=german(exc.message), now=utcnow())
    except Exception:
        heartbeat.stop()
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        job.message = german(_l("Der Auftrag ist mit einem unerwarteten Fehler abgebrochen. Bitte versuchen Sie es "
                                "erneut; wenn der Fehler bleibt, wenden Sie sich an den technischen Betrieb."))
    else:
        heartbeat.stop()
        job.status = JobStatus.DONE
        job.finished_at = utcnow()
        job.heartbeat_at = job.finished_at
        if job.progress_total is not None:
            job.progress_done = job.progress_total
        if not job.message:
            job.message = german(_l("Erledigt."))
        log.info("job %s (%s) done", job.id, job.kind)
    finally:
        heartbeat.stop()  # also when the run is cut short by something that is no Exception
    db.session.commit()


class Heartbeat(threading.Thread):
    """Refreshes ``heartbeat_at`` of a running job every ``interval`` seconds on a connection of its own, so a long
    step without progress reports (one big PDF) is not taken for a dead worker. It dies with its process: a killed
    worker stops beating and ``recover`` finds the job; a task that hangs is ended by RQ's job timeout
    (``JOBS_TIMEOUT``), and then the same happens."""

    def __init__(self, engine, job_id: int, *, interval: float):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.engine = engine
        self.job_id = job_id
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(Job.__table__)
                                 .where(Job.__table__.c.id == self.job_id,
                                        Job.__table__.c.status == JobStatus.RUNNING.value)
                                 .values(heartbeat_at=utcnow()))
            except Exception:  # e.g. SQLite busy: the next beat will do
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


def max_attempts() -> int:
    return int(current_app.config.get("JOBS_MAX_ATTEMPTS") or 3)


def retry_or_fail(job: Job, *, reason: str, now: datetime) -> str:
    """Put a job that did not finish back on the queue, or mark it failed once it has had all its attempts.
    Returns ``"requeued"`` or ``"failed"``. The caller commits (dispatch follows the commit)."""
    limit = max_attempts()
    if job.attempts >= limit:
        job.status = JobStatus.FAILED
        job.finished_at = now
        job.message = german(_l("Der Auftrag wurde nach %(n)s Versuchen abgebrochen. %(reason)s Bitte starten Sie "
                                "ihn bei Bedarf neu.", n=job.attempts, reason=reason))
        log.warning("job %s failed after %s attempts: %s", job.id, job.attempts, reason)
        return "failed"
    job.status = JobStatus.QUEUED
    job.heartbeat_at = now
    job.message = german(_l("Versuch %(n)s von %(limit)s ist nicht fertig geworden: %(reason)s Der Auftrag wurde "
                            "erneut eingereiht.", n=job.attempts, limit=limit, reason=reason))
    delay = int(current_app.config.get("JOBS_RETRY_DELAY") or 0) if backend() != "inline" else 0
    _dispatch_after_commit(job, delay=delay)
    log.warning("job %s requeued after attempt %s: %s", job.id, job.attempts, reason)
    return "requeued"


def restart(job: Job, *, now: datetime) -> None:
    """An organiser starts a failed job again: a fresh set of attempts (the task's own log prevents duplicates)."""
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.heartbeat_at = now
    job.finished_at = None
    job.message = german(_l("Erneut gestartet."))
    _dispatch_after_commit(job)


def recover(*, now: datetime) -> list[tuple[Job, str]]:
    """Find jobs whose worker died and re-queue them (or fail them after their last attempt). Never loses a job.

    - running, with no heartbeat for ``JOBS_STALE_MINUTES``: the worker was killed or the machine restarted;
    - queued for that long but not on the Redis queue (RQ back end): Redis lost it, or it was never enqueued.
    The caller commits.
    """
    stale_before = now - timedelta(minutes=float(current_app.config.get("JOBS_STALE_MINUTES") or 10))
    actions: list[tuple[Job, str]] = []
    dead = db.session.scalars(
        select(Job).where(Job.status == JobStatus.RUNNING,
                          or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before)).order_by(Job.id)
    ).all()
    for job in dead:
        reason = german(_l("Der Hintergrunddienst wurde während der Arbeit beendet (zuletzt aktiv: %(at)s UTC).",
                           at=(job.heartbeat_at or job.started_at or job.created_at).strftime("%d.%m.%Y %H:%M")))
        actions.append((job, retry_or_fail(job, reason=reason, now=now)))
    if backend() == "rq":
        from rq.registry import StartedJobRegistry

        queue = rq_queue()
        StartedJobRegistry(queue=queue).cleanup()  # RQ's own bookkeeping of abandoned work horses
        waiting = db.session.scalars(
            select(Job).where(Job.status == JobStatus.QUEUED,
                              func.coalesce(Job.heartbeat_at, Job.created_at) < stale_before).order_by(Job.id)
        ).all()
        for job in waiting:
            if not rq_job_is_waiting(job.id, job.attempts):
                job.heartbeat_at = now
                _dispatch_after_commit(job)
                actions.append((job, "enqueued"))
    return actions

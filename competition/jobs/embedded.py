"""The embedded back end: a worker thread in each serving process, so a request never waits for a job.

Without Redis, every app server process (each gunicorn worker) runs one ``EmbeddedWorker`` thread, started with the
first request the process serves. A request's commit only hands the job's id to this thread (``push``); the request
returns at once and the thread runs the job afterwards through the same ``run_job`` as RQ: the claim (queued →
running, one attempt more) makes sure that a job runs once even when several processes look at the same row.

The thread also looks at the table every ``JOBS_POLL_SECONDS``:

- ``recover`` re-queues running jobs whose heartbeat stopped (their process was killed or recycled) and fails them
  after their last attempt, as ``flask jobs recover`` does;
- queued rows that no thread took (their process ended before it got to them, or they were queued by a command
  outside a request) are taken once they have waited ``JOBS_PICKUP_SECONDS`` (plus the retry delay: a job that asked
  to be retried later is not taken early by another process).

This module knows nothing of the tasks: ``run``, ``recover`` and ``waiting`` are given by ``runner``.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_WORKERS: dict[int, EmbeddedWorker] = {}  # id(app) → the worker of this process
_LOCK = threading.Lock()


class EmbeddedWorker:
    def __init__(self, app, *, run: Callable[[int], None], poll: Callable[[], list[int]], poll_seconds: float):
        self.app = app
        self.run = run
        self.poll = poll
        self.poll_seconds = poll_seconds
        self.pid = os.getpid()
        self._due: list[tuple[float, int, int]] = []  # (monotonic time, sequence, job id)
        self._sequence = 0
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self.thread = threading.Thread(target=self._loop, name="embedded-jobs", daemon=True)

    def start(self) -> EmbeddedWorker:
        self.thread.start()
        return self

    def push(self, job_id: int, *, delay: float = 0) -> None:
        with self._cond:
            self._sequence += 1
            heapq.heappush(self._due, (time.monotonic() + max(0.0, delay), self._sequence, job_id))
            self._cond.notify()

    def stop(self, timeout: float = 10) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def idle(self) -> bool:
        """Nothing due now and nothing running (jobs waiting for a retry delay do not count)."""
        with self._cond:
            return not self._busy and not (self._due and self._due[0][0] <= time.monotonic())

    def _next(self) -> int | None:
        """Wait for the next due job id; None when it is time to poll the table (or to stop)."""
        next_poll = time.monotonic() + self.poll_seconds
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    self._busy = True
                    return heapq.heappop(self._due)[2]
                if now >= next_poll:
                    return None
                wake = min(next_poll, self._due[0][0]) if self._due else next_poll
                self._cond.wait(max(0.0, wake - now))
        return None

    def _loop(self) -> None:
        while not self._stopping:
            job_id = self._next()
            try:
                if job_id is not None:
                    self.run(job_id)
                elif not self._stopping:
                    waiting = set(self.poll())
                    with self._cond:
                        waiting -= {item[2] for item in self._due}
                    for found in sorted(waiting):
                        self.push(found)
            except Exception:  # a broken job or an unreachable database must not end the thread
                log.exception("embedded job worker: %s failed", f"job {job_id}" if job_id else "poll")
                time.sleep(1)
            finally:
                with self._cond:
                    self._busy = False


def worker_for(app) -> EmbeddedWorker | None:
    """The running worker of this process for ``app`` (None before the first request, or after a fork)."""
    worker = _WORKERS.get(id(app))
    if worker is None or worker.pid != os.getpid() or not worker.thread.is_alive():
        return None
    return worker


def ensure_worker(app, **kwargs) -> EmbeddedWorker:
    worker = worker_for(app)
    if worker is not None:
        return worker
    with _LOCK:
        worker = worker_for(app)
        if worker is None:
            worker = _WORKERS[id(app)] = EmbeddedWorker(app, **kwargs).start()
            log.info("embedded job worker started in process %s", worker.pid)
    return worker


def stop_worker(app) -> None:
    worker = _WORKERS.pop(id(app), None)
    if worker is not None and worker.pid == os.getpid():
        worker.stop()

"""Tasks used by the job tests; the worker subprocess imports them through JOBS_IMPORTS."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from competition.jobs import task


@task("tests.count", label="Test: zählen")
def count(ctx, *, n: int, fail: bool = False, result: bool = False):
    for i in range(n):
        ctx.progress(i + 1, n)
    if fail:
        raise RuntimeError("boom")
    if result:
        ctx.save_result("zahlen.txt", ",".join(str(i + 1) for i in range(n)).encode(), "text/plain")


@task("tests.slow")
def slow(ctx, *, marker: str):
    """Hangs in its first attempt (until the test kills the worker); finishes in the next one."""
    ctx.progress(1, 2)
    Path(marker).write_text(f"{os.getpid()} {ctx.job.attempts}")
    if ctx.job.attempts == 1:
        time.sleep(120)
    ctx.progress(2, 2)


@task("tests.quiet")
def quiet(ctx, *, seconds: float):
    """A long step without progress reports; says whether the heartbeat moved meanwhile."""
    from sqlalchemy import select

    from competition.extensions import db
    from competition.jobs import Job

    started = ctx.job.heartbeat_at
    time.sleep(seconds)
    with db.engine.connect() as conn:
        beat = conn.scalar(select(Job.heartbeat_at).where(Job.id == ctx.job.id))
    ctx.set_message("beat" if beat > started else "still")


GATES: dict[str, threading.Event] = {}  # name → opened by the test when the task may finish
RUNS: list[tuple[int, int, str]] = []  # (job id, attempt, thread name) of every run of the tasks below


@task("tests.gated")
def gated(ctx, *, gate: str):
    """Waits until the test opens its gate: shows that nobody waited for it."""
    RUNS.append((ctx.job.id, ctx.job.attempts, threading.current_thread().name))
    if not GATES[gate].wait(20):
        raise RuntimeError("the gate was never opened")
    ctx.set_message("durch")


@task("tests.once")
def once(ctx, *, retry_first: bool = False):
    """Records each run; asks to be retried later in its first attempt when told so."""
    from competition.jobs import RetryLater

    RUNS.append((ctx.job.id, ctx.job.attempts, threading.current_thread().name))
    time.sleep(0.01)
    if retry_first and ctx.job.attempts == 1:
        raise RetryLater("Der Mailserver antwortet gerade nicht.")

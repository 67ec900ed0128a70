"""Background jobs: ``from competition.jobs import task, submit``.

    @task("rankings.certificates")
    def make_certificates(ctx, *, edition_id):
        ctx.progress(0, n); …; ctx.save_result("urkunden.zip", data, "application/zip")

    job = submit("rankings.certificates", params={"edition_id": 1}, by=user, now=now, edition_id=1)
    db.session.commit()  # the job is dispatched (RQ) or run (inline) once this commit succeeds

See ``runner.py`` for the life of a job, the back ends and recovery.
"""

from .models import Job, JobStatus
from .runner import JobContext, RetryLater, submit, task

__all__ = ["Job", "JobContext", "JobStatus", "RetryLater", "submit", "task"]

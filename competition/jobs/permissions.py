"""Who may see, download and restart which background job. Each check says why not (None: they may).

The reasons for seeing and downloading are never shown (the views answer 403 and 404), so they are not translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Job, JobStatus


def why_not_view_job(user, job: Job):
    """Jobs hold organisers' work (exports, mails to many people): organisers see them, nobody else."""
    if not (user.is_authenticated and user.is_organiser):
        return "jobs are for organisers only"
    return None


def can_view_job(user, job: Job) -> bool:
    return why_not_view_job(user, job) is None


def why_not_download_job(job: Job):
    """A result can be downloaded once the job is done and has stored one."""
    if job.status != JobStatus.DONE or not job.result_key:
        return "the job has no result (yet)"
    return None


def can_download_job(job: Job) -> bool:
    return why_not_download_job(job) is None


def why_not_restart_job(job: Job):
    if job.status != JobStatus.FAILED:
        return _l("Nur fehlgeschlagene Aufträge können neu gestartet werden.")
    return None


def can_restart_job(job: Job) -> bool:
    return why_not_restart_job(job) is None

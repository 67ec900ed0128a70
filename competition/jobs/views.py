"""The organisers' view of background jobs: list, status with live progress, result download, restart."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.ids import db_int
from ..core.permissions import role_required
from ..core.storage import get_storage
from ..editions import services as edition_services
from ..extensions import db
from . import permissions, runner
from .models import Job, JobStatus

log = logging.getLogger(__name__)

bp = Blueprint("jobs", __name__, url_prefix="/organisation/jobs")
# Jobs that run for every submit: listed only when chosen (or when they failed).
ROUTINE_KINDS = ("entries.receipt",)

STATUS_LABELS = {
    JobStatus.QUEUED: _l("Wartet"),
    JobStatus.RUNNING: _l("Läuft"),
    JobStatus.DONE: _l("Fertig"),
    JobStatus.FAILED: _l("Fehlgeschlagen"),
}


def load_job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if not permissions.can_view_job(current_user, job):
        abort(403)
    return job


@bp.context_processor
def job_helpers():
    return {
        "job_label": lambda job: runner.TASK_LABELS.get(job.kind, job.kind),
        "status_label": lambda job: str(STATUS_LABELS[job.status]),
        "JobStatus": JobStatus,
    }


@bp.get("")
@role_required(Role.ORGANISER)
def list_jobs():
    editions = db.session.scalars(edition_services.list_editions()).all()
    edition_id = request.args.get("edition_id", type=db_int)
    kind = request.args.get("kind", "")
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(200)
    if edition_id:
        query = query.where(Job.edition_id == edition_id)
    if kind in runner.TASKS:
        query = query.where(Job.kind == kind)
    elif kind != "all":  # one receipt per submit would bury everything else: failed ones are still shown
        routine = (*ROUTINE_KINDS, *sorted(runner.ROUTINE))
        query = query.where((Job.kind.not_in(routine)) | (Job.status == JobStatus.FAILED))
    jobs = db.session.scalars(query).all()
    kinds = sorted(((name, runner.TASK_LABELS.get(name, name)) for name in runner.TASKS), key=lambda k: str(k[1]))
    return render_template("jobs/list.html", jobs=jobs, editions=editions, edition_id=edition_id, kind=kind,
                           kinds=kinds)


@bp.get("/<int:job_id>")
@role_required(Role.ORGANISER)
def show_job(job_id: int):
    job = load_job(job_id)
    if request.headers.get("HX-Request"):
        return render_template("jobs/_status.html", job=job)
    return render_template("jobs/show.html", job=job, form=FlaskForm())


@bp.get("/<int:job_id>/download")
@role_required(Role.ORGANISER)
def download(job_id: int):
    job = load_job(job_id)
    if not permissions.can_download_job(job):
        abort(404)
    storage = get_storage()
    try:
        file = storage.open(job.result_key)
    except FileNotFoundError:
        log.error("result of job %s (key %s) is missing", job.id, job.result_key)
        abort(404)
    response = send_file(file, mimetype=job.result_mimetype or "application/octet-stream", as_attachment=True,
                         download_name=job.result_filename or f"auftrag-{job.id}", conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:job_id>/restart")
@role_required(Role.ORGANISER)
def restart(job_id: int):
    job = load_job(job_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut ab."), "error")
    elif reason := permissions.why_not_restart_job(job):
        flash(str(reason), "error")
    else:
        runner.restart(job, now=utcnow())
        db.session.commit()
        flash(_("Der Auftrag wurde neu gestartet."), "success")
    return redirect(url_for("jobs.show_job", job_id=job.id))

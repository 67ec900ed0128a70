"""Company-facing pages of submitting: the submit form (retried on a clash of entry numbers), the receipt PDF,
withdrawing. Routes on views.bp."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.forms import ConfirmForm
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.markdown import render_markdown
from ..core.outcomes import run_service, show_failure
from ..core.requests import arrival_time
from ..editions.conditions import current_conditions, why_not_open
from ..extensions import db
from ..jobs import Job, JobStatus
from ..jobs import submit as submit_job
from ..jobs.runner import backend as jobs_backend
from . import permissions, queries, services
from .forms import SubmitForm
from .models import Entry, EntryStatus, EntryVersion
from .views import bp, load_entry, lock_version_of, own_entry


@bp.route("/entries/<int:entry_id>/submit", methods=["GET", "POST"])
@login_required
def submit_entry(entry_id: int):
    entry = own_entry(entry_id)
    form = SubmitForm()
    if request.method == "GET":
        form.lock_version.data = entry.lock_version
    if form.validate_on_submit():
        now = arrival_time()  # when the submit reached the platform (also for a retry below)
        try:
            submitted = _submit_with_retry(entry, form, now)
        except services.StaleEdit:
            db.session.rollback()
            if entry.status is EntryStatus.SUBMITTED and not queries.has_unsubmitted_changes(entry):
                flash(_("Ihr Beitrag ist bereits eingereicht (Version %(n)s). Es wurde nichts doppelt gespeichert.",
                        n=entry.latest_version.number), "info")
                return redirect(url_for("entries.show_entry", entry_id=entry.id))
            flash(_("Der Beitrag wurde inzwischen geändert. Bitte prüfen Sie ihn und reichen Sie dann erneut ein."),
                  "error")
            form.lock_version.data = entry.lock_version
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            flash(_("Ihr Beitrag wurde gerade gleichzeitig eingereicht. Bitte prüfen Sie den Stand."), "info")
            return redirect(url_for("entries.show_entry", entry_id=entry.id))
        except DomainError as exc:
            show_failure(exc, form if exc.field == "consent" else None)
        else:
            flash(_("Vielen Dank! Ihr Beitrag %(number)s ist eingereicht (Version %(version)s). Die "
                    "Eingangsbestätigung senden wir Ihnen per E-Mail; Sie finden sie auch hier als PDF.",
                    number=submitted.entry_number, version=submitted.version_number), "success")
            _warn_if_receipt_failed(submitted.receipt_job)
            return redirect(url_for("entries.show_entry", entry_id=entry_id))
    now = utcnow()
    conditions = current_conditions(entry.edition_id)
    return render_template("entries/submit.html", entry=entry, form=form, gaps=queries.entry_gaps(entry),
                           deadline=permissions.deadline_for(entry), state=permissions.submission_state(entry, now),
                           now=now, conditions=conditions,
                           conditions_html=_conditions_html(conditions),
                           why_not=permissions.why_not_edit(current_user, entry, now) or why_not_open(entry.edition))


def _conditions_html(conditions) -> Markup | None:
    if conditions is None or conditions.pdf:
        return None
    return Markup(render_markdown(conditions.body))  # noqa: S704  # nosec B704  # sanitised by nh3


@dataclass(frozen=True)
class Submitted:
    entry_number: str
    version_number: int
    receipt_job: Job


def _submit_with_retry(entry: Entry, form: SubmitForm, now, attempts: int = 6) -> Submitted:
    """Submit and commit. Two companies submitting for the first time at the same moment may draw the same entry
    number (on SQLite the read of the last number is not serialised); the loser is not the company's fault, so the
    submit is simply tried again with the next number. A second submit of the same entry is not retried.

    The receipt's job is stored in the same transaction as the version: a stored submit always has its receipt on
    the way, and the request commits once (what the page needs is read before the commit expires it)."""
    for attempt in range(1, attempts + 1):
        try:
            version = services.submit_entry(entry=entry, consent=form.consent.data, lock_version=lock_version_of(form),
                                            by=current_user, now=now)
            submitted = Submitted(entry_number=entry.number, version_number=version.number,
                                  receipt_job=_queue_receipt(version, entry))
            db.session.commit()
            return submitted
        except IntegrityError:
            db.session.rollback()
            if attempt == attempts:
                raise
            db.session.refresh(entry)
            if entry.status is not EntryStatus.DRAFT and entry.number:
                raise  # the same entry was submitted by someone else in the meantime
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # nosec B311 - jitter, not security
    raise AssertionError("unreachable")


def _queue_receipt(version: EntryVersion, entry: Entry) -> Job:
    """The receipt is rendered and mailed by a background job once the submit is stored: the request does not wait
    for it (a worker thread of this process or an RQ worker sends it and retries when the mail server is down)."""
    return submit_job("entries.receipt", params={"version_id": version.id, "user_id": current_user.id},
                      by=current_user, now=utcnow(), edition_id=entry.edition_id)


def _warn_if_receipt_failed(job: Job) -> None:
    """Only where the job runs at once (inline, at the commit) can its failure show here; otherwise the PDF is on
    the entry's page anyway."""
    if jobs_backend() != "inline":
        return
    db.session.refresh(job)
    if job.status is JobStatus.FAILED:
        flash(_("Die Eingangsbestätigung konnte nicht per E-Mail versendet werden. Sie können sie hier als PDF "
                "herunterladen."), "warning")


@bp.get("/entries/<int:entry_id>/versions/<int:number>/receipt.pdf")
@login_required
def receipt_pdf(entry_id: int, number: int):
    from .receipts import receipt_data_from_snapshot, render_receipt_pdf

    entry = load_entry(entry_id)
    version = next((v for v in entry.versions if v.number == number), None)
    if version is None:
        abort(404)
    data = receipt_data_from_snapshot(version.content, edition_name=entry.edition.name)
    pdf = render_receipt_pdf(data, lang=(current_user.locale or "de"))
    filename = f"Eingangsbestaetigung-{entry.number}-v{version.number}.pdf"
    return pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    }


@bp.route("/entries/<int:entry_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_entry(entry_id: int):
    entry = own_entry(entry_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        ok, _result = run_service(form, lambda: services.withdraw_entry(entry=entry, by=current_user, now=utcnow()))
        if ok:
            flash(_("Der Beitrag „%(title)s“ wurde zurückgezogen.", title=entry.title or entry.category.name),
                  "success")
            return redirect(url_for("entries.dashboard"))
        return redirect(url_for("entries.show_entry", entry_id=entry.id))
    return render_template("entries/withdraw.html", entry=entry, form=form)

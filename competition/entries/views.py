"""Company-facing pages: dashboard, profile, colleagues, entries, submission, receipt."""

from __future__ import annotations

import random
import time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.forms import ConfirmForm
from ..core import tokens
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.i18n import decimal_filter
from ..core.ids import db_int
from ..core.markdown import render_markdown
from ..core.outcomes import run_service, show_failure
from ..core.requests import arrival_time
from ..editions.conditions import current_conditions, why_not_open
from ..editions.models import Category
from ..extensions import db
from . import company_services, mails, permissions, queries, services
from . import tasks as _tasks  # noqa: F401 - the receipt job
from .forms import (
    CompanyForm,
    InviteColleagueForm,
    NewEntryForm,
    SubmitForm,
    answer_form_value,
    entry_form_class,
)
from .labels import CORE_FIELD_LABELS, STATUS_LABELS
from .models import CompanyInvite, District, Entry, EntryStatus, EntryVersion, TurnoverBand
from .outcomes import outcome_of
from .text import plain_text, sanitise

bp = Blueprint("entries", __name__)


@bp.app_context_processor
def entry_labels():
    return {"STATUS_LABELS": STATUS_LABELS, "CORE_FIELD_LABELS": CORE_FIELD_LABELS}


@bp.app_template_filter("plaintext")
def plaintext_filter(value: str | None) -> str:
    """Entry text without markup (escaped again by Jinja when printed)."""
    return plain_text(value)


@bp.app_template_filter("richtext")
def richtext_filter(value: str | None):
    """Entry text: sanitised again on output; plain line breaks become paragraphs."""
    cleaned = sanitise(value)
    if not cleaned:
        return Markup("<p>–</p>")
    if "<p>" not in cleaned and "<ul>" not in cleaned and "<ol>" not in cleaned:
        paragraphs = [p for p in cleaned.split("\n\n") if p.strip()]
        html = "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)
        return Markup(html)  # noqa: S704  # nosec B704  # nh3-sanitised
    return Markup(cleaned)  # noqa: S704  # nosec B704  # nh3-sanitised


@bp.app_template_filter("answer")
def answer_filter(value, question) -> str:
    if value is None or value == [] or value == "":
        return "–"
    kind = question.kind.value
    if kind == "yes_no":
        return _("Ja") if value else _("Nein")
    if kind == "multiple_choice":
        return ", ".join(value)
    if kind == "number":
        return decimal_filter(value, 4)
    if kind == "date":
        from datetime import date

        return date.fromisoformat(value).strftime("%d.%m.%Y")
    return str(value)


def _load_entry(entry_id: int) -> Entry:
    """404 for a missing entry, 403 for one the user may not see."""
    entry = db.get_or_404(Entry, entry_id)
    if not permissions.can_view_entry(current_user, entry):
        abort(403)
    return entry


def _own_entry(entry_id: int) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    if not permissions.is_member(current_user, entry.company):
        abort(403)
    return entry


# --- dashboard and profile ---------------------------------------------------------------------------------------

@bp.get("/dashboard")
@login_required
def dashboard():
    now = utcnow()
    company = permissions.company_of(current_user)
    if company is None:
        if current_user.is_organiser:
            return redirect(url_for("admin.dashboard"))
        return render_template("entries/dashboard.html", company=None, editions=queries.open_editions(now), now=now)
    entries = db.session.scalars(queries.entries_of(company)).all()
    rows = []
    for entry in entries:
        rows.append({
            "entry": entry,
            "gaps": queries.entry_gaps(entry) if entry.status in permissions.EDITABLE else [],
            "deadline": permissions.deadline_for(entry),
            "state": permissions.submission_state(entry, now),
            "can_edit": permissions.can_edit_entry(current_user, entry, now),
            "unsubmitted": queries.has_unsubmitted_changes(entry),
        })
    editions = queries.open_editions(now)
    taken = {e.category_id for e in entries}
    form = NewEntryForm(formdata=None)
    form.category_id.choices = [(c.id, f"{c.name} ({e.name})") for e in editions for c in e.categories
                                if c.id not in taken]
    return render_template("entries/dashboard.html", company=company, rows=rows, editions=editions,
                           new_form=form, now=now, invite_form=InviteColleagueForm(formdata=None))


@bp.route("/company", methods=["GET", "POST"])
@login_required
def company_profile():
    company = permissions.company_of(current_user)
    form = CompanyForm(obj=company)
    if request.method == "GET":
        if company is None:
            form.contact_name.data = current_user.full_name
            form.contact_email.data = current_user.email
        else:
            form.district.data = company.district.value
            form.turnover_band.data = company.turnover_band.value
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in company_services.COMPANY_FIELDS}
        data["district"] = District(data["district"])
        data["turnover_band"] = TurnoverBand(data["turnover_band"])
        if company is None:
            ok, created = run_service(form, lambda: company_services.create_company(data=data, by=current_user,
                                                                                    now=utcnow()))
            message = _("Ihr Unternehmensprofil ist angelegt. Jetzt können Sie einen Beitrag anlegen.")
            if ok:
                mails.tell_organisers_juror_joined(user=current_user, company=created, now=utcnow())
        else:
            ok, _result = run_service(form, lambda: company_services.update_company(company=company, data=data,
                                                                            by=current_user, now=utcnow()))
            message = _("Das Unternehmensprofil wurde gespeichert. Bereits eingereichte Beiträge behalten die Angaben "
                        "vom Zeitpunkt der Einreichung.")
        if ok:
            flash(message, "success")
            return redirect(url_for("entries.dashboard"))
    return render_template("entries/company.html", form=form, company=company,
                           invite_form=InviteColleagueForm(formdata=None))


@bp.post("/company/colleagues")
@login_required
def invite_colleague():
    company = permissions.company_of(current_user)
    if company is None:
        abort(403)
    form = InviteColleagueForm()
    if form.validate_on_submit():
        ok, invite = run_service(form, lambda: company_services.invite_colleague(company=company, email=form.email.data,
                                                                         by=current_user, now=utcnow()))
        if ok:
            token = tokens.make_token("company-invite", {"i": invite.id, "e": invite.email})
            sent = mails.send_company_invite(to=invite.email, locale=current_user.locale, company=company,
                                             inviter=current_user, token=token)
            if sent:
                flash(_("Die Einladung an %(email)s wurde versendet.", email=invite.email), "success")
            else:
                flash(_("Die Einladung ist gespeichert, die E-Mail konnte aber nicht versendet werden. Bitte "
                        "versuchen Sie es später erneut."), "error")
            return redirect(url_for("entries.company_profile"))
    return render_template("entries/company.html", form=CompanyForm(obj=company), company=company,
                           invite_form=form), 422


@bp.route("/company/join/<token>", methods=["GET", "POST"])
@login_required
def join_company(token: str):
    try:
        data = tokens.read_token("company-invite", token, max_age=14 * 24 * 3600)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        data = {}
    invite = db.session.get(CompanyInvite, data.get("i")) if data else None
    if invite is None or invite.email != data.get("e"):
        return render_template("accounts/link_problem.html",
                               message=_("Diese Einladung ist ungültig oder abgelaufen. Bitte lassen Sie sich "
                                         "erneut einladen.")), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = run_service(form, lambda: company_services.accept_colleague_invite(
            invite=invite, user=current_user, now=utcnow()))
        if ok:
            mails.tell_organisers_juror_joined(user=current_user, company=invite.company, now=utcnow())
            flash(_("Sie gehören jetzt zu %(name)s.", name=invite.company.legal_name), "success")
            return redirect(url_for("entries.dashboard"))
    return render_template("entries/join.html", invite=invite, form=form)


# --- entries -----------------------------------------------------------------------------------------------------

@bp.post("/entries/new")
@login_required
def new_entry():
    company = permissions.company_of(current_user)
    if company is None:
        flash(_("Bitte legen Sie zuerst das Profil Ihres Unternehmens an."), "error")
        return redirect(url_for("entries.company_profile"))
    form = NewEntryForm()
    category = db.session.get(Category, request.form.get("category_id", type=db_int) or 0)
    form.category_id.choices = [(category.id, category.name)] if category else []
    if category is None or not form.validate_on_submit():
        flash(_("Bitte wählen Sie eine Kategorie."), "error")
        return redirect(url_for("entries.dashboard"))
    try:
        entry = services.create_entry(company=company, category=category, by=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        show_failure(exc)
    else:
        flash(_("Ihr Beitrag in der Kategorie „%(name)s“ ist angelegt. Er wird beim Tippen automatisch als "
                "Entwurf gespeichert.", name=category.name), "success")
        return redirect(url_for("entries.edit_entry", entry_id=entry.id))
    return redirect(url_for("entries.dashboard"))


def _entry_form(entry: Entry, *, formdata=None):
    questions = queries.active_questions(entry.edition_id)
    form_class = entry_form_class(questions)
    if formdata is None:
        form = form_class(formdata=None, obj=entry)
        answers = {a.question_id: a.value for a in entry.answers}
        for question in questions:
            field = getattr(form, f"q_{question.id}", None)
            if field is not None:
                field.data = answer_form_value(question, answers.get(question.id))
        form.lock_version.data = entry.lock_version
    else:
        form = form_class()
    categories = entry.edition.categories
    form.category_id.choices = [(c.id, c.name) for c in categories]
    if formdata is None:
        form.category_id.data = entry.category_id
    return form, questions


def _entry_input(form, questions) -> services.EntryInput:
    answers = {}
    for question in questions:
        key = f"q_{question.id}"
        if question.kind.value == "multiple_choice":
            answers[question.id] = request.form.getlist(key)
        elif key in request.form or question.kind.value in ("yes_no", "single_choice"):
            answers[question.id] = request.form.get(key)
    return services.EntryInput(
        category_id=form.category_id.data if form.category_id.data else None,
        core={name: request.form.get(name, "") for name in queries.CORE_FIELDS},
        answers=answers,
        publish_summary=request.form.get("publish_summary") == "y",
    )


def _lock_version(form) -> int | None:
    try:
        return db_int(form.lock_version.data)
    except (TypeError, ValueError):
        return None


def _mark_problems(form, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*list(field.errors or []), message]


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    entry = _own_entry(entry_id)
    now = arrival_time()
    why_not = permissions.why_not_edit(current_user, entry, now)
    if why_not:
        flash(str(why_not), "warning")
        return redirect(url_for("entries.show_entry", entry_id=entry.id))
    if request.method == "POST":
        form, questions = _entry_form(entry, formdata=True)
        if form.validate_on_submit():
            try:
                problems = services.save_draft(entry=entry, data=_entry_input(form, questions),
                                               lock_version=_lock_version(form), by=current_user, now=now)
                db.session.commit()
            except DomainError as exc:
                show_failure(exc)
                return _render_edit(entry, form, questions), 409
            except StaleDataError:
                db.session.rollback()
                flash(_("Dieser Beitrag wurde gleichzeitig an anderer Stelle gespeichert. Bitte laden Sie die Seite "
                        "neu; Ihre Eingaben sehen Sie unten zum Kopieren."), "error")
                return _render_edit(entry, form, questions), 409
            if problems:
                _mark_problems(form, problems)
                flash(_("Der Entwurf wurde gespeichert, einzelne Angaben aber nicht. Bitte prüfen Sie die markierten "
                        "Felder."), "warning")
                form.lock_version.data = entry.lock_version
                return _render_edit(entry, form, questions), 422
            flash(_("Der Entwurf wurde gespeichert."), "success")
            target = "entries.submit_entry" if request.form.get("next_step") == "submit" else "entries.edit_entry"
            return redirect(url_for(target, entry_id=entry.id))
        return _render_edit(entry, form, questions), 422
    form, questions = _entry_form(entry)
    return _render_edit(entry, form, questions)


def _render_edit(entry, form, questions):
    from .attachment_views import upload_form_for

    now = utcnow()
    return render_template(
        "entries/edit.html", entry=entry, form=form, questions=questions, gaps=queries.entry_gaps(entry),
        deadline=permissions.deadline_for(entry),
        state=permissions.submission_state(entry, now), now=now, attachments=entry.attachments, can_edit=True,
        upload_form=upload_form_for(entry), unsubmitted=queries.has_unsubmitted_changes(entry),
    )


@bp.post("/entries/<int:entry_id>/autosave")
@login_required
def autosave_entry(entry_id: int):
    """htmx: save the draft while typing; answers with a status line and the new lock version."""
    entry = _own_entry(entry_id)
    now = arrival_time()
    form, questions = _entry_form(entry, formdata=True)
    if not form.validate_on_submit():
        return render_template("entries/_autosave.html", ok=False, entry=entry,
                               message=_("Automatisches Speichern nicht möglich. Bitte speichern Sie mit der "
                                         "Schaltfläche.")), 200
    try:
        problems = services.save_draft(entry=entry, data=_entry_input(form, questions),
                                       lock_version=_lock_version(form), by=current_user, now=now)
        db.session.commit()
    except (DomainError, StaleDataError) as exc:
        db.session.rollback()
        message = str(exc.message) if isinstance(exc, DomainError) else _(
            "Dieser Beitrag wurde gleichzeitig an anderer Stelle gespeichert. Bitte laden Sie die Seite neu.")
        return render_template("entries/_autosave.html", ok=False, entry=entry, message=message), 200
    return render_template("entries/_autosave.html", ok=not problems, entry=entry, now=now,
                           message=None if not problems else _("Gespeichert, bis auf markierte Angaben."))


@bp.get("/entries/<int:entry_id>")
@login_required
def show_entry(entry_id: int):
    entry = _load_entry(entry_id)
    now = utcnow()
    return render_template(
        "entries/show.html", entry=entry, now=now, deadline=permissions.deadline_for(entry),
        state=permissions.submission_state(entry, now),
        can_edit=permissions.can_edit_entry(current_user, entry, now),
        can_withdraw=(permissions.is_member(current_user, entry.company) and entry.status in permissions.EDITABLE
                      and permissions.submissions_open_for(entry, now)),
        questions=queries.active_questions(entry.edition_id),
        answers={a.question_id: a.value for a in entry.answers},
        unsubmitted=queries.has_unsubmitted_changes(entry),
        outcome=outcome_of(entry, now=now) if permissions.is_member(current_user, entry.company) else None,
        agreed=queries.agreed_conditions(entry),
    )


@bp.route("/entries/<int:entry_id>/submit", methods=["GET", "POST"])
@login_required
def submit_entry(entry_id: int):
    entry = _own_entry(entry_id)
    form = SubmitForm()
    if request.method == "GET":
        form.lock_version.data = entry.lock_version
    if form.validate_on_submit():
        now = arrival_time()  # when the submit reached the platform (also for a retry below)
        try:
            version = _submit_with_retry(entry, form, now)
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
                    number=entry.number, version=version.number), "success")
            _send_receipt(version)
            return redirect(url_for("entries.show_entry", entry_id=entry.id))
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


def _submit_with_retry(entry: Entry, form: SubmitForm, now, attempts: int = 6) -> EntryVersion:
    """Submit and commit. Two companies submitting for the first time at the same moment may draw the same entry
    number (on SQLite the read of the last number is not serialised); the loser is not the company's fault, so the
    submit is simply tried again with the next number. A second submit of the same entry is not retried."""
    for attempt in range(1, attempts + 1):
        try:
            version = services.submit_entry(entry=entry, consent=form.consent.data, lock_version=_lock_version(form),
                                            by=current_user, now=now)
            db.session.commit()
            return version
        except IntegrityError:
            db.session.rollback()
            if attempt == attempts:
                raise
            db.session.refresh(entry)
            if entry.status is not EntryStatus.DRAFT and entry.number:
                raise  # the same entry was submitted by someone else in the meantime
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # nosec B311 - jitter, not security
    raise AssertionError("unreachable")


def _send_receipt(version: EntryVersion) -> None:
    """The receipt is rendered and mailed by a background job once the submit is stored: the request does not wait
    for it (a worker thread of this process or an RQ worker sends it and retries when the mail server is down). Only
    where the job runs at once (inline) does its failure show here; otherwise the PDF is on the entry's page."""
    from ..jobs import JobStatus, submit

    job = submit("entries.receipt", params={"version_id": version.id, "user_id": current_user.id},
                 by=current_user, now=utcnow(), edition_id=version.entry.edition_id)
    db.session.commit()
    db.session.refresh(job)
    if job.status is JobStatus.FAILED:
        flash(_("Die Eingangsbestätigung konnte nicht per E-Mail versendet werden. Sie können sie hier als PDF "
                "herunterladen."), "warning")


@bp.get("/entries/<int:entry_id>/versions/<int:number>/receipt.pdf")
@login_required
def receipt_pdf(entry_id: int, number: int):
    from .receipts import receipt_data_from_snapshot, render_receipt_pdf

    entry = _load_entry(entry_id)
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
    entry = _own_entry(entry_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        ok, _result = run_service(form, lambda: services.withdraw_entry(entry=entry, by=current_user, now=utcnow()))
        if ok:
            flash(_("Der Beitrag „%(title)s“ wurde zurückgezogen.", title=entry.title or entry.category.name),
                  "success")
            return redirect(url_for("entries.dashboard"))
        return redirect(url_for("entries.show_entry", entry_id=entry.id))
    return render_template("entries/withdraw.html", entry=entry, form=form)

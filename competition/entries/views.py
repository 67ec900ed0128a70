"""Company-facing pages: the blueprint, the dashboard and the entry form (create, edit, autosave, show). The company
profile and colleagues are in company_views.py, submission, receipt and withdrawal in submit_views.py; both register
on this `bp`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.i18n import decimal_filter
from ..core.ids import db_int
from ..core.outcomes import show_failure
from ..core.requests import arrival_time
from ..editions.models import Category
from ..extensions import db
from . import permissions, queries, services
from . import tasks as _tasks  # noqa: F401 - the receipt job
from .forms import (
    InviteColleagueForm,
    NewEntryForm,
    answer_form_value,
    entry_form_class,
)
from .labels import CORE_FIELD_LABELS, STATUS_LABELS
from .models import Entry
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


def load_entry(entry_id: int) -> Entry:
    """404 for a missing entry, 403 for one the user may not see."""
    entry = db.get_or_404(Entry, entry_id)
    if not permissions.can_view_entry(current_user, entry):
        abort(403)
    return entry


def own_entry(entry_id: int) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    if not permissions.is_member(current_user, entry.company):
        abort(403)
    return entry


# --- dashboard -------------------------------------------------------------------------------------------------

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


def lock_version_of(form) -> int | None:
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
    entry = own_entry(entry_id)
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
                                               lock_version=lock_version_of(form), by=current_user, now=now)
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
    entry = own_entry(entry_id)
    now = arrival_time()
    form, questions = _entry_form(entry, formdata=True)
    if not form.validate_on_submit():
        return render_template("entries/_autosave.html", ok=False, entry=entry,
                               message=_("Automatisches Speichern nicht möglich. Bitte speichern Sie mit der "
                                         "Schaltfläche.")), 200
    try:
        problems = services.save_draft(entry=entry, data=_entry_input(form, questions),
                                       lock_version=lock_version_of(form), by=current_user, now=now)
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
    entry = load_entry(entry_id)
    now = utcnow()
    return render_template(
        "entries/show.html", entry=entry, now=now, deadline=permissions.deadline_for(entry),
        state=permissions.submission_state(entry, now),
        can_edit=permissions.can_edit_entry(current_user, entry, now),
        can_withdraw=permissions.can_withdraw_entry(current_user, entry, now),
        questions=queries.active_questions(entry.edition_id),
        answers={a.question_id: a.value for a in entry.answers},
        unsubmitted=queries.has_unsubmitted_changes(entry),
        outcome=outcome_of(entry, now=now) if permissions.is_member(current_user, entry.company) else None,
        agreed=queries.agreed_conditions(entry),
    )


from . import company_views as _company_views  # noqa: E402, F401 - registers its routes on bp
from . import submit_views as _submit_views  # noqa: E402, F401 - registers its routes on bp

"""Organisers define an edition's custom questions without code."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition
from ..extensions import db
from . import queries, question_services
from .forms import ArchiveQuestionForm, QuestionForm
from .labels import QUESTION_KIND_LABELS, VISIBILITY_LABELS
from .models import Question, QuestionKind, Visibility

bp = Blueprint("questions", __name__, url_prefix="/organisation/editions/<int:edition_id>/questions")
organiser_only = role_required(Role.ORGANISER)


def _question(edition: Edition, question_id: int) -> Question:
    return get_child_or_404(Question, question_id, edition_id=edition.id)


def _data(form: QuestionForm) -> question_services.QuestionData:
    choices = [line.strip() for line in (form.choices.data or "").splitlines() if line.strip()]
    return question_services.QuestionData(
        kind=QuestionKind(form.kind.data), label=form.label.data, help_text=form.help_text.data or "",
        is_required=form.is_required.data, max_length=form.max_length.data, choices=choices,
        visibility=Visibility(form.visibility.data),
    )


def _needs_required_warning(form: QuestionForm, edition: Edition, was_required: bool = False) -> int:
    """Entries already submitted when a question becomes required and the organiser has not confirmed yet: those
    entries have no answer to it. Returns their number (0: go ahead)."""
    if not form.is_required.data or was_required or request.form.get("confirm_required") == "1":
        return 0
    return queries.submitted_count(edition.id)


@bp.route("", methods=["GET", "POST"])
@organiser_only
def list_questions(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = QuestionForm()
    required_warning = 0
    if form.validate_on_submit() and not (required_warning := _needs_required_warning(form, edition)):
        ok, question = run_service(form, lambda: question_services.add_question(edition=edition, data=_data(form),
                                                                       by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Frage „%(label)s“ wurde angelegt.", label=question.label), "success")
            return redirect(url_for("questions.list_questions", edition_id=edition.id))
    questions = queries.active_questions(edition.id)
    archived = queries.archived_questions(edition.id)
    counts = {q.id: queries.answer_count(q) for q in questions}
    return render_template("entries/questions.html", edition=edition, questions=questions, archived=archived,
                           form=form, counts=counts, action_form=ConfirmForm(), required_warning=required_warning,
                           KIND_LABELS=QUESTION_KIND_LABELS, VISIBILITY_LABELS=VISIBILITY_LABELS)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@organiser_only
def edit_question(edition_id: int, question_id: int):
    edition = db.get_or_404(Edition, edition_id)
    question = _question(edition, question_id)
    form = QuestionForm()
    if not form.is_submitted():
        form.process(obj=question)
        form.kind.data = question.kind.value
        form.visibility.data = question.visibility.value
        form.choices.data = "\n".join(question.choices or [])
    required_warning = 0
    if form.validate_on_submit() and not (required_warning := _needs_required_warning(
            form, edition, was_required=question.is_required)):
        ok, _result = run_service(form, lambda: question_services.update_question(question=question, data=_data(form),
                                                                         by=current_user))
        if ok:
            flash(_("Die Frage wurde gespeichert."), "success")
            return redirect(url_for("questions.list_questions", edition_id=edition.id))
    return render_template("entries/question_form.html", edition=edition, question=question, form=form,
                           count=queries.answer_count(question), archive_form=ArchiveQuestionForm(formdata=None),
                           required_warning=required_warning)


@bp.post("/<int:question_id>/delete")
@organiser_only
def delete_question(edition_id: int, question_id: int):
    edition = db.get_or_404(Edition, edition_id)
    question = _question(edition, question_id)
    form = ArchiveQuestionForm()
    if form.validate_on_submit():
        label = question.label
        ok, outcome = run_service(form, lambda: question_services.delete_question(
            question=question, by=current_user, now=utcnow(), archive_confirmed=form.confirm_archive.data))
        if ok:
            if outcome == "deleted":
                flash(_("Die Frage „%(label)s“ wurde gelöscht.", label=label), "success")
            else:
                flash(_("Die Frage „%(label)s“ wurde archiviert; die Antworten bleiben erhalten.", label=label),
                      "success")
            return redirect(url_for("questions.list_questions", edition_id=edition.id))
    return redirect(url_for("questions.edit_question", edition_id=edition.id, question_id=question.id))


@bp.post("/<int:question_id>/move/<direction>")
@organiser_only
def move_question(edition_id: int, question_id: int, direction: str):
    edition = db.get_or_404(Edition, edition_id)
    question = _question(edition, question_id)
    if direction not in ("up", "down"):
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        run_service(form, lambda: question_services.move_question(
            question=question, direction=-1 if direction == "up" else 1, by=current_user))
    return redirect(url_for("questions.list_questions", edition_id=edition.id))

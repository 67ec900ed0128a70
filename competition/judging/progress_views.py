"""Organiser pages that watch the jury: progress of a round, an entry's sheets side by side with their history and
a reopen form. The audit trail lives in audit_views.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role, User
from ..core.clock import utcnow
from ..core.i18n import datetime_filter
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition, JudgingRound
from ..entries.models import Entry
from ..extensions import db
from . import extensions, permissions, sheets
from .decisions import open_decisions
from .forms import ALL_JURORS, ScoringExtensionForm, decision_form
from .models import ScoreSheet, ScoringExtension
from .progress import entry_sheets as read_entry_sheets
from .progress import round_progress

bp = Blueprint("jury_progress", __name__, url_prefix="/organisation/editions/<int:edition_id>")
organiser_only = role_required(Role.ORGANISER)



class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Begründung"),
        validators=[DataRequired(_l("Bitte begründen Sie, warum der Bogen wieder geöffnet wird.")), Length(max=2000)],
        description=_l("Das Jurymitglied sieht den Bogen danach wieder als Entwurf und muss ihn erneut einreichen."),
    )


def _reopen_form(sheet_id: int, **kwargs) -> ReopenForm:
    """One form per sheet on the page; the prefix keeps field ids and error messages apart."""
    return ReopenForm(prefix=f"bogen{sheet_id}", **kwargs)


def _round(edition: Edition, round_id: int) -> JudgingRound:
    return get_child_or_404(JudgingRound, round_id, edition_id=edition.id)


# --- progress of a round -----------------------------------------------------------------------------------------

def _extension_form(judging_round: JudgingRound, jurors: list[User], **kwargs) -> ScoringExtensionForm:
    form = ScoringExtensionForm(**kwargs)
    form.juror.choices = [(ALL_JURORS, _("Alle Jurymitglieder dieser Runde"))] + [(str(u.id), u.full_name)
                                                                                 for u in jurors]
    return form


def _progress_page(edition: Edition, judging_round: JudgingRound, *, form: ScoringExtensionForm | None = None,
                   status: int = 200):
    jurors = extensions.round_jurors(judging_round)
    form = form or _extension_form(judging_round, jurors, formdata=None)
    granted = extensions.extensions_of(judging_round)
    return render_template("judging/admin/progress.html", edition=edition, judging_round=judging_round,
                           progress=round_progress(judging_round, now=utcnow()), extension_form=form,
                           extensions=granted, action_form=ConfirmForm(),
                           frozen=permissions.why_round_frozen(judging_round)), status


@bp.get("/rounds/<int:round_id>/progress", endpoint="progress")
@organiser_only
def progress_page(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    return _progress_page(edition, _round(edition, round_id))


@bp.post("/rounds/<int:round_id>/extensions")
@organiser_only
def grant_extension(edition_id: int, round_id: int):
    """More time for one juror or all jurors of the round, with a reason the juror sees (audited)."""
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    jurors = extensions.round_jurors(judging_round)
    form = _extension_form(judging_round, jurors)
    if form.validate_on_submit():
        choice = form.juror.data or ""
        juror = next((u for u in jurors if str(u.id) == choice), None)
        if choice != ALL_JURORS and juror is None:
            form.juror.errors = [_("Bitte wählen Sie ein Jurymitglied dieser Runde oder „Alle Jurymitglieder“.")]
        else:
            ok, granted = run_service(form, lambda: extensions.grant_scoring_extension(
                judging_round=judging_round, juror=juror, until=form.until.data, reason=form.reason.data,
                by=current_user, now=utcnow()), default_field="until")
            if ok:
                who = juror.full_name if juror else _("alle Jurymitglieder dieser Runde")
                flash(_("Die Bewertungsfrist für %(who)s ist bis %(until)s verlängert.", who=who,
                        until=datetime_filter(granted.extended_until)), "success")
                return redirect(url_for("jury_progress.progress", edition_id=edition.id,
                                        round_id=judging_round.id) + "#fristen")
    return _progress_page(edition, judging_round, form=form, status=422)


@bp.post("/rounds/<int:round_id>/extensions/<int:extension_id>/delete")
@organiser_only
def withdraw_extension(edition_id: int, round_id: int, extension_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    extension = get_child_or_404(ScoringExtension, extension_id, round_id=judging_round.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = run_service(form, lambda: extensions.withdraw_scoring_extension(
            extension=extension, by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Fristverlängerung wurde zurückgenommen."), "success")
    return redirect(url_for("jury_progress.progress", edition_id=edition.id, round_id=judging_round.id)
                    + "#fristen")


# --- an entry's sheets -------------------------------------------------------------------------------------------

def entry_page(edition: Edition, judging_round: JudgingRound, entry: Entry, *, failed: ReopenForm | None = None,
               failed_sheet: int | None = None, decision=None, status: int = 200):
    view = read_entry_sheets(judging_round=judging_round, entry=entry)
    frozen = permissions.why_round_frozen(judging_round)
    forms = {} if frozen else {c.sheet_id: _reopen_form(c.sheet_id, formdata=None) for c in view.columns
                               if c.can_reopen}
    if failed is not None and failed_sheet in forms:
        forms[failed_sheet] = failed
    open_items = open_decisions(edition, entry=entry, judging_round=judging_round)
    decision_forms = {item.assignment_id: decision_form(item.assignment_id, formdata=None) for item in open_items}
    if decision is not None and decision[0] in decision_forms:
        decision_forms[decision[0]] = decision[1]
    return render_template("judging/admin/entry_sheets.html", edition=edition, judging_round=judging_round,
                           entry=entry, view=view, forms=forms, failed_sheet=failed_sheet, frozen=frozen,
                           open_decisions=open_items, decision_forms=decision_forms,
                           failed_decision=decision[0] if decision else None), status


@bp.get("/rounds/<int:round_id>/entries/<int:entry_id>/sheets")
@organiser_only
def entry_sheets(edition_id: int, round_id: int, entry_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    entry = db.get_or_404(Entry, entry_id)
    if entry.edition_id != edition.id:
        abort(404)
    return entry_page(edition, judging_round, entry)


@bp.post("/sheets/<int:sheet_id>/reopen")
@organiser_only
def reopen(edition_id: int, sheet_id: int):
    edition = db.get_or_404(Edition, edition_id)
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    judging_round, entry = sheet.round, sheet.entry
    if judging_round.edition_id != edition.id:
        abort(404)
    back = url_for("jury_progress.entry_sheets", edition_id=edition.id, round_id=judging_round.id,
                   entry_id=entry.id) + f"#bogen-{sheet.id}"
    form = _reopen_form(sheet.id)
    if form.validate_on_submit():
        juror = sheet.user.full_name
        try:
            ok, _result = run_service(form, lambda: sheets.reopen_sheet(sheet=sheet, reason=form.reason.data,
                                                                        by=current_user, now=utcnow()))
        except StaleDataError:
            db.session.rollback()
            flash(_("Der Bewertungsbogen wurde gleichzeitig an anderer Stelle geändert. Bitte prüfen Sie den "
                    "aktuellen Stand und versuchen Sie es erneut."), "error")
            return redirect(back)
        if ok:
            closed = permissions.why_scoring_closed(sheet.user_id, judging_round, utcnow())
            if closed:
                flash(_("Der Bewertungsbogen von %(juror)s ist wieder geöffnet. Die Bewertungsfrist von %(juror)s "
                        "ist jedoch abgelaufen: Verlängern Sie die Frist auf der Fortschrittsseite, damit der Bogen "
                        "erneut eingereicht werden kann; bis dahin zählt er nicht.", juror=juror), "warning")
            else:
                flash(_("Der Bewertungsbogen von %(juror)s ist wieder geöffnet. %(juror)s kann ihn jetzt bearbeiten "
                        "und erneut einreichen.", juror=juror), "success")
            return redirect(back)
        if not form.reason.errors:  # refused for a reason that is not about the field; it was flashed
            return redirect(back)
    return entry_page(edition, judging_round, entry, failed=form, failed_sheet=sheet.id, status=422)

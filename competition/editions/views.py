from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..extensions import db
from . import phase_effects, services
from .conditions import why_not_open
from .forms import PHASE_LABELS, CategoryForm, CriterionForm, EditionForm, PhaseOverrideForm, RoundForm
from .models import Category, Criterion, Edition, JudgingRound
from .phases import Phase, PhaseDates, phase_from_dates
from .scales import Scale

bp = Blueprint("editions", __name__)
organiser_only = role_required(Role.ORGANISER)


def registration_open() -> bool:
    """Whether the current edition takes registrations now (its effective phase); the header and the landing page
    ask this one function."""
    edition = services.current_edition(utcnow())
    return edition is not None and edition.flags(utcnow()).submissions_open


@bp.app_context_processor
def phase_labels():
    return {"PHASE_LABELS": PHASE_LABELS, "registration_open": registration_open}


@bp.get("/")
def home():
    now = utcnow()
    edition = services.current_edition(now)
    return render_template("editions/home.html", edition=edition, now=now, results=services.published_results(now))


# --- loaders: 404 for a missing object or one that does not belong to the edition in the URL --------------------

def _edition(edition_id: int) -> Edition:
    return db.get_or_404(Edition, edition_id)


def _category(edition: Edition, category_id: int) -> Category:
    return get_child_or_404(Category, category_id, edition_id=edition.id)


def _round(edition: Edition, round_id: int) -> JudgingRound:
    return get_child_or_404(JudgingRound, round_id, edition_id=edition.id)


def _criterion(judging_round: JudgingRound, criterion_id: int) -> Criterion:
    return get_child_or_404(Criterion, criterion_id, round_id=judging_round.id)


# --- editions ----------------------------------------------------------------------------------------------------

def _edition_data(form: EditionForm) -> services.EditionData:
    return services.EditionData(
        name=form.name.data,
        slug=form.slug.data or "",
        description=form.description.data or "",
        dates=PhaseDates(
            registration_opens_at=form.registration_opens_at.data,
            submission_deadline_at=form.submission_deadline_at.data,
            jury_starts_at=form.jury_starts_at.data,
            jury_ends_at=form.jury_ends_at.data,
            publication_at=form.publication_at.data,
        ),
        max_file_mb=form.max_file_mb.data,
        max_entry_mb=form.max_entry_mb.data,
        max_files=form.max_files.data,
        allow_office_files=form.allow_office_files.data,
        terms_version=form.terms_version.data,
        max_employees=form.max_employees.data,
        is_blind=form.is_blind.data,
        retention_until=form.retention_until.data,
    )


@bp.get("/organisation/editions")
@organiser_only
def list_editions():
    editions = db.session.scalars(services.list_editions()).all()
    return render_template("editions/list.html", editions=editions, now=utcnow())


@bp.route("/organisation/editions/new", methods=["GET", "POST"])
@organiser_only
def new_edition():
    form = EditionForm()
    if form.validate_on_submit():
        ok, edition = run_service(
            form, lambda: services.create_edition(data=_edition_data(form), by=current_user, now=utcnow())
        )
        if ok:
            flash(_("Die Ausschreibung „%(name)s“ wurde angelegt.", name=edition.name), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    return render_template("editions/edition_form.html", form=form, edition=None)


@bp.get("/organisation/editions/<int:edition_id>")
@organiser_only
def show_edition(edition_id: int):
    edition = _edition(edition_id)
    override = PhaseOverrideForm(formdata=None, phase=edition.phase_override.value if edition.phase_override else "")
    return render_template(
        "editions/show.html",
        edition=edition,
        now=utcnow(),
        override_form=override,
        category_form=CategoryForm(formdata=None),
        action_form=ConfirmForm(),
        conditions_missing=why_not_open(edition),
    )


@bp.route("/organisation/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@organiser_only
def edit_edition(edition_id: int):
    edition = _edition(edition_id)
    form = EditionForm(obj=edition)
    if form.validate_on_submit():
        ok, _result = run_service(
            form,
            lambda: services.update_edition(edition=edition, data=_edition_data(form), by=current_user, now=utcnow()),
        )
        if ok:
            flash(_("Die Änderungen wurden gespeichert."), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    return render_template("editions/edition_form.html", form=form, edition=edition)


@bp.post("/organisation/editions/<int:edition_id>/phase")
@organiser_only
def set_phase(edition_id: int):
    """First a confirmation page that says what follows; the switch itself only with `confirmed`."""
    edition = _edition(edition_id)
    form = PhaseOverrideForm()
    if not form.validate_on_submit():
        flash(_("Bitte wählen Sie eine gültige Phase."), "error")
        return redirect(url_for("editions.show_edition", edition_id=edition.id))
    now = utcnow()
    phase = Phase(form.phase.data) if form.phase.data else None
    if phase is Phase.SUBMISSION and why_not_open(edition):  # refused before asking, not after confirming
        flash(str(why_not_open(edition)), "error")
        return redirect(url_for("editions.show_edition", edition_id=edition.id))
    if request.form.get("confirmed") != "1":
        new = phase if phase is not None else phase_from_dates(edition.dates, now)
        return render_template("editions/phase_confirm.html", edition=edition, form=form, now=now,
                               old=edition.phase(now), new=new, automatic=phase is None,
                               consequences=phase_effects.consequences(edition, new=new, now=now))
    ok, _result = run_service(form, lambda: services.set_phase_override(edition=edition, phase=phase,
                                                                       by=current_user, now=now))
    if ok:
        if phase is None:
            flash(_("Die Phase richtet sich wieder nach dem Kalender: jetzt „%(phase)s“.",
                    phase=PHASE_LABELS[edition.phase(now)]), "success")
        else:
            flash(_("Die Phase ist jetzt von Hand auf „%(phase)s“ gesetzt.", phase=PHASE_LABELS[phase]), "success")
    return redirect(url_for("editions.show_edition", edition_id=edition.id))


# --- categories --------------------------------------------------------------------------------------------------

@bp.post("/organisation/editions/<int:edition_id>/categories")
@organiser_only
def add_category(edition_id: int):
    edition = _edition(edition_id)
    form = CategoryForm()
    if form.validate_on_submit():
        ok, category = run_service(
            form,
            lambda: services.add_category(
                edition=edition, name=form.name.data, description=form.description.data or "", by=current_user
            ),
        )
        if ok:
            flash(_("Die Kategorie „%(name)s“ wurde angelegt.", name=category.name), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id) + "#kategorien")
    override = PhaseOverrideForm(formdata=None)
    return render_template(
        "editions/show.html", edition=edition, now=utcnow(), override_form=override, category_form=form,
        action_form=ConfirmForm(),
    ), 422


@bp.route("/organisation/editions/<int:edition_id>/categories/<int:category_id>/edit", methods=["GET", "POST"])
@organiser_only
def edit_category(edition_id: int, category_id: int):
    edition = _edition(edition_id)
    category = _category(edition, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        ok, _result = run_service(
            form,
            lambda: services.update_category(
                category=category, name=form.name.data, description=form.description.data or "", by=current_user
            ),
        )
        if ok:
            flash(_("Die Kategorie wurde gespeichert."), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id) + "#kategorien")
    return render_template("editions/category_form.html", form=form, edition=edition, category=category)


@bp.post("/organisation/editions/<int:edition_id>/categories/<int:category_id>/delete")
@organiser_only
def delete_category(edition_id: int, category_id: int):
    edition = _edition(edition_id)
    category = _category(edition, category_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = category.name
        ok, _result = run_service(form, lambda: services.delete_category(category=category, by=current_user))
        if ok:
            flash(_("Die Kategorie „%(name)s“ wurde gelöscht.", name=name), "success")
    return redirect(url_for("editions.show_edition", edition_id=edition.id) + "#kategorien")


# --- judging rounds ----------------------------------------------------------------------------------------------

def _round_data(form: RoundForm) -> services.RoundData:
    return services.RoundData(
        name=form.name.data,
        description=form.description.data or "",
        scale=Scale(form.scale_min.data, form.scale_max.data, form.scale_step.data),
        jurors_per_entry=form.jurors_per_entry.data,
        deadline_at=form.deadline_at.data,
        show_scores_after_submit=form.show_scores_after_submit.data,
    )


@bp.route("/organisation/editions/<int:edition_id>/rounds/new", methods=["GET", "POST"])
@organiser_only
def new_round(edition_id: int):
    edition = _edition(edition_id)
    form = RoundForm()
    if not form.is_submitted():
        first = not edition.rounds
        form.name.data = _("Vorauswahl") if first else _("Finale")
        form.scale_min.data, form.scale_max.data, form.scale_step.data = 0, 10, 1
        form.jurors_per_entry.data = 3 if first else 5
        form.deadline_at.data = edition.jury_ends_at
    if form.validate_on_submit():
        ok, judging_round = run_service(
            form, lambda: services.add_round(edition=edition, data=_round_data(form), by=current_user)
        )
        if ok:
            flash(_("Die Bewertungsrunde „%(name)s“ wurde angelegt. Legen Sie jetzt die Kriterien an.",
                    name=judging_round.name), "success")
            return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))
    return render_template("editions/round_form.html", form=form, edition=edition, judging_round=None)


@bp.get("/organisation/editions/<int:edition_id>/rounds/<int:round_id>")
@organiser_only
def show_round(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    return render_template(
        "editions/round.html", edition=edition, judging_round=judging_round, action_form=ConfirmForm()
    )


@bp.route("/organisation/editions/<int:edition_id>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@organiser_only
def edit_round(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = RoundForm(obj=judging_round)
    if form.validate_on_submit():
        ok, _result = run_service(
            form, lambda: services.update_round(judging_round=judging_round, data=_round_data(form), by=current_user)
        )
        if ok:
            flash(_("Die Bewertungsrunde wurde gespeichert."), "success")
            return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))
    return render_template("editions/round_form.html", form=form, edition=edition, judging_round=judging_round)


@bp.post("/organisation/editions/<int:edition_id>/rounds/<int:round_id>/delete")
@organiser_only
def delete_round(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = judging_round.name
        ok, _result = run_service(form, lambda: services.delete_round(judging_round=judging_round, by=current_user))
        if ok:
            flash(_("Die Bewertungsrunde „%(name)s“ wurde gelöscht.", name=name), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id) + "#runden")
    return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))


# --- criteria ----------------------------------------------------------------------------------------------------

def _criterion_data(form: CriterionForm) -> services.CriterionData:
    return services.CriterionData(
        name=form.name.data,
        description=form.description.data or "",
        weight=form.weight.data,
        rubric_low=form.rubric_low.data or "",
        rubric_mid=form.rubric_mid.data or "",
        rubric_high=form.rubric_high.data or "",
    )


@bp.route("/organisation/editions/<int:edition_id>/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@organiser_only
def new_criterion(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = CriterionForm()
    if form.validate_on_submit():
        ok, criterion = run_service(
            form,
            lambda: services.add_criterion(judging_round=judging_round, data=_criterion_data(form), by=current_user),
        )
        if ok:
            flash(_("Das Kriterium „%(name)s“ wurde angelegt.", name=criterion.name), "success")
            return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))
    return render_template(
        "editions/criterion_form.html", form=form, edition=edition, judging_round=judging_round, criterion=None
    )


@bp.route(
    "/organisation/editions/<int:edition_id>/rounds/<int:round_id>/criteria/<int:criterion_id>/edit",
    methods=["GET", "POST"],
)
@organiser_only
def edit_criterion(edition_id: int, round_id: int, criterion_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    criterion = _criterion(judging_round, criterion_id)
    form = CriterionForm(obj=criterion)
    if form.validate_on_submit():
        ok, _result = run_service(
            form, lambda: services.update_criterion(criterion=criterion, data=_criterion_data(form), by=current_user)
        )
        if ok:
            flash(_("Das Kriterium wurde gespeichert."), "success")
            return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))
    return render_template(
        "editions/criterion_form.html", form=form, edition=edition, judging_round=judging_round, criterion=criterion
    )


@bp.post("/organisation/editions/<int:edition_id>/rounds/<int:round_id>/criteria/<int:criterion_id>/delete")
@organiser_only
def delete_criterion(edition_id: int, round_id: int, criterion_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    criterion = _criterion(judging_round, criterion_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = criterion.name
        ok, _result = run_service(form, lambda: services.delete_criterion(criterion=criterion, by=current_user))
        if ok:
            flash(_("Das Kriterium „%(name)s“ wurde gelöscht.", name=name), "success")
    return redirect(url_for("editions.show_round", edition_id=edition.id, round_id=judging_round.id))

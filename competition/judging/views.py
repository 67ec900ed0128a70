"""Juror pages: dashboard, profile, declared conflicts of interest."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Category, Edition
from ..entries.models import Company
from ..extensions import db
from . import conflict_services, notices, queries, services, worklist
from .forms import DeclareConflictForm, ProfileForm, WithdrawForm
from .models import Conflict, ConflictSource

bp = Blueprint("judging", __name__, url_prefix="/jury")
juror_only = role_required(Role.JUROR)


def _open_edition() -> Edition | None:
    from ..editions.services import current_edition

    return current_edition(utcnow())


@bp.get("")
@juror_only
def dashboard():
    """The juror's work: rounds with open work first (deadline, time left, progress), each entry with every
    criterion and the total, sortable by any column (links; sheet-overview.js sorts in place), and the
    distribution of the juror's own totals on the round's scale."""
    now = utcnow()
    work = worklist.worklist_of(current_user, now)
    sort, descending = request.args.get("sort"), request.args.get("dir") == "desc"
    rows = {w.judging_round.id: worklist.sort_rows(w.rows, sort, descending) for w in work.rounds}
    distributions = {w.judging_round.id: worklist.distribution([r.total for r in w.rows if r.total is not None],
                                                                w.judging_round.scale) for w in work.rounds}
    return render_template("judging/dashboard.html", work=work, rows=rows, distributions=distributions, now=now,
                           sort=sort, descending=descending, profile=queries.profile_of(current_user),
                           next_row=work.next_open(0))


@bp.route("/profile", methods=["GET", "POST"])
@juror_only
def profile():
    existing = queries.profile_of(current_user)
    form = ProfileForm()
    edition = _open_edition()
    categories = list(db.session.scalars(db.select(Category).order_by(Category.edition_id.desc(), Category.position)))
    form.expertise.choices = [(c.id, f"{c.name} ({c.edition.name})") for c in categories]
    if not form.is_submitted():
        if existing is not None:
            form.organisation.data = existing.organisation
            form.position.data = existing.position
            form.employer_domains.data = "\n".join(existing.employer_domains)
            form.former_employers.data = "\n".join(existing.former_employers)
            form.capacity.data = existing.capacity
        else:
            form.capacity.data = 10
            form.employer_domains.data = current_user.email.split("@")[-1]
        form.expertise.data = sorted(queries.expertise_of([current_user.id]).get(current_user.id, set()))
    if form.validate_on_submit():
        data = services.ProfileData(
            organisation=form.organisation.data, position=form.position.data or "",
            employer_domains=ProfileForm.lines(form.employer_domains.data),
            former_employers=[line.strip() for line in (form.former_employers.data or "").splitlines()
                              if line.strip()],
            capacity=form.capacity.data, expertise=list(form.expertise.data or []),
        )
        ok, _result = run_service(form, lambda: services.save_profile(user=current_user, data=data, by=current_user,
                                                                      now=utcnow()))
        if ok:
            flash(_("Ihr Profil wurde gespeichert."), "success")
            return redirect(url_for("judging.dashboard"))
    return render_template("judging/profile.html", form=form, edition=edition)


@bp.route("/conflicts", methods=["GET", "POST"])
@juror_only
def conflicts():
    edition = _open_edition()
    companies = services.participating_companies(edition) if edition else []
    form = DeclareConflictForm()
    form.company_id.choices = [(c.id, c.legal_name) for c in companies]
    if form.validate_on_submit():
        company = db.get_or_404(Company, form.company_id.data)
        ok, conflict = run_service(form, lambda: services.declare_conflict(juror=current_user, company=company,
                                                                           reason=form.reason.data, by=current_user,
                                                                           now=utcnow()))
        if ok:
            notices.tell_declared(described=notices.describe(conflict), juror=current_user, outcome="declared",
                                  affected=conflict_services.affected_assignments(conflict),
                                  edition_id=edition.id if edition else None)
            # The same words whatever the company: in blind judging nothing the juror sees may tell whether one
            # of their assignments belongs to it.
            flash(_("Ihre Befangenheit gegenüber %(name)s ist erfasst. Das Organisationsteam ist informiert und "
                    "entscheidet über bestehende Zuweisungen; künftig werden Ihnen Beiträge dieses Unternehmens "
                    "nicht zugewiesen.", name=company.legal_name), "success")
            return redirect(url_for("judging.conflicts"))
    mine = db.session.scalars(db.select(Conflict).where(Conflict.user_id == current_user.id)
                              .order_by(Conflict.created_at, Conflict.id)).all()
    return render_template("judging/conflicts.html", form=form, conflicts=mine, edition=edition,
                           action_form=WithdrawForm(formdata=None), ConflictSource=ConflictSource,
                           needs_organiser=conflict_services.has_running_assignments(current_user, utcnow()))


@bp.post("/conflicts/<int:conflict_id>/withdraw")
@juror_only
def withdraw_conflict(conflict_id: int):
    conflict = db.get_or_404(Conflict, conflict_id)
    if conflict.user_id != current_user.id:
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit():
        described = notices.describe(conflict)
        edition = _open_edition()
        ok, removed = run_service(form, lambda: conflict_services.withdraw_conflict(
            conflict=conflict, reason=form.reason.data or "", by=current_user, now=utcnow()))
        if ok and removed:
            notices.tell_withdrawal(described=described, juror=current_user, requested=False, affected=[],
                                    edition_id=edition.id if edition else None)
            flash(_("Die Erklärung wurde zurückgenommen. Das Organisationsteam ist informiert."), "success")
        elif ok:
            described["withdrawal_reason"] = conflict.withdrawal_reason
            notices.tell_withdrawal(described=described, juror=current_user, requested=True,
                                    affected=conflict_services.affected_assignments(conflict),
                                    edition_id=edition.id if edition else None)
            flash(_("Ihr Antrag auf Rücknahme ist beim Organisationsteam. Bis es entschieden hat, gilt Ihre "
                    "Erklärung weiter."), "success")
    return redirect(url_for("judging.conflicts"))

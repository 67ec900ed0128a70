"""Juror pages: dashboard, profile, declared conflicts of interest."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.forms import run_service
from ..core.permissions import role_required
from ..editions.models import Category, Edition
from ..entries.models import Company
from ..extensions import db
from . import conflict_check, conflict_services, extensions, notices, permissions, services
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
    now = utcnow()
    assignments = db.session.scalars(services.assignments_of(current_user)).all()
    # An assignment the juror is conflicted with (found after it was made) stays locked: its sheet answers 403, and
    # the list must not show its title either. A juror's own declaration against a company does not lock in blind
    # judging (see conflict_check): the organisers decide, and the juror's view must not tell which entry it was.
    conflicts_now = conflict_check.conflict_map(juror_ids=[current_user.id], entries=[a.entry_id for a in assignments])
    blocked = [a for a in assignments if conflicts_now.locked(current_user.id, a.entry_id)]
    assignments = [a for a in assignments if a not in blocked]
    by_round = defaultdict(list)
    for assignment in assignments:
        by_round[assignment.round].append(assignment)
    rounds = sorted(by_round, key=lambda r: (r.edition_id, r.position))
    from .models import ScoreSheet
    from .sheets import total_of

    sheets_by_assignment = {s.assignment_id: s for s in db.session.scalars(
        db.select(ScoreSheet).where(ScoreSheet.user_id == current_user.id, ScoreSheet.assignment_id.is_not(None)))}
    submitted = {r: sum(1 for a in by_round[r] if a.id in sheets_by_assignment
                        and sheets_by_assignment[a.id].status.value == "submitted") for r in rounds}
    deadlines = {r: extensions.deadline_for(current_user.id, r) for r in rounds}
    closed = {r: permissions.why_scoring_closed(current_user.id, r, now) for r in rounds}
    return render_template("judging/dashboard.html", rounds=rounds, by_round=by_round, now=now, deadlines=deadlines,
                           closed=closed,
                           profile=services.profile_of(current_user), sheets=sheets_by_assignment,
                           total_of=total_of, submitted=submitted, blocked=len(blocked))


@bp.route("/profile", methods=["GET", "POST"])
@juror_only
def profile():
    existing = services.profile_of(current_user)
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
        form.expertise.data = sorted(services.expertise_of([current_user.id]).get(current_user.id, set()))
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

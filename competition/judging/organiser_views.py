"""Organiser pages of the jury: jurors and conflicts, automatic plan with preview, manual matrix, reminders."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role, User
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.ids import db_int
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service, show_failure
from ..core.permissions import role_required
from ..editions.models import Edition, JudgingRound
from ..entries.models import Company, Entry
from ..extensions import db
from . import (
    affiliation_services,
    conflict_check,
    conflict_services,
    decisions,
    permissions,
    plan_preview,
    queries,
    reminders,
    services,
)
from . import tasks as _tasks  # noqa: F401 - registers the reminder job (also in workers)
from .forms import AliasForm, ApplyPlanForm, GroupForm, OrganiserConflictForm, decision_form
from .models import CompanyGroup, Conflict, ConflictSource, ConflictStatus, DomainAlias

bp = Blueprint("jury_admin", __name__, url_prefix="/organisation/editions/<int:edition_id>")
organiser_only = role_required(Role.ORGANISER)


def _round(edition: Edition, round_id: int) -> JudgingRound:
    return get_child_or_404(JudgingRound, round_id, edition_id=edition.id)


def jury_page(edition: Edition, *, conflict_form=None, group_form=None, alias_form=None, decision=None, status=200):
    jurors = db.session.scalars(queries.jurors()).all()
    profiles = queries.juror_profiles()
    expertise = queries.expertise_of([j.id for j in jurors])
    categories = {c.id: c.name for c in edition.categories}
    companies = services.participating_companies(edition)
    company_ids = {c.id for c in companies}
    conflicts = [c for c in db.session.scalars(queries.conflicts_by_status())
                 if c.company_id in company_ids or (c.entry is not None and c.entry.edition_id == edition.id)]
    standing = conflict_check.standing_company_conflicts([j.id for j in jurors], company_ids)
    company_names = {c.id: c.legal_name for c in companies}
    juror_names = {j.id: j.full_name for j in jurors}
    standing_rows = sorted(((juror_names[j], company_names[c], evidence) for (j, c), evidence in standing.items()),
                           key=lambda row: (row[0].casefold(), row[1].casefold()))
    conflict_form = conflict_form or OrganiserConflictForm(formdata=None)
    conflict_form.juror_id.choices = [(j.id, j.full_name) for j in jurors]
    conflict_form.company_id.choices = [(c.id, c.legal_name) for c in companies]
    open_items = decisions.open_decisions(edition)
    forms = {item.assignment_id: decision_form(item.assignment_id, formdata=None) for item in open_items}
    if decision is not None and decision[0] in forms:
        forms[decision[0]] = decision[1]
    return render_template(
        "judging/admin/jury.html", edition=edition, jurors=jurors, profiles=profiles, expertise=expertise,
        categories=categories, conflicts=conflicts, conflict_form=conflict_form,
        group_form=group_form or GroupForm(formdata=None), alias_form=alias_form or AliasForm(formdata=None),
        groups=db.session.scalars(queries.company_groups()).all(),
        aliases=db.session.scalars(queries.domain_aliases()).all(),
        action_form=ConfirmForm(), ConflictSource=ConflictSource, ConflictStatus=ConflictStatus,
        standing=standing_rows, standing_pairs=set(standing), open_decisions=open_items, decision_forms=forms,
        failed_decision=decision[0] if decision else None,
    ), status


@bp.get("/jury")
@organiser_only
def jury(edition_id: int):
    return jury_page(db.get_or_404(Edition, edition_id))


@bp.post("/jury/detect")
@organiser_only
def detect(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, new = run_service(form, lambda: services.detect_conflicts(edition=edition, by=current_user, now=utcnow()))
        if ok:
            flash(_("Prüfung abgeschlossen: %(n)s neue mögliche Befangenheiten gefunden.", n=new), "success")
    return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#befangenheiten")


@bp.post("/jury/conflicts")
@organiser_only
def set_conflict(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = OrganiserConflictForm()
    form.juror_id.choices = [(j.id, j.full_name) for j in db.session.scalars(queries.jurors())]
    form.company_id.choices = [(c.id, c.legal_name) for c in services.participating_companies(edition)]
    if form.validate_on_submit():
        juror = db.get_or_404(User, form.juror_id.data)
        company = db.get_or_404(Company, form.company_id.data)
        ok, _result = run_service(form, lambda: services.declare_conflict(juror=juror, company=company,
                                                                          reason=form.reason.data, by=current_user,
                                                                          now=utcnow()))
        if ok:
            flash(_("Befangenheit von %(juror)s gegenüber %(company)s ist eingetragen.", juror=juror.full_name,
                    company=company.legal_name), "success")
            return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#befangenheiten")
    return jury_page(edition, conflict_form=form, status=422)


@bp.post("/jury/conflicts/<int:conflict_id>/<any(confirm, dismiss, delete, approve, refuse):action>")
@organiser_only
def decide_conflict(edition_id: int, conflict_id: int, action: str):
    edition = db.get_or_404(Edition, edition_id)
    conflict = db.get_or_404(Conflict, conflict_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        now = utcnow()
        if action == "delete":
            call = lambda: services.remove_conflict(conflict=conflict, by=current_user, now=now)  # noqa: E731
        elif action in ("approve", "refuse"):
            call = lambda: conflict_services.decide_withdrawal(  # noqa: E731
                conflict=conflict, approve=action == "approve", by=current_user, now=now)
        else:
            call = lambda: services.decide_detected_conflict(  # noqa: E731
                conflict=conflict, confirm=action == "confirm", by=current_user, now=now)
        ok, _result = run_service(form, call)
        if ok:
            flash({"confirm": _("Die Befangenheit ist bestätigt."),
                   "dismiss": _("Die Befangenheit wurde verworfen; sie zählt nicht mehr."),
                   "delete": _("Die Befangenheit wurde entfernt."),
                   "approve": _("Die Rücknahme ist genehmigt; die Befangenheit ist entfernt."),
                   "refuse": _("Die Rücknahme ist abgelehnt; die Befangenheit gilt weiter.")}[action], "success")
    return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#befangenheiten")


@bp.post("/jury/groups")
@organiser_only
def add_group(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = GroupForm()
    if form.validate_on_submit():
        ok, _group = run_service(form, lambda: affiliation_services.add_company_group(
            name=form.name.data, members=form.members.data.splitlines(), by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Unternehmensgruppe „%(name)s“ ist gespeichert. Prüfen Sie Befangenheiten erneut.",
                    name=form.name.data.strip()), "success")
            return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#gruppen")
    return jury_page(edition, group_form=form, status=422)


@bp.post("/jury/aliases")
@organiser_only
def add_alias(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = AliasForm()
    if form.validate_on_submit():
        ok, pair = run_service(form, lambda: affiliation_services.add_domain_alias(
            domain=form.domain.data, alias=form.alias.data, by=current_user, now=utcnow()))
        if ok:
            flash(_("%(a)s und %(b)s gelten jetzt als dieselbe Firma.", a=pair.domain, b=pair.alias), "success")
            return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#gruppen")
    return jury_page(edition, alias_form=form, status=422)


@bp.post("/jury/<any(groups, aliases):kind>/<int:item_id>/delete")
@organiser_only
def delete_affiliation(edition_id: int, kind: str, item_id: int):
    edition = db.get_or_404(Edition, edition_id)
    item = db.get_or_404(CompanyGroup if kind == "groups" else DomainAlias, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if kind == "groups":
            ok, _none = run_service(form, lambda: affiliation_services.delete_company_group(
                group=item, by=current_user, now=utcnow()))
        else:
            ok, _none = run_service(form, lambda: affiliation_services.delete_domain_alias(
                pair=item, by=current_user, now=utcnow()))
        if ok:
            flash(_("Der Eintrag wurde entfernt."), "success")
    return redirect(url_for("jury_admin.jury", edition_id=edition.id) + "#gruppen")


# --- assignment --------------------------------------------------------------------------------------------------

def _preview_details(preview, before: Counter):
    """The preview per juror and per entry (see plan_preview)."""
    jurors = {juror_id: user.full_name for juror_id, user in preview.jurors.items()}
    labels = {entry_id: entry.number or entry.title for entry_id, entry in preview.entries.items()}
    pairs = [(int(j), int(e)) for j, e in preview.plan.assignments]
    expertise = queries.expertise_of(list(jurors))
    changes = plan_preview.juror_changes(jurors=jurors, capacities=preview.capacities, before=dict(before),
                                         assignments=pairs, new=preview.new, removed=preview.removed, labels=labels)
    entries = {entry_id: (f"{entry.number or ''} {entry.title}".strip(), entry.category_id, entry.category.name)
               for entry_id, entry in preview.entries.items()}
    plans = plan_preview.entry_plans(
        entries=entries, jurors=jurors, expertise=expertise, assignments=pairs, new=preview.new,
        removed=preview.removed, liked={(int(j), int(e)) for j, e in preview.plan.preferences_met},
        disliked={(int(j), int(e)) for j, e in preview.plan.preferences_violated})
    return changes, plans


def _assignment_page(edition: Edition, judging_round: JudgingRound, *, preview=None, status=200):
    entries = queries.round_entries(judging_round)
    pool = queries.round_pool(judging_round)
    has_own_pool = queries.round_pool_size(judging_round)
    chosen = {u.id for u, _c in pool} if has_own_pool else set()
    assignments = queries.current_assignments(judging_round)
    per_juror = Counter(a.user_id for a in assignments)
    per_entry = Counter(a.entry_id for a in assignments)
    expertise = queries.expertise_of([u.id for u, _c in pool])
    category_of = {e.id: e.category_id for e in entries}
    experts_per_entry = Counter(a.entry_id for a in assignments
                                if category_of.get(a.entry_id) in expertise.get(a.user_id, set()))
    profiles = {user_id: p.capacity for user_id, p in queries.juror_profiles().items()}
    all_jurors = db.session.scalars(queries.jurors()).all()
    changes, plans = _preview_details(preview, per_juror) if preview else ([], [])
    return render_template(
        "judging/admin/assignments.html", edition=edition, judging_round=judging_round, entries=entries, pool=pool,
        chosen=chosen, per_juror=per_juror, per_entry=per_entry, experts_per_entry=experts_per_entry,
        preview=preview, apply_form=ApplyPlanForm(formdata=None, digest=preview.digest if preview else ""),
        action_form=ConfirmForm(), all_jurors=all_jurors, profiles=profiles,
        open_work=reminders.jurors_with_open_work(judging_round), frozen=permissions.why_round_frozen(judging_round),
        changes=changes, plans=plans,
    ), status


@bp.get("/rounds/<int:round_id>/assignments")
@organiser_only
def assignments(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    return _assignment_page(edition, _round(edition, round_id))


@bp.post("/rounds/<int:round_id>/pool")
@organiser_only
def set_pool(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        capacities = {}
        try:
            for juror in db.session.scalars(queries.jurors()):
                if request.form.get(f"take_{juror.id}"):
                    capacities[juror.id] = db_int(request.form.get(f"capacity_{juror.id}", "0"))
        except ValueError:
            flash(_("Bitte geben Sie die Kapazitäten als ganze Zahlen an."), "error")
            return redirect(url_for("jury_admin.assignments", edition_id=edition.id, round_id=judging_round.id))
        ok, _result = run_service(form, lambda: services.set_round_pool(judging_round=judging_round,
                                                                        capacities=capacities, by=current_user))
        if ok:
            flash(_("%(n)s Jurymitglieder nehmen an dieser Runde teil.", n=len(capacities)), "success")
    return redirect(url_for("jury_admin.assignments", edition_id=edition.id, round_id=judging_round.id))


@bp.post("/rounds/<int:round_id>/plan")
@organiser_only
def plan(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        preview = services.plan_round(judging_round=judging_round)
    except DomainError as exc:
        show_failure(exc, rollback=False)
        return _assignment_page(edition, judging_round, status=422)
    return _assignment_page(edition, judging_round, preview=preview)


@bp.post("/rounds/<int:round_id>/apply")
@organiser_only
def apply(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    form = ApplyPlanForm()
    if form.validate_on_submit():
        try:
            preview = services.apply_plan(judging_round=judging_round, digest=form.digest.data, by=current_user,
                                          now=utcnow())
            db.session.commit()
        except DomainError as exc:
            show_failure(exc)
            return redirect(url_for("jury_admin.assignments", edition_id=edition.id, round_id=judging_round.id))
        flash(_("Die Zuweisung ist gespeichert: %(new)s neu, %(removed)s entfernt.", new=len(preview.new),
                removed=len(preview.removed)), "success")
    return redirect(url_for("jury_admin.assignments", edition_id=edition.id, round_id=judging_round.id))


@bp.get("/rounds/<int:round_id>/matrix")
@organiser_only
def matrix(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    entries = queries.round_entries(judging_round)
    jurors = [u for u, _c in queries.round_pool(judging_round)]
    assigned = {(a.user_id, a.entry_id) for a in queries.current_assignments(judging_round)}
    pairs = conflict_check.conflict_map(juror_ids=[j.id for j in jurors], entries=entries).pairs()
    return render_template("judging/admin/matrix.html", edition=edition, judging_round=judging_round,
                           entries=entries, jurors=jurors, assigned=assigned, conflicted=pairs,
                           action_form=ConfirmForm(), frozen=permissions.why_round_frozen(judging_round))


@bp.post("/rounds/<int:round_id>/matrix")
@organiser_only
def toggle(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    form = ConfirmForm()
    entry = db.get_or_404(Entry, request.form.get("entry_id", type=db_int) or 0)
    juror = db.get_or_404(User, request.form.get("juror_id", type=db_int) or 0)
    if form.validate_on_submit():
        existing = queries.assignment_for(judging_round, entry_id=entry.id, juror_id=juror.id)
        if existing is not None:
            confirmed = request.form.get("confirm") == "1"
            try:
                services.remove_assignment(assignment=existing, by=current_user, now=utcnow(), confirmed=confirmed)
                db.session.commit()
                ok = True
            except services.NeedsConfirmation as exc:
                db.session.rollback()
                return render_template("judging/admin/confirm_remove.html", edition=edition,
                                       judging_round=judging_round, entry=entry, juror=juror, message=exc.message,
                                       action_form=form)
            except DomainError as exc:
                show_failure(exc)
                ok = False
            message = _("%(juror)s bewertet „%(title)s“ nicht mehr.", juror=juror.full_name, title=entry.title)
        else:
            ok, _result = run_service(form, lambda: services.add_assignment(judging_round=judging_round, juror=juror,
                                                                            entry=entry, by=current_user,
                                                                            now=utcnow()))
            message = _("%(juror)s bewertet jetzt „%(title)s“.", juror=juror.full_name, title=entry.title)
        if ok:
            flash(message, "success")
    return redirect(url_for("jury_admin.matrix", edition_id=edition.id, round_id=judging_round.id)
                    + f"#entry-{entry.id}")


@bp.post("/rounds/<int:round_id>/remind")
@organiser_only
def remind(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = _round(edition, round_id)
    if ConfirmForm().validate_on_submit():
        from ..jobs import JobStatus, submit

        job = submit("judging.reminders", params={"round_id": judging_round.id},
                     by=current_user, now=utcnow(), edition_id=edition.id)
        db.session.commit()  # runs the job (inline) or queues it (RQ)
        db.session.refresh(job)
        if job.status is JobStatus.DONE:
            flash(job.message, "success")
        elif job.status is JobStatus.FAILED:
            flash(job.message, "error")
        else:
            flash(_("Die Erinnerungen werden im Hintergrund versendet."), "success")
            return redirect(url_for("jobs.show_job", job_id=job.id))
    return redirect(url_for("jury_admin.assignments", edition_id=edition.id, round_id=judging_round.id))

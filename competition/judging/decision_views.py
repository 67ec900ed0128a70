"""The organisers' decision on a conflicted assignment, from the jury page or an entry's sheets page: void the sheet
and take the assignment back, or dismiss the conflict (the sheet counts). Both need a reason and are audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.outcomes import show_failure
from ..core.permissions import role_required
from ..editions.models import Edition
from ..extensions import db
from . import conflict_services
from .forms import DecisionForm, decision_form
from .models import Assignment
from .organiser_views import jury_page
from .progress_views import entry_page

bp = Blueprint("jury_decisions", __name__, url_prefix="/organisation/editions/<int:edition_id>")
organiser_only = role_required(Role.ORGANISER)


def _back_url(edition: Edition, assignment: Assignment, back: str) -> str:
    if back == "sheets":
        return url_for("jury_progress.entry_sheets", edition_id=edition.id, round_id=assignment.round_id,
                       entry_id=assignment.entry_id) + "#entscheidungen"
    return url_for("jury_admin.jury", edition_id=edition.id) + "#entscheidungen"


def _page_with(edition: Edition, assignment: Assignment, back: str, form: DecisionForm):
    """The page the form was on, again, with the typed reason and the message next to it."""
    if back == "sheets":
        return entry_page(edition, assignment.round, assignment.entry, decision=(assignment.id, form), status=422)
    return jury_page(edition, decision=(assignment.id, form), status=422)


@bp.post("/assignments/<int:assignment_id>/conflict-decision")
@organiser_only
def decide(edition_id: int, assignment_id: int):
    edition = db.get_or_404(Edition, edition_id)
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.round.edition_id != edition.id:
        abort(404)
    back = "sheets" if request.form.get("back") == "sheets" else "jury"
    decision = request.form.get("decision")
    if decision not in ("void", "keep"):
        abort(400)
    form = decision_form(assignment.id)
    if not form.validate_on_submit():
        return _page_with(edition, assignment, back, form)
    juror, number = assignment.user.full_name, assignment.entry.number or assignment.entry.title
    url = _back_url(edition, assignment, back)
    try:
        if decision == "void":
            conflict_services.set_aside_assignment(assignment=assignment, reason=form.reason.data, by=current_user,
                                                   now=utcnow())
        else:
            conflict_services.keep_assignment(assignment=assignment, reason=form.reason.data, by=current_user,
                                              now=utcnow())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("Der Bewertungsbogen wurde gleichzeitig an anderer Stelle geändert. Bitte prüfen Sie den aktuellen "
                "Stand und entscheiden Sie erneut."), "error")
        return redirect(url)
    except DomainError as exc:
        show_failure(exc, form, field="reason")
        return _page_with(edition, db.session.get(Assignment, assignment_id), back, form)
    if decision == "void":
        flash(_("Die Zuweisung von %(juror)s für %(entry)s ist zurückgenommen; der Bogen bleibt im Verlauf und "
                "zählt nicht.", juror=juror, entry=number), "success")
    else:
        flash(_("Die Befangenheit ist verworfen; der Bogen von %(juror)s für %(entry)s zählt.", juror=juror,
                entry=number), "success")
    return redirect(url)

"""Preferences before assignment: the juror's list (mark as they go with htmx, or one plain form POST without
JavaScript; "befangen" with its own confirmation) and the organisers' page (open and close the phase, progress per
juror)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.errors import DomainError, PermissionDenied
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service, show_failure
from ..core.permissions import role_required
from ..editions.models import Edition, JudgingRound
from ..entries.models import Entry
from ..extensions import db
from ..jobs import submit
from . import preferences, queries
from . import tasks as _tasks  # noqa: F401 - registers the preference mail jobs (also in workers)
from .forms import PreferencePhaseForm
from .models import PreferenceValue

bp = Blueprint("preferences", __name__, url_prefix="/jury/rounds/<int:round_id>/preferences")
admin_bp = Blueprint("preference_admin", __name__,
                     url_prefix="/organisation/editions/<int:edition_id>/rounds/<int:round_id>/preferences")
juror_only = role_required(Role.JUROR)
organiser_only = role_required(Role.ORGANISER)

MARK_LABELS = {"gern": _l("gern"), "neutral": _l("neutral"), "lieber_nicht": _l("lieber nicht"),
               "befangen": _l("befangen")}


@bp.app_context_processor
def _invitations():
    """`preference_invitations()` for the juror's dashboard: rounds whose preference phase is open for them."""

    def invitations():
        if not current_user.is_authenticated or not current_user.has_role(Role.JUROR):
            return []
        return preferences.open_rounds_for(current_user, utcnow())

    return {"preference_invitations": invitations}


# --- the juror's list --------------------------------------------------------------------------------------------

def _round(round_id: int) -> JudgingRound:
    """404 for a missing round, 403 for a juror outside its pool."""
    judging_round = db.get_or_404(JudgingRound, round_id)
    if not preferences.in_pool(current_user, judging_round):
        abort(403)
    return judging_round


def _entry(judging_round: JudgingRound, entry_id: int) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    if entry.edition_id != judging_round.edition_id:
        abort(404)
    return entry


def _value(raw: str) -> PreferenceValue | None:
    try:
        return PreferenceValue(raw)
    except ValueError:
        return None


def _filters() -> dict:
    category = request.values.get("kategorie", "")
    return {"kategorie": int(category) if category.isdigit() and len(category) < 10 else None,
            "offen": request.values.get("offen") == "1"}


def _list_url(judging_round: JudgingRound, filters: dict, anchor: str = "") -> str:
    params = {k: v for k, v in (("kategorie", filters["kategorie"]), ("offen", 1 if filters["offen"] else None))
              if v is not None}
    return url_for("preferences.show", round_id=judging_round.id, **params) + anchor


@bp.get("")
@juror_only
def show(round_id: int):
    judging_round = _round(round_id)
    now = utcnow()
    phase = queries.preference_phase(judging_round)
    started = phase is not None and phase.opened_at <= now
    items = preferences.juror_list(current_user, judging_round) if started else []
    filters = _filters()
    shown = [item for item in items if (filters["kategorie"] in (None, item.category_id))
             and not (filters["offen"] and item.mark)]
    categories = [c for c in judging_round.edition.categories if any(item.category_id == c.id for item in items)]
    return render_template(
        "judging/preferences.html", judging_round=judging_round, edition=judging_round.edition, phase=phase,
        items=items, shown=shown, categories=categories, filters=filters, now=now,
        marked=sum(1 for item in items if item.mark), why_not=preferences.why_not_mark(current_user, judging_round,
                                                                                       now),
        mark_labels=MARK_LABELS, blind=judging_round.edition.is_blind)


@bp.post("")
@juror_only
def save_all(round_id: int):
    """Without JavaScript: the whole list in one form; only marks that differ from what the page showed are sent
    to the service (so an old tab does not undo what another tab saved meanwhile)."""
    judging_round = _round(round_id)
    filters = _filters()
    now = utcnow()
    why_not = preferences.why_not_mark(current_user, judging_round, now)
    if why_not:
        flash(str(why_not), "error")
        return redirect(_list_url(judging_round, filters))
    changed = {}
    for key, value in request.form.items():
        if key.startswith("mark_") and key[5:].isdigit() and len(key) <= 14 \
                and value != request.form.get(f"was_{key[5:]}", ""):
            changed[int(key[5:])] = value
    saved, refused = 0, []
    for entry_id, value in sorted(changed.items()):
        entry = db.session.get(Entry, entry_id)
        try:
            if entry is None:
                raise PermissionDenied(_("Diesen Beitrag können Sie in dieser Bewertungsrunde nicht markieren."))
            preferences.set_preference(juror=current_user, judging_round=judging_round, entry=entry,
                                       value=_value(value), by=current_user, now=now)
            saved += 1
        except DomainError as exc:
            refused.append(str(exc.message))
    db.session.commit()
    if saved:
        flash(ngettext("%(num)s Markierung gespeichert.", "%(num)s Markierungen gespeichert.", saved), "success")
    elif not refused:
        flash(_("Es gab keine geänderten Markierungen zu speichern."), "info")
    for message in sorted(set(refused)):
        flash(message, "error")
    return redirect(_list_url(judging_round, filters))


@bp.post("/<int:entry_id>")
@juror_only
def mark(round_id: int, entry_id: int):
    """One entry's mark: htmx answers with the entry's status and the progress; a plain POST redirects back."""
    judging_round = _round(round_id)
    entry = _entry(judging_round, entry_id)
    value = request.form.get(f"mark_{entry.id}", request.form.get("value", ""))
    htmx = request.headers.get("HX-Request") == "true"
    message, ok = None, True
    try:
        preferences.set_preference(juror=current_user, judging_round=judging_round, entry=entry,
                                   value=_value(value), by=current_user, now=utcnow())
        db.session.commit()
    except PermissionDenied:
        db.session.rollback()
        abort(404)  # not on this juror's list: as if it did not exist
    except DomainError as exc:
        db.session.rollback()
        message, ok = str(exc.message), False
    if not htmx:
        flash(message or _("Markierung gespeichert: %(number)s „%(label)s“.", number=entry.number or entry.id,
                           label=MARK_LABELS[value]), "success" if ok else "error")
        return redirect(_list_url(judging_round, _filters(), f"#beitrag-{entry.id}"))
    marked, total = preferences.progress_of(current_user, judging_round)
    return render_template("judging/_preference_status.html", ok=ok, message=message, entry=entry,
                           label=MARK_LABELS.get(value, ""), marked=marked, total=total, now=utcnow())


@bp.post("/<int:entry_id>/conflict")
@juror_only
def declare(round_id: int, entry_id: int):
    """ "befangen": a conflict declaration, confirmed on its own form; the organisers are mailed by a job."""
    judging_round = _round(round_id)
    entry = _entry(judging_round, entry_id)
    reason = request.form.get("reason", "")
    now = utcnow()
    try:
        conflict = preferences.declare_from_list(juror=current_user, judging_round=judging_round, entry=entry,
                                                 reason=reason, by=current_user, now=now)
        submit("judging.preference_conflict", params={"conflict_id": conflict.id}, by=current_user, now=now,
               edition_id=judging_round.edition_id)
        db.session.commit()
    except PermissionDenied:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        show_failure(exc)
        return redirect(_list_url(judging_round, _filters(), f"#beitrag-{entry.id}"))
    flash(_("Ihre Befangenheit bei Beitrag %(number)s ist erfasst; sie gilt für alle Beiträge dieses Unternehmens. "
            "Das Organisationsteam ist informiert, diese Beiträge werden Ihnen nicht zugewiesen.",
            number=entry.number or entry.id), "success")
    return redirect(_list_url(judging_round, _filters(), f"#beitrag-{entry.id}"))


# --- organisers ----------------------------------------------------------------------------------------------------

def _admin_round(edition_id: int, round_id: int) -> tuple[Edition, JudgingRound]:
    edition = db.get_or_404(Edition, edition_id)
    return edition, get_child_or_404(JudgingRound, round_id, edition_id=edition.id)


def _admin_page(edition: Edition, judging_round: JudgingRound, form: PreferencePhaseForm | None = None,
                status: int = 200):
    now = utcnow()
    phase = queries.preference_phase(judging_round)
    if form is None:
        form = PreferencePhaseForm(formdata=None)
        if phase is not None and phase.is_open(now):
            form.ends_at.data = phase.ends_at
            form.notify.data = False
    progress = preferences.round_progress(judging_round)
    return render_template("judging/admin/preferences.html", edition=edition, judging_round=judging_round,
                           phase=phase, is_open=phase is not None and phase.is_open(now),
                           ended=phase.ended_at(now) if phase else None, form=form, progress=progress,
                           started=sum(1 for row in progress if row.marked),
                           complete=sum(1 for row in progress if row.total and row.marked >= row.total),
                           action_form=ConfirmForm(), now=now), status


@admin_bp.get("")
@organiser_only
def overview(edition_id: int, round_id: int):
    return _admin_page(*_admin_round(edition_id, round_id))


@admin_bp.post("/open")
@organiser_only
def open_phase(edition_id: int, round_id: int):
    edition, judging_round = _admin_round(edition_id, round_id)
    form = PreferencePhaseForm()
    if not form.validate_on_submit():
        return _admin_page(edition, judging_round, form, 422)
    now = utcnow()
    was_open = (phase := queries.preference_phase(judging_round)) is not None and phase.is_open(now)

    def call():
        preferences.open_phase(judging_round=judging_round, ends_at=form.ends_at.data, by=current_user, now=now)
        if form.notify.data:
            submit("judging.preference_invitations", params={"round_id": judging_round.id}, by=current_user,
                   now=now, edition_id=edition.id)

    ok, _result = run_service(form, call)
    if not ok:
        return _admin_page(edition, judging_round, form, 422)
    if was_open:
        flash(_("Die Präferenzphase ist geändert."), "success")
    else:
        flash(_("Die Präferenzphase ist geöffnet.") + (" " + _("Die Jurymitglieder werden per E-Mail eingeladen.")
                                                        if form.notify.data else ""), "success")
    return redirect(url_for("preference_admin.overview", edition_id=edition.id, round_id=judging_round.id))


@admin_bp.post("/close")
@organiser_only
def close_phase(edition_id: int, round_id: int):
    edition, judging_round = _admin_round(edition_id, round_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = run_service(form, lambda: preferences.close_phase(judging_round=judging_round, by=current_user,
                                                                        now=utcnow()))
        if ok:
            flash(_("Die Präferenzphase ist geschlossen. Die Markierungen werden bei der nächsten automatischen "
                    "Zuweisung berücksichtigt."), "success")
    return redirect(url_for("preference_admin.overview", edition_id=edition.id, round_id=judging_round.id))

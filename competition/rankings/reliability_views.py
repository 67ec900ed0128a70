"""The reliability meter on the organisers' ranking page, and its one action: „Zusätzliche Bewertungen anfordern“
(the recommendation of the round's latest snapshot turned into one extra juror per entry, mailed as a job)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition, JudgingRound
from ..extensions import db
from . import extra_review_tasks as _tasks  # noqa: F401 - registers the mail job
from . import extra_reviews, queries, reliability_panel
from . import reliability_labels as labels
from .models import RankingSnapshot
from .snapshot_reliability import default_line

bp = Blueprint("reliability", __name__, url_prefix="/organisation/editions/<int:edition_id>/rankings")
organiser_only = role_required(Role.ORGANISER)


class ExtraReviewForm(FlaskForm):
    snapshot_id = HiddenField()
    budget = IntegerField(_l("Anzahl zusätzlicher Bewertungen"),
                          validators=[DataRequired(_l("Bitte geben Sie an, wie viele Bewertungen Sie anfordern.")),
                                      NumberRange(min=1, max=500, message=_l("Bitte eine Zahl von 1 bis 500."))],
                          description=_l("Je ein weiteres Jurymitglied für die ersten Beiträge der Liste."))


def _request_status(snapshot: RankingSnapshot) -> dict[str, Any] | None:
    """The extra reviews asked for from this snapshot and how many are submitted (live: not cached)."""
    requests = extra_reviews.requests_of(snapshot)
    if not requests:
        return None
    submitted = queries.submitted_assignment_ids([r.assignment_id for r in requests if r.assignment_id])
    return {"count": len(requests), "submitted": sum(1 for r in requests if r.assignment_id in submitted),
            "at": requests[0].requested_at, "items": requests, "done": {r.id for r in requests
                                                                       if r.assignment_id in submitted}}


def reliability_context(judging_round: JudgingRound | None, snapshot: RankingSnapshot | None,
                        history: list[RankingSnapshot], *, cached: Callable) -> dict[str, Any]:
    """What the ranking page needs of the meter: the panel (kept per snapshot, previous snapshot and language), the
    state of the extra reviews, the request form and the freeze form's default line."""
    if judging_round is None:
        return {"reliability": None, "line_default": None}
    panel = None
    if snapshot is not None:
        position = next(i for i, s in enumerate(history) if s.id == snapshot.id)
        previous = history[position + 1] if position + 1 < len(history) else None
        key = ("reliability", snapshot.id, snapshot.sha256, previous.id if previous else None, str(get_locale()))
        panel = cached(key, lambda: reliability_panel.build(snapshot, queries.resolved_content(snapshot), previous))
    latest = bool(history) and snapshot is not None and history[0].id == snapshot.id
    line_default = panel.line if panel is not None and latest else default_line(judging_round)
    status = _request_status(snapshot) if snapshot is not None else None
    scoring_open = judging_round.edition.flags(utcnow()).scoring_open
    form = None
    if panel is not None and latest and status is None and panel.candidates:
        budget = request.args.get("budget", type=int) or panel.default_budget or 1
        form = ExtraReviewForm(formdata=None, snapshot_id=str(snapshot.id), budget=budget)
    return {"reliability": panel, "line_default": line_default, "extra_status": status, "extra_form": form,
            "scoring_open": scoring_open, "LEVEL_LABELS": labels.LEVEL_LABELS, "percent": labels.percent}


@bp.post("/rounds/<int:round_id>/extra-reviews", endpoint="request_extra_reviews")
@organiser_only
def request_extra_reviews(edition_id: int, round_id: int):
    edition = db.get_or_404(Edition, edition_id)
    judging_round = get_child_or_404(JudgingRound, round_id, edition_id=edition.id)
    form = ExtraReviewForm()
    typed = request.form.get("budget", "")[:10]

    def back(**extra):
        return redirect(url_for("rankings.index", edition_id=edition.id, round=judging_round.id, **extra,
                                _anchor="zuverlaessigkeit"))

    if not form.validate_on_submit() or not (form.snapshot_id.data or "").isdigit():
        problems = form.budget.errors or [_("Das Formular ist abgelaufen. Bitte senden Sie es erneut ab.")]
        flash(_("Es wurden keine Bewertungen angefordert: %(why)s", why=" ".join(map(str, problems))), "error")
        return back(budget=typed) if typed.isdigit() else back()
    snapshot = get_child_or_404(RankingSnapshot, int(form.snapshot_id.data), edition_id=edition.id)
    now = utcnow()
    ok, result = run_service(form, lambda: extra_reviews.request_extra_reviews(
        judging_round=judging_round, snapshot=snapshot, budget=form.budget.data, by=current_user, now=now))
    if not ok:
        if form.budget.errors:
            flash(_("Es wurden keine Bewertungen angefordert: %(why)s", why=" ".join(map(str, form.budget.errors))),
                  "error")
        return back(budget=form.budget.data)
    from ..jobs import submit

    submit("rankings.extra_reviews", params={"round_id": judging_round.id,
                                             "request_ids": [r.id for r in result.requests]},
           by=current_user, now=now, edition_id=edition.id)
    db.session.commit()  # the mails go out now (inline) or from a worker
    flash(ngettext("%(num)s zusätzliche Bewertung angefordert; das Jurymitglied wird per E-Mail gebeten.",
                   "%(num)s zusätzliche Bewertungen angefordert; die Jurymitglieder werden per E-Mail gebeten.",
                   len(result.requests)), "success")
    if result.skipped:
        flash(_("Kein weiteres Jurymitglied verfügbar (befangen, ausgelastet oder schon dabei) für: %(names)s",
                names=_names(result.skipped)), "warning")
    if result.inactive:
        flash(_("Inzwischen zurückgezogen oder nicht zugelassen, daher ohne weitere Bewertung: %(names)s",
                names=_names(result.inactive)), "warning")
    return back()


def _names(entries) -> str:
    return ", ".join(f"{e.number or '#' + str(e.id)} „{e.title}“" for e in entries)

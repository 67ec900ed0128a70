"""Organiser pages of the rankings: the frozen ranking of a round (read from the stored snapshot, never aggregated per
request), freezing, deliberation (shortlist, awards, overrides) and publication. The downloads made from a snapshot
are in `download_views` (same blueprint), the public results page of an edition in `public_views`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from ..accounts.models import Role
from ..core.cache import DerivedCache
from ..core.clock import utcnow
from ..core.i18n import datetime_filter
from ..core.ids import db_int
from ..core.loading import get_child_or_404
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition, JudgingRound
from ..editions.phases import Phase
from ..entries.models import Entry
from ..entries.versions import renames
from ..extensions import db
from . import freezing, queries, services
from . import tasks as _tasks  # noqa: F401 - the bulk outputs are registered as jobs
from .forms import AwardForm, FreezeForm, OverrideForm, ProposeForm, PublishForm, ReopenRoundForm, ShortlistForm
from .labels import AWARD_LABELS, FLAG_LABELS, METHOD_LABELS, TIE_RULE_LABELS
from .models import AwardKind, RankingSnapshot
from .publication import publish_results, withdraw_publication
from .reliability_views import reliability_context
from .snapshot_content import Decisions, as_dict, parse

bp = Blueprint("rankings", __name__, url_prefix="/organisation/editions/<int:edition_id>/rankings")
organiser_only = role_required(Role.ORGANISER)


def _edition(edition_id: int) -> Edition:
    return db.get_or_404(Edition, edition_id)


def _round(edition: Edition, round_id: int) -> JudgingRound:
    return get_child_or_404(JudgingRound, round_id, edition_id=edition.id)


def _snapshot(edition: Edition, snapshot_id: int) -> RankingSnapshot:
    return get_child_or_404(RankingSnapshot, snapshot_id, edition_id=edition.id)


def _selected_round(edition: Edition) -> JudgingRound | None:
    round_id = request.args.get("round", type=db_int)
    if round_id is not None:
        return _round(edition, round_id)
    with_snapshot = queries.round_of_latest_snapshot(edition)
    if with_snapshot is not None:
        return with_snapshot
    return queries.latest_round_with_sheets(edition) or (edition.rounds[0] if edition.rounds else None)


ROWS_PER_CATEGORY = 100  # the page shows the top of each category; `?all=1` shows every row
_CACHE = DerivedCache(maxsize=16)


def _cached(key: tuple, build, *, keep=lambda value: True):
    """Per process: what is made from a snapshot never changes (the key holds its id and hash)."""
    return _CACHE.get_or_build(key, build, keep=keep)


def snapshot_fragments(snapshot: RankingSnapshot, *, show_all: bool) -> tuple[Markup, Markup]:
    """The snapshot's facts and tables as HTML, rendered once per process, snapshot and language (a snapshot never
    changes, so the page only reads metadata; content is decoded, checked and formatted on the first view)."""
    from flask_babel import get_locale

    def build():
        vm = view_model(snapshot, limit=None if show_all else ROWS_PER_CATEGORY)
        context = dict(snapshot=snapshot, vm=vm, METHOD_LABELS=METHOD_LABELS,
                       FLAG_LABELS=FLAG_LABELS, TIE_RULE_LABELS=TIE_RULE_LABELS, AWARD_LABELS=AWARD_LABELS,
                       limit=ROWS_PER_CATEGORY, show_all=show_all)
        # Autoescaped output of our own templates, so it is safe HTML.
        return (Markup(render_template("rankings/_facts.html", **context)),  # noqa: S704  # nosec B704
                Markup(render_template("rankings/_tables.html", **context)), vm["verified"])  # noqa: S704  # nosec B704

    # A failed hash check is not kept: it is checked (and shown) again on every view until it is fixed.
    facts, tables, _verified = _cached(("page", snapshot.id, snapshot.sha256, str(get_locale()), show_all), build,
                                       keep=lambda value: value[2])
    return facts, tables


def view_model(snapshot: RankingSnapshot, *, limit: int | None = None) -> dict[str, Any]:
    """What the ranking page shows, straight from the stored content (no recomputation)."""
    raw = queries.resolved_content(snapshot)
    content = parse(raw)
    decisions = content.decisions or Decisions()
    awards = {a.entry: a for a in decisions.awards}
    overrides = {o.entry: o for o in decisions.overrides}
    shortlist = set(decisions.shortlist)
    categories = []
    for category in content.categories:
        data = content.by_category[category.id]
        rows = {row.entry: row for row in data.ranking}
        order = decisions.final_order.get(category.id, [r.entry for r in data.ranking])
        shown = order if limit is None else order[:limit]
        categories.append({
            "id": category.id, "name": category.name, "agreement": data.kendall_tau,
            "total": len(order),
            "rows": [{**as_dict(rows[e]), "position": i, "meta": content.entries[e], "award": awards.get(e),
                      "override": overrides.get(e), "shortlisted": e in shortlist}
                     for i, e in enumerate(shown, start=1)],
            "jurors": [{**as_dict(j), "name": content.juror_name(j.juror)} for j in data.jurors],
        })
    return {"content": raw, "categories": categories, "criteria": content.criteria,
            "verified": services.verify_snapshot(snapshot)}


def chart_fragment(snapshot: RankingSnapshot, *, chosen: str | None) -> Markup:
    """The charts section: every panel (one per category, one for all together) with only the chosen one shown
    (an unknown or missing choice shows the first category); the panels are made once per snapshot and language."""
    from flask_babel import get_locale

    from .chart_panels import page_charts

    panels = _cached(("charts", snapshot.id, snapshot.sha256, str(get_locale())), lambda: page_charts(snapshot))
    keys = [panel.key for panel in panels]
    selected = chosen if chosen in keys else (keys[0] if keys else None)
    # Autoescaped output of our own template, so it is safe HTML.
    return Markup(render_template("rankings/_charts.html", panels=panels, selected=selected,  # noqa: S704
                                  snapshot=snapshot))  # nosec B704


@bp.get("", endpoint="index")
@organiser_only
def index(edition_id: int):
    edition = _edition(edition_id)
    judging_round = _selected_round(edition)
    snapshot = None
    history: list[RankingSnapshot] = []
    if judging_round is not None:
        history = queries.snapshot_history(judging_round)
        chosen = request.args.get("snapshot", type=db_int)
        snapshot = next((s for s in history if s.id == chosen), None) if chosen else (history[0] if history else None)
        if chosen and snapshot is None:
            abort(404)
    return _index_page(edition, judging_round, snapshot, history)


def _index_page(edition: Edition, judging_round: JudgingRound | None, snapshot: RankingSnapshot | None,
                history: list[RankingSnapshot], *, reopen_form: ReopenRoundForm | None = None, status: int = 200):
    publication = queries.publication_of(edition)
    show_all = request.args.get("all") == "1"
    facts, tables = snapshot_fragments(snapshot, show_all=show_all) if snapshot else (None, None)
    chart_section = chart_fragment(snapshot, chosen=request.args.get("kategorie")) if snapshot else None
    meter = reliability_context(judging_round, snapshot, history, cached=_cached)
    return render_template(
        "rankings/index.html", edition=edition, judging_round=judging_round, snapshot=snapshot, history=history,
        reopen_form=reopen_form or ReopenRoundForm(formdata=None),
        reopened=freezing.last_reopening(judging_round) if judging_round is not None else None,
        facts=facts, tables=tables, chart_section=chart_section,
        stale=freezing.staleness(snapshot) if snapshot else [], **meter,
        freeze_form=FreezeForm(line=meter["line_default"]),
        publish_form=PublishForm(), publication=publication, is_final=judging_round is not None
        and queries.is_final_round(judging_round), phase=edition.phase(utcnow()), Phase=Phase,
        METHOD_LABELS=METHOD_LABELS, FLAG_LABELS=FLAG_LABELS, TIE_RULE_LABELS=TIE_RULE_LABELS,
        AWARD_LABELS=AWARD_LABELS,
    ), status


@bp.post("/rounds/<int:round_id>/reopen", endpoint="reopen_round")
@organiser_only
def reopen_round(edition_id: int, round_id: int):
    """The organiser's decision to let a frozen round's sheets and assignments change again, with a reason."""
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = ReopenRoundForm()
    if form.validate_on_submit():
        ok, _none = run_service(form, lambda: freezing.reopen_round(
            judging_round=judging_round, reason=form.reason.data, by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Runde „%(name)s“ ist wieder für Änderungen geöffnet. Frieren Sie die Rangliste erneut ein, "
                    "sobald die Änderungen abgeschlossen sind.", name=judging_round.name), "success")
            return redirect(url_for(".index", edition_id=edition.id, round=judging_round.id))
    history = queries.snapshot_history(judging_round)
    return _index_page(edition, judging_round, history[0] if history else None, history, reopen_form=form,
                       status=422)


@bp.post("/rounds/<int:round_id>/freeze", endpoint="freeze")
@organiser_only
def freeze(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = FreezeForm()
    if not form.validate_on_submit():
        problems = form.line.errors or [_("Bitte wählen Sie eine Methode.")]
        flash(_("Die Rangliste wurde nicht eingefroren: %(why)s", why=" ".join(map(str, problems))), "error")
        return redirect(url_for(".index", edition_id=edition.id, round=judging_round.id))
    ok, snapshot = run_service(form, lambda: services.freeze_ranking(
        judging_round=judging_round, method=form.method.data, by=current_user, now=utcnow(), line=form.line.data))
    if ok:
        flash(_("Rangliste eingefroren. Prüfsumme (SHA-256): %(hash)s", hash=snapshot.sha256), "success")
        return redirect(url_for(".index", edition_id=edition.id, round=judging_round.id, snapshot=snapshot.id))
    return redirect(url_for(".index", edition_id=edition.id, round=judging_round.id))


# --- deliberation ------------------------------------------------------------------------------------------------

def _deliberation_page(edition: Edition, judging_round: JudgingRound, *, propose: int | None = None,
                       failed: dict[str, FlaskForm] | None = None, status: int = 200):
    snapshot = queries.latest_snapshot(judging_round)
    if snapshot is None:
        flash(_("Frieren Sie zuerst die Rangliste dieser Runde ein; die Beratung baut auf ihr auf."), "error")
        return redirect(url_for(".index", edition_id=edition.id, round=judging_round.id))
    vm = view_model(snapshot)
    is_final = queries.is_final_round(judging_round)
    chosen = queries.shortlisted_entry_ids(judging_round)
    proposal = set(queries.propose_shortlist(snapshot, per_category=propose)) if propose else None
    awards = queries.awards_by_entry(judging_round)
    overrides = queries.overrides_by_entry(judging_round)
    failed = failed or {}
    award_forms, override_forms = {}, {}
    for category in vm["categories"]:
        for row in category["rows"]:
            e = row["entry"]
            award = awards.get(e)
            override = overrides.get(e)
            award_forms[e] = failed.get(f"award-{e}") or AwardForm(
                prefix=f"a{e}", formdata=None, kind=award.kind.value if award else "",
                place=award.place if award else None, justification=award.justification if award else "")
            override_forms[e] = failed.get(f"override-{e}") or OverrideForm(
                prefix=f"o{e}", formdata=None, to_rank=override.to_rank if override else None,
                reason=override.reason if override else "")
    following = queries.next_round(judging_round)
    entry_rows = queries.entries_with_company([int(e) for e in vm["content"]["entries"]])
    return render_template(
        "rankings/deliberation.html", renames=renames(entry_rows),
        edition=edition, judging_round=judging_round, snapshot=snapshot, vm=vm,
        is_final=is_final, chosen=proposal if proposal is not None else chosen, proposal=proposal,
        shortlist_form=ShortlistForm(), propose_form=ProposeForm(formdata=None, per_category=propose or 5),
        award_forms=award_forms, override_forms=override_forms, following=following,
        stale=freezing.staleness(snapshot), FLAG_LABELS=FLAG_LABELS, AWARD_LABELS=AWARD_LABELS,
    ), status


@bp.get("/rounds/<int:round_id>/deliberation", endpoint="deliberation")
@organiser_only
def deliberation(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    # The page's GET form sends its field "per_category"; "propose" is the older link parameter.
    propose = request.args.get("per_category", type=db_int) or request.args.get("propose", type=db_int)
    return _deliberation_page(edition, judging_round, propose=propose if propose and propose > 0 else None)


@bp.post("/rounds/<int:round_id>/shortlist", endpoint="apply_shortlist")
@organiser_only
def apply_shortlist(edition_id: int, round_id: int):
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    form = ShortlistForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        entry_ids = [db_int(v) for v in request.form.getlist("entry")]
    except ValueError:
        abort(400)
    ok, entries = run_service(form, lambda: services.apply_shortlist(
        judging_round=judging_round, entry_ids=entry_ids, by=current_user, now=utcnow()))
    if ok:
        flash(_("Shortlist übernommen: %(n)s Beiträge kommen in die nächste Runde. Frieren Sie die Rangliste erneut "
                "ein, damit die Entscheidung im Protokoll steht.", n=len(entries)), "success")
    return redirect(url_for(".deliberation", edition_id=edition.id, round_id=judging_round.id))


def _entry(judging_round: JudgingRound, entry_id: int) -> Entry:
    return get_child_or_404(Entry, entry_id, edition_id=judging_round.edition_id)


def _decision(edition_id: int, round_id: int, entry_id: int, *, form_class, prefix: str, call, saved: str,
              not_saved: str):
    """An award or override form of one entry: saved and back to the entry, or the page again with the errors."""
    edition = _edition(edition_id)
    judging_round = _round(edition, round_id)
    entry = _entry(judging_round, entry_id)
    form = form_class(prefix=f"{prefix[0]}{entry.id}")
    if form.validate_on_submit():
        ok, _result = run_service(form, lambda: call(form, judging_round, entry))
        if ok:
            flash(saved % {"title": entry.title}, "success")
            return redirect(url_for(".deliberation", edition_id=edition.id, round_id=judging_round.id,
                                    _anchor=f"entry-{entry.id}"))
    flash(not_saved % {"title": entry.title}, "error")
    return _deliberation_page(edition, judging_round, failed={f"{prefix}-{entry.id}": form}, status=422)


@bp.post("/rounds/<int:round_id>/entries/<int:entry_id>/award", endpoint="set_award")
@organiser_only
def set_award(edition_id: int, round_id: int, entry_id: int):
    def call(form, judging_round, entry):
        kind = AwardKind(form.kind.data) if form.kind.data in {k.value for k in AwardKind} else None
        return services.set_award(judging_round=judging_round, entry=entry, kind=kind, place=form.place.data,
                                  justification=form.justification.data or "", by=current_user, now=utcnow())

    return _decision(edition_id, round_id, entry_id, form_class=AwardForm, prefix="award", call=call,
                     saved=_("Entscheidung zu „%(title)s“ gespeichert."),
                     not_saved=_("Die Entscheidung zu „%(title)s“ wurde nicht gespeichert; siehe die Hinweise beim "
                                 "Beitrag."))


@bp.post("/rounds/<int:round_id>/entries/<int:entry_id>/override", endpoint="set_override")
@organiser_only
def set_override(edition_id: int, round_id: int, entry_id: int):
    def call(form, judging_round, entry):
        return services.set_override(judging_round=judging_round, entry=entry, to_rank=form.to_rank.data,
                                     reason=form.reason.data or "", by=current_user, now=utcnow())

    return _decision(edition_id, round_id, entry_id, form_class=OverrideForm, prefix="override", call=call,
                     saved=_("Reihenfolge für „%(title)s“ gespeichert."),
                     not_saved=_("Die Reihenfolge für „%(title)s“ wurde nicht geändert; siehe die Hinweise beim "
                                 "Beitrag."))


# --- publication -------------------------------------------------------------------------------------------------

@bp.post("/snapshots/<int:snapshot_id>/publish", endpoint="publish")
@organiser_only
def publish(edition_id: int, snapshot_id: int):
    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _publication = run_service(form, lambda: publish_results(snapshot=snapshot, by=current_user,
                                                                         now=utcnow()))
    if ok:
        if edition.phase(utcnow()) is Phase.PUBLISHED:
            flash(_("Ergebnisse veröffentlicht."), "success")
        else:
            flash(_("Ergebnisse freigegeben. Öffentlich sichtbar sind sie ab Beginn der Veröffentlichungsphase "
                    "(%(when)s).", when=datetime_filter(edition.publication_at)), "success")
    return redirect(url_for(".index", edition_id=edition.id, round=snapshot.round_id, snapshot=snapshot.id))


@bp.post("/unpublish", endpoint="unpublish")
@organiser_only
def unpublish(edition_id: int):
    edition = _edition(edition_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _none = run_service(form, lambda: withdraw_publication(edition=edition, by=current_user,
                                                                       now=utcnow()))
    if ok:
        flash(_("Veröffentlichung zurückgenommen; die Ergebnisseite ist nicht mehr öffentlich."), "success")
    return redirect(url_for(".index", edition_id=edition.id))


# Routes in files of their own, on the same blueprint.
from . import download_views as _download_views  # noqa: E402, F401 - registers the download routes

"""The organisers' pages of the audience vote: settings (dates, entries), the live monitor with its flags,
exclusions, closing, publication and the certificates of the Publikumspreis."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..core.clock import berlin_midnight, utcnow
from ..core.ids import db_int
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition
from ..extensions import db
from . import charts, labels, patterns, queries, services
from .forms import ActionForm, ExcludeForm, VoteSettingsForm
from .models import Ballot

bp = Blueprint("audience_admin", __name__, url_prefix="/organisation/editions/<int:edition_id>/publikumspreis")
organiser_only = role_required(Role.ORGANISER)
MAX_SERIES_POINTS = 120


def _edition(edition_id: int) -> Edition:
    return db.get_or_404(Edition, edition_id)


def _vote_or_404(edition: Edition):
    vote = queries.vote_of(edition.id)
    if vote is None:
        abort(404)
    return vote


@bp.route("", methods=["GET", "POST"], endpoint="settings")
@organiser_only
def settings(edition_id: int):
    edition = _edition(edition_id)
    vote = queries.vote_of(edition.id)
    candidates = queries.candidate_entries(edition.id)
    form = VoteSettingsForm(obj=vote)
    form.entry_ids.choices = [(e.id, f"{e.number or '–'} · {e.title} ({e.company.legal_name}, {e.category.name})")
                              for e in candidates]
    if request.method == "GET":
        now = utcnow()
        form.entry_ids.data = vote.entry_ids if vote else queries.default_entry_ids(edition.id)
        if vote is None:
            form.opens_at.data = berlin_midnight(1, now=now, hour=9)
            form.closes_at.data = berlin_midnight(15, now=now, hour=18)
    if form.validate_on_submit():
        ok, _vote = run_service(form, lambda: services.configure_vote(
            edition=edition, opens_at=form.opens_at.data, closes_at=form.closes_at.data,
            entry_ids=form.entry_ids.data or [], by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Publikumsabstimmung ist gespeichert."), "success")
            return redirect(url_for(".settings", edition_id=edition.id))
    return render_template("audience/admin/settings.html", edition=edition, vote=vote, form=form,
                           candidates=candidates, action_form=ActionForm(), now=utcnow(),
                           gallery_url=url_for("audience.gallery", slug=edition.slug)), \
        422 if form.errors else 200


def _timeline(vote, entries):
    moments = defaultdict(list)
    for entry_id, confirmed_at in queries.confirmed_timeline(vote.id):
        if confirmed_at is not None:
            moments[entry_id].append(confirmed_at)
    now = utcnow()
    start = vote.opens_at
    end = min(now, vote.closed_at or vote.closes_at) if now > start else vote.closes_at
    step = max((end - start) / MAX_SERIES_POINTS, timedelta(seconds=1))
    series, table = [], []
    for entry in entries:
        times = sorted(moments.get(entry.id, []))
        points, count, index = [], 0, 0
        bucket = start
        while bucket < end and times:
            bucket = bucket + step
            while index < len(times) and times[index] <= bucket:
                index += 1
            if index != count:
                count = index
                points.append((min(bucket, end), count))
        series.append(charts.Series(f"{entry.number or ''} {entry.title}".strip(), tuple(points)))
        table.append({"entry": entry, "votes": len(times)})
    chart = charts.timeline(series, start=start, end=max(end, start + timedelta(minutes=1)),
                            title=_("Bestätigte Stimmen je Beitrag im Zeitverlauf"))
    return chart, table


def _monitor_page(edition: Edition, vote, *, exclude_form: ExcludeForm | None = None, status: int = 200):
    entries = queries.gallery_entries(vote)
    counts = queries.counts(vote.id)
    facts = queries.ballot_facts(vote.id)
    excluded = {row.id: row.excluded_reason for row in db.session.execute(
        db.select(Ballot.id, Ballot.excluded_reason).where(Ballot.vote_id == vote.id,
                                                            Ballot.excluded_at.is_not(None)))}
    flags = [{"flag": f, "title": labels.TITLES[f.kind], "text": labels.explain(f),
              "open": len([i for i in f.ballot_ids if i not in excluded])}
             for f in patterns.all_flags(facts)]
    chart, table = _timeline(vote, entries)
    rate = (format_decimal(100 * counts["confirmed"] / counts["requested"], format="#,##0.#")
            if counts["requested"] else None)
    return render_template("audience/admin/monitor.html", edition=edition, vote=vote, counts=counts, rate=rate,
                           flags=flags, chart=chart, table=table, exclude_form=exclude_form or ExcludeForm(),
                           action_form=ActionForm(), excluded_count=len(excluded), now=utcnow()), status


@bp.get("/monitor", endpoint="monitor")
@organiser_only
def monitor(edition_id: int):
    edition = _edition(edition_id)
    return _monitor_page(edition, _vote_or_404(edition))


@bp.post("/close", endpoint="close")
@organiser_only
def close(edition_id: int):
    edition = _edition(edition_id)
    vote = _vote_or_404(edition)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _r = run_service(form, lambda: services.close_vote(vote=vote, by=current_user, now=utcnow()))
    if ok:
        flash(_("Die Abstimmung ist geschlossen. Prüfen Sie die Hinweise und veröffentlichen Sie dann das "
                "Ergebnis."), "success")
    return redirect(url_for(".monitor", edition_id=edition.id))


@bp.post("/exclude", endpoint="exclude")
@organiser_only
def exclude(edition_id: int):
    edition = _edition(edition_id)
    vote = _vote_or_404(edition)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _monitor_page(edition, vote, exclude_form=form, status=422)
    pattern = (form.pattern.data or "").strip() or None
    if pattern:
        matching = [f for f in patterns.all_flags(queries.ballot_facts(vote.id)) if f.pattern_id == pattern]
        if not matching:
            flash(_("Dieses Muster gibt es nicht mehr; bitte laden Sie die Seite neu."), "error")
            return redirect(url_for(".monitor", edition_id=edition.id))
        ids = list(matching[0].ballot_ids)
    else:
        try:
            ids = [db_int(i) for i in (form.ballot_ids.data or "").replace(",", " ").split()]
        except ValueError:  # a tampered or out-of-range number: said, and the typed reason kept
            flash(_("Die Auswahl der Stimmen ist ungültig; bitte laden Sie die Seite neu und wählen Sie erneut."),
                  "error")
            return _monitor_page(edition, vote, exclude_form=form, status=422)
    ok, count = run_service(form, lambda: services.exclude_ballots(vote=vote, ballot_ids=ids, reason=form.reason.data,
                                                                   by=current_user, now=utcnow(), pattern=pattern))
    if not ok:
        return _monitor_page(edition, vote, exclude_form=form, status=422)
    flash(ngettext("%(num)s Stimme ist ausgeschlossen; die Begründung steht im Protokoll.",
                   "%(num)s Stimmen sind ausgeschlossen; die Begründung steht im Protokoll.", count), "success")
    return redirect(url_for(".monitor", edition_id=edition.id))


@bp.post("/publish", endpoint="publish")
@organiser_only
def publish(edition_id: int):
    edition = _edition(edition_id)
    vote = _vote_or_404(edition)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, sha = run_service(form, lambda: services.publish_vote(vote=vote, by=current_user, now=utcnow()))
    if ok:
        flash(_("Das Ergebnis des Publikumspreises ist veröffentlicht (Prüfsumme %(hash)s…). Die E-Mail-Adressen der "
                "Abstimmenden sind gelöscht.", hash=sha[:16]), "success")
    return redirect(url_for(".monitor", edition_id=edition.id))


@bp.get("/certificates/<int:entry_id>.pdf", endpoint="certificate")
@organiser_only
def certificate(edition_id: int, entry_id: int):
    from .certificates import certificate_pdf

    edition = _edition(edition_id)
    vote = _vote_or_404(edition)
    if vote.published_at is None or not services.verify_vote(vote):
        abort(404)
    pdf = certificate_pdf(vote, entry_id)
    if pdf is None:
        abort(404)
    db.session.commit()  # the certificate row with its code
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="publikumspreis-{entry_id}.pdf"'})

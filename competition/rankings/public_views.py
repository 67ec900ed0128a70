"""The public results page of an edition and its PDF (blueprint `results`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.i18n import datetime_filter
from ..editions.models import Edition
from ..editions.phases import Phase
from . import queries
from .extras import extra_awards
from .models import RankingSnapshot
from .views import _cached

public_bp = Blueprint("results", __name__, url_prefix="/ergebnisse")


def _published(slug: str) -> tuple[Edition, RankingSnapshot]:
    from ..editions.services import edition_by_slug

    edition = edition_by_slug(slug)
    if edition is None:
        abort(404)
    publication = queries.publication_of(edition)
    if publication is None or edition.phase(utcnow()) is not Phase.PUBLISHED:
        from ..core.views import render_error

        when = datetime_filter(edition.publication_at)
        abort(make_response(render_error(404, _(
            "Die Ergebnisse von „%(name)s“ sind noch nicht veröffentlicht. Sie erscheinen hier ab %(when)s.",
            name=edition.name, when=when))))
    return edition, publication.snapshot


def public_view_model(snapshot: RankingSnapshot) -> list[dict[str, Any]]:
    """Per category: winners by place, special mentions, the other finalists; no scores, no juror names."""
    content = snapshot.content
    entries = content["entries"]
    awards = content["decisions"]["awards"]
    categories = []
    for category in content["categories"]:
        cid = category["id"]
        order = content["decisions"]["final_order"].get(cid, [])
        mine = [a for a in awards if a["category"] == cid]
        winners = sorted((a for a in mine if a["kind"] == "winner"), key=lambda a: (a["place"] or 99, a["entry"]))
        mentions = [a for a in mine if a["kind"] == "mention"]
        awarded = {a["entry"] for a in mine}
        categories.append({
            "name": category["name"],
            "winners": [{**a, "meta": entries[a["entry"]]} for a in winners],
            "mentions": [{**a, "meta": entries[a["entry"]]} for a in mentions],
            "finalists": sorted((entries[e] for e in order if e not in awarded),
                                key=lambda meta: meta["company"].casefold()),
        })
    return categories


@public_bp.get("/<slug>", endpoint="show")
def public_results(slug: str):
    edition, snapshot = _published(slug)
    from ..entries.labels import DISTRICT_LABELS

    return render_template("rankings/public.html", edition=edition, snapshot=snapshot,
                           categories=public_view_model(snapshot), extra_awards=extra_awards(edition.id),
                           DISTRICTS={d.value: label for d, label in DISTRICT_LABELS.items()})


@public_bp.get("/<slug>/ergebnisse.pdf", endpoint="pdf")
def public_results_pdf(slug: str):
    from flask_babel import get_locale

    from . import outputs

    edition, snapshot = _published(slug)
    locale = str(get_locale())
    # Public and anonymous: rendered once per process and language, not by WeasyPrint on every request.
    extras = extra_awards(edition.id)
    pdf = _cached(("public.pdf", snapshot.id, snapshot.sha256, locale, tuple(a.sha256 for a in extras)),
                  lambda: outputs.public_pdf(snapshot, lang=locale, extra_awards=extras))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="ergebnisse-{edition.slug}.pdf"'})

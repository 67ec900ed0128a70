"""A company's own outcome after publication: the answer to the entry page (entries.outcomes), and the downloads of
its certificate and feedback letter. Only members of the entry's company, only while the results are public."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.clock import utcnow
from ..core.urls import base_url
from ..editions.phases import Phase
from ..editions.services import register_published_results
from ..entries import permissions as entry_permissions
from ..entries.models import Entry
from ..entries.outcomes import Outcome, register_outcome_provider
from ..extensions import db
from . import outputs, queries
from .certificates import KIND_LABELS, certificate_kind, place_in_words, ranked_entries
from .models import RankingSnapshot

bp = Blueprint("outcomes", __name__, url_prefix="/entries/<int:entry_id>/ergebnis")


def published_snapshot(entry: Entry, now: datetime) -> RankingSnapshot | None:
    """The snapshot the entry's edition published from, while its results are public; None otherwise."""
    publication = queries.publication_of(entry.edition)
    if publication is None or entry.edition.phase(now) is not Phase.PUBLISHED:
        return None
    return publication.snapshot


def outcome(*, entry: Entry, now: datetime) -> Outcome | None:
    snapshot = published_snapshot(entry, now)
    if snapshot is None:
        return None
    content = snapshot.content
    key = str(entry.id)
    if key not in (content.get("entries") or {}):
        return None
    kind = certificate_kind(content, key)
    award = next((a for a in (content.get("decisions") or {}).get("awards") or [] if a.get("entry") == key), None)
    category = next((c.get("name", "") for c in content.get("categories") or []
                     if str(c.get("id")) == str(content["entries"][key].get("category"))), "")
    if kind == "winner" and award and award.get("place"):
        headline = _("%(place)s in der Kategorie „%(category)s“", place=place_in_words(award["place"]),
                     category=category)
    elif kind in ("winner", "mention"):
        headline = _("%(kind)s in der Kategorie „%(category)s“", kind=KIND_LABELS[kind], category=category)
    else:
        headline = str(KIND_LABELS[kind])
    has_feedback = key in ranked_entries(content)
    return Outcome(headline=headline, kind=kind, justification=(award or {}).get("justification") or "",
                   certificate_url=url_for("outcomes.certificate", entry_id=entry.id),
                   feedback_url=url_for("outcomes.feedback", entry_id=entry.id) if has_feedback else None,
                   results_url=url_for("results.show", slug=entry.edition.slug))


register_outcome_provider(outcome)


def published_results(now: datetime) -> list[tuple[str, str]]:
    """Every edition whose results are public now, newest first, with the link to its results page."""
    return [(edition.name, url_for("results.show", slug=edition.slug)) for edition in queries.published_editions()
            if edition.phase(now) is Phase.PUBLISHED]


register_published_results(published_results)


def _own(entry_id: int) -> tuple[Entry, RankingSnapshot]:
    """404 for a missing entry, 403 for someone not of its company, 404 while its results are not public."""
    entry = db.get_or_404(Entry, entry_id)
    if not entry_permissions.is_member(current_user, entry.company):
        abort(403)
    snapshot = published_snapshot(entry, utcnow())
    if snapshot is None or str(entry.id) not in (snapshot.content.get("entries") or {}):
        abort(404)
    return entry, snapshot


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@bp.get("/urkunde.pdf", endpoint="certificate")
@login_required
def certificate(entry_id: int):
    entry, snapshot = _own(entry_id)
    pdf = outputs.certificates_pdf(snapshot, base_url=base_url(), entries=[str(entry.id)])
    db.session.commit()  # the certificate's code is kept
    return _pdf(pdf, f"urkunde-{entry.number or entry.id}.pdf")


@bp.get("/rueckmeldung.pdf", endpoint="feedback")
@login_required
def feedback(entry_id: int):
    entry, snapshot = _own(entry_id)
    if str(entry.id) not in ranked_entries(snapshot.content):
        abort(404)
    return _pdf(outputs.feedback_pdf(snapshot, str(entry.id)), f"rueckmeldung-{entry.number or entry.id}.pdf")

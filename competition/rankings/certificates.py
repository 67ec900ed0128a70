"""Certificates [Urkunden] of a frozen ranking: which kind each entry gets, their verification codes, the QR code.

Certificates with a verification code are made only from the published snapshot of an edition (`is_published`):
printed from any other snapshot they are a draft, marked "Entwurf" on every page, with no code and no QR code, and
no `Certificate` row is made. A certificate is made once per (published snapshot, entry) and kept: printing the
certificates again gives the same codes. The verification page (`verify_views.py`) confirms a certificate only while
its snapshot is the published one and its content still has its hash; otherwise it says plainly that the certificate
was replaced by a newer publication (and what the current one says) or that the results were withdrawn.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

import segno
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from .models import Certificate, Publication, RankingSnapshot

KINDS = ("winner", "mention", "finalist", "participant")
KIND_LABELS = {
    "winner": _l("Preis"),
    "mention": _l("Besondere Anerkennung"),
    "finalist": _l("Teilnahme am Finale"),
    "participant": _l("Teilnahme"),
}
PLACE_WORDS = {1: _l("Erster Platz"), 2: _l("Zweiter Platz"), 3: _l("Dritter Platz"), 4: _l("Vierter Platz"),
               5: _l("Fünfter Platz"), 6: _l("Sechster Platz"), 7: _l("Siebter Platz"), 8: _l("Achter Platz"),
               9: _l("Neunter Platz"), 10: _l("Zehnter Platz")}


def place_in_words(place: int | None) -> str:
    """„Erster Platz“ … „Zehnter Platz“, beyond that „11. Platz“; empty without a place."""
    if not place:
        return ""
    return str(PLACE_WORDS.get(int(place)) or _l("%(place)s. Platz", place=place))
VERIFY_PATH = "/verify/certificate/"


def certificate_kind(content: dict, entry_id: str) -> str:
    """winner or mention (the awards of the final round), finalist (in the final round, after an earlier round;
    or chosen for the next round's shortlist), otherwise participant (every ranked entry)."""
    decisions = content.get("decisions") or {}
    for award in decisions.get("awards") or []:
        if award.get("entry") == entry_id and award.get("kind") in ("winner", "mention"):
            return award["kind"]
    judging_round = content.get("round") or {}
    if judging_round.get("is_final") and (judging_round.get("position") or 1) > 1:
        return "finalist"
    if entry_id in (decisions.get("shortlist") or []):
        return "finalist"
    return "participant"


def ranked_entries(content: dict) -> list[str]:
    """Every ranked entry, by category (in display order) and then by the final order of its category."""
    ordered: list[str] = []
    final_order = (content.get("decisions") or {}).get("final_order") or {}
    by_category = content.get("by_category") or {}
    for category in content.get("categories") or []:
        cid = category["id"]
        order = final_order.get(cid) or [row["entry"] for row in (by_category.get(cid) or {}).get("ranking", [])]
        ordered.extend(e for e in order if e not in ordered)
    for row in (content.get("overall") or {}).get("ranking", []):
        if row["entry"] not in ordered:
            ordered.append(row["entry"])
    return [e for e in ordered if e in (content.get("entries") or {})]


def publication_of_edition(edition_id: int) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.edition_id == edition_id))


def is_published(snapshot: RankingSnapshot) -> bool:
    """Whether this snapshot is the one the edition's results are published from (released; the public page
    shows it from the publication phase on). Only such a snapshot gets certificates with a verification code."""
    publication = publication_of_edition(snapshot.edition_id)
    return publication is not None and publication.snapshot_id == snapshot.id


class NotPublished(ValueError):
    """Certificates with a code are made only from the published snapshot."""


def ensure_certificates(snapshot: RankingSnapshot, entry_ids: Iterable[str]) -> dict[str, Certificate]:
    """Get or create the certificates of these entries in the published snapshot (flushes, never commits)."""
    if not is_published(snapshot):
        raise NotPublished(f"snapshot {snapshot.id} is not the published one")
    wanted = [str(e) for e in entry_ids]
    existing = {str(c.entry_id): c for c in db.session.scalars(
        select(Certificate).where(Certificate.snapshot_id == snapshot.id))}
    for entry_id in wanted:
        if entry_id not in existing:
            certificate = Certificate(code=secrets.token_urlsafe(12), snapshot_id=snapshot.id, entry_id=int(entry_id),
                                      kind=certificate_kind(snapshot.content, entry_id))
            db.session.add(certificate)
            existing[entry_id] = certificate
    db.session.flush()
    return {e: existing[e] for e in wanted}


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def verify_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + VERIFY_PATH + code


def qr_svg(url: str, *, label: str) -> Markup:
    """The QR code of `url` as inline SVG (error correction M, the usual quiet zone of four modules)."""
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                        title=str(label), desc=url)
    # segno writes no role; screen readers and the tagged PDF take the label as the image's name. segno escapes
    # title and desc; the label is escaped here.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)  # noqa: S704  # nosec B704  # segno escapes title/desc, the label is escaped above


def when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None

"""Certificates [Urkunden] of a frozen ranking: which kind each entry gets, their verification codes, the QR code.

A certificate is made once per (snapshot, entry) and kept: printing the certificates again gives the same codes,
so a certificate handed out earlier stays verifiable. The verification page (`verify_views.py`) reads everything it
confirms from the snapshot's content, and refuses to confirm when that content no longer has its hash.
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
from .models import Certificate, RankingSnapshot

KINDS = ("winner", "mention", "finalist", "participant")
KIND_LABELS = {
    "winner": _l("Preisträger"),
    "mention": _l("Besondere Anerkennung"),
    "finalist": _l("Finalist"),
    "participant": _l("Teilnahme"),
}
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


def ensure_certificates(snapshot: RankingSnapshot, entry_ids: Iterable[str]) -> dict[str, Certificate]:
    """Get or create the certificates of these entries in this snapshot (flushes, never commits)."""
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

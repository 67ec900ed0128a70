"""The public verification page of a certificate: GET /verify/certificate/<code> (the QR code's target).

A certificate is confirmed ("echt") only while it belongs to the snapshot the edition's results are published from,
the results are public (publication phase) and the snapshot's content still has its hash. Otherwise the page says
plainly why not: replaced by a newer publication (when, and what the current certificate says), results withdrawn
(when), not yet public (from when), or the stored results changed. Everything shown comes from frozen snapshots. An
unknown code is a 404. The path is not /verify/<code>: that is the e-mail confirmation link's route.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from ..core.audit import AuditEvent
from ..core.clock import utcnow
from ..editions.models import Edition
from ..editions.phases import Phase
from ..extensions import db
from .certificates import KIND_LABELS, certificate_by_code, certificate_kind, place_in_words, publication_of_edition
from .models import Certificate, RankingSnapshot
from .services import verify_snapshot

bp = Blueprint("certificates", __name__)

VALID, REPLACED, WITHDRAWN, NOT_YET_PUBLIC, TAMPERED = "valid", "replaced", "withdrawn", "not_yet_public", "tampered"
STATUS_CODES = {VALID: 200, REPLACED: 410, WITHDRAWN: 410, NOT_YET_PUBLIC: 409, TAMPERED: 409}


@dataclass(frozen=True)
class Statement:
    """What a certificate of one entry in one snapshot says (read from the snapshot's content)."""

    edition_name: str
    kind: str
    kind_label: str
    place: int | None
    category: str
    company: str
    number: str
    title: str
    hash_prefix: str


def statement(snapshot: RankingSnapshot, entry_id: str, *, kind: str | None = None) -> Statement | None:
    content = snapshot.content or {}
    entry = (content.get("entries") or {}).get(entry_id)
    if entry is None:
        return None
    categories = {c["id"]: c.get("name", "") for c in content.get("categories") or []}
    award = next((a for a in (content.get("decisions") or {}).get("awards") or [] if a.get("entry") == entry_id), None)
    edition = content.get("edition")
    kind = kind or certificate_kind(content, entry_id)
    return Statement(edition_name=edition.get("name", "") if isinstance(edition, dict) else str(edition or ""),
                     kind=kind, kind_label=str(KIND_LABELS.get(kind, kind)), place=(award or {}).get("place"),
                     category=categories.get(entry.get("category"), ""), company=entry.get("company") or "",
                     number=entry.get("number") or "", title=entry.get("title") or "",
                     hash_prefix=snapshot.sha256[:16])


def _withdrawn_at(edition_id: int) -> datetime | None:
    return db.session.scalar(select(AuditEvent.occurred_at).where(
        AuditEvent.action == "results.withdrawn", AuditEvent.object_type == "edition",
        AuditEvent.object_id == edition_id).order_by(AuditEvent.id.desc()).limit(1))


def check(certificate: Certificate, *, now: datetime) -> dict[str, Any]:
    """The verdict on a certificate, with what the page needs to say it."""
    snapshot = certificate.snapshot
    entry_id = str(certificate.entry_id)
    edition = db.session.get(Edition, snapshot.edition_id)
    publication = publication_of_edition(snapshot.edition_id)
    if not verify_snapshot(snapshot):
        return {"status": TAMPERED}
    if edition is not None and edition.phase(now) is not Phase.PUBLISHED and publication is not None:
        return {"status": NOT_YET_PUBLIC, "public_from": edition.publication_at}
    if publication is None:
        return {"status": WITHDRAWN, "withdrawn_at": _withdrawn_at(snapshot.edition_id)}
    if publication.snapshot_id != snapshot.id:
        current = publication.snapshot
        return {"status": REPLACED, "replaced_at": publication.published_at,
                "current": statement(current, entry_id) if verify_snapshot(current) else None}
    return {"status": VALID, "statement": statement(snapshot, entry_id, kind=certificate.kind)}


@bp.get("/verify/certificate/<code>")
def verify(code: str):
    certificate = certificate_by_code(code)
    if certificate is None:
        return render_template("rankings/verify.html", certificate=None, code=code, verdict=None), 404
    verdict = check(certificate, now=utcnow())
    return render_template("rankings/verify.html", certificate=certificate, code=code, verdict=verdict,
                           VALID=VALID, REPLACED=REPLACED, WITHDRAWN=WITHDRAWN, NOT_YET_PUBLIC=NOT_YET_PUBLIC,
                           TAMPERED=TAMPERED, place_in_words=place_in_words), STATUS_CODES[verdict["status"]]

"""The public verification page of a certificate: GET /verify/certificate/<code> (the QR code's target).

Confirms company, entry title, award, edition and the snapshot's hash prefix, read from the frozen snapshot's
content. An unknown code is a 404 with a clear message; a snapshot whose content no longer has its hash is not
confirmed (the page says so). The path is not /verify/<code>: that is the e-mail confirmation link's route.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from .certificates import KIND_LABELS, certificate_by_code
from .services import verify_snapshot

bp = Blueprint("certificates", __name__)


@bp.get("/verify/certificate/<code>")
def verify(code: str):
    certificate = certificate_by_code(code)
    if certificate is None:
        return render_template("rankings/verify.html", certificate=None, code=code), 404
    snapshot = certificate.snapshot
    content = snapshot.content or {}
    entry = (content.get("entries") or {}).get(str(certificate.entry_id)) or {}
    categories = {c["id"]: c.get("name", "") for c in content.get("categories") or []}
    award = next((a for a in (content.get("decisions") or {}).get("awards") or []
                  if a.get("entry") == str(certificate.entry_id)), None)
    edition = content.get("edition")
    intact = verify_snapshot(snapshot)
    return render_template(
        "rankings/verify.html", certificate=certificate, code=code, intact=intact,
        edition_name=edition.get("name") if isinstance(edition, dict) else edition,
        entry=entry, category=categories.get(entry.get("category"), ""),
        kind_label=KIND_LABELS.get(certificate.kind, certificate.kind), place=(award or {}).get("place"),
        hash_prefix=snapshot.sha256[:16],
    ), (200 if intact else 409)

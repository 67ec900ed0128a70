"""The certificate [Urkunde] of the Publikumspreis: one page per winning entry of a published vote, with a QR code
to its verification page (``/verify/publikumspreis/<code>``), which confirms it while the published result still
has its hash, as the jury's certificates do."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.pdf import render_pdf
from ..core.urls import external_url
from ..extensions import db
from ..rankings.certificates import qr_svg
from .models import AudienceCertificate, AudienceVote
from .results import read_content


def ensure_certificate(vote: AudienceVote, entry_id: int) -> AudienceCertificate:
    certificate = db.session.scalar(select(AudienceCertificate).where(AudienceCertificate.vote_id == vote.id,
                                                                      AudienceCertificate.entry_id == entry_id))
    if certificate is None:
        certificate = AudienceCertificate(code=secrets.token_urlsafe(12), vote_id=vote.id, entry_id=entry_id)
        db.session.add(certificate)
        db.session.flush()
    return certificate


def certificate_pdf(vote: AudienceVote, entry_id: int, *, lang: str = "de") -> bytes | None:
    """The certificate of a winning entry (None when the entry did not win the audience award)."""
    result = read_content(vote.content or {})
    winner = next((w for w in result.winners if w.entry_id == str(entry_id)), None)
    if winner is None:
        return None
    certificate = ensure_certificate(vote, entry_id)
    url = external_url("audience_verify.verify", code=certificate.code)
    with force_locale(lang):
        return render_pdf("audience/pdf/certificate.html", title=str(_l("Urkunde Publikumspreis – %(edition)s",
                                                                         edition=result.edition_name)),
                          lang=lang, winner=winner, edition_name=result.edition_name, url=url, code=certificate.code,
                          qr=qr_svg(url, label=str(_l("QR-Code zur Prüfung dieser Urkunde"))),
                          published_at=datetime.fromisoformat(vote.content["published_at"]))

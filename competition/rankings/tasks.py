"""Bulk outputs of a frozen snapshot as background jobs: all certificates in one PDF, all feedback letters in one
PDF (each company on its own pages). A single document is rendered on request instead (see views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..jobs import task
from .models import RankingSnapshot


def _snapshot(ctx, snapshot_id: int) -> RankingSnapshot:
    snapshot = db.session.get(RankingSnapshot, snapshot_id)
    if snapshot is None:
        raise ValueError(f"Schnappschuss {snapshot_id} gibt es nicht mehr.")
    return snapshot


def _stem(snapshot: RankingSnapshot) -> str:
    content = snapshot.content
    return f"{content['edition']['slug']}-runde{content['round']['position']}-{snapshot.sha256[:8]}"


@task("rankings.certificates", label=_l("Urkunden (alle)"))
def certificates(ctx, *, snapshot_id: int, base_url: str) -> None:
    from . import outputs

    snapshot = _snapshot(ctx, snapshot_id)
    data = outputs.certificates_pdf(snapshot, base_url=base_url, progress=ctx.progress)
    ctx.save_result(f"urkunden-{_stem(snapshot)}.pdf", data, "application/pdf")


@task("rankings.feedback", label=_l("Rückmeldungen an die Unternehmen (alle)"))
def feedback(ctx, *, snapshot_id: int) -> None:
    from . import outputs

    snapshot = _snapshot(ctx, snapshot_id)
    data = outputs.feedback_pdfs(snapshot, progress=ctx.progress)
    ctx.save_result(f"rueckmeldungen-{_stem(snapshot)}.pdf", data, "application/pdf")

"""Downloads made from a snapshot (PDFs, certificates, exports) and the bulk outputs as background jobs, on the
rankings blueprint of `views`."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.clock import utcnow
from ..extensions import db
from . import queries
from .certificates import is_published
from .forms import PublishForm
from .views import _edition, _snapshot, bp, organiser_only

# --- downloads from a snapshot (single documents are rendered on request) -----------------------------------------

def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@bp.get("/snapshots/<int:snapshot_id>/<any(internal, protocol, public):kind>.pdf", endpoint="pdf")
@organiser_only
def snapshot_pdf(edition_id: int, snapshot_id: int, kind: str):
    from . import outputs

    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    render = {"internal": outputs.internal_pdf, "protocol": outputs.protocol_pdf, "public": outputs.public_pdf}[kind]
    names = {"internal": "rangliste", "protocol": "juryprotokoll", "public": "ergebnisse"}
    return _download(render(snapshot), f"{names[kind]}-{queries.file_stem(snapshot)}.pdf", "application/pdf")


@bp.get("/snapshots/<int:snapshot_id>/feedback/<int:entry_id>.pdf", endpoint="feedback_pdf")
@organiser_only
def feedback_pdf(edition_id: int, snapshot_id: int, entry_id: int):
    from . import outputs

    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    if str(entry_id) not in snapshot.content["entries"]:
        abort(404)
    return _download(outputs.feedback_pdf(snapshot, str(entry_id)),
                     f"rueckmeldung-{entry_id}-{queries.file_stem(snapshot)}.pdf", "application/pdf")


@bp.get("/snapshots/<int:snapshot_id>/certificates/<int:entry_id>.pdf", endpoint="certificate_pdf")
@organiser_only
def certificate_pdf(edition_id: int, snapshot_id: int, entry_id: int):
    """One entry's certificate: valid (with its code, made once and kept) from the published snapshot, else a draft
    marked "Entwurf" without a code."""
    from ..core.urls import base_url
    from . import outputs

    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    entry = (snapshot.content.get("entries") or {}).get(str(entry_id))
    if entry is None:
        abort(404)
    published = is_published(snapshot)
    data = outputs.certificates_pdf(snapshot, base_url=base_url(), entries=[str(entry_id)])
    db.session.commit()  # the certificate's code, kept for printing it again
    name = f"urkunde{'' if published else '-entwurf'}-{entry.get('number') or entry_id}-{queries.file_stem(snapshot)}"
    return _download(data, f"{name}.pdf", "application/pdf")


@bp.get("/snapshots/<int:snapshot_id>/export.<any(xlsx, csv):fmt>", endpoint="export")
@organiser_only
def export(edition_id: int, snapshot_id: int, fmt: str):
    from . import exports

    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    if fmt == "xlsx":
        return _download(exports.snapshot_xlsx(snapshot), f"bewertungen-{queries.file_stem(snapshot)}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _download(exports.snapshot_csv(snapshot), f"bewertungen-{queries.file_stem(snapshot)}.csv",
                     "text/csv; charset=utf-8")




# --- bulk outputs as background jobs -----------------------------------------------------------------------------

@bp.post("/snapshots/<int:snapshot_id>/bulk/<any(certificates, feedback, results_mail):kind>", endpoint="bulk")
@organiser_only
def bulk(edition_id: int, snapshot_id: int, kind: str):
    from ..jobs import submit
    from . import tasks  # noqa: F401 - registers the tasks

    edition = _edition(edition_id)
    snapshot = _snapshot(edition, snapshot_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    params: dict[str, Any] = {"snapshot_id": snapshot.id}
    if kind == "results_mail":
        publication = queries.publication_of(edition)
        if publication is None or publication.snapshot_id != snapshot.id:
            flash(_("Die Ergebnisse werden aus dem veröffentlichten Stand versendet; veröffentlichen Sie diesen "
                    "Stand zuerst."), "error")
            return redirect(url_for(".index", edition_id=edition.id, round=snapshot.round_id, snapshot=snapshot.id))
    if kind == "certificates" and not is_published(snapshot):
        flash(_("Dieser Stand ist nicht veröffentlicht: Die Urkunden werden als Entwurf ohne Prüfcode erzeugt. "
                "Gültige Urkunden entstehen aus dem veröffentlichten Stand."), "warning")
    job = submit(f"rankings.{kind}", params=params, by=current_user, now=utcnow(), edition_id=edition.id)
    db.session.commit()
    flash(_("Der Auftrag läuft im Hintergrund; Sie können diese Seite verlassen und später wiederkommen."), "success")
    return redirect(url_for("jobs.show_job", job_id=job.id))

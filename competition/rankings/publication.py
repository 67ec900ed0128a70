"""Publishing an edition's results from a frozen snapshot of its final round, and withdrawing them. Flush, never
commit."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from ..entries.models import Entry, EntryStatus
from ..extensions import db
from . import permissions
from .models import AwardKind, Publication, RankingSnapshot
from .queries import is_final_round
from .services import verify_snapshot


def publish_results(*, snapshot: RankingSnapshot, by: User, now: datetime) -> Publication:
    """Publish the edition's results from a frozen snapshot of its final round (shown in the publication phase)."""
    if why := permissions.why_not_manage(by):
        raise PermissionDenied(why)
    content = snapshot.content
    if not content.get("round", {}).get("is_final") or not is_final_round(snapshot.round):
        raise ValidationFailed(_l("Veröffentlicht wird der eingefrorene Stand der letzten Runde; dieser "
                                  "Stand gehört zu einer früheren Runde."))
    if not verify_snapshot(snapshot):
        raise ValidationFailed(_l("Der eingefrorene Stand stimmt nicht mehr mit seiner Prüfsumme überein und kann "
                                  "nicht veröffentlicht werden."))
    awards = content.get("decisions", {}).get("awards", [])
    if not any(a["kind"] == AwardKind.WINNER.value for a in awards):
        raise ValidationFailed(_l("Im eingefrorenen Stand sind noch keine Preisträger festgelegt. Legen Sie die "
                                  "Preise fest und frieren Sie die Rangliste danach erneut ein."))
    publication = db.session.scalar(select(Publication).where(Publication.edition_id == snapshot.edition_id))
    if publication is None:
        publication = Publication(edition_id=snapshot.edition_id, snapshot_id=snapshot.id)
        db.session.add(publication)
    publication.snapshot_id, publication.published_at, publication.published_by_id = snapshot.id, now, by.id
    awarded = {int(a["entry"]) for a in awards}
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_([int(e) for e in content["entries"]]))):
        if entry.status in (EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE):
            continue
        entry.status = EntryStatus.AWARDED if entry.id in awarded else EntryStatus.NOT_AWARDED
    db.session.flush()
    audit.record(actor=by, action="results.published", obj_type="ranking_snapshot", obj_id=snapshot.id, now=now,
                 edition=snapshot.edition_id, sha256=snapshot.sha256)
    return publication


def withdraw_publication(*, edition, by: User, now: datetime) -> None:
    if why := permissions.why_not_manage(by):
        raise PermissionDenied(why)
    publication = db.session.scalar(select(Publication).where(Publication.edition_id == edition.id))
    if publication is not None:
        db.session.delete(publication)
        db.session.flush()
        audit.record(actor=by, action="results.withdrawn", obj_type="edition", obj_id=edition.id, now=now)

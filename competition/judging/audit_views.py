"""The audit trail for organisers: German labels, details as small tables, filters (type, person, entry, date
range), paging, a CSV export and the hash-chain check on top."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from ..accounts.models import Role
from ..core.audit import AuditEvent, first_broken_link
from ..core.audit_labels import ACTION_GROUPS, ACTION_LABELS, action_label, detail_lines, object_label
from ..core.clock import berlin_to_utc, to_berlin
from ..core.i18n import datetime_filter, decimal_filter
from ..core.ids import db_int
from ..core.permissions import role_required
from ..core.tabular import neutralise
from ..extensions import db
from . import queries

bp = Blueprint("audit", __name__, url_prefix="/organisation")
organiser_only = role_required(Role.ORGANISER)

PAGE_SIZE = 50
CSV_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    entry_number: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def args(self) -> dict:
        """The filter as query arguments (for paging and export links); empty values left out."""
        values = {"action": self.action, "person": self.actor_id, "entry": self.entry_number,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None}
        return {k: v for k, v in values.items() if v}

    @property
    def is_active(self) -> bool:
        return bool(self.args())


def _date_arg(name: str, errors: dict) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        errors[name] = _("Bitte geben Sie ein Datum wie 24.11.2026 ein.")
        return None


def _read_filter() -> tuple[AuditFilter, dict, dict]:
    """The filter from the query string, the errors per field, and the raw values to show again."""
    errors: dict[str, str] = {}
    action = request.args.get("action", "").strip()[:80]
    if action and action not in ACTION_LABELS:
        errors["action"] = _("Diese Art von Eintrag gibt es nicht. Bitte wählen Sie aus der Liste.")
        action = ""
    actor_id = request.args.get("person", type=db_int)
    entry_number = request.args.get("entry", "").strip()[:30]
    date_from, date_to = _date_arg("from", errors), _date_arg("to", errors)
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("Das Ende des Zeitraums liegt vor seinem Anfang. Bitte prüfen Sie die Daten.")
        date_to = None
    raw = {k: request.args.get(k, "") for k in ("action", "person", "entry", "from", "to")}
    return AuditFilter(action, actor_id, entry_number, date_from, date_to), errors, raw


def _query(flt: AuditFilter, errors: dict):
    entry_id, unknown_entry = None, False
    if flt.entry_number:
        entry_id = queries.entry_id_by_number(flt.entry_number)
        if entry_id is None:
            errors["entry"] = _("Einen Beitrag mit der Nummer „%(number)s“ gibt es nicht.", number=flt.entry_number)
            unknown_entry = True
    since = before = None
    if flt.date_from:
        since = berlin_to_utc(datetime.combine(flt.date_from, datetime.min.time()))
    if flt.date_to:
        before = berlin_to_utc(datetime.combine(flt.date_to + timedelta(days=1), datetime.min.time()))
    return queries.audit_events(action=flt.action, actor_id=flt.actor_id, entry_id=entry_id,
                                unknown_entry=unknown_entry, since=since, before=before)


def _row(event: AuditEvent, actors: dict[int, str]) -> dict:
    obj = object_label(event.object_type)
    return {
        "event": event,
        "label": action_label(event.action),
        "object": f"{obj} Nr. {event.object_id}" if event.object_id is not None else obj,
        "person": actors.get(event.actor_id) or _("System"),
        "details": detail_lines(event.data, fmt_datetime=datetime_filter, fmt_decimal=decimal_filter),
    }


@bp.get("/audit")
@organiser_only
def audit():
    flt, errors, raw = _read_filter()
    query = _query(flt, errors)
    page = max(request.args.get("page", 1, type=db_int) or 1, 1)
    total = queries.count_of(query)
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(page, pages)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
                                .offset((page - 1) * PAGE_SIZE)).all()
    actors = queries.names_of(e.actor_id for e in events)

    chain = None
    if request.args.get("check"):
        broken = first_broken_link()
        chain = {"broken": broken, "count": queries.audit_event_count()}
        if broken is not None:
            chain["label"] = action_label(broken.action)
            newer = queries.audit_event_count(after_id=broken.id)
            chain["page"] = newer // PAGE_SIZE + 1
    return render_template(
        "judging/admin/audit.html", rows=[_row(e, actors) for e in events], page=page, pages=pages, total=total,
        chain=chain, groups=ACTION_GROUPS, people=queries.audit_people(), flt=flt, raw=raw, errors=errors,
    ), 400 if errors else 200


@bp.get("/audit.csv")
@organiser_only
def audit_csv():
    flt, errors, _raw = _read_filter()
    query = _query(flt, errors)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(CSV_LIMIT)).all()
    actors = queries.names_of(e.actor_id for e in events)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Nr."), _("Zeitpunkt"), _("Person"), _("Aktion"), _("Objekt"), _("Angaben"), _("Prüfsumme")])
    for event in events:
        row = _row(event, actors)
        details = " | ".join(f"{line.label}: {line.value}" for line in row["details"])
        writer.writerow([event.id, to_berlin(event.occurred_at).strftime("%d.%m.%Y %H:%M:%S"),
                         neutralise(row["person"]), neutralise(row["label"]), neutralise(row["object"]),
                         neutralise(details), event.hash])
    body = "\ufeff" + buffer.getvalue()
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=protokoll.csv",
                             "Content-Type": "text/csv; charset=utf-8"})

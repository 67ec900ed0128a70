"""Organiser pages for entries: list, detail, eligibility, deadline extensions, exports, attachment ZIPs."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from ..accounts.models import Role
from ..accounts.queries import users_by_id
from ..core.clock import to_berlin, utcnow
from ..core.i18n import current_language, datetime_filter, datetime_parts
from ..core.ids import db_int
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..core.storage import get_storage
from ..editions.models import Category, Edition
from ..extensions import db
from . import company_services, exports, permissions, queries, rules, services, versions
from .forms import EligibilityForm, ExtensionForm
from .labels import DISTRICT_LABELS, STATUS_LABELS, TURNOVER_LABELS, VISIBILITY_LABELS
from .models import District, Entry, EntryStatus
from .queries import EntryFilters, Proposal, Sort

bp = Blueprint("entries_admin", __name__, url_prefix="/organisation")
organiser_only = role_required(Role.ORGANISER)

PER_PAGE = 50
DECIDABLE = {EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE}
ZIP_SPOOL_BYTES = 16 * 1024 * 1024  # larger archives go to a temporary file on disk
FILTER_KEYS = ("edition", "category", "status", "district", "proposal", "q", "sort", "dir")


# --- filters -------------------------------------------------------------------------------------------------------

def _int(value: str | None) -> int | None:
    try:
        return db_int(value) if value else None
    except ValueError:
        return None


def _choice(enum_class, value: str | None):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


def _filters(args: MultiDict) -> EntryFilters:
    """The list's filters from the query string; anything unknown is ignored rather than refused."""
    return EntryFilters(
        edition_id=_int(args.get("edition")),
        category_id=_int(args.get("category")),
        status=_choice(EntryStatus, args.get("status")),
        district=_choice(District, args.get("district")),
        proposal=_choice(Proposal, args.get("proposal")),
        search=(args.get("q") or "").strip()[:200],
        sort=_choice(Sort, args.get("sort")) or Sort.NUMBER,
        descending=args.get("dir") == "desc",
    )


def _query_args(**changes: Any) -> dict[str, Any]:
    """The current filters (as in the query string) with some changed; empty values are left out."""
    args = {key: request.args.get(key) for key in FILTER_KEYS}
    args.update(changes)
    return {key: value for key, value in args.items() if value not in (None, "")}


# --- eligibility proposal ------------------------------------------------------------------------------------------

def concern_texts(*, district: str, employees: int, max_employees: int | None) -> list[str]:
    """The system's eligibility proposal for a company, as the words shown to organisers."""
    texts = []
    for concern in rules.eligibility_concerns(district=district, employees=employees, max_employees=max_employees):
        if concern is rules.EligibilityConcern.OUTSIDE_REGION:
            texts.append(_("außerhalb Südwestsachsens"))
        elif concern is rules.EligibilityConcern.TOO_LARGE:
            texts.append(_("mehr als %(n)s Beschäftigte", n=max_employees))
    return texts


def _concerns(entry: Entry) -> list[str]:
    company = entry.company
    return concern_texts(district=company.district.value, employees=company.employees,
                         max_employees=entry.edition.max_employees)


# --- list ----------------------------------------------------------------------------------------------------------

def _list_rows(entries: list[Entry]) -> list[dict[str, Any]]:
    """What each row of the list shows, worked out once per page: one `url_for` for all links, the labels
    translated once, dates formatted without Babel per row, the eligibility proposal once per kind of company."""
    link = url_for("entries_admin.show_entry", entry_id=0)
    prefix, suffix = link.rsplit("/0", 1)
    statuses = {status: str(label) for status, label in STATUS_LABELS.items()}
    districts = {district: str(label) for district, label in DISTRICT_LABELS.items()}
    moment = datetime_parts(current_language())
    concerns: dict[tuple, list[str]] = {}
    rows = []
    for entry in entries:
        company = entry.company
        key = (company.district, company.employees, entry.edition.max_employees)
        if key not in concerns:
            concerns[key] = _concerns(entry)
        rows.append({"entry": entry, "concerns": concerns[key], "url": f"{prefix}/{entry.id}{suffix}",
                     "status": statuses[entry.status], "district": districts.get(company.district, ""),
                     "submitted": moment(entry.last_submitted_at) if entry.last_submitted_at else None})
    return rows


@bp.get("/entries")
@organiser_only
def list_entries():
    filters = _filters(request.args)
    page = max(request.args.get("page", 1, type=db_int) or 1, 1)
    pagination = db.paginate(queries.entry_list(filters), page=page, per_page=PER_PAGE, error_out=False)
    rows = _list_rows(pagination.items)
    editions_query, categories_query = queries.filter_choices()
    editions = db.session.scalars(editions_query).all()
    categories = db.session.scalars(categories_query).all()
    edition = next((e for e in editions if e.id == filters.edition_id), None)
    if edition is not None:
        categories = [c for c in categories if c.edition_id == edition.id]
    return render_template(
        "entries/admin/list.html", rows=rows, pagination=pagination, filters=filters, edition=edition,
        editions=editions, categories=categories, query_args=_query_args, Sort=Sort, Proposal=Proposal,
        STATUSES=list(EntryStatus), DISTRICT_LABELS=DISTRICT_LABELS, filtered=any(
            request.args.get(key) for key in FILTER_KEYS if key not in ("sort", "dir")),
    )


# --- detail --------------------------------------------------------------------------------------------------------

def _working_content(entry: Entry) -> dict[str, Any]:
    """A draft's working copy in the shape of a version snapshot, so the page shows both the same way."""
    answers = {a.question_id: a.value for a in entry.answers}
    company = entry.company
    return {
        "entry": {name: getattr(entry, name) for name in queries.CORE_FIELDS},
        "company": {name: getattr(getattr(company, name), "value", getattr(company, name))
                    for name in company_services.COMPANY_FIELDS},
        "answers": [{"question_id": q.id, "label": q.label, "kind": q.kind.value, "visibility": q.visibility.value,
                     "value": answers.get(q.id)} for q in queries.active_questions(entry.edition_id)],
        "attachments": [{"id": a.id, "name": a.original_name, "kind": a.kind, "size_bytes": a.size_bytes,
                         "sha256": a.sha256, "question_id": a.question_id} for a in entry.attachments],
    }


def _company_changes(entry: Entry, snapshot: dict[str, Any]) -> list[str]:
    """Fields of the company profile that changed since the version was submitted (labels for the page)."""
    labels = {"legal_name": _("Name"), "legal_form": _("Rechtsform"), "district": _("Landkreis"),
              "employees": _("Beschäftigte"), "turnover_band": _("Jahresumsatz"), "street": _("Anschrift"),
              "postal_code": _("Anschrift"), "city": _("Anschrift")}
    changed: list[str] = []
    for name, label in labels.items():
        now = getattr(entry.company, name)
        now = getattr(now, "value", now)
        if name in snapshot and snapshot[name] != now and label not in changed:
            changed.append(label)
    return changed


def _render_detail(entry: Entry, *, eligibility_form: EligibilityForm | None = None,
                   extension_form: ExtensionForm | None = None, status: int = 200):
    version = entry.latest_version
    content = version.content if version is not None else _working_content(entry)
    extension = permissions.extension_for(entry.company_id, entry.edition_id)
    if eligibility_form is None:
        eligibility_form = EligibilityForm(formdata=None)
        if entry.status in (EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE):
            eligibility_form.decision.data = "eligible" if entry.status is EntryStatus.ELIGIBLE else "ineligible"
        eligibility_form.reason.data = entry.eligibility_reason
    if extension_form is None:
        extension_form = ExtensionForm(formdata=None, obj=extension)
        if extension is not None:
            extension_form.until.data = extension.extended_until
    people_ids = {i for i in (entry.eligibility_decided_by_id, extension.granted_by_id if extension else None) if i}
    people = users_by_id(people_ids)
    files_by_question: dict[Any, list[dict]] = {}
    for attachment in content.get("attachments", []):
        files_by_question.setdefault(attachment.get("question_id"), []).append(attachment)
    company = content.get("company", {})
    return render_template(
        "entries/admin/show.html", entry=entry, version=version, content=content, company=company,
        company_changes=_company_changes(entry, company) if version is not None else [],
        unsubmitted=queries.has_unsubmitted_changes(entry), concerns=_concerns(entry),
        eligibility_form=eligibility_form, extension_form=extension_form, extension=extension, people=people,
        can_decide=entry.status in DECIDABLE, files_by_question=files_by_question,
        deadline=permissions.deadline_for(entry), answer_text=exports.answer_value,
        rename=versions.renamed_since_submission(entry, versions.version_at_deadline(entry)),
        district_label=lambda value: _label(DISTRICT_LABELS, value),
        turnover_label=lambda value: _label(TURNOVER_LABELS, value),
        visibility_label=lambda value: _label(VISIBILITY_LABELS, value),
    ), status


def _label(mapping, value) -> str:
    """The label of an enumeration value as stored in a snapshot (a plain string)."""
    for key, label in mapping.items():
        if key == value:
            return str(label)
    return str(value or "–")


@bp.get("/entries/<int:entry_id>")
@organiser_only
def show_entry(entry_id: int):
    return _render_detail(db.get_or_404(Entry, entry_id))


def _back_to(entry: Entry, anchor: str):
    return redirect(url_for("entries_admin.show_entry", entry_id=entry.id) + anchor)


@bp.post("/entries/<int:entry_id>/eligibility")
@organiser_only
def decide_eligibility(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    form = EligibilityForm()
    if form.validate_on_submit():
        eligible = form.decision.data == "eligible"
        try:
            ok, _result = run_service(form, lambda: services.decide_eligibility(
                entry=entry, eligible=eligible, reason=form.reason.data or "", by=current_user, now=utcnow()))
        except StaleDataError:
            db.session.rollback()
            flash(_("Der Beitrag wurde gerade an anderer Stelle geändert. Bitte prüfen Sie ihn und entscheiden Sie "
                    "erneut."), "error")
            return _back_to(entry, "#zulassung")
        if ok:
            if eligible:
                flash(_("Der Beitrag %(number)s ist zugelassen.", number=entry.number), "success")
            else:
                flash(_("Der Beitrag %(number)s ist nicht zugelassen. Das Unternehmen sieht die Begründung.",
                        number=entry.number), "success")
            return _back_to(entry, "#zulassung")
    return _render_detail(entry, eligibility_form=form, status=422)


@bp.post("/entries/<int:entry_id>/extension")
@organiser_only
def grant_extension(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        ok, extension = run_service(form, lambda: services.grant_extension(
            edition=entry.edition, company=entry.company, until=form.until.data, reason=form.reason.data,
            by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Frist für %(company)s ist bis %(until)s verlängert.", company=entry.company.legal_name,
                    until=datetime_filter(extension.extended_until)), "success")
            return _back_to(entry, "#frist")
    return _render_detail(entry, extension_form=form, status=422)


# --- exports -------------------------------------------------------------------------------------------------------

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download_headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@bp.get("/entries/export.csv", defaults={"fmt": "csv"})
@bp.get("/entries/export.xlsx", defaults={"fmt": "xlsx"})
@organiser_only
def export_entries(fmt: str):
    filters = _filters(request.args)
    entries = db.session.scalars(queries.export_rows(filters)).all()
    snapshots = {v.entry_id: v.content for v in db.session.scalars(queries.latest_versions(filters))}
    # One column per active question of each edition in the export (usually one: the list's edition filter).
    editions = {entry.edition_id: entry.edition for entry in entries}
    if filters.edition_id is not None:
        editions = {filters.edition_id: None}
    order = sorted(editions.items(), key=lambda item: (item[1].submission_deadline_at, item[0]) if item[1] else 0)
    questions = [q for edition_id, _edition in order for q in queries.active_questions(edition_id)]
    table = exports.entries_table(entries, questions=questions, snapshots=snapshots)
    data = exports.to_xlsx(table) if fmt == "xlsx" else exports.to_csv(table)
    filename = f"beitraege-{to_berlin(utcnow()).date().isoformat()}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers=_download_headers(filename))


@bp.get("/categories/<int:category_id>/attachments.zip")
@organiser_only
def category_attachments(category_id: int):
    category = db.get_or_404(Category, category_id)
    entries = db.session.scalars(queries.submitted_in_category(category.id)).all()
    snapshots = {v.entry_id: v.content for v in db.session.scalars(queries.latest_versions_in_category(category.id))}
    stored = {a.id: a for a in db.session.scalars(queries.attachments_in_category(category.id))}
    sources = []
    for entry in entries:
        # The files of the last submitted version: what the jury sees (a file removed since stays on disk).
        for item in (snapshots.get(entry.id) or {}).get("attachments", []):
            attachment = stored.get(item.get("id"))
            if attachment is None or attachment.entry_id != entry.id:
                continue
            sources.append(exports.ZipSource(
                entry_number=entry.number or f"#{entry.id}", entry_title=entry.title, name=attachment.original_name,
                storage_key=attachment.storage_key, sha256=attachment.sha256, size_bytes=attachment.size_bytes))
    storage = get_storage()
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)  # noqa: SIM115 - closed by the response
    try:
        exports.write_attachments_zip(spool, sources, storage.open)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    edition = db.session.get(Edition, category.edition_id)
    name = exports.safe_name(f"{category.name} {edition.name}", fallback=str(category.id), limit=60)
    response = send_file(spool, mimetype="application/zip", as_attachment=True, max_age=0,
                         download_name=f"anlagen-{name}-{to_berlin(utcnow()).date().isoformat()}.zip")
    response.content_length = size
    response.headers["Cache-Control"] = "no-store"
    return response

"""The juror's score sheet: the entry as submitted at the deadline, the rubric, scores with live total, submit."""

from __future__ import annotations

import logging
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role
from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.ids import db_int
from ..core.outcomes import show_failure
from ..core.permissions import role_required
from ..core.requests import arrival_time
from ..core.storage import get_storage
from ..entries import blind_copies
from ..entries.models import Attachment
from ..extensions import db
from . import conflict_services, extensions, notices, permissions, sheets, worklist
from .models import Assignment, SheetStatus

log = logging.getLogger(__name__)
bp = Blueprint("sheets", __name__, url_prefix="/jury/assignments")
juror_only = role_required(Role.JUROR)


def _assignment(assignment_id: int) -> Assignment:
    """404 for a missing assignment, 403 for someone else's or a conflicted one."""
    assignment = db.get_or_404(Assignment, assignment_id)
    if not permissions.can_view_sheet(current_user, assignment):
        abort(403)
    return assignment


def _input() -> sheets.SheetInput:
    values, comments = {}, {}
    for key, raw in request.form.items():
        prefix, _, suffix = key.partition("_")
        criterion_id = _criterion_id(suffix)
        if prefix == "score" and criterion_id is not None:
            values[criterion_id] = raw
        elif prefix == "comment" and criterion_id is not None:
            comments[criterion_id] = raw
    return sheets.SheetInput(values=values, comments=comments,
                             overall_comment=request.form.get("overall_comment", ""),
                             feedback=request.form.get("feedback", ""))


def _criterion_id(text: str) -> int | None:
    try:
        return db_int(text)
    except ValueError:
        return None


def _version() -> int | None:
    try:
        return db_int(request.form.get("version", ""))
    except ValueError:
        return None


def _render(assignment: Assignment, *, typed=None, problems=None, stale=None, status=200):
    now = arrival_time()
    sheet = sheets.sheet_for(assignment)
    judging_round = assignment.round
    edition = judging_round.edition
    version = sheets.version_at_deadline(assignment.entry)
    if typed is not None:
        shown_values = dict(typed.values)
        shown_comments = typed.comments
        overall, feedback = typed.overall_comment, typed.feedback
    else:  # what is stored: valid scores as numbers, invalid ones exactly as typed (with their error below)
        shown_values = {s.criterion_id: (_fmt(s.value) if s.value is not None else s.typed)
                        for s in sheet.scores} if sheet else {}
        shown_comments = {s.criterion_id: s.comment for s in sheet.scores} if sheet else {}
        overall = sheet.overall_comment if sheet else ""
        feedback = sheet.feedback if sheet else ""
    if problems is None:
        problems = sheets.criterion_problems(sheet) if sheet and sheet.status is SheetStatus.DRAFT else {}
    others = []
    if (sheet is not None and sheet.status is SheetStatus.SUBMITTED and judging_round.show_scores_after_submit):
        others = [s for s in sheets.sheets_of_entry(assignment.entry_id, judging_round.id)
                  if s.id != sheet.id and s.status is SheetStatus.SUBMITTED]
    work = worklist.worklist_of(current_user, now)
    return render_template(
        "judging/sheet.html", assignment=assignment, entry=assignment.entry, judging_round=judging_round,
        edition=edition, version=version, content=version.content if version else None, sheet=sheet,
        criteria=list(judging_round.criteria), values=shown_values, comments=shown_comments,
        overall_comment=overall, feedback=feedback, problems=problems, stale=stale,
        live=sheets.live_total(sheet, judging_round), now=now,
        why_not_score=permissions.why_not_score_sheet(current_user, assignment, now),
        attachments=_visible_attachments(assignment, version), others=others, blind=edition.is_blind,
        total_of=sheets.total_of, deadline=extensions.deadline_for(current_user.id, judging_round),
        progress=work.round_of(judging_round.id), next_row=work.next_open(assignment.id),
    ), status


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _visible_attachments(assignment: Assignment, version) -> list[dict]:
    """The attachments of the version the jury sees (by id, from its snapshot), numbered for blind judging."""
    if version is None:
        return []
    items = []
    for number, item in enumerate(version.content.get("attachments", []), start=1):
        items.append({**item, "number": number})
    return items


@bp.get("/<int:assignment_id>")
@juror_only
def show(assignment_id: int):
    return _render(_assignment(assignment_id))


@bp.post("/<int:assignment_id>")
@juror_only
def act(assignment_id: int):
    assignment = _assignment(assignment_id)
    action = request.form.get("action", "save")
    now = arrival_time()  # deadlines are judged on when the request reached the platform
    data = _input()
    try:
        if action == "confirm":
            sheets.confirm_no_conflict(assignment=assignment, by=current_user, now=now)
            message = _("Danke. Sie können jetzt bewerten.")
        elif action == "declare":
            declared = sheets.declare_conflict_instead(assignment=assignment, reason=request.form.get("reason", ""),
                                                       by=current_user, now=now)
            db.session.commit()
            notices.tell_declared(described=notices.describe(declared.conflict), juror=current_user,
                                  outcome="kept" if declared.kept else "removed",
                                  affected=conflict_services.affected_assignments(declared.conflict),
                                  edition_id=declared.entry.edition_id)
            if declared.kept:
                flash(_("Ihre Befangenheit ist erfasst und das Organisationsteam informiert. Weil die Rangliste "
                        "dieser Runde bereits eingefroren ist, bleibt Ihr Bogen bestehen, bis das "
                        "Organisationsteam entschieden hat."), "success")
            else:
                flash(_("Ihre Befangenheit ist erfasst; der Beitrag wurde Ihnen abgenommen. Das Organisationsteam "
                        "ist informiert."), "success")
            return redirect(url_for("judging.dashboard"))
        elif action == "reopen":
            sheet = sheets.sheet_for(assignment)
            if sheet is None:
                abort(404)
            sheets.reopen_sheet(sheet=sheet, reason=request.form.get("reason", ""), by=current_user, now=now)
            message = _("Der Bewertungsbogen ist wieder geöffnet.")
        else:
            sheet = sheets.save_sheet(assignment=assignment, data=data, version=_version(), by=current_user, now=now)
            message = _("Ihre Bewertung wurde als Entwurf gespeichert.")
            attention = sheets.criterion_problems(sheet)
            if action == "submit":
                db.session.flush()
                try:
                    sheets.submit_sheet(assignment=assignment, version=None, by=current_user, now=now)
                except sheets.InvalidScores as exc:
                    db.session.commit()  # the draft is kept, every field as typed; only the submit is refused
                    flash(str(exc.message), "error")
                    return _render(assignment, problems=exc.problems, status=422)
                message = _("Ihre Bewertung ist eingereicht. Vielen Dank!")
            elif attention:
                db.session.commit()
                flash(_("Ihr Entwurf ist gespeichert, auch die ungültigen Angaben so, wie Sie sie eingegeben haben. "
                        "Bitte prüfen Sie: %(names)s", names=sheets.problem_names(assignment.round, attention)),
                      "warning")
                return redirect(url_for("sheets.show", assignment_id=assignment.id))
        db.session.commit()
    except sheets.StaleSheet as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render(assignment, typed=data, stale=exc.sheet, status=409)
    except StaleDataError:
        db.session.rollback()
        flash(_("Dieser Bewertungsbogen wurde gleichzeitig an anderer Stelle gespeichert. Unten sehen Sie die "
                "gespeicherten Werte neben Ihren Eingaben; bitte prüfen Sie sie und speichern Sie erneut."), "error")
        return _render(assignment, typed=data, stale=sheets.sheet_for(assignment), status=409)
    except DomainError as exc:
        show_failure(exc)
        return _render(assignment, typed=data if action in ("save", "submit") else None, status=422)
    flash(message, "success")
    return redirect(url_for("sheets.show", assignment_id=assignment.id))


@bp.post("/<int:assignment_id>/autosave")
@juror_only
def autosave(assignment_id: int):
    """Script: save the draft while typing, every field as typed. Answers with a small fragment that the sheet's
    script reads: the live total, the new version, the errors per field, or why nothing could be saved."""
    assignment = _assignment(assignment_id)
    data = _input()
    now = arrival_time()
    judging_round = assignment.round
    try:
        sheet = sheets.save_sheet(assignment=assignment, data=data, version=_version(), by=current_user, now=now)
        db.session.commit()
    except (sheets.StaleSheet, StaleDataError):
        db.session.rollback()
        # No new version in the answer's form field: only the juror may decide to save over the other tab's values
        # (the stored ones are shown beside theirs); the stored version travels as data for that button.
        stored = sheets.sheet_for(assignment)
        return render_template("judging/_autosave.html", state="stale", stored=stored, live=None, problems={},
                               judging_round=judging_round, fmt=_fmt), 409
    except DomainError as exc:
        db.session.rollback()
        return render_template("judging/_autosave.html", state="refused", message=str(exc.message), live=None,
                               problems={}, judging_round=judging_round), 423
    return render_template("judging/_autosave.html", state="saved", sheet=sheet, now=now,
                           live=sheets.live_total(sheet, judging_round),
                           problems=sheets.criterion_problems(sheet), judging_round=judging_round)


@bp.get("/<int:assignment_id>/attachments/<int:number>")
@juror_only
def attachment(assignment_id: int, number: int):
    """An attachment of the version the jury sees; PDFs open in the browser's viewer, in blind judging by number."""
    assignment = _assignment(assignment_id)
    version = sheets.version_at_deadline(assignment.entry)
    items = _visible_attachments(assignment, version)
    item = next((i for i in items if i["number"] == number), None)
    if item is None:
        abort(404)
    stored = db.session.get(Attachment, item["id"])
    if stored is None or stored.entry_id != assignment.entry_id:
        abort(404)
    blind = assignment.round.edition.is_blind
    extension = {"jpeg": "jpg"}.get(stored.kind, stored.kind)
    name = f"Anlage-{number}.{extension}" if blind else stored.original_name
    inline = stored.kind in ("pdf", "png", "jpeg") and request.args.get("download") is None
    key = stored.storage_key
    if blind:  # a copy without document metadata (author, company, XMP, EXIF …), never the original
        now = utcnow()
        try:
            key = blind_copies.copy_for(stored, now=now).storage_key
            db.session.commit()
        except blind_copies.BlindCopyUnavailable as exc:
            db.session.rollback()
            log.error("no blind copy of attachment %s: %s", stored.id, exc.detail)
            audit.record(actor=current_user, action="attachment.blind_copy_failed", obj_type="attachment",
                         obj_id=stored.id, now=now, entry=stored.entry_id, kind=stored.kind, detail=exc.detail)
            db.session.commit()
            return render_template("errors/error.html", code=503, title=_("Anlage gerade nicht verfügbar"),
                                   message=str(exc.message)), 503
    response = send_file(get_storage().open(key), mimetype=stored.content_type,
                         as_attachment=not inline, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

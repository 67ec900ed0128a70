"""Art. 15/20 GDPR: everything the platform holds about one user, as a ZIP of JSON files plus their companies'
uploaded files. `collect_export` reads (nothing is changed); `write_export_zip` packs, copying files in chunks."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import or_, select

from ..accounts.models import Invitation, User
from ..communications.models import MailLog
from ..core.audit import AuditEvent
from ..core.clock import to_berlin
from ..entries.exports import safe_name, unique_name
from ..entries.models import Attachment, CompanyInvite, CompanyMember, Entry
from ..judging.models import Conflict, JurorExpertise, JurorProfile, ScoreSheet
from .models import Consent

COMPANY_FIELDS = ("legal_name", "legal_form", "street", "postal_code", "city", "district", "employees",
                  "turnover_band", "industry", "website", "contact_name", "contact_email", "contact_phone",
                  "created_at", "updated_at")
ENTRY_FIELDS = ("number", "status", "title", "summary", "description", "implementation", "regional_benefit",
                "sustainability", "video_url", "created_at", "updated_at", "last_submitted_at", "withdrawn_at")


@dataclass(frozen=True)
class ExportFile:
    path: str  # inside the ZIP, under files/
    storage_key: str
    sha256: str


@dataclass
class Export:
    documents: dict[str, Any] = field(default_factory=dict)  # file name -> JSON-able content
    files: list[ExportFile] = field(default_factory=list)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float):  # enums
        return value.value
    return value


def _fields(obj: Any, names) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def collect_export(*, user: User, session, now: datetime) -> Export:
    export = Export()
    export.documents["user.json"] = _user(user, session, now)
    membership = session.scalar(select(CompanyMember).where(CompanyMember.user_id == user.id))
    export.documents["companies.json"] = _companies(user, membership, session)
    entries = list(session.scalars(select(Entry).where(Entry.company_id == membership.company_id)
                                   .order_by(Entry.id))) if membership else []
    export.documents["entries.json"] = _entries(entries, session, export)
    export.documents["jury.json"] = _jury(user, session)
    events = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id))
    export.documents["audit.json"] = [
        {"id": e.id, "occurred_at": _value(e.occurred_at), "action": e.action, "object_type": e.object_type,
         "object_id": e.object_id, "data": e.data} for e in events
    ]
    return export


def _user(user: User, session, now: datetime) -> dict[str, Any]:
    consents = session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))
    mails = session.scalars(select(MailLog).where(MailLog.user_id == user.id).order_by(MailLog.id))
    invitations = session.scalars(select(Invitation).where(
        or_(Invitation.accepted_by_id == user.id, Invitation.email == user.email)).order_by(Invitation.id))
    return {
        "exported_at": now.isoformat(),
        "account": _fields(user, ("id", "email", "full_name", "locale", "pending_email", "is_active_account",
                                  "created_at", "email_verified_at", "last_login_at", "password_changed_at")),
        "roles": [{"role": row.role.value, "granted_at": _value(row.granted_at)} for row in user.role_rows],
        "consents": [{"kind": c.kind.value, "version": c.version, "given_at": _value(c.given_at)} for c in consents],
        "invitations": [_fields(i, ("role", "full_name", "locale", "created_at", "expires_at", "accepted_at",
                                    "revoked_at")) for i in invitations],
        "mails": [_fields(m, ("address", "subject", "status", "created_at", "sent_at")) for m in mails],
    }


def _companies(user: User, membership: CompanyMember | None, session) -> dict[str, Any]:
    invites = session.scalars(select(CompanyInvite).where(
        or_(CompanyInvite.email == user.email, CompanyInvite.created_by_id == user.id)).order_by(CompanyInvite.id))
    return {
        "memberships": [{
            "company_id": membership.company_id,
            "is_admin": membership.is_admin,
            "joined_at": _value(membership.joined_at),
            "company": _fields(membership.company, COMPANY_FIELDS),
        }] if membership else [],
        "colleague_invitations": [
            {"company_id": i.company_id, "email": i.email, "invited_by_you": i.created_by_id == user.id,
             "created_at": _value(i.created_at), "accepted_at": _value(i.accepted_at)} for i in invites
        ],
    }


def _entries(entries: list[Entry], session, export: Export) -> list[dict[str, Any]]:
    result = []
    folders: set[str] = set()
    for entry in entries:
        folder = unique_name(safe_name(f"{entry.number or entry.id} {entry.title}", fallback=str(entry.id),
                                       limit=60), folders)
        taken: set[str] = set()
        attachments = []
        for attachment in session.scalars(select(Attachment).where(Attachment.entry_id == entry.id)
                                          .order_by(Attachment.id)):
            path = f"files/{folder}/{unique_name(safe_name(attachment.original_name, fallback='datei'), taken)}"
            export.files.append(ExportFile(path=path, storage_key=attachment.storage_key, sha256=attachment.sha256))
            attachments.append({**_fields(attachment, ("id", "original_name", "kind", "content_type", "size_bytes",
                                                       "sha256", "uploaded_at", "removed_at")),
                                "file": path})
        result.append({
            "id": entry.id,
            "edition": entry.edition.name,
            "category": entry.category.name,
            **_fields(entry, ENTRY_FIELDS),
            "answers": [{"question": a.question.label, "value": a.value}
                        for a in sorted(entry.answers, key=lambda a: (a.question.position, a.question_id))],
            "attachments": attachments,
            "versions": [{"number": v.number, "submitted_at": _value(v.submitted_at),
                          "terms_version": v.terms_version, "content_sha256": v.content_sha256,
                          "content": v.content} for v in entry.versions],
        })
    return result


def _jury(user: User, session) -> dict[str, Any]:
    profile = session.scalar(select(JurorProfile).where(JurorProfile.user_id == user.id))
    expertise = session.scalars(select(JurorExpertise).where(JurorExpertise.user_id == user.id))
    conflicts = session.scalars(select(Conflict).where(Conflict.user_id == user.id).order_by(Conflict.id))
    sheets = session.scalars(select(ScoreSheet).where(ScoreSheet.user_id == user.id).order_by(ScoreSheet.id))
    from ..editions.models import Category, Criterion

    criteria = {}
    result_sheets = []
    for sheet in sheets:
        scores = []
        for score in sorted(sheet.scores, key=lambda s: s.criterion_id):
            if score.criterion_id not in criteria:
                criteria[score.criterion_id] = session.get(Criterion, score.criterion_id)
            scores.append({"criterion": criteria[score.criterion_id].name,
                           "value": None if score.value is None else str(score.value), "comment": score.comment,
                           **({"typed": score.typed} if score.typed else {})})  # a draft score kept as typed
        result_sheets.append({
            "id": sheet.id, "round": sheet.round.name, "entry_number": sheet.entry.number,
            "entry_title": sheet.entry.title,
            **_fields(sheet, ("status", "overall_comment", "feedback", "is_void", "no_conflict_confirmed_at",
                              "created_at", "updated_at", "submitted_at")),
            "scores": scores,
        })
    return {
        "profile": _fields(profile, ("organisation", "position", "employer_domains", "former_employers", "capacity",
                                     "updated_at")) if profile else None,
        "expertise": [session.get(Category, row.category_id).name for row in expertise],
        "conflicts": [{"company": c.company.legal_name, **_fields(c, ("source", "status", "reason", "created_at",
                                                                       "decided_at"))} for c in conflicts],
        "score_sheets": result_sheets,
    }


def write_export_zip(target: BinaryIO, export: Export, open_file: Callable[[str], BinaryIO], *,
                     now: datetime) -> int:
    """Write the JSON documents and the files; a file missing from the store is listed in `files/FEHLT.txt`.
    Returns the number of files packed."""
    stamp = to_berlin(now).timetuple()[:6]
    packed = 0
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as archive:
        for name, content in export.documents.items():
            text = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True, default=str)
            archive.writestr(_info(name, stamp), text)
        for item in export.files:
            try:
                stream = open_file(item.storage_key)
            except (FileNotFoundError, ValueError):
                missing.append(item.path)
                continue
            with stream, archive.open(_info(item.path, stamp), "w", force_zip64=True) as out:
                while chunk := stream.read(1024 * 1024):
                    out.write(chunk)
            packed += 1
        if missing:
            archive.writestr(_info("files/FEHLT.txt", stamp), "\n".join(missing) + "\n")
    return packed


def _info(path: str, stamp) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info

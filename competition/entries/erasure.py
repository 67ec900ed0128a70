"""Entries' part of a person's erasure: the company membership ends (a company left without members and without
submissions goes with its drafts and files), company contact fields with the person's name or address are cleared,
in the company and in the submitted snapshots (``submitted_by``), whose SHA-256 is recomputed (old and new hashes go
into the audit event), and colleague invitations to the address get the anonymous address.
See `privacy.erasure` for what happens to whose data and why."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from ..accounts.erasure import PersonErasure, erasure_step
from ..core.storage import delete_after_commit, get_storage
from ..extensions import db
from . import blind_copies
from .company_services import end_membership
from .models import Attachment, Company, CompanyInvite, CompanyMember, Entry, EntryVersion
from .receipts import snapshot_sha256


@erasure_step("entries.company", order=10)
def erase_from_entries(person: PersonErasure) -> None:
    person.report.setdefault("company", None)
    person.report.setdefault("company_deleted", False)
    person.report.setdefault("redacted_versions", [])
    _leave_company(person)
    companies = _clear_company_contacts(person.name, person.emails)
    if person.report["company"] is not None and not person.report["company_deleted"]:
        companies.add(person.report["company"])
    _redact_snapshots(person, companies)
    for invite in db.session.scalars(select(CompanyInvite).where(CompanyInvite.email.in_(person.emails))):
        invite.email = person.placeholder_email


def _leave_company(person: PersonErasure) -> None:
    membership = db.session.scalar(select(CompanyMember).where(CompanyMember.user_id == person.user.id))
    if membership is None:
        return
    company = membership.company
    person.report["company"] = company.id
    end_membership(membership=membership, now=person.now)
    if company.members:
        if membership.is_admin and not any(m.is_admin for m in company.members):
            company.members[0].is_admin = True  # someone must be able to invite colleagues
        return
    submitted = db.session.scalar(select(EntryVersion.id).join(Entry).where(Entry.company_id == company.id).limit(1))
    if submitted is not None:
        return  # the legal entity and its submissions stay; its contact fields are cleared below
    storage = get_storage()
    entry_ids = select(Entry.id).where(Entry.company_id == company.id).scalar_subquery()
    for key in db.session.scalars(select(Attachment.storage_key).where(Attachment.entry_id.in_(entry_ids))):
        delete_after_commit(db.session, storage, key)
    for key in blind_copies.keys_of(select(Attachment.id).where(Attachment.entry_id.in_(entry_ids))):
        delete_after_commit(db.session, storage, key)
    db.session.execute(delete(Attachment).where(Attachment.entry_id.in_(entry_ids)))
    for entry in list(company.entries):
        db.session.delete(entry)
    db.session.flush()
    db.session.expire(company, ["entries"])
    db.session.delete(company)
    db.session.flush()
    person.report["company_deleted"] = True


def _clear_company_contacts(name: str, emails: set[str]) -> set[int]:
    cleared = set()
    for company in db.session.scalars(select(Company).where(
            or_(Company.contact_name == name, func.lower(Company.contact_email).in_(emails)))):
        company.contact_name = ""
        company.contact_email = ""
        company.contact_phone = ""
        cleared.add(company.id)
    db.session.flush()
    return cleared


def _redact_snapshots(person: PersonErasure, companies: set[int]) -> None:
    user, name, emails, now = person.user, person.name, person.emails, person.now
    versions = db.session.scalars(select(EntryVersion).where(
        or_(EntryVersion.submitted_by_id == user.id,
            EntryVersion.entry_id.in_(select(Entry.id).where(Entry.company_id.in_(companies or {0})))))
        .order_by(EntryVersion.id))
    for version in versions:
        content = dict(version.content or {})
        changed = False
        submitted_by = content.get("submitted_by") or ""
        if version.submitted_by_id == user.id or any(e in submitted_by for e in emails):
            content["submitted_by"] = person.placeholder_name
            changed = True
        company = dict(content.get("company") or {})
        if company.get("contact_name") == name or (company.get("contact_email") or "").lower() in emails:
            company.update(contact_name="", contact_email="", contact_phone="")
            content["company"] = company
            changed = True
        if not changed:
            continue
        old = version.content_sha256
        content["redacted"] = {"at": now.isoformat(), "reason": "Art. 17 DSGVO"}
        version.content = content
        version.content_sha256 = snapshot_sha256(content)
        person.report["redacted_versions"].append({"version": version.id, "old_sha256": old,
                                                   "new_sha256": version.content_sha256})
    db.session.flush()

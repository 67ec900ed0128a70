"""Retention: once an edition's ``retention_until`` has passed, non-winning entries lose what is personal or secret.

What goes (for every entry of the edition whose status is not ``awarded``):
- attachments: files and rows (also ones removed earlier and kept for a submitted version);
- the entry's texts (title replaced by „[gelöscht]“, summary, description, implementation, regional benefit,
  sustainability, video link) and its answers to the edition's questions; these are the company's business secrets;
- in every submitted version: the same texts, answers, attachment list, the company's contact person, e-mail and
  phone, and who submitted (name and e-mail). ``content_sha256`` stays, so what was submitted remains provable;
- the company's contact person, e-mail and phone and its open colleague invitations, but only when the company has
  no entry that is kept (a winner, or an entry of an edition still within its retention period).

What stays: entry number, category, status, eligibility decision, score sheets and scores, frozen ranking
snapshots and the audit trail, so that rankings stay verifiable. User accounts are not touched (erasing a person is
Art. 17, handled by the privacy module).

Propose, then apply: ``plan_purge`` lists what would go (the dry run prints it); ``apply_purge`` does it, flushes,
and records one audit event per edition. A second run finds nothing left to delete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from ..core import audit
from ..core.storage import Storage, delete_after_commit
from ..editions.models import Edition
from ..entries import blind_copies
from ..entries.models import Answer, Attachment, Company, CompanyInvite, Entry, EntryStatus, EntryVersion
from ..extensions import db

PURGED_TITLE = "[gelöscht]"
ENTRY_TEXT_FIELDS = ("summary", "description", "implementation", "regional_benefit", "sustainability", "video_url")
COMPANY_PERSONAL_FIELDS = ("contact_name", "contact_email", "contact_phone")
KEPT_STATUSES = (EntryStatus.AWARDED,)


class RetentionNotReached(Exception):
    """An edition was named whose retention date has not passed (or is not set)."""


@dataclass(frozen=True)
class EntryPurge:
    entry_id: int
    label: str  # the entry number, or "Entwurf #id"
    attachment_ids: tuple[int, ...]
    storage_keys: tuple[str, ...]
    answers: int
    versions: tuple[int, ...]  # ids of versions whose content still holds data
    texts: bool


@dataclass(frozen=True)
class CompanyPurge:
    company_id: int
    invites: int


@dataclass
class EditionPurge:
    edition_id: int
    slug: str
    entries: list[EntryPurge] = field(default_factory=list)
    companies: list[CompanyPurge] = field(default_factory=list)

    @property
    def attachments(self) -> int:
        return sum(len(e.attachment_ids) for e in self.entries)

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.companies


@dataclass
class PurgePlan:
    editions: list[EditionPurge] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return all(e.is_empty for e in self.editions)


def due_editions(*, now: datetime, slug: str | None = None) -> list[Edition]:
    if slug is not None:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is None:
            raise LookupError(slug)
        if edition.retention_until is None or edition.retention_until > now:
            raise RetentionNotReached(edition)
        return [edition]
    return list(db.session.scalars(
        select(Edition).where(Edition.retention_until.is_not(None), Edition.retention_until <= now)
        .order_by(Edition.retention_until, Edition.id)
    ))


def _version_has_data(content: dict[str, Any] | None) -> bool:
    return bool(content) and not content.get("purged")


def _entry_has_texts(entry: Entry) -> bool:
    return entry.title != PURGED_TITLE or any(getattr(entry, name) for name in ENTRY_TEXT_FIELDS)


def _kept_company_ids(purgeable_edition_ids: set[int]) -> set[int]:
    """Companies with an entry that stays: a winner, or an entry of an edition not due for purging."""
    rows = db.session.execute(select(Entry.company_id, Entry.edition_id, Entry.status))
    return {company_id for company_id, edition_id, status in rows
            if status in KEPT_STATUSES or edition_id not in purgeable_edition_ids}


def plan_purge(*, now: datetime, slug: str | None = None) -> PurgePlan:
    """What a purge would delete now; changes nothing."""
    editions = due_editions(now=now, slug=slug)
    all_due = {e.id for e in due_editions(now=now)} | {e.id for e in editions}
    kept_companies = _kept_company_ids(all_due)
    plan = PurgePlan()
    for edition in editions:
        item = EditionPurge(edition_id=edition.id, slug=edition.slug)
        entries = db.session.scalars(
            select(Entry).where(Entry.edition_id == edition.id, Entry.status.not_in(KEPT_STATUSES))
            .order_by(Entry.number, Entry.id)
        ).all()
        company_ids = set()
        for entry in entries:
            attachments = db.session.execute(
                select(Attachment.id, Attachment.storage_key).where(Attachment.entry_id == entry.id)
                .order_by(Attachment.id)
            ).all()
            answers = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.entry_id == entry.id))
            versions = tuple(v.id for v in db.session.scalars(
                select(EntryVersion).where(EntryVersion.entry_id == entry.id).order_by(EntryVersion.number)
            ) if _version_has_data(v.content))
            texts = _entry_has_texts(entry)
            company_ids.add(entry.company_id)
            if attachments or answers or versions or texts:
                item.entries.append(EntryPurge(
                    entry_id=entry.id, label=entry.number or f"Entwurf #{entry.id}",
                    attachment_ids=tuple(a.id for a in attachments), storage_keys=tuple(a.storage_key for a in
                                                                                         attachments),
                    answers=answers, versions=versions, texts=texts,
                ))
        for company_id in sorted(company_ids - kept_companies):
            company = db.session.get(Company, company_id)
            invites = db.session.scalar(select(func.count()).select_from(CompanyInvite)
                                        .where(CompanyInvite.company_id == company_id))
            if invites or any(getattr(company, name) for name in COMPANY_PERSONAL_FIELDS):
                item.companies.append(CompanyPurge(company_id=company_id, invites=invites))
        plan.editions.append(item)
    return plan


def _purged_version_content(content: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Keep the shape (pages and exports read it), drop what is personal or secret."""
    entry = dict(content.get("entry") or {})
    entry.update({"title": PURGED_TITLE, **{name: "" for name in ENTRY_TEXT_FIELDS if name in entry}})
    company = dict(content.get("company") or {})
    company.update({name: "" for name in COMPANY_PERSONAL_FIELDS if name in company})
    answers = [{**a, "value": None} for a in content.get("answers") or () if isinstance(a, dict)]
    return {**content, "entry": entry, "company": company, "answers": answers, "attachments": [],
            "submitted_by": PURGED_TITLE, "purged": True, "purged_at": now.isoformat()}


def apply_purge(plan: PurgePlan, *, storage: Storage, by, now: datetime) -> None:
    """Carry out a plan made by plan_purge in the same transaction. Files go once the transaction commits."""
    for item in plan.editions:
        if item.is_empty:
            continue
        for entry_plan in item.entries:
            entry = db.session.get(Entry, entry_plan.entry_id)
            for key in (*entry_plan.storage_keys, *blind_copies.keys_of(entry_plan.attachment_ids)):
                delete_after_commit(db.session, storage, key)
            if entry_plan.attachment_ids:
                db.session.execute(delete(Attachment).where(Attachment.id.in_(entry_plan.attachment_ids)))
            db.session.execute(delete(Answer).where(Answer.entry_id == entry.id))
            for version_id in entry_plan.versions:
                version = db.session.get(EntryVersion, version_id)
                version.content = _purged_version_content(version.content, now)
            if entry_plan.texts:
                entry.title = PURGED_TITLE
                for name in ENTRY_TEXT_FIELDS:
                    setattr(entry, name, "")
                entry.updated_at = now
        for company_plan in item.companies:
            company = db.session.get(Company, company_plan.company_id)
            for name in COMPANY_PERSONAL_FIELDS:
                setattr(company, name, "")
            db.session.execute(delete(CompanyInvite).where(CompanyInvite.company_id == company.id))
        db.session.flush()
        audit.record(actor=by, action="retention.purged", obj_type="edition", obj_id=item.edition_id, now=now,
                     slug=item.slug, entries=[e.label for e in item.entries], attachments=item.attachments,
                     companies=[c.company_id for c in item.companies])
    db.session.expire_all()

"""The submitted version that counts: the last one submitted before the (possibly extended) submission deadline.

It is what the jury scores, and everything published about an entry (title, company name, district, place) comes from
it, never from the live rows that a company can still edit (a rename after the submission is shown to organisers,
not carried into results). Reads only; a fixed number of queries for any number of entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from . import rules
from .models import DeadlineExtension, Entry, EntryVersion


def version_at_deadline(entry: Entry) -> EntryVersion | None:
    """The content the jury sees: the last version submitted before the (possibly extended) deadline."""
    return versions_at_deadline([entry]).get(entry.id)


def versions_at_deadline(entries: Iterable[Entry]) -> dict[int, EntryVersion]:
    """Entry id → its version at the deadline (entries without one are left out). Two queries."""
    entries = list(entries)
    if not entries:
        return {}
    extensions = {(x.company_id, x.edition_id): x.extended_until for x in db.session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.company_id.in_({e.company_id for e in entries}),
                                        DeadlineExtension.edition_id.in_({e.edition_id for e in entries})))}
    deadlines = {e.id: rules.effective_deadline(e.edition.submission_deadline_at,
                                                extensions.get((e.company_id, e.edition_id))) for e in entries}
    chosen: dict[int, EntryVersion] = {}
    for version in db.session.scalars(select(EntryVersion).where(EntryVersion.entry_id.in_(list(deadlines)))
                                      .order_by(EntryVersion.entry_id, EntryVersion.number)):
        if version.submitted_at <= deadlines[version.entry_id]:
            chosen[version.entry_id] = version
    return chosen


@dataclass(frozen=True)
class PublishedFacts:
    """What may be published about an entry, taken from its submitted version."""

    title: str
    company: str
    district: str  # the District value as submitted
    city: str
    summary: str  # stored rich text (sanitised HTML)
    from_version: bool  # False only for an entry without a submitted version (data made outside the submit flow)


def published_facts(entry: Entry, version: EntryVersion | None) -> PublishedFacts:
    if version is None:
        company = entry.company
        return PublishedFacts(title=entry.title, company=company.legal_name, district=company.district.value,
                              city=company.city, summary=entry.summary, from_version=False)
    content: dict[str, Any] = version.content or {}
    submitted_entry, company = content.get("entry") or {}, content.get("company") or {}
    return PublishedFacts(title=submitted_entry.get("title") or "", company=company.get("legal_name") or "",
                          district=company.get("district") or "", city=company.get("city") or "",
                          summary=submitted_entry.get("summary") or "", from_version=True)


@dataclass(frozen=True)
class Rename:
    submitted: str  # the name in the submitted version
    current: str  # the company's name today


def renamed_since_submission(entry: Entry, version: EntryVersion | None) -> Rename | None:
    """The company's name changed after the version that counts was submitted (None: unchanged or nothing
    submitted)."""
    if version is None:
        return None
    submitted = ((version.content or {}).get("company") or {}).get("legal_name") or ""
    current = entry.company.legal_name
    return Rename(submitted=submitted, current=current) if submitted.strip() != current.strip() else None


def renames(entries: Iterable[Entry]) -> dict[int, Rename]:
    """Entry id → rename, for the entries whose company renamed itself after the submission."""
    entries = list(entries)
    versions = versions_at_deadline(entries)
    found = {e.id: renamed_since_submission(e, versions.get(e.id)) for e in entries}
    return {entry_id: rename for entry_id, rename in found.items() if rename is not None}

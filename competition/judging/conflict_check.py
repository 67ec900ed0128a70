"""Is this juror conflicted with this entry *now*? The one answer every check reads: assignment planning, manual
assignment, the sheet, scoring and submitting, attachment downloads, the organisers' pages.

It is computed from what is true at the moment of asking, never only from rows a detection run stored:
- standing conflicts (the pure `conflicts.standing_conflicts`): the juror belongs or belonged to the company's
  account, has one of its e-mail addresses (free-mail addresses compared in full) or its domain (after domain
  aliases), and all of these spread over organiser-kept company groups. They hold whatever anyone decided;
- recorded conflicts: declared by the juror, set by an organiser, or detected (until an organiser dismisses them),
  against a company or - declared on a blind sheet - against one entry; spread over the company's group.

Two answers per (juror, entry):
- `conflicted`: the pair must not be planned or assigned, and its sheet needs an organiser's decision;
- `locked`: the juror's own view of the assignment is locked (sheet, scoring, attachments, dashboard). The same as
  `conflicted` except for a juror's own declaration, which locks only what the juror named: in a blind edition a
  declaration against a company must not change anything the juror sees (else declaring and looking would tell
  which blind entry is that company's); the organisers decide on such assignments. A declaration on a sheet names
  that entry and locks it.

`conflict_map` answers for many jurors and entries at once with a fixed number of queries (the planner's form);
`findings`, `is_conflicted` and `is_locked` ask for one pair through the same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..editions.models import Edition
from ..entries.models import Company, CompanyMember, Entry, PastCompanyMembership
from ..extensions import db
from . import conflicts as detection
from .models import CompanyGroup, Conflict, ConflictSource, ConflictStatus, DomainAlias, JurorProfile

SOURCE_LABELS = {
    ConflictSource.DECLARED: "vom Jurymitglied erklärt",
    ConflictSource.ORGANISER: "vom Organisationsteam eingetragen",
    ConflictSource.DETECTED: "automatisch erkannt",
}


@dataclass(frozen=True)
class Finding:
    """One reason why a juror is conflicted with an entry."""

    evidence: str  # German, for organisers
    standing: bool  # membership, address, domain or group: cannot be dismissed
    conflict_id: int | None  # the recorded conflict behind it
    locks: bool  # locks the juror's own view of the assignment


@dataclass
class ConflictMap:
    findings: dict[tuple[int, int], list[Finding]] = field(default_factory=dict)  # (juror id, entry id) → findings

    def of(self, juror_id: int, entry_id: int) -> list[Finding]:
        return self.findings.get((juror_id, entry_id), [])

    def conflicted(self, juror_id: int, entry_id: int) -> bool:
        return (juror_id, entry_id) in self.findings

    def locked(self, juror_id: int, entry_id: int) -> bool:
        return any(f.locks for f in self.of(juror_id, entry_id))

    def standing(self, juror_id: int, entry_id: int) -> bool:
        return any(f.standing for f in self.of(juror_id, entry_id))

    def pairs(self) -> set[tuple[int, int]]:
        return set(self.findings)


def affiliations() -> detection.Affiliations:
    groups = tuple(tuple(g.members) for g in db.session.scalars(select(CompanyGroup).order_by(CompanyGroup.id)))
    aliases = tuple((a.domain, a.alias) for a in db.session.scalars(select(DomainAlias).order_by(DomainAlias.id)))
    return detection.Affiliations(groups=groups, domain_aliases=aliases)


def memberships(user_ids: Collection[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """User id → ids of the companies they belong to, and of those they have left."""
    present: dict[int, set[int]] = defaultdict(set)
    past: dict[int, set[int]] = defaultdict(set)
    if user_ids:
        for user_id, company_id in db.session.execute(select(CompanyMember.user_id, CompanyMember.company_id)
                                                      .where(CompanyMember.user_id.in_(user_ids))):
            present[user_id].add(company_id)
        for user_id, company_id in db.session.execute(
                select(PastCompanyMembership.user_id, PastCompanyMembership.company_id)
                .where(PastCompanyMembership.user_id.in_(user_ids))):
            past[user_id].add(company_id)
    return present, past


def juror_identities(user_ids: Collection[int], *, with_names: bool = True) -> list[detection.JurorIdentity]:
    """What the detection compares, for these users (profile, e-mail address, memberships), in three queries."""
    if not user_ids:
        return []
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
    profiles = {p.user_id: p for p in db.session.scalars(select(JurorProfile).where(JurorProfile.user_id.in_(
        user_ids)))}
    present, past = memberships(user_ids)
    identities = []
    for user_id in sorted(emails):
        profile = profiles.get(user_id)
        identities.append(detection.JurorIdentity(
            id=user_id, email=emails[user_id],
            organisation=profile.organisation if profile and with_names else "",
            employer_domains=tuple(profile.employer_domains) if profile else (),
            former_employers=tuple(profile.former_employers) if profile and with_names else (),
            companies=tuple(sorted(present.get(user_id, ()))),
            former_companies=tuple(sorted(past.get(user_id, set()) - present.get(user_id, set()))),
        ))
    return identities


def company_identities(company_ids: Collection[int]) -> list[detection.CompanyIdentity]:
    """Name, website and every address of these companies (contact and colleagues), in two queries."""
    if not company_ids:
        return []
    companies = db.session.execute(select(Company.id, Company.legal_name, Company.website, Company.contact_email)
                                   .where(Company.id.in_(company_ids)).order_by(Company.id)).all()
    staff: dict[int, set[str]] = defaultdict(set)
    for company_id, email in db.session.execute(
            select(CompanyMember.company_id, User.email).join(User, User.id == CompanyMember.user_id)
            .where(CompanyMember.company_id.in_(company_ids))):
        staff[company_id].add(email)
    return [detection.CompanyIdentity(id=company_id, legal_name=name, website=website or "",
                                      staff_emails=tuple(sorted((staff[company_id] | {contact or ""}) - {""})))
            for company_id, name, website, contact in companies]


def _participants(edition_ids: Collection[int]) -> set[int]:
    return set(db.session.scalars(select(Entry.company_id).where(Entry.edition_id.in_(edition_ids)).distinct()))


@dataclass(frozen=True)
class _EntryRef:
    id: int
    company_id: int
    edition_id: int


def _entry_id(entry: Entry | int) -> int:
    if isinstance(entry, int):
        return entry
    identity = inspect(entry).identity  # no load, even for an expired instance
    return identity[0] if identity else entry.id


def conflict_map(*, juror_ids: Iterable[int], entries: Iterable[Entry | int]) -> ConflictMap:
    """Every conflicted (juror, entry) pair among these (entries or their ids), with its findings, in a fixed
    number of queries."""
    juror_ids = sorted(set(juror_ids))
    entry_ids = {_entry_id(e) for e in entries}
    result = ConflictMap()
    if not juror_ids or not entry_ids:
        return result
    refs = [_EntryRef(*row) for row in db.session.execute(
        select(Entry.id, Entry.company_id, Entry.edition_id).where(Entry.id.in_(entry_ids)))]
    by_company: dict[int, list[_EntryRef]] = defaultdict(list)
    for entry in refs:
        by_company[entry.company_id].append(entry)
    edition_ids = {e.edition_id for e in refs}
    blind = dict(db.session.execute(select(Edition.id, Edition.is_blind).where(Edition.id.in_(edition_ids))).all())
    known = affiliations()
    jurors = juror_identities(juror_ids, with_names=False)
    company_ids = set(by_company) | {c for j in jurors for c in (*j.companies, *j.former_companies)}
    recorded = db.session.execute(
        select(Conflict.id, Conflict.user_id, Conflict.company_id, Conflict.entry_id, Conflict.source,
               Conflict.reason, Entry.company_id, Entry.number)
        .outerjoin(Entry, Entry.id == Conflict.entry_id)
        .where(Conflict.user_id.in_(juror_ids), Conflict.status != ConflictStatus.DISMISSED)
        .order_by(Conflict.id)).all()
    company_ids |= {row[2] or row[6] for row in recorded}
    if known.groups:  # a group may join the entries' companies through any participant: take them all
        company_ids |= _participants(edition_ids)
    companies = company_identities(company_ids)

    candidates: dict[tuple[int, int], list[tuple[Finding, int | None]]] = defaultdict(list)  # + named entry
    standing, mates = detection.standing_conflicts_and_mates(jurors, companies, known)
    for item in standing:
        candidates[item.juror_id, item.company_id].append(
            (Finding(item.evidence, standing=True, conflict_id=None, locks=True), None))
    for conflict_id, user_id, company_id, entry_id, source, reason, entry_company, number in recorded:
        target = company_id or entry_company
        named = f"beim Beitrag {number or '#' + str(entry_id)}" if entry_id else ""
        for mate in mates.get(target, {target}):
            evidence = ", ".join(part for part in (SOURCE_LABELS[source], named, reason.strip()) if part)
            if mate != target:
                evidence += " (über die Unternehmensgruppe)"
            declared = source is ConflictSource.DECLARED
            finding = Finding(evidence, standing=False, conflict_id=conflict_id, locks=not declared)
            candidates[user_id, mate].append((finding, entry_id if declared else None))

    for (juror_id, company_id), found in candidates.items():
        for entry in by_company.get(company_id, ()):
            findings = []
            for finding, named_entry in found:
                if not finding.locks:  # the juror's own declaration locks what it names
                    named = entry.id == named_entry if named_entry is not None else not blind[entry.edition_id]
                    finding = Finding(finding.evidence, finding.standing, finding.conflict_id,
                                      locks=named or not blind[entry.edition_id])
                findings.append(finding)
            result.findings[juror_id, entry.id] = findings
    return result


def standing_company_conflicts(juror_ids: Iterable[int], company_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(juror id, company id) → evidence, for the pairs among these that are conflicted whatever anyone decides."""
    juror_ids, company_ids = set(juror_ids), set(company_ids)
    if not juror_ids or not company_ids:
        return {}
    known = affiliations()
    jurors = juror_identities(juror_ids, with_names=False)
    wanted = company_ids | {c for j in jurors for c in (*j.companies, *j.former_companies)}
    if known.groups:
        wanted |= set(db.session.scalars(select(Entry.company_id).where(or_(
            Entry.edition_id.in_(select(Entry.edition_id).where(Entry.company_id.in_(company_ids))),
            Entry.company_id.in_(company_ids))).distinct()))
    found = detection.standing_conflicts(jurors, company_identities(wanted), known)
    return {(f.juror_id, f.company_id): f.evidence for f in found if f.company_id in company_ids}


# --- one pair, remembered until anything is written ------------------------------------------------------------------

_MEMO = "conflict_check.findings"


def findings(juror: User, entry: Entry) -> list[Finding]:
    """The findings for one pair. A request asks the same pair several times (the sheet's loader, its rules, the
    page): the answer is kept in the session until anything is written (flush, insert/update/delete statement,
    commit, rollback) or while changes are pending."""
    entry_id = _entry_id(entry)
    session = db.session()
    memo = session.info.setdefault(_MEMO, {})
    if session.new or session.dirty or session.deleted:
        memo.clear()
    key = (juror.id, entry_id)
    if key not in memo:
        memo[key] = conflict_map(juror_ids=[juror.id], entries=[entry_id]).of(juror.id, entry_id)
    return memo[key]


def _forget(session: Session, *_args) -> None:
    session.info.pop(_MEMO, None)


event.listen(Session, "after_flush", _forget)
event.listen(Session, "after_transaction_end", _forget)
event.listen(Session, "after_soft_rollback", _forget)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _forget(state.session)


def is_conflicted(juror: User, entry: Entry) -> bool:
    """The pair must not be planned, assigned or counted without an organiser's decision."""
    return bool(findings(juror, entry))


def is_locked(juror: User, entry: Entry) -> bool:
    """The juror's own view of an assignment of this entry is locked."""
    return any(f.locks for f in findings(juror, entry))

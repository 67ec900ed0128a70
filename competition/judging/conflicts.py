"""Automatic detection of conflicts of interest [Befangenheit] between jurors and companies. Pure: no Flask, no
database; plain functions over frozen dataclasses.

A juror is conflicted with a company when
- MEMBERSHIP / FORMER_MEMBERSHIP: the juror belongs, or belonged, to the company's account;
- ADDRESS: the juror's e-mail address is one of the company's (a contact person's or a colleague's), compared as a
  whole address, so that free-mail addresses count too;
- DOMAIN: the juror's e-mail domain or an employer's domain equals the company's website domain or the e-mail domain
  of one of its contact persons (registrable domains, after resolving organiser-kept aliases; free-mail and generic
  domains never count);
- ORGANISATION / FORMER_EMPLOYER: the juror's organisation or a former employer has the company's normalised name
  (legal forms, case, punctuation, umlaut spellings and hyphens do not matter; nothing else is stripped);
- GROUP: the juror is conflicted with, or is a member of, one member of an organiser-kept company group (names and/or
  domains); groups that share a member or a company are one group.
Companies are indexed by name, by address and by domain, so the work grows with jurors + companies, not with their
product. `standing_conflicts` is the part that holds whatever anyone decided (memberships, addresses, domains, and
groups over these): names can be false friends, so only those findings need an organiser's confirmation.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit

from .conflict_words import (  # noqa: F401 - part of this module's interface (conflicts.FREE_MAIL_DOMAINS …)
    FREE_MAIL_DOMAINS,
    GENERIC_DOMAINS,
    GENERIC_NAMES,
    IGNORED_DOMAINS,
    LEGAL_FORMS,
    MIN_NAME_LENGTH,
    SECOND_LEVEL_SUFFIXES,
)


class ConflictReason(enum.Enum):
    """Why a conflict was detected; declared strongest first."""

    MEMBERSHIP = "membership"
    FORMER_MEMBERSHIP = "former_membership"
    ADDRESS = "address"
    DOMAIN = "domain"
    ORGANISATION = "organisation"
    FORMER_EMPLOYER = "former_employer"
    GROUP = "group"

    @property
    def strength(self) -> int:
        """0 is the strongest."""
        return _STRENGTH[self]


_STRENGTH = {reason: rank for rank, reason in enumerate(ConflictReason)}


@dataclass(frozen=True)
class JurorIdentity:
    id: int
    email: str
    organisation: str = ""
    employer_domains: tuple[str, ...] = ()
    former_employers: tuple[str, ...] = ()  # of the last three years; the profile keeps only those
    companies: tuple[int, ...] = ()  # ids of the companies whose account the juror belongs to
    former_companies: tuple[int, ...] = ()  # ... and of those they have left

    def __post_init__(self):
        for name in ("employer_domains", "former_employers", "companies", "former_companies"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class CompanyIdentity:
    id: int
    legal_name: str
    website: str = ""
    staff_emails: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "staff_emails", tuple(self.staff_emails))


@dataclass(frozen=True)
class Affiliations:
    groups: tuple[tuple[str, ...], ...] = ()  # each: company names and/or domains that belong together
    domain_aliases: tuple[tuple[str, str], ...] = ()  # pairs of domains of the same organisation

    def __post_init__(self):
        object.__setattr__(self, "groups", tuple(tuple(group) for group in self.groups))
        pairs = tuple(tuple(pair) for pair in self.domain_aliases)
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError("A domain alias is a pair of two domains.")
        object.__setattr__(self, "domain_aliases", pairs)


@dataclass(frozen=True)
class DetectedConflict:
    juror_id: int
    company_id: int
    reason: ConflictReason
    evidence: str  # German, for organisers


# --- names -------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+|[&+]")
_DROPPED = str.maketrans("", "", "'’‘`´ʼ")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_DROPPED).translate(_UMLAUTS)
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return ["und" if token in ("&", "+") else token for token in _TOKEN.findall(folded)]


_LEGAL_FORM_TOKENS = frozenset(tuple(_tokens(form)) for form in LEGAL_FORMS)
_LONGEST_LEGAL_FORM = max(len(form) for form in _LEGAL_FORM_TOKENS)


@lru_cache(maxsize=65536)
def normalise_company_name(name: str) -> str:
    """Lower-case words separated by single spaces; umlauts spelled ae/oe/ue/ss, accents, punctuation and hyphens
    dropped, "&" and "+" read as "und", trailing legal forms removed ("Müller Maschinenbau GmbH & Co. KG" →
    "mueller maschinenbau")."""
    tokens = _tokens(name)
    while tokens:
        for size in range(min(_LONGEST_LEGAL_FORM, len(tokens)), 0, -1):
            if tuple(tokens[-size:]) in _LEGAL_FORM_TOKENS:
                del tokens[-size:]
                break
        else:
            break
    return " ".join(tokens)


_GENERIC_NAME_KEYS = frozenset(normalise_company_name(name) for name in GENERIC_NAMES)


def _name_key(name: str) -> str | None:
    """The key names are matched on, or None for names too short or too generic to tell anything."""
    key = normalise_company_name(name)
    if len(key.replace(" ", "")) < MIN_NAME_LENGTH or key in _GENERIC_NAME_KEYS:
        return None
    return key


# --- domains -----------------------------------------------------------------------------------------------------

def _valid_label(label: str) -> bool:
    return (0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
            and all(ch.isalnum() or ch == "-" for ch in label))


def _host(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value).strip()
    if "<" in text and ">" in text.partition("<")[2]:  # "Anna Schmidt <anna@example.de>"
        text = text.partition("<")[2].partition(">")[0].strip()
    if "://" not in text:
        if "@" in text:
            text = text.rsplit("@", 1)[1]
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or len(host) > 253:
        return None
    labels = []
    for label in host.rstrip(".").split("."):
        if label.startswith("xn--"):
            try:
                label = unicodedata.normalize("NFC", label[4:].encode("ascii").decode("punycode").lower())
            except (UnicodeError, ValueError):
                return None
        if not _valid_label(label):
            return None
        labels.append(label)
    if not all(ch.isalpha() for ch in labels[-1]):  # a top-level domain has letters only (no IP addresses)
        return None
    return ".".join(labels)


@lru_cache(maxsize=65536)
def registrable_domain(email_or_url_or_domain: str) -> str | None:
    """The registrable domain of an e-mail address, URL or host name, lower-case
    ("https://www.Mail.TU-Chemnitz.de:8080/x" → "tu-chemnitz.de"); None for empty or invalid input and for free-mail
    and generic domains."""
    host = _host(email_or_url_or_domain)
    if host is None:
        return None
    labels = host.split(".")
    if labels[0] == "www":
        labels = labels[1:]
    size = 3 if ".".join(labels[-2:]) in SECOND_LEVEL_SUFFIXES else 2
    if len(labels) < size:
        return None
    domain = ".".join(labels[-size:])
    return None if domain in IGNORED_DOMAINS else domain


_NOT_IN_ADDRESS = re.compile(r'[\s<>()\[\],;:\\"]')


def email_address(value: str) -> str | None:
    """An e-mail address compared as a whole: trimmed and case-folded ("Anna <A.B@GMX.de>" → "a.b@gmx.de"); None
    for anything that is not an address."""
    if "@" not in value:
        return None
    text = value.strip()
    if "<" in text and ">" in text.partition("<")[2]:
        text = text.partition("<")[2].partition(">")[0].strip()
    local, _at, host = text.rpartition("@")
    host = host.rstrip(".")
    if not local or "." not in host or _NOT_IN_ADDRESS.search(text):
        return None
    return unicodedata.normalize("NFC", f"{local}@{host}").casefold()


class _Aliases:
    """Domain aliases, symmetric and transitive: each domain resolves to the smallest domain of its class."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        parent: dict[str, str] = {}

        def find(domain: str) -> str:
            parent.setdefault(domain, domain)
            while parent[domain] != domain:
                parent[domain] = parent[parent[domain]]
                domain = parent[domain]
            return domain

        for left, right in pairs:
            a, b = registrable_domain(left), registrable_domain(right)
            if a and b:
                ra, rb = find(a), find(b)
                parent[max(ra, rb)] = min(ra, rb)  # the root of a class is its smallest domain
        self._canonical = {domain: find(domain) for domain in list(parent)}

    def resolve(self, domain: str) -> str:
        return self._canonical.get(domain, domain)


# --- detection ---------------------------------------------------------------------------------------------------

_WEBSITE, _STAFF = 0, 1
_COMPANY_SIDE = {_WEBSITE: "Website des Unternehmens", _STAFF: "E-Mail-Domain einer Ansprechperson des Unternehmens"}
_OWN, _EMPLOYER = 0, 1
_JUROR_SIDE = {_OWN: "E-Mail-Domain", _EMPLOYER: "Domain des Arbeitgebers"}
_MAX_GROUP_LABEL = 6

_Candidate = tuple[int, int, str]  # (reason strength, rank within the reason, evidence): the smallest wins


def _domains(values: Iterable[tuple[int, str]], aliases: _Aliases) -> set[tuple[int, str, str]]:
    """(side, registrable domain, canonical domain) of each (side, e-mail address or URL) that has a domain."""
    found = set()
    for side, value in values:
        domain = registrable_domain(value)
        if domain:
            found.add((side, domain, aliases.resolve(domain)))
    return found


def _juror_domains(juror: JurorIdentity, aliases: _Aliases) -> set[tuple[int, str, str]]:
    return _domains([(_OWN, juror.email), *((_EMPLOYER, value) for value in juror.employer_domains)], aliases)


def _company_domains(company: CompanyIdentity, aliases: _Aliases) -> set[tuple[int, str, str]]:
    return _domains([(_WEBSITE, company.website), *((_STAFF, email) for email in company.staff_emails)], aliases)


def _domain_evidence(juror_side: int, juror_domain: str, company_side: int, company_domain: str) -> str:
    text = f"{_JUROR_SIDE[juror_side]} {juror_domain} = {_COMPANY_SIDE[company_side]}"
    if company_domain != juror_domain:
        text += f" ({company_domain}, als Domain-Alias hinterlegt)"
    return text


class _Groups:
    """Organiser-kept groups, merged where they share a member (name or domain) or a company."""

    def __init__(self, groups: tuple[tuple[str, ...], ...], aliases: _Aliases,
                 company_keys: dict[int, tuple[str | None, set[str]]]):
        parent = list(range(len(groups)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(indices: list[int]) -> None:
            roots = sorted({find(i) for i in indices})
            for root in roots[1:]:
                parent[root] = roots[0]

        by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, group in enumerate(groups):
            for member in group:
                text = member.strip()
                looks_like_domain = "@" in text or ("." in text and " " not in text)
                key = None if looks_like_domain else _name_key(text)  # "gmail.com" is no company name
                if key:
                    by_key["name", key].append(index)
                domain = registrable_domain(member)
                if domain:
                    by_key["domain", aliases.resolve(domain)].append(index)
        for indices in by_key.values():
            union(indices)
        company_groups: dict[int, list[int]] = {}
        for company_id, (name, domains) in company_keys.items():
            keys = ([("name", name)] if name else []) + [("domain", domain) for domain in domains]
            indices = [i for key in keys for i in by_key.get(key, ())]
            if indices:
                union(indices)
                company_groups[company_id] = indices
        self.root_of_key = {key: find(indices[0]) for key, indices in by_key.items()}
        self.root_of_company = {company_id: find(indices[0]) for company_id, indices in company_groups.items()}
        self.companies: dict[int, list[int]] = defaultdict(list)
        for company_id, root in self.root_of_company.items():
            self.companies[root].append(company_id)
        members: dict[int, set[str]] = defaultdict(set)
        for index, group in enumerate(groups):
            members[find(index)].update(member.strip() for member in group if member.strip())
        self.label = {root: _group_label(names) for root, names in members.items()}


def _group_label(members: set[str]) -> str:
    ordered = sorted(members, key=lambda member: (member.casefold(), member))
    shown = ", ".join(ordered[:_MAX_GROUP_LABEL])
    if len(ordered) > _MAX_GROUP_LABEL:
        shown += f" und {len(ordered) - _MAX_GROUP_LABEL} weitere"
    return f"Unternehmensgruppe ({shown})"


class _Index:
    """Companies by canonical domain and by name key, and the merged groups."""

    def __init__(self, companies: Iterable[CompanyIdentity], affiliations: Affiliations):
        self.aliases = _Aliases(affiliations.domain_aliases)
        self.names: dict[int, str] = {}
        self.by_name: dict[str, list[CompanyIdentity]] = defaultdict(list)
        self.by_address: dict[str, set[int]] = defaultdict(set)
        self.by_domain: dict[str, list[tuple[CompanyIdentity, int, str]]] = defaultdict(list)
        company_keys: dict[int, tuple[str | None, set[str]]] = {}
        for company in companies:
            key = _name_key(company.legal_name)
            if key:
                self.by_name[key].append(company)
            for email in company.staff_emails:
                address = email_address(email)
                if address:
                    self.by_address[address].add(company.id)
            domains = _company_domains(company, self.aliases)
            for side, domain, canonical in domains:
                self.by_domain[canonical].append((company, side, domain))
            old_key, old_domains = company_keys.get(company.id, (None, set()))
            company_keys[company.id] = (key or old_key, old_domains | {canonical for _s, _d, canonical in domains})
            self.names[company.id] = min(self.names.get(company.id, company.legal_name), company.legal_name).strip()
        self.groups = _Groups(affiliations.groups, self.aliases, company_keys)

    def direct(self, juror: JurorIdentity) -> tuple[dict[int, _Candidate], dict[int, tuple[int, str]]]:
        """Company id → best direct candidate; group root → (rank, text) of how the juror belongs to the group."""
        direct: dict[int, _Candidate] = {}
        triggers: dict[int, tuple[int, str]] = {}
        for reason, label, company_ids in ((ConflictReason.MEMBERSHIP, "Gehört zum Unternehmen", juror.companies),
                                           (ConflictReason.FORMER_MEMBERSHIP, "Gehörte früher zum Unternehmen",
                                            juror.former_companies)):
            for company_id in company_ids:
                if company_id in self.names:  # the caller passes the companies of the juror's memberships
                    _keep_best(direct, company_id, (_STRENGTH[reason], 0, f"{label} „{self.names[company_id]}“"))
        address = email_address(juror.email)
        for company_id in self.by_address.get(address, ()) if address else ():
            evidence = f"E-Mail-Adresse {address} = Adresse einer Person des Unternehmens"
            _keep_best(direct, company_id, (_STRENGTH[ConflictReason.ADDRESS], 0, evidence))
        for side, domain, canonical in _juror_domains(juror, self.aliases):
            for company, company_side, company_domain in self.by_domain.get(canonical, ()):
                evidence = _domain_evidence(side, domain, company_side, company_domain)
                _keep_best(direct, company.id, (_STRENGTH[ConflictReason.DOMAIN], 2 * side + company_side, evidence))
            root = self.groups.root_of_key.get(("domain", canonical))
            _keep_best(triggers, root, (side, f"{_JUROR_SIDE[side]} {domain}"))
        named = [(ConflictReason.ORGANISATION, "Organisation", juror.organisation)]
        named += [(ConflictReason.FORMER_EMPLOYER, "Früherer Arbeitgeber", name) for name in juror.former_employers]
        for reason, label, name in named:
            key = _name_key(name)
            if key is None:
                continue
            for company in self.by_name.get(key, ()):
                evidence = f"{label} „{name.strip()}“ = „{company.legal_name.strip()}“"
                _keep_best(direct, company.id, (_STRENGTH[reason], 0, evidence))
            root = self.groups.root_of_key.get(("name", key))
            _keep_best(triggers, root, (2 + _STRENGTH[reason], f"{label} „{name.strip()}“"))
        for company_id, (strength, _rank, evidence) in direct.items():
            root = self.groups.root_of_company.get(company_id)
            _keep_best(triggers, root, (10 + strength, f"Befangenheit bei „{self.names[company_id]}“ ({evidence})"))
        return direct, triggers


def _keep_best(best: dict, key, candidate: tuple) -> None:
    if key is not None and (key not in best or candidate < best[key]):
        best[key] = candidate


def detect_conflicts(jurors: Iterable[JurorIdentity], companies: Iterable[CompanyIdentity],
                     affiliations: Affiliations | None = None) -> list[DetectedConflict]:
    """Every conflicted (juror, company) pair once, with its strongest reason, sorted by juror id and company id."""
    return _detect(jurors, _Index(companies, affiliations or Affiliations()))


def _detect(jurors: Iterable[JurorIdentity], index: _Index) -> list[DetectedConflict]:
    best: dict[tuple[int, int], _Candidate] = {}
    for juror in jurors:
        direct, triggers = index.direct(juror)
        for company_id, candidate in direct.items():
            _keep_best(best, (juror.id, company_id), candidate)
        for root, (rank, text) in triggers.items():
            candidate = (_STRENGTH[ConflictReason.GROUP], rank, f"{index.groups.label[root]}: {text}")
            for company_id in index.groups.companies.get(root, ()):
                _keep_best(best, (juror.id, company_id), candidate)
    reasons = list(ConflictReason)
    return [DetectedConflict(juror_id, company_id, reasons[strength], evidence)
            for (juror_id, company_id), (strength, _rank, evidence) in sorted(best.items())]


def standing_conflicts(jurors: Iterable[JurorIdentity], companies: Iterable[CompanyIdentity],
                       affiliations: Affiliations | None = None) -> list[DetectedConflict]:
    """The conflicts that hold whatever anyone decided, computed from what is true now: membership (present or
    past), the same e-mail address, the same registrable domain (after aliases), and company groups over these.
    Organisation names and former employers are left out: a name can be a false friend, so those findings wait for
    an organiser (detect_conflicts stores them, and an organiser may dismiss them)."""
    return standing_conflicts_and_mates(jurors, companies, affiliations)[0]


def standing_conflicts_and_mates(jurors: Iterable[JurorIdentity], companies: Iterable[CompanyIdentity],
                                 affiliations: Affiliations | None = None,
                                 ) -> tuple[list[DetectedConflict], dict[int, frozenset[int]]]:
    """standing_conflicts and group_mates from one index (the expensive part is building it)."""
    companies = list(companies)
    index = _Index(companies, affiliations or Affiliations())
    facts = [replace(juror, organisation="", former_employers=()) for juror in jurors]
    return _detect(facts, index), _mates(companies, index)


def group_mates(companies: Iterable[CompanyIdentity], affiliations: Affiliations) -> dict[int, frozenset[int]]:
    """Company id → ids of every company in its (merged) organiser-kept group, itself included: the grouping that
    detect_conflicts applies, for spreading declared conflicts to a whole group."""
    companies = list(companies)
    return _mates(companies, _Index(companies, affiliations))


def _mates(companies: list[CompanyIdentity], index: _Index) -> dict[int, frozenset[int]]:
    mates = {company.id: frozenset({company.id}) for company in companies}
    for members in index.groups.companies.values():
        for company_id in members:
            mates[company_id] = frozenset(members)
    return mates

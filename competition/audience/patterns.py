"""Patterns that indicate a manipulated vote, as pure functions over plain facts about ballots.

Each detector takes ``BallotFact`` rows (what the monitor knows about one voter's ballot in one category) and
returns ``Flag``s: which ballots, which pattern, and the numbers a plain-German explanation needs (the labels are in
``labels.py``). No Flask, no database; the current time and the thresholds are parameters (``Thresholds``).

- network burst: many ballots from one network (IPv4 /24, IPv6 /48) within a short window;
- domain burst: many ballots from one e-mail domain within a short window (free-mail providers excluded: they are
  shared by thousands of unrelated people, a workforce mobilised by its employer shares a company domain);
- disposable domain: the address belongs to a throw-away mail provider (``disposable_domains.txt``);
- fast confirmation: the link was opened sooner after the mail was sent than a person can read and click;
- sequential addresses: the same name with a running number (``max1@``, ``max2@``, ``max3@`` …) at one domain.

An honest vote — different networks, different domains, confirmations after a human delay, no numbered names —
raises none of them (tested on generated traffic).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from .addresses import is_free_mail

NETWORK_BURST = "network_burst"
DOMAIN_BURST = "domain_burst"
DISPOSABLE = "disposable"
FAST_CONFIRM = "fast_confirm"
SEQUENTIAL = "sequential"
KINDS = (NETWORK_BURST, DOMAIN_BURST, DISPOSABLE, FAST_CONFIRM, SEQUENTIAL)


@dataclass(frozen=True)
class BallotFact:
    id: int
    network: str  # "203.0.113.0/24" or "2001:db8:1::/48"; "" when unknown
    domain: str  # the normalised domain; kept after the address is deleted
    local: str  # the normalised local part; "" once the address is deleted
    requested_at: datetime
    mail_sent_at: datetime | None = None
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class Thresholds:
    burst_window: timedelta = timedelta(minutes=10)
    network_burst: int = 20  # ballots from one network within the window
    domain_burst: int = 20  # ballots from one (non-free-mail) domain within the window
    fast_confirm: timedelta = timedelta(seconds=3)
    sequence_min: int = 3  # numbered names in a row at one domain


@dataclass(frozen=True)
class Flag:
    kind: str
    key: str  # what the pattern is about: the network, the domain, the name stem
    ballot_ids: tuple[int, ...]
    count: int
    first_at: datetime | None = None
    last_at: datetime | None = None
    detail: dict = field(default_factory=dict)

    @property
    def pattern_id(self) -> str:
        """A stable name for excluding the whole pattern: ``network_burst:203.0.113.0/24``."""
        return f"{self.kind}:{self.key}"


def network_of(address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of a client address, as text; "" when it is not an address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@cache
def disposable_domains() -> frozenset[str]:
    text = resources.files(__package__).joinpath("disposable_domains.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _bursts(facts: list[BallotFact], key, *, window: timedelta, threshold: int, kind: str) -> list[Flag]:
    groups: dict[str, list[BallotFact]] = defaultdict(list)
    for fact in facts:
        name = key(fact)
        if name:
            groups[name].append(fact)
    flags = []
    for name, group in groups.items():
        if len(group) < threshold:
            continue
        group.sort(key=lambda f: (f.requested_at, f.id))
        flagged: set[int] = set()
        start = 0
        first = last = None
        for end in range(len(group)):  # sliding window over the requests' times
            while group[end].requested_at - group[start].requested_at > window:
                start += 1
            if end - start + 1 >= threshold:
                flagged.update(f.id for f in group[start:end + 1])
                first = group[start].requested_at if first is None else first
                last = group[end].requested_at
        if flagged:
            flags.append(Flag(kind, name, tuple(sorted(flagged)), len(flagged), first, last,
                              {"window_minutes": int(window.total_seconds() // 60), "threshold": threshold}))
    return flags


def network_bursts(facts: list[BallotFact], t: Thresholds = Thresholds()) -> list[Flag]:
    return _bursts(facts, lambda f: f.network, window=t.burst_window, threshold=t.network_burst, kind=NETWORK_BURST)


def domain_bursts(facts: list[BallotFact], t: Thresholds = Thresholds()) -> list[Flag]:
    return _bursts(facts, lambda f: "" if is_free_mail(f.domain) else f.domain, window=t.burst_window,
                   threshold=t.domain_burst, kind=DOMAIN_BURST)


def disposable(facts: list[BallotFact], t: Thresholds = Thresholds(), *, domains: frozenset[str] | None = None
               ) -> list[Flag]:
    domains = disposable_domains() if domains is None else domains
    groups: dict[str, list[int]] = defaultdict(list)
    for fact in facts:
        labels = fact.domain.split(".")
        if any(".".join(labels[i:]) in domains for i in range(len(labels) - 1)):  # the domain or a parent of it
            groups[fact.domain].append(fact.id)
    return [Flag(DISPOSABLE, domain, tuple(sorted(ids)), len(ids)) for domain, ids in sorted(groups.items())]


def fast_confirmations(facts: list[BallotFact], t: Thresholds = Thresholds()) -> list[Flag]:
    ids = [f.id for f in facts if f.confirmed_at is not None
           and f.confirmed_at - (f.mail_sent_at or f.requested_at) < t.fast_confirm]
    if not ids:
        return []
    return [Flag(FAST_CONFIRM, "", tuple(sorted(ids)), len(ids), detail={"seconds": t.fast_confirm.total_seconds()})]


_NUMBERED = re.compile(r"^(?P<stem>.*?[a-z._-])(?P<number>\d{1,6})$")


def sequential(facts: list[BallotFact], t: Thresholds = Thresholds()) -> list[Flag]:
    """Names that differ only by a running number at one domain: a run of ``sequence_min`` consecutive numbers (or
    more addresses of one stem than that with at most a gap of two between neighbours)."""
    groups: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        match = _NUMBERED.match(fact.local or "")
        if match:
            groups[(match["stem"], fact.domain)][int(match["number"])].append(fact.id)
    flags = []
    for (stem, domain), numbers in sorted(groups.items()):
        ordered = sorted(numbers)
        runs: list[list[int]] = [[ordered[0]]] if ordered else []
        for number in ordered[1:]:
            if number - runs[-1][-1] <= 2:
                runs[-1].append(number)
            else:
                runs.append([number])
        flagged = [n for run in runs if len(run) >= t.sequence_min for n in run]
        if flagged:
            ids = tuple(sorted(i for n in flagged for i in numbers[n]))
            flags.append(Flag(SEQUENTIAL, f"{stem}#@{domain}", ids, len(ids),
                              detail={"example": f"{stem}{flagged[0]}@{domain}", "first": flagged[0],
                                      "last": flagged[-1]}))
    return flags


def all_flags(facts: list[BallotFact], t: Thresholds = Thresholds()) -> list[Flag]:
    """Every pattern found, in the order of ``KINDS``."""
    return [*network_bursts(facts, t), *domain_bursts(facts, t), *disposable(facts, t),
            *fast_confirmations(facts, t), *sequential(facts, t)]

"""The result of an audience vote, as a pure function over counted choices: votes per entry per category, the
winners (most confirmed, not excluded votes; a tie shares the award), the excluded votes by reason.

The frozen content (``freeze_content``) is what publication stores with its SHA-256 and what the results page, the
PDF and the certificates read (``AudienceResult``: the one typed reader of it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class CountedBallot:
    category_id: int
    entry_id: int | None  # the confirmed choice (None: not confirmed)
    excluded_reason: str | None


@dataclass(frozen=True)
class EntryMeta:
    id: int
    category_id: int
    number: str
    title: str
    company: str
    district: str


def tally(ballots: list[CountedBallot]) -> tuple[Counter, Counter, Counter]:
    """(confirmed votes per entry, excluded votes per entry, excluded votes per reason)."""
    counted: Counter = Counter()
    excluded: Counter = Counter()
    reasons: Counter = Counter()
    for ballot in ballots:
        if ballot.entry_id is None:
            continue
        if ballot.excluded_reason:
            excluded[ballot.entry_id] += 1
            reasons[ballot.excluded_reason] += 1
        else:
            counted[ballot.entry_id] += 1
    return counted, excluded, reasons


def freeze_content(*, edition: dict, categories: list[dict], entries: list[EntryMeta],
                   ballots: list[CountedBallot], unconfirmed: int, window: dict) -> dict:
    """The content a publication freezes (JSON, hashed as is)."""
    counted, excluded, reasons = tally(ballots)
    out_categories = []
    for category in categories:
        mine = [e for e in entries if e.category_id == category["id"]]
        rows = sorted(({"entry": str(e.id), "votes": counted.get(e.id, 0), "excluded": excluded.get(e.id, 0)}
                       for e in mine), key=lambda r: (-r["votes"], int(r["entry"])))
        top = rows[0]["votes"] if rows else 0
        winners = [r["entry"] for r in rows if top > 0 and r["votes"] == top]
        out_categories.append({"id": str(category["id"]), "name": category["name"], "ranking": rows,
                               "winners": winners})
    return {
        "kind": "audience-award",
        "edition": edition,
        "window": window,
        "categories": out_categories,
        "entries": {str(e.id): {"number": e.number, "title": e.title, "company": e.company, "district": e.district,
                                "category": str(e.category_id)} for e in entries},
        "totals": {"counted": sum(counted.values()), "excluded": sum(excluded.values()), "unconfirmed": unconfirmed},
        "exclusions": [{"reason": reason, "count": count} for reason, count in sorted(reasons.items())],
    }


@dataclass(frozen=True)
class WinnerLine:
    entry_id: str
    number: str
    title: str
    company: str
    district: str
    category: str
    votes: int


@dataclass(frozen=True)
class AudienceResult:
    edition_name: str
    counted: int
    excluded: int
    winners: tuple[WinnerLine, ...]
    categories: tuple[tuple[str, tuple[WinnerLine, ...]], ...]  # every entry with its votes, per category


def read_content(content: dict) -> AudienceResult:
    entries = content.get("entries") or {}
    winners: list[WinnerLine] = []
    categories = []
    for category in content.get("categories") or []:
        lines = []
        for row in category.get("ranking") or []:
            meta = entries.get(row["entry"]) or {}
            line = WinnerLine(row["entry"], meta.get("number") or "", meta.get("title") or "",
                              meta.get("company") or "", meta.get("district") or "", category.get("name") or "",
                              int(row.get("votes") or 0))
            lines.append(line)
            if row["entry"] in (category.get("winners") or []):
                winners.append(line)
        categories.append((category.get("name") or "", tuple(lines)))
    totals = content.get("totals") or {}
    return AudienceResult((content.get("edition") or {}).get("name", ""), int(totals.get("counted") or 0),
                          int(totals.get("excluded") or 0), tuple(winners), tuple(categories))

"""The reliability meter of a frozen ranking: computed from the snapshot's own content at freezing (stored under
``content["reliability"]``), read back through one typed reader, compared with the round's previous snapshot.

Snapshots frozen before the meter existed have no ``"reliability"`` key; their hash covers only what they store, so
nothing is added to them. For display their figures are computed from the sheets they store (the same pure
function, the same seed: the same figures every time) and marked as such.

Stored format (``"format": 1``): ``{"format": 1, "line": K, "seed": 0, "categories": {category id:
reliability_to_json(…)}}``; the line K is the number of places above the line in every category (prizes in the final
round, the shortlist before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..extensions import db
from . import reliability as rel
from .models import RankingSnapshot
from .ranking import Criterion, Scale, Sheet

FORMAT = 1
SEED = 0
LINE_FINAL = 3  # prize places per category
LINE_EARLIER = 5  # shortlist places per category (as the deliberation page proposes)


def reliability_content(content: dict[str, Any], *, line: int) -> dict[str, Any]:
    """Per category of a snapshot's content: its reliability for the content's method and the given line."""
    criteria = [Criterion(c["id"], float(c["weight"])) for c in content.get("criteria") or []]
    scale = Scale(float(content["scale"]["min"]), float(content["scale"]["max"]))
    entries = content.get("entries") or {}
    categories = {}
    for category in content.get("categories") or []:
        sheets = [Sheet(s["juror"], s["entry"], s["scores"]) for s in content.get("sheets") or []
                  if entries.get(s["entry"], {}).get("category") == category["id"]]
        if sheets and criteria:
            result = rel.assess(sheets, criteria, scale, method=content["method"], line=line, seed=SEED)
            categories[category["id"]] = rel.reliability_to_json(result)
    return {"format": FORMAT, "line": line, "seed": SEED, "categories": categories}


@dataclass(frozen=True)
class SnapshotReliability:
    line: int
    categories: dict[str, rel.Reliability] = field(hash=False)
    computed_for_display: bool = False  # the snapshot predates the meter: figures computed from its stored sheets

    def candidates(self) -> list[tuple[str, rel.Candidate]]:
        """Every category's candidates for an extra review, by gain across the categories (best first)."""
        merged = [(cid, c) for cid, r in self.categories.items() for c in r.candidates]
        return sorted(merged, key=lambda item: (-item[1].gain, -item[1].wrong_side, item[1].rank, item[1].entry))

    def default_budget(self) -> int:
        """The sum of the categories' recommendations (each: the entries in doubt, at most 10)."""
        return sum(len(r.recommendations) for r in self.categories.values())


def read(content: dict[str, Any], *, line: int | None = None, stored_only: bool = False
         ) -> SnapshotReliability | None:
    """The reliability of a snapshot's content: the stored one, or computed from its sheets when it has none (or
    when another ``line`` is asked for) unless ``stored_only`` (archived documents show only what was frozen).
    None when there is nothing to show."""
    stored = content.get("reliability")
    if isinstance(stored, dict) and stored.get("format") == FORMAT and (line is None or stored.get("line") == line):
        return SnapshotReliability(int(stored["line"]), {cid: rel.reliability_from_json(data)
                                                         for cid, data in stored.get("categories", {}).items()})
    if stored_only or not content.get("sheets") or not content.get("scale"):
        return None
    if line is None:
        line = LINE_FINAL if (content.get("round") or {}).get("is_final") else LINE_EARLIER
    computed = reliability_content(content, line=line)
    return SnapshotReliability(line, {cid: rel.reliability_from_json(data)
                                      for cid, data in computed["categories"].items()}, computed_for_display=True)


def default_line(judging_round) -> int:
    """The line of the round's latest snapshot, else 3 places in the final round and 5 before it."""
    latest = db.session.scalar(select(RankingSnapshot).where(RankingSnapshot.round_id == judging_round.id)
                               .order_by(RankingSnapshot.id.desc()).limit(1))
    stored = (latest.content or {}).get("reliability") if latest is not None else None
    if isinstance(stored, dict) and isinstance(stored.get("line"), int):
        return stored["line"]
    is_final = judging_round.position == max(r.position for r in judging_round.edition.rounds)
    return LINE_FINAL if is_final else LINE_EARLIER


def previous_snapshot(snapshot: RankingSnapshot) -> RankingSnapshot | None:
    """The snapshot of the same round frozen just before this one."""
    return db.session.scalar(select(RankingSnapshot).where(RankingSnapshot.round_id == snapshot.round_id,
                                                           RankingSnapshot.id < snapshot.id)
                             .order_by(RankingSnapshot.id.desc()).limit(1))

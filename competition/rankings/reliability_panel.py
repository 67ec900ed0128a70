"""What the ranking page and the internal PDF say about the reliability of a frozen ranking: per category the
figures and sentences in the current language, the recommendation, and the change against the round's previous
snapshot. Built from snapshot contents only (immutable), so the page can keep it per snapshot and language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import reliability_labels as labels
from . import snapshot_reliability
from .models import RankingSnapshot
from .reliability import Reliability


@dataclass(frozen=True)
class Recommended:
    entry: str
    number: str
    title: str
    category: str  # its name
    rank: int
    sheets: int
    wrong_side: str  # "41 %"


@dataclass(frozen=True)
class Change:
    """The same category in the previous snapshot of the round (same line)."""

    frozen_at: Any
    panel: float | None
    line_probability: float | None
    line_stable: bool | None
    sheets: int


@dataclass(frozen=True)
class CategoryPanel:
    id: str
    name: str
    reliability: Reliability
    summary: str
    level: str | None
    statements: tuple[str, ...]
    recommended: tuple[Recommended, ...]
    previous: Change | None = None


@dataclass(frozen=True)
class Panel:
    line: int
    computed_for_display: bool
    categories: tuple[CategoryPanel, ...]
    candidates: tuple[Recommended, ...]  # every category's candidates, best first (the form takes the head)
    default_budget: int
    explanations: dict[str, str] = field(hash=False)
    method: str = ""

    @property
    def max_budget(self) -> int:
        return len(self.candidates)


def _recommended(entries: dict, names: dict, category: str, candidate) -> Recommended:
    meta = entries.get(candidate.entry) or {}
    return Recommended(candidate.entry, meta.get("number") or f"#{candidate.entry}", meta.get("title") or "",
                       names.get(category, category), candidate.rank, candidate.sheets,
                       labels.percent(candidate.wrong_side))


def build(snapshot: RankingSnapshot, content: dict[str, Any], previous: RankingSnapshot | None, *,
          stored_only: bool = False) -> Panel | None:
    """The panel of ``snapshot`` (``content``: its resolved content); None when it has nothing to assess (or, with
    ``stored_only``, when it was frozen before the meter)."""
    meter = snapshot_reliability.read(content, stored_only=stored_only)
    if meter is None:
        return None
    before = snapshot_reliability.read(previous.content or {}, line=meter.line) if previous is not None else None
    entries = content.get("entries") or {}
    names = {c["id"]: c["name"] for c in content.get("categories") or []}
    merged = meter.candidates()
    default_budget = meter.default_budget()
    chosen = merged[:default_budget]  # what the button requests unless the organiser asks for more or fewer
    categories = []
    for cid, r in meter.categories.items():
        recommended = tuple(_recommended(entries, names, cid, c) for category, c in chosen if category == cid)
        change = None
        if before is not None and cid in before.categories:
            old = before.categories[cid]
            change = Change(previous.created_at, old.panel, old.line_probability, old.line_stable, old.sheets)
        categories.append(CategoryPanel(
            id=cid, name=names.get(cid, cid), reliability=r, summary=labels.summary_text(r),
            level=labels.level(r.panel),
            statements=tuple(labels.statement_text(s) for s in r.statements if s.kind != "insufficient"),
            recommended=recommended, previous=change))
    order = {c["id"]: i for i, c in enumerate(content.get("categories") or [])}
    categories.sort(key=lambda c: order.get(c.id, len(order)))
    candidates = tuple(_recommended(entries, names, cid, c) for cid, c in merged)
    explanations = {key: labels.explanation(key) for key in labels.EXPLANATIONS}
    return Panel(line=meter.line, computed_for_display=meter.computed_for_display, categories=tuple(categories),
                 candidates=candidates, default_budget=min(default_budget, len(candidates)),
                 explanations=explanations, method=content.get("method") or "")

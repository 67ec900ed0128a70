"""What the published documents and the page's charts read from a snapshot's content, tolerant of older content
(`snapshot_content.parse` gives a missing key its default), with the labels of rankings/labels.py (the same words
as on the page). The templates get plain dicts, built from the typed content."""

from __future__ import annotations

from typing import Any

from ..entries.labels import DISTRICT_LABELS
from ..entries.models import District
from .certificates import KIND_LABELS, place_in_words, when
from .labels import FLAG_LABELS, JUROR_REASON_LABELS, METHOD_LABELS, TIE_RULE_LABELS
from .models import RankingSnapshot
from .queries import resolved_content
from .snapshot_content import Decisions, Ranking, SnapshotContent, as_dict, parse


def read(snapshot: RankingSnapshot) -> dict[str, Any]:
    """The raw content, people's names resolved (for the readers that still take the dict)."""
    return resolved_content(snapshot)


def parsed(snapshot: RankingSnapshot) -> SnapshotContent:
    """The content, people's names resolved, as typed values (`snapshot_content.parse`)."""
    return parse(resolved_content(snapshot))


def edition_name(content: SnapshotContent) -> str:
    return (content.edition.name if content.edition else None) or ""


def round_of(content: SnapshotContent) -> dict:
    value = content.round
    if value is None or value.plain:
        return {"name": value.name if value else "", "position": None, "is_final": False}
    return {"id": value.id, "name": value.name, "position": value.position, "is_final": value.is_final}


def document_id(snapshot: RankingSnapshot) -> str:
    return f"Eingefrorener Stand {snapshot.id} · SHA-256 {snapshot.sha256}"


def scale(content: SnapshotContent) -> dict[str, float]:
    value = content.scale
    if value is None:
        return {"min": 0.0, "max": 10.0}
    return {"min": value.min, "max": value.max} | ({"step": value.step} if value.step is not None else {})


def common(snapshot: RankingSnapshot) -> dict[str, Any]:
    content = parsed(snapshot)
    return {
        "snapshot": {"id": snapshot.id, "sha256": snapshot.sha256, "inputs_sha256": content.inputs_sha256},
        "edition_name": edition_name(content),
        "document_id": document_id(snapshot),
        "round": round_of(content),
        "method": content.method,
        "method_label": METHOD_LABELS.get(content.method, content.method),
        "frozen_at": when(content.frozen_at),
        "frozen_by": content.frozen_by,
        "scale": scale(content),
        "criteria": [as_dict(c) for c in content.criteria],
    }


def entry(content: SnapshotContent, entry_id: str) -> dict[str, Any]:
    entry = content.entry(entry_id)
    return {"id": entry_id, "number": entry.number or entry_id, "title": entry.title or "",
            "company": entry.company or "", "category": entry.category,
            "district": district(entry.district), "summary": entry.summary or "",
            "publish_summary": entry.publish_summary}


def district(key: str | None) -> str:
    """The district by its proper name („Landkreis Zwickau“), never its key; an unknown value as it is."""
    if not key:
        return ""
    try:
        return str(DISTRICT_LABELS[District(key)])
    except (ValueError, KeyError):
        return key


def category_refs(content: SnapshotContent) -> list[dict[str, str]]:
    return [{"id": c.id, "name": c.name} for c in content.categories]


def category_ranking(content: SnapshotContent, category_id: str) -> Ranking:
    """The category's ranking; for content without one, its entries' rows of the overall ranking."""
    ranking = content.by_category.get(category_id)
    if ranking is not None and ranking != Ranking():
        return ranking
    return Ranking(method=content.method, ranking=tuple(r for r in content.overall_rows
                                                        if content.entry(r.entry).category == category_id))


def rows(content: SnapshotContent, ranking: Ranking | None) -> list[dict[str, Any]]:
    rows = []
    for row in ranking.ranking if ranking else ():
        rows.append({
            **as_dict(row),
            "entry": entry(content, row.entry),
            "interval": row.rank_interval,
            "tie_rule_label": TIE_RULE_LABELS.get(row.tie_rule) if row.tie_rule else None,
            "flag_labels": [FLAG_LABELS.get(f, f) for f in row.flags],
            "criteria": dict(row.criteria),
        })
    return rows


def jurors(content: SnapshotContent, ranking: Ranking | None) -> list[dict[str, Any]]:
    out = []
    for j in ranking.jurors if ranking else ():
        known = content.jurors.get(j.juror)
        out.append({**as_dict(j), "name": (known.name if known else None) or j.juror,
                    "reason_label": JUROR_REASON_LABELS.get(j.reason, j.reason)})
    return out


def decisions(content: SnapshotContent) -> dict[str, Any]:
    decisions = content.decisions or Decisions()
    categories = {c["id"]: c["name"] for c in category_refs(content)}
    awards = [{**as_dict(a), "entry": entry(content, a.entry), "category_name": categories.get(a.category, ""),
               "kind_label": KIND_LABELS.get(a.kind, a.kind), "place_words": place_in_words(a.place)}
              for a in decisions.awards]
    awards.sort(key=lambda a: (list(categories).index(a["category"]) if a.get("category") in categories else 99,
                               a.get("kind") != "winner", a.get("place") or 99, a["entry"]["number"]))
    overrides = [{**as_dict(o), "entry": entry(content, o.entry), "category_name": categories.get(o.category, ""),
                  "at": when(o.at)} for o in decisions.overrides]
    final_order = {cid: [entry(content, e) for e in order] for cid, order in decisions.final_order.items()}
    return {"shortlist": [entry(content, e) for e in decisions.shortlist], "awards": awards,
            "overrides": overrides, "final_order": final_order}

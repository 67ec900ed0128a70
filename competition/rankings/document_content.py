"""What the published documents and the page's charts read from a snapshot's content, tolerant of older content
(a missing key gets a default), with the labels of rankings/labels.py (the same words as on the page)."""

from __future__ import annotations

from typing import Any

from ..entries.labels import DISTRICT_LABELS
from ..entries.models import District
from .certificates import KIND_LABELS, place_in_words, when
from .labels import FLAG_LABELS, JUROR_REASON_LABELS, METHOD_LABELS, TIE_RULE_LABELS
from .models import RankingSnapshot
from .queries import resolved_content


def read(snapshot: RankingSnapshot) -> dict[str, Any]:
    return resolved_content(snapshot)


def edition_name(content: dict) -> str:
    edition = content.get("edition")
    return edition.get("name", "") if isinstance(edition, dict) else str(edition or "")


def round_of(content: dict) -> dict:
    value = content.get("round")
    return value if isinstance(value, dict) else {"name": str(value or ""), "position": None, "is_final": False}


def document_id(snapshot: RankingSnapshot) -> str:
    return f"Eingefrorener Stand {snapshot.id} · SHA-256 {snapshot.sha256}"


def common(snapshot: RankingSnapshot) -> dict[str, Any]:
    content = read(snapshot)
    return {
        "snapshot": {"id": snapshot.id, "sha256": snapshot.sha256, "inputs_sha256": content.get("inputs_sha256")},
        "edition_name": edition_name(content),
        "document_id": document_id(snapshot),
        "round": round_of(content),
        "method": content.get("method"),
        "method_label": METHOD_LABELS.get(content.get("method"), content.get("method")),
        "frozen_at": when(content.get("frozen_at")),
        "frozen_by": content.get("frozen_by"),
        "scale": content.get("scale") or {"min": 0.0, "max": 10.0},
        "criteria": content.get("criteria") or [],
    }


def entry(content: dict, entry_id: str) -> dict[str, Any]:
    entry = (content.get("entries") or {}).get(entry_id) or {}
    return {"id": entry_id, "number": entry.get("number") or entry_id, "title": entry.get("title") or "",
            "company": entry.get("company") or "", "category": entry.get("category"),
            "district": district(entry.get("district")), "summary": entry.get("summary") or "",
            "publish_summary": bool(entry.get("publish_summary"))}


def district(key: str | None) -> str:
    """The district by its proper name („Landkreis Zwickau“), never its key; an unknown value as it is."""
    if not key:
        return ""
    try:
        return str(DISTRICT_LABELS[District(key)])
    except (ValueError, KeyError):
        return key


def category_refs(content: dict) -> list[dict[str, str]]:
    return [{"id": str(c["id"]), "name": c.get("name", "")} for c in content.get("categories") or []]


def category_ranking(content: dict, category_id: str) -> dict:
    ranking = (content.get("by_category") or {}).get(category_id)
    if ranking:
        return ranking
    entries = content.get("entries") or {}
    rows = [r for r in (content.get("overall") or {}).get("ranking", [])
            if entries.get(r["entry"], {}).get("category") == category_id]
    return {"method": content.get("method"), "ranking": rows, "jurors": [], "agreement": {}}


def rows(content: dict, ranking: dict) -> list[dict[str, Any]]:
    rows = []
    for row in ranking.get("ranking") or []:
        interval = row.get("rank_interval")
        rows.append({
            **row,
            "entry": entry(content, row["entry"]),
            "interval": tuple(interval) if interval else None,
            "tie_rule_label": TIE_RULE_LABELS.get(row.get("tie_rule")) if row.get("tie_rule") else None,
            "flag_labels": [FLAG_LABELS.get(f, f) for f in row.get("flags") or []],
            "criteria": row.get("criteria") or {},
        })
    return rows


def jurors(content: dict, ranking: dict) -> list[dict[str, Any]]:
    names = content.get("jurors") or {}
    out = []
    for j in ranking.get("jurors") or []:
        out.append({**j, "name": (names.get(j["juror"]) or {}).get("name") or j["juror"],
                    "reason_label": JUROR_REASON_LABELS.get(j.get("reason"), j.get("reason"))})
    return out


def decisions(content: dict) -> dict[str, Any]:
    decisions = content.get("decisions") or {}
    categories = {c["id"]: c["name"] for c in category_refs(content)}
    awards = [{**a, "entry": entry(content, a["entry"]), "category_name": categories.get(a.get("category"), ""),
               "kind_label": KIND_LABELS.get(a.get("kind"), a.get("kind")),
               "place_words": place_in_words(a.get("place"))}
              for a in decisions.get("awards") or []]
    awards.sort(key=lambda a: (list(categories).index(a["category"]) if a.get("category") in categories else 99,
                               a.get("kind") != "winner", a.get("place") or 99, a["entry"]["number"]))
    overrides = [{**o, "entry": entry(content, o["entry"]), "category_name": categories.get(o.get("category"), ""),
                  "at": when(o.get("at"))} for o in decisions.get("overrides") or []]
    final_order = {cid: [entry(content, e) for e in order]
                   for cid, order in (decisions.get("final_order") or {}).items()}
    return {"shortlist": [entry(content, e) for e in decisions.get("shortlist") or []], "awards": awards,
            "overrides": overrides, "final_order": final_order}

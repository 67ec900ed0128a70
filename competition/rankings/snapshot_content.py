"""The stored content of a frozen ranking snapshot (`RankingSnapshot.content`, snapshot format 1, written by
`services.build_content`) as typed, frozen values, read once by `parse`.

`parse` is tolerant of older snapshots: a key added later gets a default (an edition or round stored as a plain
name, no scale, no decisions…), as the published documents always allowed. A value of the wrong type raises
`ValueError` naming the key. The stored dict and its hash are never changed: `verify_snapshot` and
`canonical_sha256` keep working on the raw content; this module only reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Edition:
    name: str | None
    id: int | None = None
    slug: str | None = None
    is_blind: bool = False


@dataclass(frozen=True, slots=True)
class Round:
    name: str | None
    id: int | None = None
    position: int | None = None
    is_final: bool = False
    plain: bool = False  # stored as a plain name (older content), not as a dict


@dataclass(frozen=True, slots=True)
class Scale:
    min: float
    max: float
    step: float | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    name: str
    weight: float | None = None
    percent: float | None = None


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Entry:
    number: str | None = None
    title: str | None = None
    company: str | None = None
    company_id: str | None = None
    district: str | None = None
    city: str | None = None
    category: str | None = None
    summary: str | None = None
    publish_summary: bool = False


NO_ENTRY = Entry()


@dataclass(frozen=True, slots=True)
class Juror:
    name: str | None


@dataclass(frozen=True, slots=True)
class Sheet:
    juror: str
    entry: str
    scores: Mapping[str, float] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)
    total: float | None = None
    overall_comment: str | None = None
    feedback: str | None = None
    submitted_at: str | None = None


@dataclass(frozen=True, slots=True)
class RankedRow:
    """One entry's place in a ranking (`ranking.ranking_to_json`, its fields in the same order)."""
    entry: str
    rank: int | None = None
    score: float | None = None
    raw_score: float | None = None
    sheets: int | None = None
    spread: float | None = None
    rank_interval: tuple[int, int] | None = None
    tie: bool = False
    tie_rule: str | None = None
    median: float | None = None
    calibrated_score: float | None = None
    criteria: Mapping[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JurorOffset:
    """A juror's calibration in one ranking."""
    juror: str
    offset: float | None = None
    calibrated: bool | None = None
    entries: int | None = None
    reason: str | None = None
    component: int | None = None


@dataclass(frozen=True, slots=True)
class Ranking:
    method: str | None = None
    ranking: tuple[RankedRow, ...] = ()
    jurors: tuple[JurorOffset, ...] = ()
    kendall_tau: float | None = None


@dataclass(frozen=True, slots=True)
class Award:
    entry: str
    category: str | None = None
    kind: str | None = None
    place: int | None = None
    justification: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    entry: str
    category: str | None = None
    from_rank: int | None = None
    to_rank: int | None = None
    reason: str | None = None
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True, slots=True)
class Decisions:
    shortlist: tuple[str, ...] = ()
    awards: tuple[Award, ...] = ()
    overrides: tuple[Override, ...] = ()
    final_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    format: int | None
    edition: Edition | None
    round: Round | None
    method: str | None
    inputs_sha256: str | None
    frozen_at: str | None
    frozen_by: str | None
    scale: Scale | None
    criteria: tuple[Criterion, ...]
    categories: tuple[Category, ...]
    entries: Mapping[str, Entry]
    jurors: Mapping[str, Juror]
    sheets: tuple[Sheet, ...]
    overall: Ranking | None
    by_category: Mapping[str, Ranking]
    decisions: Decisions | None
    reliability: Mapping[str, Any] | None = None

    def entry(self, entry_id: str) -> Entry:
        """The entry's stored facts; empty ones for an entry the content does not name."""
        return self.entries.get(entry_id, NO_ENTRY)

    def juror_name(self, juror_id: str) -> str | None:
        """The juror's name (resolved for display by `queries.resolved_content`); the id when unknown."""
        juror = self.jurors.get(juror_id)
        return juror_id if juror is None else juror.name

    @property
    def category_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.categories}

    @property
    def overall_rows(self) -> tuple[RankedRow, ...]:
        return self.overall.ranking if self.overall else ()


def as_dict(value: Any) -> dict[str, Any]:
    """One of these dataclasses as the dict the content stores (its keys in order, lists where it has lists), for
    the templates that read the stored dicts."""
    return {f.name: list(v) if isinstance(v := getattr(value, f.name), tuple) else v for f in fields(value)}


# --- reading, with the key path in every error -------------------------------------------------------------------

def _get(data: Mapping, key: str, path: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        return default
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ValueError(f"snapshot content: {path + key!r} must be {_name(kind)}, not bool")
    if not isinstance(value, kind):
        raise ValueError(f"snapshot content: {path + key!r} must be {_name(kind)}, not {type(value).__name__}")
    return value


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({dict: "a dict", list: "a list", str: "a string", bool: "a boolean", int: "a number",
                        float: "a number"}[k] for k in kinds)


_NUM = (int, float)


def _items(data: Mapping, key: str, path: str) -> list[tuple[str, dict]]:
    """The (index path, dict) pairs of a list of dicts."""
    out = []
    for i, item in enumerate(_get(data, key, path, list, [])):
        if not isinstance(item, dict):
            raise ValueError(f"snapshot content: '{path}{key}[{i}]' must be a dict, not {type(item).__name__}")
        out.append((f"{path}{key}[{i}].", item))
    return out


def _id(data: Mapping, key: str) -> str:
    """An entry's or juror's id as the content keys it ("" when missing)."""
    value = data.get(key)
    return "" if value is None else str(value)


def _edition(data: Mapping) -> Edition | None:
    value = data.get("edition")
    if value is None:
        return None
    if not isinstance(value, dict):
        return Edition(name=str(value))
    return Edition(name=value.get("name"), id=value.get("id"), slug=value.get("slug"),
                   is_blind=bool(value.get("is_blind")))


def _round(data: Mapping) -> Round | None:
    value = data.get("round")
    if value is None:
        return None
    if not isinstance(value, dict):
        return Round(name=str(value), plain=True)
    return Round(name=value.get("name"), id=value.get("id"), position=value.get("position"),
                 is_final=bool(value.get("is_final")))


def _scale(data: Mapping) -> Scale | None:
    value = _get(data, "scale", "", dict)
    if not value:
        return None
    return Scale(min=_get(value, "min", "scale.", _NUM, 0.0), max=_get(value, "max", "scale.", _NUM, 10.0),
                 step=_get(value, "step", "scale.", _NUM))


def _row(path: str, r: dict) -> RankedRow:
    interval = _get(r, "rank_interval", path, list)
    return RankedRow(
        entry=_id(r, "entry"), rank=_get(r, "rank", path, int), score=_get(r, "score", path, _NUM),
        raw_score=_get(r, "raw_score", path, _NUM), calibrated_score=_get(r, "calibrated_score", path, _NUM),
        median=_get(r, "median", path, _NUM), sheets=_get(r, "sheets", path, int),
        spread=_get(r, "spread", path, _NUM), rank_interval=tuple(interval) if interval else None,
        tie=bool(r.get("tie")), tie_rule=r.get("tie_rule"), criteria=dict(_get(r, "criteria", path, dict, {})),
        flags=tuple(_get(r, "flags", path, list, [])))


def _ranking(value: Any, path: str) -> Ranking:
    if not isinstance(value, dict):
        raise ValueError(f"snapshot content: {path.rstrip('.')!r} must be a dict, not {type(value).__name__}")
    agreement = _get(value, "agreement", path, dict, {})
    return Ranking(
        method=value.get("method"),
        ranking=tuple(_row(p, r) for p, r in _items(value, "ranking", path)),
        jurors=tuple(JurorOffset(juror=_id(j, "juror"), offset=j.get("offset"), calibrated=j.get("calibrated"),
                                 entries=j.get("entries"), reason=j.get("reason"), component=j.get("component"))
                     for _p, j in _items(value, "jurors", path)),
        kendall_tau=_get(agreement, "kendall_tau", path + "agreement.", _NUM))


def _decisions(data: Mapping) -> Decisions | None:
    value = _get(data, "decisions", "", dict)
    if value is None:
        return None
    path = "decisions."
    final_order = _get(value, "final_order", path, dict, {})
    for key, order in final_order.items():
        if not isinstance(order, list):
            raise ValueError(f"snapshot content: 'decisions.final_order.{key}' must be a list, "
                             f"not {type(order).__name__}")
    return Decisions(
        shortlist=tuple(_get(value, "shortlist", path, list, [])),
        awards=tuple(Award(entry=_id(a, "entry"), category=a.get("category"), kind=a.get("kind"),
                           place=a.get("place"), justification=a.get("justification"))
                     for _p, a in _items(value, "awards", path)),
        overrides=tuple(Override(entry=_id(o, "entry"), category=o.get("category"),
                                 from_rank=o.get("from_rank"), to_rank=o.get("to_rank"), reason=o.get("reason"),
                                 by=o.get("by"), at=o.get("at"))
                        for _p, o in _items(value, "overrides", path)),
        final_order={key: tuple(order) for key, order in final_order.items()})


def _dicts(data: Mapping, key: str) -> dict[str, dict]:
    value = _get(data, key, "", dict, {})
    for name, item in value.items():
        if not isinstance(item, dict):
            raise ValueError(f"snapshot content: '{key}.{name}' must be a dict, not {type(item).__name__}")
    return value


def parse(content: dict) -> SnapshotContent:
    """The typed view of a snapshot's content; raises ValueError naming the key of a value of the wrong type."""
    if not isinstance(content, dict):
        raise ValueError(f"snapshot content must be a dict, not {type(content).__name__}")
    overall = content.get("overall")
    return SnapshotContent(
        format=content.get("format"),
        edition=_edition(content),
        round=_round(content),
        method=content.get("method"),
        inputs_sha256=content.get("inputs_sha256"),
        frozen_at=content.get("frozen_at"),
        frozen_by=content.get("frozen_by"),
        scale=_scale(content),
        criteria=tuple(Criterion(id=str(c.get("id")), name=c.get("name", ""), weight=c.get("weight"),
                                 percent=c.get("percent")) for _p, c in _items(content, "criteria", "")),
        categories=tuple(Category(id=str(c.get("id")), name=c.get("name", ""))
                         for _p, c in _items(content, "categories", "")),
        entries={key: Entry(number=e.get("number"), title=e.get("title"), company=e.get("company"),
                            company_id=e.get("company_id"), district=e.get("district"), city=e.get("city"),
                            category=e.get("category"), summary=e.get("summary"),
                            publish_summary=bool(e.get("publish_summary")))
                 for key, e in _dicts(content, "entries").items()},
        jurors={key: Juror(name=j.get("name")) for key, j in _dicts(content, "jurors").items()},
        sheets=tuple(Sheet(juror=_id(s, "juror"), entry=_id(s, "entry"),
                           scores=dict(_get(s, "scores", p, dict, {})), comments=dict(_get(s, "comments", p, dict, {})),
                           total=_get(s, "total", p, _NUM), overall_comment=s.get("overall_comment"),
                           feedback=s.get("feedback"), submitted_at=s.get("submitted_at"))
                     for p, s in _items(content, "sheets", "")),
        overall=_ranking(overall, "overall.") if overall is not None else None,
        by_category={key: _ranking(value, f"by_category.{key}.")
                     for key, value in _get(content, "by_category", "", dict, {}).items()},
        decisions=_decisions(content),
        reliability=_get(content, "reliability", "", dict))

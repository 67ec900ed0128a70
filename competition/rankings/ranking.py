"""Ranking of entries from score sheets: methods, tie cascade, flags, bootstrap rank intervals, method agreement.

Pure: plain functions over frozen dataclasses; no Flask, no database; the random seed is a parameter.

* A sheet's **total** is the weighted mean of its criterion scores (weights are scale-free).
* Methods (entry score): ``weighted-mean`` (mean of the totals), ``median`` (median of the totals),
  ``trimmed-mean`` (drop ``n // 5`` totals at each end; needs ≥ 5 sheets, otherwise the weighted mean and the flag
  ``trimmed_fallback``), ``calibrated`` (mean of ``total − juror offset`` over the sheets, the offset only for
  calibrated jurors, see `calibration.py`; clipped to the scale).
* **Tie cascade** when the scores are equal (to 1e-9): unclipped calibrated score → median → average of the
  highest-weighted criterion (the smallest id if several share the top weight) → number of top-scale criterion
  scores → recorded jury decision (``jury_order``: listed entries first, in that order) → entry id (ascending; a
  stable, documented last resort). Higher is better for the numeric rules. Each entry's ``tie_rule`` names the rule
  that placed it below the entry above (``None`` for rank 1).
* **Stability**: each entry's sheets are resampled with replacement (``resamples`` times, seeded), the method's
  score recomputed (calibration offsets held fixed), the entries re-ranked; ``rank_interval`` is the 5th–95th
  percentile of the ranks. With ``prize_line = p`` the entries ranked ≤ p whose interval reaches below p, and the
  entries ranked > p whose interval reaches p or above, are flagged ``tie``.
* **Agreement**: Kendall's tau between the weighted-mean and the calibrated orders.
* Sheets (by entry, juror) and criteria (by id) are sorted first, so input order changes nothing.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .calibration import DEFAULT_MIN_ENTRIES, DEFAULT_MIN_OVERLAP, Calibration, JurorOffset, Observation, calibrate

METHODS = ("weighted-mean", "median", "trimmed-mean", "calibrated")
TIE_RULES = ("score", "calibrated", "median", "top_criterion", "top_scores", "jury_decision", "entry_id")
HIGH_DISAGREEMENT = 0.25  # spread above this share of the scale range
TRIM_MIN_SHEETS = 5
_EPS_DIGITS = 9


@dataclass(frozen=True)
class Scale:
    min: float
    max: float

    @property
    def range(self) -> float:
        return self.max - self.min


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float


@dataclass(frozen=True)
class Sheet:
    juror: str
    entry: str
    scores: Mapping[str, float]


@dataclass(frozen=True)
class EntryResult:
    entry: str
    rank: int
    score: float
    raw_score: float
    median: float
    calibrated_score: float
    sheets: int
    spread: float
    criteria: Mapping[str, float]
    flags: tuple[str, ...]
    tie_rule: str | None
    rank_interval: tuple[int, int] | None = None
    tie: bool = False


@dataclass(frozen=True)
class Ranking:
    method: str
    entries: tuple[EntryResult, ...]
    jurors: tuple[JurorOffset, ...]
    kendall_tau: float | None


def sheet_total(sheet: Sheet, criteria: Sequence[Criterion]) -> float:
    """Weighted mean of the sheet's criterion scores."""
    weight = math.fsum(c.weight for c in criteria)
    return math.fsum(c.weight * sheet.scores[c.id] for c in criteria) / weight


def trimmed_mean(values: Sequence[float]) -> float:
    """Mean after dropping ``len // 5`` values at each end (callers ensure ≥ 5 values)."""
    ordered = sorted(values)
    k = len(ordered) // 5
    return math.fsum(ordered[k : len(ordered) - k]) / (len(ordered) - 2 * k)


def kendall_tau(order_a: Sequence[str], order_b: Sequence[str]) -> float | None:
    """Kendall's tau of two total orders of the same items (O(n log n) by counting inversions)."""
    n = len(order_a)
    if n < 2:
        return None
    pos = {e: i for i, e in enumerate(order_b)}
    seq = [pos[e] for e in order_a]
    tree = [0] * (n + 1)
    inversions = 0
    for seen, value in enumerate(seq):
        i, smaller = value + 1, 0
        while i > 0:
            smaller += tree[i]
            i -= i & -i
        inversions += seen - smaller
        i = value + 1
        while i <= n:
            tree[i] += 1
            i += i & -i
    pairs = n * (n - 1) / 2
    return 1.0 - 2.0 * inversions / pairs


def _score(method: str, totals: list[float], adjusted: list[float], scale: Scale) -> tuple[float, bool]:
    """(score, fell_back) of one entry for a method."""
    if method == "median":
        return statistics.median(totals), False
    if method == "trimmed-mean":
        if len(totals) >= TRIM_MIN_SHEETS:
            return trimmed_mean(totals), False
        return math.fsum(totals) / len(totals), True
    if method == "calibrated":  # mean of the offset-corrected totals, clipped to the scale
        return min(scale.max, max(scale.min, math.fsum(adjusted) / len(adjusted))), False
    return math.fsum(totals) / len(totals), False


def _order(keys: dict[str, tuple], jury_pos: Mapping[str, int]) -> tuple[list[str], dict[str, str | None]]:
    """Sort entries by the cascade; return the order and the deciding rule per entry."""

    def full_key(e: str) -> tuple:
        score, calibrated, median, top_criterion, top_scores = keys[e]
        return (-score, -calibrated, -median, -top_criterion, -top_scores, jury_pos.get(e, math.inf), e)

    order = sorted(keys, key=full_key)
    rules: dict[str, str | None] = {}
    previous: tuple | None = None
    for e in order:
        key = full_key(e)
        if previous is None:
            rules[e] = None
        else:
            rules[e] = next(rule for rule, a, b in zip(TIE_RULES, previous, key, strict=True) if a != b)
        previous = key
    return order, rules


def _bootstrap(
    method: str, order: list[str], values: dict[str, list[float]], scale: Scale, resamples: int, seed: int
) -> dict[str, tuple[int, int]]:
    """5th–95th percentile of each entry's rank over ``resamples`` resamplings of its sheets (vectorised)."""
    rng = np.random.default_rng(seed)
    n_entries = len(order)
    scores = np.empty((resamples, n_entries))
    by_size: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(order):
        by_size[len(values[e])].append(i)
    for size in sorted(by_size):
        cols = np.array(by_size[size])
        data = np.array([values[order[i]] for i in cols]).ravel()  # entries × size, flat
        pick = rng.integers(0, size, size=(resamples, len(cols), size))
        drawn = data[pick + (np.arange(len(cols)) * size)[None, :, None]]
        if method == "median":
            stat = np.median(drawn, axis=2)
        elif method == "trimmed-mean" and size >= TRIM_MIN_SHEETS:
            k = size // 5
            stat = np.sort(drawn, axis=2)[:, :, k : size - k].mean(axis=2)
        else:
            stat = drawn.mean(axis=2)
        if method == "calibrated":
            stat = np.clip(stat, scale.min, scale.max)
        scores[:, cols] = stat
    # Rank within each resample: higher score first, ties kept in the point-estimate order (stable sort).
    ranks = np.empty_like(scores, dtype=np.int64)
    sorted_idx = np.argsort(-scores, axis=1, kind="stable")
    np.put_along_axis(ranks, sorted_idx, np.arange(1, n_entries + 1)[None, :].repeat(resamples, axis=0), axis=1)
    k_lo, k_hi = math.floor(0.05 * (resamples - 1)), math.ceil(0.95 * (resamples - 1))
    parted = np.partition(ranks, (k_lo, k_hi), axis=0)  # = np.percentile(…, method="lower" / "higher")
    lo, hi = parted[k_lo], parted[k_hi]
    return {e: (int(lo[i]), int(hi[i])) for i, e in enumerate(order)}


def rank_entries(
    sheets: Sequence[Sheet],
    criteria: Sequence[Criterion],
    scale: Scale,
    *,
    method: str = "weighted-mean",
    expected_sheets: int | None = None,
    jury_order: Sequence[str] = (),
    prize_line: int | None = None,
    resamples: int = 200,
    seed: int = 0,
    min_entries: int = DEFAULT_MIN_ENTRIES,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
    agreement: bool = True,
) -> Ranking:
    """Rank the entries of ``sheets`` by ``method``; see the module docstring. Inputs are assumed validated."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if not sheets:
        return Ranking(method=method, entries=(), jurors=(), kendall_tau=None)
    ordered = sorted(sheets, key=lambda s: (s.entry, s.juror))
    n = len(ordered)
    crit = sorted(criteria, key=lambda c: c.id)
    weights = np.array([c.weight for c in crit], dtype=float)
    matrix = np.array([[s.scores[c.id] for c in crit] for s in ordered], dtype=float).reshape(n, len(crit))
    totals_arr = matrix @ (weights / weights.sum())
    totals = totals_arr.tolist()
    observations = [Observation(s.juror, s.entry, t) for s, t in zip(ordered, totals, strict=True)]
    calibration: Calibration = calibrate(observations, min_entries=min_entries, min_overlap=min_overlap)
    offsets = calibration.offsets()
    # Entries are contiguous runs of the sorted sheets: per-entry sums by reduceat.
    entries = [s.entry for s in ordered]
    starts_list = [i for i in range(n) if i == 0 or entries[i] != entries[i - 1]]
    starts = np.array(starts_list, dtype=np.int64)
    counts = np.diff(np.append(starts, n))
    adjusted_arr = totals_arr - np.array([offsets.get(s.juror, 0.0) for s in ordered])
    uncalibrated = np.add.reduceat(np.array([s.juror not in offsets for s in ordered], dtype=np.int64), starts)
    raw_mean = (np.add.reduceat(totals_arr, starts) / counts).tolist()
    cal_mean = (np.add.reduceat(adjusted_arr, starts) / counts).tolist()
    spreads = (np.maximum.reduceat(totals_arr, starts) - np.minimum.reduceat(totals_arr, starts)).tolist()
    crit_avg = (np.add.reduceat(matrix, starts, axis=0) / counts[:, None]).tolist()
    top_counts = np.add.reduceat((matrix >= scale.max).sum(axis=1), starts).tolist()
    top = crit.index(min(crit, key=lambda c: (-c.weight, c.id)))  # highest weight, smallest id among equals
    adjusted_list = adjusted_arr.tolist()
    raw: dict[str, list[float]] = {}
    adjusted: dict[str, list[float]] = {}
    keys: dict[str, tuple] = {}
    cal_keys: dict[str, tuple] = {}
    details: dict[str, dict] = {}
    for g, begin in enumerate(starts_list):
        e = entries[begin]
        stop = begin + int(counts[g])
        ts, adj = totals[begin:stop], adjusted_list[begin:stop]
        raw[e], adjusted[e] = ts, adj
        score, fell_back = _score(method, ts, adj, scale)
        calibrated, median = cal_mean[g], statistics.median(ts)
        keys[e] = (round(score, _EPS_DIGITS), round(calibrated, _EPS_DIGITS), round(median, _EPS_DIGITS),
                   round(crit_avg[g][top], _EPS_DIGITS), top_counts[g])
        cal_keys[e] = (round(min(scale.max, max(scale.min, calibrated)), _EPS_DIGITS), *keys[e][1:])
        flags = []
        if spreads[g] > HIGH_DISAGREEMENT * scale.range:
            flags.append("high_disagreement")
        if expected_sheets is not None and len(ts) < expected_sheets:
            flags.append("missing_sheets")
        if len(ts) == 1:  # no spread, no interval worth the name: say so rather than look certain
            flags.append("single_sheet")
        if method == "calibrated" and uncalibrated[g]:
            flags.append("juror_not_calibrated")
        if fell_back:
            flags.append("trimmed_fallback")
        details[e] = {
            "score": score, "raw_score": raw_mean[g], "median": median, "calibrated_score": calibrated,
            "sheets": len(ts), "spread": spreads[g], "flags": tuple(flags),
            "criteria": {c.id: crit_avg[g][i] for i, c in enumerate(crit)},
        }
    jury_pos = {e: i for i, e in enumerate(jury_order)}
    order, rules = _order(keys, jury_pos)
    tau = None
    if agreement:
        mean_keys = {e: (round(details[e]["raw_score"], _EPS_DIGITS), *keys[e][1:]) for e in keys}
        tau = kendall_tau(_order(mean_keys, jury_pos)[0], _order(cal_keys, jury_pos)[0])
    intervals: dict[str, tuple[int, int]] = {}
    if resamples > 0 and order:
        values = adjusted if method == "calibrated" else raw
        intervals = _bootstrap(method, order, values, scale, resamples, seed)
    results = []
    for position, e in enumerate(order, start=1):
        interval = intervals.get(e)
        tie = False
        if prize_line is not None and interval is not None:
            tie = interval[1] > prize_line if position <= prize_line else interval[0] <= prize_line
        results.append(EntryResult(entry=e, rank=position, tie_rule=rules[e], rank_interval=interval, tie=tie,
                                   **details[e]))
    return Ranking(method=method, entries=tuple(results), jurors=calibration.jurors, kendall_tau=tau)


def ranking_to_json(ranking: Ranking) -> dict:
    """The JSON contract of `flask rankings rank --json` (also the content of a frozen snapshot)."""
    return {
        "method": ranking.method,
        "ranking": [
            {
                "entry": r.entry, "rank": r.rank, "score": r.score, "raw_score": r.raw_score, "sheets": r.sheets,
                "spread": r.spread, "rank_interval": list(r.rank_interval) if r.rank_interval else None,
                "tie": r.tie, "tie_rule": r.tie_rule, "median": r.median, "calibrated_score": r.calibrated_score,
                "criteria": dict(r.criteria), "flags": list(r.flags),
            }
            for r in ranking.entries
        ],
        "jurors": [
            {"juror": j.juror, "offset": j.offset, "calibrated": j.calibrated, "entries": j.entries,
             "reason": j.reason, "component": j.component}
            for j in ranking.jurors
        ],
        "agreement": {"kendall_tau": ranking.kendall_tau},
    }

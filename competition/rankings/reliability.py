"""How sure is the jury? The reliability of a ranking, the stability of its line, and where one more sheet helps most.

Pure: plain functions over frozen dataclasses; no Flask, no database; the random seed is a parameter.

**Reliability** (see `variance_components.py` for the model and the estimates): the reliability of one juror's
score and of the panel's combined score for the method in use, with a 90 % parametric-bootstrap interval, or
``status="insufficient"`` with a reason when the sheets cannot carry an estimate.

**Where each entry truly stands.** Each entry's score ``s_i`` (the method's score) has the error variance ``err_i``
of the error model. Its true quality ``θ_i`` gets the empirical-Bayes posterior ``N(m_i, v_i)`` with the prior
``N(mean score, σ²_a)``: ``m_i = μ + w_i·(s_i − μ)``, ``v_i = w_i·err_i``, ``w_i = σ²_a / (σ²_a + err_i)``. ``draws``
joint draws of θ (seeded) give, for the line after place ``K``:

* each entry's probability of being on the wrong side of the line (above it while truly not among the best K, or
  below it while truly among them);
* the probability that the line is drawn exactly right (the computed best K are the true best K);
  ``line_stable`` when that is at least ``STABLE`` (90 %);
* the probability that the order of the first ``min(K, 3)`` places is exactly right (“gut gesichert” from 90 %);
* for neighbouring places up to the line, ``P(θ_p > θ_p+1)``; below ``DISTINGUISHABLE`` (95 %) the two places are
  “statistisch nicht zu unterscheiden”.

**Extra reviews: how we choose.** The quantity to reduce is the expected number of entries on the wrong side of the
line (the sum of the entries' wrong-side probabilities; it is zero exactly when the line is drawn right). For every
entry with some chance of being on the wrong side we simulate one more sheet, in the same draws (common random
numbers, so the entries are compared on the same simulated truths): the new sheet is its true quality plus the noise
of a typical juror under the method (``σ²_e``, plus ``σ²_b`` where leniency is not calibrated away); the entry's
score becomes the mean over ``n_i + 1`` sheets; if it crosses the score of its nearest competitor on the other side
of the line, the two swap sides. The expected reduction of the wrong-side count is the entry's **gain**. It is
large where an entry is close to the line (a real chance of being on the wrong side) *and* one sheet moves its
score a lot (few sheets, a noisy jury), and it is negative where one more noisy sheet would more likely push a
well-placed entry across. The recommendation is the entries with the largest positive gain, at most ``budget`` of
them, one sheet each (the gains are myopic: each assumes it is the only extra sheet); without a budget, as many as
there are entries in doubt (wrong-side probability ≥ 5 %), at most 10. Without a usable
estimate (too few sheets, or no measurable difference between the entries) the entries nearest the line come first,
those with fewer sheets before others. Checked by simulation (`tests/rankings/test_reliability.py`: 700 juries of 30
entries with 2 sheets each, line after place 3, 5 extra sheets): the true best three are recovered exactly in 36 %
of the juries with the recommendation, 30 % with random entries or with those of the largest spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import variance_components as vc
from .calibration import DEFAULT_MIN_ENTRIES, DEFAULT_MIN_OVERLAP, Observation
from .ranking import Criterion, Ranking, Scale, Sheet, rank_entries, sheet_total

DRAWS = 2000
RESAMPLES = 200
STABLE = 0.90  # the line / the order counts as secure from this probability on
DISTINGUISHABLE = 0.95  # neighbouring places are told apart from this probability on
DOUBT = 0.05  # an entry is "in doubt" from this wrong-side probability on
DEFAULT_BUDGET_MAX = 10
ORDER_PLACES = 3
CANDIDATES_SHOWN = 25


@dataclass(frozen=True)
class Statement:
    """One plain sentence about the ranking (the words are in `reliability_labels.py`).

    kinds: ``line_stable`` (places=(K,)), ``line_unstable`` (places=(K, first, last): places in doubt),
    ``order_secure`` / ``order_unsure`` (places=(k,)), ``indistinguishable`` (places=(first, last)),
    ``all_above_line`` (places=(K,)), ``insufficient`` (reason in ``detail``), ``no_differences``."""

    kind: str
    places: tuple[int, ...] = ()
    probability: float | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Candidate:
    entry: str
    rank: int
    sheets: int
    wrong_side: float  # probability of being on the wrong side of the line now
    gain: float  # expected reduction of the number of entries on the wrong side from one more sheet


@dataclass(frozen=True)
class Reliability:
    method: str
    status: str  # "ok" or "insufficient"
    reason: str | None  # why insufficient: "few_entries", "few_sheets"
    entries: int
    sheets: int
    jurors: int
    sheets_per_entry: float  # harmonic mean
    components: vc.Components | None = None
    single_rater: float | None = None
    panel: float | None = None
    single_rater_interval: tuple[float, float] | None = None
    panel_interval: tuple[float, float] | None = None
    line: int | None = None
    line_stable: bool | None = None
    line_probability: float | None = None  # probability that the best `line` are exactly the true best
    expected_wrong: float | None = None  # expected number of entries on the wrong side of the line
    recommendations: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()  # by gain, best first (the recommendation is their head)
    wrong_side: dict[str, float] = field(default_factory=dict, hash=False)  # entries with a noticeable probability
    statements: tuple[Statement, ...] = ()


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, dtype=float) / math.sqrt(2.0)))


@dataclass(frozen=True)
class _Entries:
    order: list[str]  # by rank
    scores: np.ndarray  # method's score, by rank
    sheets: np.ndarray  # by rank


def _fallback(entries: _Entries, line: int, budget: int) -> list[str]:
    """Nearest to the line first (K, K+1, K−1, K+2, …), fewer sheets before more at equal distance."""
    ranks = np.arange(1, len(entries.order) + 1)
    distance = np.abs(ranks - (line + 0.5))
    keys = sorted(range(len(entries.order)), key=lambda i: (distance[i], entries.sheets[i], ranks[i]))
    return [entries.order[i] for i in keys[:budget]]


def _line_analysis(entries: _Entries, mean: np.ndarray, var: np.ndarray, noise: float, line: int, draws: int,
                   rng: np.random.Generator) -> dict:
    n = len(entries.order)
    theta = mean[None, :] + np.sqrt(var)[None, :] * rng.standard_normal((draws, n))
    top = np.argpartition(-theta, line - 1, axis=1)[:, :line]
    truth = np.zeros((draws, n), dtype=bool)
    np.put_along_axis(truth, top, True, axis=1)
    side = np.arange(n) < line  # computed: the first `line` places are above the line
    wrong = truth != side[None, :]
    wrong_count = wrong.sum(axis=1)
    p_wrong = wrong.mean(axis=0)
    expected_wrong = float(wrong_count.mean())
    line_probability = float((wrong_count == 0).mean())
    extra = rng.standard_normal(draws) * math.sqrt(noise)  # the new sheet's noise, shared by all candidates
    gains = np.zeros(n)
    for i in np.flatnonzero(p_wrong > 0).tolist():
        j = line if i < line else line - 1  # the nearest competitor on the other side of the line
        k = entries.sheets[i]
        new_score = (k * entries.scores[i] + theta[:, i] + extra) / (k + 1)
        swap = new_score < entries.scores[j] if i < line else new_score > entries.scores[j]
        # Swapping flips the side of i and j: a wrong one becomes right (−1), a right one wrong (+1).
        change = (1 - 2 * wrong[:, i].astype(np.int64)) + (1 - 2 * wrong[:, j].astype(np.int64))
        gains[i] = -float((swap * change).mean())
    k = min(line, ORDER_PLACES, n)
    ordered = theta[:, :k]
    order_ok = np.all(np.diff(ordered, axis=1) < 0, axis=1)
    if k < n:
        order_ok &= ordered[:, -1] > theta[:, k:].max(axis=1)
    return {"p_wrong": p_wrong, "expected_wrong": expected_wrong, "line_probability": line_probability,
            "gains": gains, "order_places": k, "order_probability": float(order_ok.mean())}


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Maximal runs of True in ``flags[p]`` (pair of places p+1 and p+2) as (first place, last place)."""
    runs, start = [], None
    for p, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = p
        elif not flag and start is not None:
            runs.append((start + 1, p + 1))
            start = None
    return runs


def _statements(analysis: dict, mean: np.ndarray, var: np.ndarray, line: int, n: int) -> list[Statement]:
    out = []
    in_doubt = [p + 1 for p in np.flatnonzero(analysis["p_wrong"] >= DOUBT).tolist()]
    if analysis["line_probability"] >= STABLE:
        out.append(Statement("line_stable", (line,), round(analysis["line_probability"], 4)))
    else:
        first, last = min([line, *in_doubt]), max([line + 1, *in_doubt])  # the places in doubt, across the line
        out.append(Statement("line_unstable", (line, first, last), round(1 - analysis["line_probability"], 4)))
    k = analysis["order_places"]
    if k >= 2:
        kind = "order_secure" if analysis["order_probability"] >= STABLE else "order_unsure"
        out.append(Statement(kind, (k,), round(analysis["order_probability"], 4)))
    last_pair = min(line + 1, n) - 1  # neighbours up to the first place below the line
    sd = np.sqrt(var[:-1] + var[1:])
    z = np.divide(mean[:-1] - mean[1:], sd, out=np.zeros(n - 1), where=sd > 0)
    apart = _phi(z) >= DISTINGUISHABLE
    for first, last in _runs([not bool(apart[p]) for p in range(last_pair)]):
        out.append(Statement("indistinguishable", (first, last)))
    return out


def default_budget(candidates: Sequence[Candidate]) -> int:
    """As many extra sheets as entries in doubt (wrong-side probability ≥ 5 %, one more sheet helps), at most 10."""
    return min(DEFAULT_BUDGET_MAX, sum(1 for c in candidates if c.wrong_side >= DOUBT))


def assess_totals(observations: Sequence[Observation], ranking: Ranking, *, line: int | None = None,
                  budget: int | None = None, seed: int = 0, draws: int = DRAWS,
                  resamples: int = RESAMPLES) -> Reliability:
    """The reliability of ``ranking`` (made from these observations: one weighted total per sheet)."""
    d = vc.design(observations)
    by_rank = [r for r in ranking.entries]
    entries = _Entries([r.entry for r in by_rank], np.array([r.score for r in by_rank], dtype=float),
                       np.array([r.sheets for r in by_rank], dtype=np.int64))
    n = len(entries.order)
    base = dict(method=ranking.method, entries=n, sheets=d.n, jurors=len(d.jurors),
                sheets_per_entry=round(d.harmonic_sheets, 4), line=line)
    if line is not None and line < 1:
        raise ValueError("line must be at least 1")
    trivial_line = line is not None and line >= n
    reason = vc.sufficient(d)
    if reason is not None:
        statements = [Statement("insufficient", detail=reason)]
        if line is None or trivial_line:
            if trivial_line:
                statements.append(Statement("all_above_line", (line,)))
            return Reliability(status="insufficient", reason=reason, line_stable=True if trivial_line else None,
                               statements=tuple(statements), **base)
        chosen = _fallback(entries, line, 2 if budget is None else budget)
        return Reliability(status="insufficient", reason=reason, line_stable=False, recommendations=tuple(chosen),
                           statements=tuple(statements), **base)
    components = vc.estimate(d)
    model = vc.error_model(d, ranking.method, ranking.jurors)
    intervals = vc.bootstrap(d, model, components, resamples=resamples, seed=seed)
    result = dict(status="ok", reason=None, components=components, single_rater=model.single_rater(components),
                  panel=model.panel(components),
                  single_rater_interval=intervals[0] if intervals else None,
                  panel_interval=intervals[1] if intervals else None, **base)
    if line is None:
        return Reliability(**result)
    if trivial_line:
        return Reliability(**result, line_stable=True, line_probability=1.0, expected_wrong=0.0,
                           statements=(Statement("all_above_line", (line,)),))
    position = {e: i for i, e in enumerate(d.entries)}
    err = model.errors(components)[[position[e] for e in entries.order]]
    if components.entry <= 1e-12:  # no measurable difference between the entries: nothing to learn from the data
        chosen = _fallback(entries, line, 2 if budget is None else budget)
        return Reliability(**result, line_stable=False, recommendations=tuple(chosen),
                           statements=(Statement("no_differences"),))
    prior = float(entries.scores.mean())
    weight = components.entry / (components.entry + err)
    mean = prior + weight * (entries.scores - prior)
    var = weight * err
    rng = np.random.default_rng(seed)
    analysis = _line_analysis(entries, mean, var, model.new_sheet_noise(components), line, draws, rng)
    p_wrong, gains = analysis["p_wrong"], analysis["gains"]
    ranked = sorted((i for i in range(n) if gains[i] > 0),  # one more sheet helps (a negative gain would harm)
                    key=lambda i: (-round(float(gains[i]), 6), -p_wrong[i], abs(i + 0.5 - line), entries.order[i]))
    candidates = tuple(Candidate(entries.order[i], i + 1, int(entries.sheets[i]), round(float(p_wrong[i]), 4),
                                 round(float(gains[i]), 4)) for i in ranked)
    chosen = candidates[:default_budget(candidates) if budget is None else budget]
    return Reliability(
        **result, line_stable=analysis["line_probability"] >= STABLE,
        line_probability=round(analysis["line_probability"], 4), expected_wrong=round(analysis["expected_wrong"], 4),
        recommendations=tuple(c.entry for c in chosen), candidates=candidates[:CANDIDATES_SHOWN],
        wrong_side={entries.order[i]: round(float(p), 4) for i, p in enumerate(p_wrong.tolist()) if p >= 0.01},
        statements=tuple(_statements(analysis, mean, var, line, n)),
    )


def assess(sheets: Sequence[Sheet], criteria: Sequence[Criterion], scale: Scale, *, method: str = "calibrated",
           line: int | None = None, budget: int | None = None, seed: int = 0, draws: int = DRAWS,
           resamples: int = RESAMPLES, min_entries: int = DEFAULT_MIN_ENTRIES,
           min_overlap: int = DEFAULT_MIN_OVERLAP) -> Reliability:
    """Rank the sheets with ``method`` (as `rank_entries` does) and assess that ranking; see the module docstring."""
    ranking = rank_entries(sheets, criteria, scale, method=method, resamples=0, agreement=False,
                           min_entries=min_entries, min_overlap=min_overlap)
    observations = [Observation(s.juror, s.entry, sheet_total(s, criteria)) for s in sheets]
    return assess_totals(observations, ranking, line=line, budget=budget, seed=seed, draws=draws,
                         resamples=resamples)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def reliability_to_json(r: Reliability) -> dict:
    """The JSON of `flask rankings reliability --json` (also what a frozen snapshot stores per category)."""
    return {
        "method": r.method, "status": r.status, "reason": r.reason, "entries": r.entries, "sheets": r.sheets,
        "jurors": r.jurors, "sheets_per_entry": r.sheets_per_entry,
        "components": None if r.components is None else {
            "entry": _r(r.components.entry), "juror": _r(r.components.juror),
            "residual": _r(r.components.residual)},
        "single_rater": _r(r.single_rater), "panel": _r(r.panel),
        "single_rater_interval": [_r(v) for v in r.single_rater_interval] if r.single_rater_interval else None,
        "panel_interval": [_r(v) for v in r.panel_interval] if r.panel_interval else None,
        "line": r.line, "line_stable": r.line_stable, "line_probability": r.line_probability,
        "expected_wrong": r.expected_wrong, "recommendations": list(r.recommendations),
        "candidates": [{"entry": c.entry, "rank": c.rank, "sheets": c.sheets, "wrong_side": c.wrong_side,
                        "gain": c.gain} for c in r.candidates],
        "wrong_side": dict(r.wrong_side),
        "statements": [{"kind": s.kind, "places": list(s.places), "probability": s.probability, "detail": s.detail}
                       for s in r.statements],
    }


def _pair(value) -> tuple[float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]))


def reliability_from_json(data: dict) -> Reliability:
    """The one reader of `reliability_to_json` (e.g. from a frozen snapshot)."""
    components = data.get("components")
    return Reliability(
        method=data["method"], status=data["status"], reason=data.get("reason"), entries=data["entries"],
        sheets=data["sheets"], jurors=data["jurors"], sheets_per_entry=data["sheets_per_entry"],
        components=None if components is None else vc.Components(components["entry"], components["juror"],
                                                                 components["residual"]),
        single_rater=data.get("single_rater"), panel=data.get("panel"),
        single_rater_interval=_pair(data.get("single_rater_interval")),
        panel_interval=_pair(data.get("panel_interval")), line=data.get("line"),
        line_stable=data.get("line_stable"), line_probability=data.get("line_probability"),
        expected_wrong=data.get("expected_wrong"), recommendations=tuple(data.get("recommendations") or ()),
        candidates=tuple(Candidate(c["entry"], c["rank"], c["sheets"], c["wrong_side"], c["gain"])
                         for c in data.get("candidates") or ()),
        wrong_side=dict(data.get("wrong_side") or {}),
        statements=tuple(Statement(s["kind"], tuple(s.get("places") or ()), s.get("probability"), s.get("detail"))
                         for s in data.get("statements") or ()),
    )

"""How much of the spread of a jury's totals is the entries, the jurors and noise: variance components of the crossed,
unbalanced design, and the reliability of one juror and of the panel that follows from them.

Pure: numpy only; no Flask, no database; the random seed is a parameter.

**Model.** One observation per sheet: its weighted total ``y_ij = μ + a_i + b_j + e_ij`` with entry quality
``a ~ (0, σ²_a)``, juror leniency ``b ~ (0, σ²_b)`` and noise ``e ~ (0, σ²_e)``, independent. Each juror scores only
some entries, so the design is crossed, incomplete and unbalanced (a handful of sheets per entry).

**Estimation: Henderson's method III** (fitting constants, method of moments), in its symmetric form. With ``N``
sheets, ``n_a`` entries and ``n_b`` jurors, fit the additive model (entry means, then the juror effects that the
calibration also fits: the juror Laplacian ``L = Z_bᵀ M_a Z_b`` of the assignment graph, rank ``r_L``):

* ``SSE = Σy² − R(μ,a,b)``, ``E[SSE] = (N − n_a − r_L)·σ²_e``;
* ``R(b | μ,a) = rhsᵀ L⁺ rhs`` (``rhs``: each juror's sum of deviations from the entry means),
  ``E = r_L·σ²_e + (N − n_a)·σ²_b``;
* ``R(a | μ,b) = R(μ,a,b) − R(μ,b)``, ``E = (n_a + r_L − n_b)·σ²_e + (N − n_b)·σ²_a``.

Solving the three equations gives unbiased estimates whatever the design; they need no iteration and cost one small
eigen-decomposition of ``L`` (one row per juror), so a parametric bootstrap over hundreds of replicates takes
milliseconds. (REML would be somewhat more efficient but needs an N×N covariance per iteration.) With few sheets per
entry the estimates are noisy rather than biased; the regularisation is the usual one: a negative estimate is set
to zero (“no detectable juror effect”), and below ``MIN_ENTRIES`` entries or ``MIN_RESIDUAL_DF`` residual degrees
of freedom (e.g. every entry scored once, or every juror scoring one entry) the answer is “not enough data” instead
of a number.

**Error of an entry's score, per method.** Without calibration a juror's leniency is part of the error:
``err_i = f·(σ²_b + σ²_e)/n_i`` (``f``: the small-sample efficiency of the median or the trimmed mean relative to the
mean under normal errors, 1 for the mean). With calibration the leniency of calibrated jurors is removed, at the
price of estimating it: ``err_i = (u_i·σ²_b + n_i·σ²_e)/n_i² + σ²_e·q_i``, where ``u_i`` counts the entry's sheets
by jurors who are not calibrated and ``q_i = x_iᵀ L_c⁺ x_i / n_i²`` is the variance of the entry's summed offsets
(``L_c``: the Laplacian of the calibrated component, ``x_i``: its jurors on entry i; the offsets' covariance is
``σ²_e·L_c⁺``).

**Reliability.** One juror: ``σ²_a / (σ²_a + σ²_e + (1 − π)·σ²_b)``, where ``π`` is the share of sheets whose juror
leniency the method removes (1 with every juror calibrated: the consistency form of the ICC; 0 for the other
methods: the agreement form). The panel: ``σ²_a / (σ²_a + mean_i err_i)``; for the mean this is exactly the
Spearman–Brown formula with the harmonic mean of the sheets per entry. The interval is a parametric bootstrap: the
fitted model is simulated on the same design ``resamples`` times, re-estimated, and the 5th–95th percentiles of the
two reliabilities are reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .calibration import JurorOffset, Observation

MIN_ENTRIES = 5
MIN_RESIDUAL_DF = 8
# Variance of the median (and of the 20 % trimmed mean) of n normal scores relative to their mean.
MEDIAN_FACTOR = {1: 1.0, 2: 1.0, 3: 1.346, 4: 1.193, 5: 1.434, 6: 1.287, 7: 1.474}
TRIMMED_FACTOR = 1.1  # ≥ 5 sheets (below, the trimmed mean falls back to the mean)
TRIM_MIN_SHEETS = 5


@dataclass(frozen=True)
class Components:
    entry: float  # σ²_a: true differences between entries
    juror: float  # σ²_b: leniency and strictness of jurors
    residual: float  # σ²_e: everything else (noise, juror × entry interaction)


@dataclass(frozen=True)
class Design:
    """The sheets as index arrays, sorted by (entry, juror), with the juror Laplacian's pseudo-inverse."""

    entries: tuple[str, ...]
    jurors: tuple[str, ...]
    entry_idx: np.ndarray  # per sheet
    juror_idx: np.ndarray
    y: np.ndarray
    starts: np.ndarray  # first sheet of each entry
    sheets: np.ndarray  # per entry
    lap_pinv: np.ndarray
    lap_rank: int

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def residual_df(self) -> int:
        return self.n - len(self.entries) - self.lap_rank

    @property
    def harmonic_sheets(self) -> float:
        return len(self.entries) / float(np.sum(1.0 / self.sheets)) if len(self.entries) else 0.0


def _laplacian(entry_idx: np.ndarray, juror_idx: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
               n_jurors: int) -> np.ndarray:
    lap = np.diag(np.bincount(juror_idx, minlength=n_jurors).astype(float))
    for size in np.unique(sizes).tolist():  # −1/size for every ordered pair of sheets of one entry
        members = juror_idx[starts[sizes == size][:, None] + np.arange(size)]
        rows = np.repeat(members, size, axis=1).ravel()
        cols = np.tile(members, (1, size)).ravel()
        np.add.at(lap, (rows, cols), -1.0 / size)
    return lap


def _pinv(matrix: np.ndarray) -> tuple[np.ndarray, int]:
    """Pseudo-inverse and rank of a symmetric positive semi-definite matrix."""
    if matrix.size == 0:
        return matrix.copy(), 0
    values, vectors = np.linalg.eigh(matrix)
    keep = values > 1e-9 * max(1.0, float(values.max(initial=0.0)))
    inverse = (vectors[:, keep] / values[keep]) @ vectors[:, keep].T
    return inverse, int(keep.sum())


def design(observations: Sequence[Observation]) -> Design:
    """Index the observations (sorted by entry, then juror, so input order changes nothing)."""
    ordered = sorted(observations, key=lambda o: (o.entry, o.juror))
    entries = tuple(sorted({o.entry for o in ordered}))
    jurors = tuple(sorted({o.juror for o in ordered}))
    e_pos = {e: i for i, e in enumerate(entries)}
    j_pos = {j: i for i, j in enumerate(jurors)}
    entry_idx = np.array([e_pos[o.entry] for o in ordered], dtype=np.int64)
    juror_idx = np.array([j_pos[o.juror] for o in ordered], dtype=np.int64)
    y = np.array([o.total for o in ordered], dtype=float)
    starts = np.flatnonzero(np.r_[True, entry_idx[1:] != entry_idx[:-1]]) if y.size else np.zeros(0, np.int64)
    sizes = np.diff(np.append(starts, y.size))
    pinv, rank = _pinv(_laplacian(entry_idx, juror_idx, starts, sizes, len(jurors)))
    return Design(entries, jurors, entry_idx, juror_idx, y, starts, sizes, pinv, rank)


def estimate_many(d: Design, ys: np.ndarray) -> np.ndarray:
    """Method-III estimates for each column of ``ys`` (sheets × replicates): rows σ²_a, σ²_b, σ²_e (≥ 0)."""
    n, n_a, n_b = d.n, len(d.entries), len(d.jurors)
    entry_sums = np.add.reduceat(ys, d.starts, axis=0)
    r_a = (entry_sums**2 / d.sheets[:, None]).sum(axis=0)
    deviations = ys - (entry_sums / d.sheets[:, None])[d.entry_idx]
    one_hot = np.zeros((n, n_b))
    one_hot[np.arange(n), d.juror_idx] = 1.0
    rhs = one_hot.T @ deviations
    r_b_given_a = np.einsum("jr,jr->r", rhs, d.lap_pinv @ rhs)
    juror_sums = one_hot.T @ ys
    r_b = (juror_sums**2 / np.bincount(d.juror_idx, minlength=n_b)[:, None]).sum(axis=0)
    sse = (ys**2).sum(axis=0) - r_a - r_b_given_a
    residual = np.maximum(sse / d.residual_df, 0.0)
    juror = (r_b_given_a - d.lap_rank * residual) / (n - n_a) if n > n_a else np.zeros_like(residual)
    r_a_given_b = r_a + r_b_given_a - r_b
    entry = (r_a_given_b - (n_a + d.lap_rank - n_b) * residual) / (n - n_b) if n > n_b else np.zeros_like(residual)
    return np.vstack([np.maximum(entry, 0.0), np.maximum(juror, 0.0), residual])


def estimate(d: Design) -> Components:
    entry, juror, residual = estimate_many(d, d.y[:, None])[:, 0].tolist()
    return Components(entry, juror, residual)


def sufficient(d: Design) -> str | None:
    """None when the components can be estimated, else the reason: ``few_entries`` or ``few_sheets``."""
    if len(d.entries) < MIN_ENTRIES:
        return "few_entries"
    if d.residual_df < MIN_RESIDUAL_DF or d.n <= len(d.jurors):
        return "few_sheets"
    return None


@dataclass(frozen=True)
class ErrorModel:
    """Per entry, ``err_i = juror_coef[i]·σ²_b + residual_coef[i]·σ²_e`` (the error variance of its score), and the
    coefficients of one more sheet's noise and of one juror's error."""

    juror_coef: np.ndarray
    residual_coef: np.ndarray
    removed_share: float  # π: share of sheets whose juror leniency the method removes
    factor: np.ndarray  # efficiency factor of the method per entry (1 for means)

    def errors(self, c: Components) -> np.ndarray:
        return self.juror_coef * c.juror + self.residual_coef * c.residual

    def single_rater(self, c: Components) -> float:
        return _ratio(c.entry, c.entry + c.residual + (1.0 - self.removed_share) * c.juror)

    def panel(self, c: Components) -> float:
        return _ratio(c.entry, c.entry + float(self.errors(c).mean()))

    def new_sheet_noise(self, c: Components) -> float:
        """Variance of one more sheet around the entry's true quality (the new juror as the typical juror)."""
        return c.residual + (1.0 - self.removed_share) * c.juror


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def _factor(method: str, sizes: np.ndarray) -> np.ndarray:
    if method == "median":
        return np.array([MEDIAN_FACTOR.get(int(s), math.pi / 2) for s in sizes])
    if method == "trimmed-mean":
        return np.where(sizes >= TRIM_MIN_SHEETS, TRIMMED_FACTOR, 1.0)
    return np.ones(sizes.size)


def error_model(d: Design, method: str, jurors: Sequence[JurorOffset] = ()) -> ErrorModel:
    """The error coefficients of the entries' scores for ``method``; ``jurors``: the calibration's result."""
    sizes = d.sheets.astype(float)
    factor = _factor(method, d.sheets)
    if method != "calibrated":
        return ErrorModel(factor / sizes, factor / sizes, 0.0, factor)
    calibrated = {j.juror: j.component for j in jurors if j.calibrated}
    cal_sheet = np.array([d.jurors[j] in calibrated for j in d.juror_idx.tolist()], dtype=bool)
    uncalibrated = np.bincount(d.entry_idx[~cal_sheet], minlength=len(d.entries)).astype(float)
    q = np.zeros(len(d.entries))
    for component in sorted({c for c in calibrated.values() if c is not None}):
        members = [i for i, j in enumerate(d.jurors) if calibrated.get(j) == component]
        mask = np.isin(d.juror_idx, members)
        e_idx, j_idx = d.entry_idx[mask], d.juror_idx[mask]
        local = {j: k for k, j in enumerate(members)}
        j_local = np.array([local[j] for j in j_idx.tolist()], dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, e_idx[1:] != e_idx[:-1]])
        sizes_c = np.diff(np.append(starts, e_idx.size))
        pinv, _rank = _pinv(_laplacian(e_idx, j_local, starts, sizes_c, len(members)))
        # x_iᵀ L⁺ x_i for each entry: sum of the block of L⁺ over the entry's jurors in this component.
        for start, size in zip(starts.tolist(), sizes_c.tolist(), strict=True):
            block = j_local[start:start + size]
            q[e_idx[start]] += float(pinv[np.ix_(block, block)].sum())
    q /= sizes**2
    return ErrorModel(uncalibrated / sizes**2, 1.0 / sizes + q, float(cal_sheet.mean()) if cal_sheet.size else 0.0,
                      factor)


def bootstrap(d: Design, model: ErrorModel, c: Components, *, resamples: int, seed: int
              ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """5th–95th percentile intervals of (single rater, panel) from a parametric bootstrap on the same design."""
    if resamples <= 0:
        return None
    rng = np.random.default_rng(seed)
    ys = (rng.normal(0.0, math.sqrt(c.entry), (len(d.entries), resamples))[d.entry_idx]
          + rng.normal(0.0, math.sqrt(c.juror), (len(d.jurors), resamples))[d.juror_idx]
          + rng.normal(0.0, math.sqrt(c.residual), (d.n, resamples)))
    entry, juror, residual = estimate_many(d, ys)
    leftover = 1.0 - model.removed_share
    single = np.divide(entry, entry + residual + leftover * juror, out=np.zeros_like(entry),
                       where=(entry + residual + leftover * juror) > 0)
    mean_err = model.juror_coef.mean() * juror + model.residual_coef.mean() * residual
    panel = np.divide(entry, entry + mean_err, out=np.zeros_like(entry), where=(entry + mean_err) > 0)
    k_lo, k_hi = math.floor(0.05 * (resamples - 1)), math.ceil(0.95 * (resamples - 1))
    single.sort()
    panel.sort()
    return (float(single[k_lo]), float(single[k_hi])), (float(panel[k_lo]), float(panel[k_hi]))

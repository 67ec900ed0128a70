"""Additive juror-effect model: ``total = entry_quality + juror_offset + noise``, fitted by least squares.

Pure: no Flask, no database. Input is one observation per (juror, entry): the weighted total of that sheet.

Who is calibrated: a juror needs at least ``min_entries`` scored entries; two such jurors are linked when they share
at least ``min_overlap`` entries; the connected components of that graph are fitted separately, and a juror in a
component of one (no overlap with anyone) is left out ("not calibrated": raw scores are used). Within a component
the offsets sum to zero, so an offset reads "this juror scores X points above the panel on average".

The fit eliminates the entry qualities and solves the reduced normal equations ``L o = b`` for the offsets, where
``L`` is the juror Laplacian of the assignment graph (dense, one row per juror of the component). The constraint
``sum(o) = 0`` is added as ``(L + 11ᵀ) o = b``, which is regular for a connected component. A juror with zero
variance is just an observation like any other. Jurors and entries are processed sorted by id, so the result does
not depend on input order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

DEFAULT_MIN_ENTRIES = 3
DEFAULT_MIN_OVERLAP = 2


@dataclass(frozen=True)
class Observation:
    juror: str
    entry: str
    total: float


@dataclass(frozen=True)
class JurorOffset:
    juror: str
    offset: float  # scale points above (+) or below (−) the panel; 0.0 when not calibrated
    calibrated: bool
    entries: int
    reason: str | None = None  # why not calibrated: "too_few_entries" or "no_overlap"
    component: int | None = None  # index of the fitted component (offsets sum to zero within it)


@dataclass(frozen=True)
class Calibration:
    jurors: tuple[JurorOffset, ...]  # sorted by juror id

    def offset_of(self, juror: str) -> float:
        return self._by_id().get(juror, 0.0)

    def is_calibrated(self, juror: str) -> bool:
        return any(j.juror == juror and j.calibrated for j in self.jurors)

    def _by_id(self) -> dict[str, float]:
        return {j.juror: j.offset for j in self.jurors if j.calibrated}

    def offsets(self) -> dict[str, float]:
        """Offsets of the calibrated jurors only."""
        return self._by_id()


def _components(jurors: list[str], entries_of: dict[str, set[str]], min_overlap: int) -> list[list[str]]:
    """Connected components of jurors linked by ≥ min_overlap shared entries (jurors sorted, components sorted)."""
    jurors_of: dict[str, list[str]] = defaultdict(list)
    for j in jurors:
        for e in entries_of[j]:
            jurors_of[e].append(j)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for members in jurors_of.values():
        for a in members:
            for b in members:
                if a < b:
                    shared[a, b] += 1
    parent = {j: j for j in jurors}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), count in shared.items():
        if count >= min_overlap:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for j in jurors:
        groups[find(j)].append(j)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _fit_component(jurors: list[str], observations: list[Observation]) -> dict[str, float]:
    """Least-squares offsets (sum zero) for one connected component; observations sorted by (entry, juror)."""
    index = {j: i for i, j in enumerate(jurors)}
    n, m = len(jurors), len(observations)
    juror_idx = np.array([index[o.juror] for o in observations], dtype=np.int64)
    values = np.array([o.total for o in observations], dtype=float)
    starts = np.array([i for i in range(m) if i == 0 or observations[i].entry != observations[i - 1].entry],
                      dtype=np.int64)
    sizes = np.diff(np.append(starts, m))
    entry_mean = np.add.reduceat(values, starts) / sizes
    rhs = np.bincount(juror_idx, weights=values - np.repeat(entry_mean, sizes), minlength=n)
    lap = np.diag(np.bincount(juror_idx, minlength=n).astype(float))
    for size in np.unique(sizes).tolist():  # −1/size for every ordered pair of sheets of one entry
        members = juror_idx[starts[sizes == size][:, None] + np.arange(size)]  # (entries of that size, size)
        rows = np.repeat(members, size, axis=1).ravel()
        cols = np.tile(members, (1, size)).ravel()
        np.add.at(lap, (rows, cols), -1.0 / size)
    system = lap + 1.0 / n  # adds the constraint sum(o) = 0 (scaled, keeps conditioning independent of n)
    try:
        offsets = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:  # pragma: no cover - components are connected by construction
        offsets = np.linalg.lstsq(system, rhs, rcond=None)[0]
    offsets -= offsets.mean()
    return {j: float(offsets[index[j]]) for j in jurors}


def calibrate(
    observations: list[Observation] | tuple[Observation, ...],
    *,
    min_entries: int = DEFAULT_MIN_ENTRIES,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> Calibration:
    """Fit juror offsets where the data supports it; see the module docstring for the rules."""
    entries_of: dict[str, set[str]] = defaultdict(set)
    for o in observations:
        entries_of[o.juror].add(o.entry)
    eligible = sorted(j for j, es in entries_of.items() if len(es) >= min_entries)
    result: dict[str, JurorOffset] = {}
    for j, es in entries_of.items():
        if len(es) < min_entries:
            result[j] = JurorOffset(j, 0.0, False, len(es), "too_few_entries")
    fitted = 0
    for component in _components(eligible, entries_of, min_overlap):
        if len(component) < 2:
            j = component[0]
            result[j] = JurorOffset(j, 0.0, False, len(entries_of[j]), "no_overlap")
            continue
        members = set(component)
        obs = sorted((o for o in observations if o.juror in members), key=lambda o: (o.entry, o.juror))
        for j, off in _fit_component(component, obs).items():
            result[j] = JurorOffset(j, off, True, len(entries_of[j]), component=fitted)
        fitted += 1
    return Calibration(tuple(result[j] for j in sorted(result)))

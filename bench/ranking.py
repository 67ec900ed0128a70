"""Ranking benchmark: 20 000 entries × 3 sheets × 6 criteria, random and seeded, recomputed with every method.

    .venv/bin/python bench/ranking.py [--seed S] [--entries N] [--jurors J]

Each juror scores about N·3/J entries (default 600 jurors → 100 each), so the calibration graph is one component.
Prints per method:

    seconds:             rank_entries without bootstrap and without the agreement order (sheet totals, calibration,
                         which the tie cascade always uses, scores, tie cascade, flags)
    agreement_seconds:   the same plus the second order and Kendall's tau
    bootstrap_seconds:   the same plus 200 bootstrap resamples (rank intervals)
and once:
    calibrated_seconds:  calibrate() alone on the 60 000 sheet totals

Target: weighted-mean seconds ≤ 1.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from competition.rankings.calibration import Observation, calibrate
from competition.rankings.ranking import METHODS, Criterion, Scale, Sheet, rank_entries, sheet_total


def instance(seed: int, n_entries: int, n_jurors: int) -> tuple[list[Sheet], list[Criterion], Scale]:
    rnd = random.Random(seed)
    criteria = [Criterion(f"c{i}", w) for i, w in enumerate([30, 20, 20, 10, 10, 10], start=1)]
    offsets = [rnd.gauss(0, 1) for _ in range(n_jurors)]
    sheets = []
    for e in range(n_entries):
        quality = rnd.uniform(2, 8)
        for j in rnd.sample(range(n_jurors), 3):
            scores = {c.id: round(min(10.0, max(0.0, quality + offsets[j] + rnd.gauss(0, 1))) * 2) / 2
                      for c in criteria}
            sheets.append(Sheet(f"j{j:04d}", f"e{e:05d}", scores))
    return sheets, criteria, Scale(0, 10)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--jurors", type=int, default=600)
    args = parser.parse_args()
    sheets, criteria, scale = instance(args.seed, args.entries, args.jurors)
    print(f"instance: {args.entries} entries × 3 sheets × {len(criteria)} criteria, {args.jurors} jurors")
    for method in METHODS:
        print(f"[{method}]")
        for label, options in (("seconds", {"resamples": 0, "agreement": False}),
                               ("agreement_seconds", {"resamples": 0}),
                               ("bootstrap_seconds", {"seed": args.seed})):
            seconds = timed(lambda m=method, o=options: rank_entries(sheets, criteria, scale, method=m, **o))
            print(f"  {label + ':':<19}{seconds:.3f}")
    observations = [Observation(s.juror, s.entry, sheet_total(s, criteria)) for s in sheets]
    print(f"calibrated_seconds: {timed(lambda: calibrate(observations)):.3f}")


if __name__ == "__main__":
    main()

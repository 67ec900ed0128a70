"""Assignment planner benchmark: random rounds of three sizes, each solved in a fresh subprocess.

    .venv/bin/python bench/assignment.py [--seed S]

Instances: five categories, entries spread evenly over them, each juror expert in one or two categories, capacities
drawn from 0.9–1.5 × the mean load (so the total exceeds what k = 3 jurors per entry need, with slack), about 1 %
of all (juror, entry) pairs conflicted. Sizes (entries × jurors): 200x20, 2000x200, 20000x2000. Prints per size:

    seconds:                 wall time of solve() (preparation, candidate pruning, min-cost flow, building the plan)
    cpu_seconds:             CPU time of the same call (steadier than wall time on a machine shared with others)
    peak_rss_mb:             the subprocess's peak resident memory (VmHWM) right after solve, instance included
    objective:               cost of the plan (lower is better)
    greedy_objective:        cost of greedy_baseline (same cost function)
    all_pairs_objective:     cost without pruning (sizes up to 2000x200), to show what pruning gives away
    entries_without_expert:  entries with no expert juror although an expert is available
    load_spread:             load_max − load_min
    forced_spread:           the spread the capacities alone force (levelled loads, conflicts ignored)
    loads_first_*:           the same with priority="loads" (level loads before expert coverage): seconds,
                             load_spread, entries_without_expert
    preferences:             pairs that carry a preference (--preference-rate of all pairs, default 20 %, half
                             "gern", half "lieber nicht", drawn independently of expertise and conflicts)
    prefs_seconds:           wall time of solve() on the same round with those preferences (the cost of
                             preferences is prefs_seconds − seconds; prefs_seconds_ratio = prefs_seconds / seconds;
                             prefs_cpu_seconds and prefs_cpu_ratio the same in CPU time)
    prefs_met, prefs_violated: assigned "gern" and "lieber nicht" pairs of that plan
    prefs_peak_rss_mb:       peak memory of the subprocess with preferences (the preference list itself included)
    prefs_entries_without_expert, prefs_load_spread: coverage and spread with preferences (coverage comes first,
                             preferences second, level loads third)

Targets (with and without preferences): 2000x200 ≤ 1 s; 20000x2000 ≤ 10 s and ≤ 1.5 GB; objective ≤ greedy;
load_spread ≤ forced_spread + 1.
With the default priority ("experts") the spread may exceed that where a category has too few experts: each of its
entries still gets one, so those experts carry more (the loads_first_* lines show the other choice).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = ((200, 20), (2000, 200), (20000, 2000))
K = 3
CATEGORIES = ("mobilitaet", "digitalisierung", "kreislaufwirtschaft", "energie", "fachkraefte")
ALL_PAIRS_UP_TO = 2000 * 200


def make_problem(n_entries: int, n_jurors: int, seed: int):
    from competition.judging.assignment import PlanEntry, PlanJuror, Problem

    rng = random.Random(seed)
    entries = tuple(PlanEntry(f"e{i:05d}", rng.choice(CATEGORIES)) for i in range(n_entries))
    mean = K * n_entries / n_jurors
    jurors = tuple(
        PlanJuror(f"j{i:04d}", rng.randint(int(0.9 * mean), int(1.5 * mean) + 1),
                  frozenset(rng.sample(CATEGORIES, rng.choice((1, 2)))))
        for i in range(n_jurors))
    conflicts = set()
    while len(conflicts) < n_entries * n_jurors // 100:
        conflicts.add((jurors[rng.randrange(n_jurors)].id, entries[rng.randrange(n_entries)].id))
    return Problem(K, entries, jurors, frozenset(conflicts), frozenset())


def add_preferences(problem, rate: float, seed: int):
    """`rate` of all (juror, entry) pairs marked, half "gern" (1), half "lieber nicht" (-1)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, m = len(problem.entries), len(problem.jurors)
    count = int(rate * n * m)
    codes = rng.choice(n * m, size=count, replace=False) if count else np.zeros(0, np.int64)
    values = rng.choice(np.array([1, -1]), size=count)
    entry_ids, juror_ids = [e.id for e in problem.entries], [j.id for j in problem.jurors]
    preferences = tuple(zip([juror_ids[j] for j in (codes % m).tolist()], [entry_ids[e] for e in (codes // m).tolist()],
                            values.tolist(), strict=True))
    return dataclasses.replace(problem, preferences=preferences)


def forced_spread(problem) -> int:
    """Levelled loads from capacities alone: the largest level T with Σ min(c, T) ≤ needed, the rest one more."""
    needed = problem.jurors_per_entry * len(problem.entries)
    caps = [min(j.capacity, len(problem.entries)) for j in problem.jurors]
    level = 0
    while sum(min(c, level + 1) for c in caps) <= needed:
        level += 1
    rest = needed - sum(min(c, level) for c in caps)
    top = level + 1 if rest > 0 else max(min(c, level) for c in caps)
    return top - min(min(c, level) for c in caps)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_with_preferences(n_entries: int, n_jurors: int, seed: int, rate: float) -> dict:
    from competition.judging.assignment import solve

    problem = add_preferences(make_problem(n_entries, n_jurors, seed), rate, seed)
    started, cpu = time.perf_counter(), time.process_time()
    plan = solve(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"preferences": len(problem.preferences), "prefs_seconds": round(seconds, 3),
            "prefs_cpu_seconds": round(cpu, 3),
            "prefs_peak_rss_mb": round(peak_rss_mb(), 1), "prefs_met": len(plan.preferences_met),
            "prefs_violated": len(plan.preferences_violated),
            "prefs_entries_without_expert": plan.entries_without_expert,
            "prefs_load_spread": plan.load_max - plan.load_min}


def run_one(n_entries: int, n_jurors: int, seed: int) -> dict:
    from competition.judging.assignment import greedy_baseline, solve

    problem = make_problem(n_entries, n_jurors, seed)
    started, cpu = time.perf_counter(), time.process_time()
    plan = solve(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    figures = {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(peak_rss_mb(), 1),
               "objective": plan.objective}
    started = time.perf_counter()
    greedy = greedy_baseline(problem)
    figures["greedy_objective"] = greedy.objective if greedy.status == "greedy" else f"{greedy.status}"
    figures["greedy_seconds"] = round(time.perf_counter() - started, 3)
    if n_entries * n_jurors <= ALL_PAIRS_UP_TO:
        started = time.perf_counter()
        figures["all_pairs_objective"] = solve(problem, candidates=None).objective
        figures["all_pairs_seconds"] = round(time.perf_counter() - started, 3)
    figures.update({
        "entries_without_expert": plan.entries_without_expert,
        "load_spread": plan.load_max - plan.load_min,
        "forced_spread": forced_spread(problem),
        "load_min": plan.load_min,
        "load_max": plan.load_max,
        "pruned": plan.pruned,
    })
    started = time.perf_counter()
    level = solve(dataclasses.replace(problem, priority="loads"))
    figures.update({
        "loads_first_seconds": round(time.perf_counter() - started, 3),
        "loads_first_load_spread": level.load_max - level.load_min,
        "loads_first_entries_without_expert": level.entries_without_expert,
    })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preference-rate", type=float, default=0.2,
                        help="share of (juror, entry) pairs with a preference in the prefs_* run (default 0.2)")
    parser.add_argument("--one", nargs=2, type=int, metavar=("ENTRIES", "JURORS"), help=argparse.SUPPRESS)
    parser.add_argument("--with-preferences", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if args.with_preferences:
            print(json.dumps(run_with_preferences(*args.one, args.seed, args.preference_rate)))
        else:
            print(json.dumps(run_one(*args.one, args.seed)))
        return
    for n_entries, n_jurors in SIZES:
        figures = {}
        for extra in ([], ["--with-preferences", "--preference-rate", str(args.preference_rate)]):
            child = subprocess.run([sys.executable, __file__, "--one", str(n_entries), str(n_jurors), "--seed",
                                    str(args.seed), *extra], capture_output=True, text=True, check=True)
            figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
        figures["prefs_seconds_ratio"] = round(figures["prefs_seconds"] / max(figures["seconds"], 1e-3), 2)
        figures["prefs_cpu_ratio"] = round(figures["prefs_cpu_seconds"] / max(figures["cpu_seconds"], 1e-3), 2)
        print(f"size: {n_entries}x{n_jurors}")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

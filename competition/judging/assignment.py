"""Assignment planning for one judging round: which jurors judge which entries. Pure: no Flask, no database.

Hard rules: every entry gets exactly k = `jurors_per_entry` jurors (kept existing assignments count), no juror gets
new entries beyond their capacity (kept ones count), no conflicted (juror, entry) pair. Existing pairs are kept
unless they are now conflicted or their juror or entry has left the problem (those are `removed`); an entry with
k or more kept jurors gets no new ones. Among all plans that obey the rules, `solve` returns one of lowest `cost`.
The cost ranks five goals strictly, each outweighing everything below it (see `weights` for why that is exact):

1. entries without an expert juror (the entry's category is in the juror's expertise): as few as possible, so
   every entry gets an expert whenever the pool allows it. Only the first expert counts here;
2. "lieber nicht" (preference -1): as few assigned pairs with it as possible;
3. "gern" (preference 1): as many assigned pairs with it as possible;
4. even loads: a juror with load l costs B·(1 + 2 + … + l), each further entry more than the one before (convex),
   so the optimum is the most even load vector the rules (and goals 1–3) allow;
5. non-expert assignments: as few as possible, so second and third experts are still preferred, but worth less.

So preferences are weighed strictly above load balance: one avoided "lieber nicht" or one more "gern" is worth any
unevenness of loads that the capacities allow (a juror who likes many entries may get up to their capacity), and
strictly below expert coverage: a "lieber nicht" is accepted when it is the only way to give an entry an expert.
For the same coverage no plan violates a "lieber nicht" that another plan within the same capacities avoids, and
among those the plan meets as many "gern" as any. Neutral pairs carry no preference; a preference on a conflicted
pair changes nothing (the pair is never assigned).

Goals 1 and 4 can pull apart: a category with one expert and forty entries gives that expert forty entries under
the default `priority="experts"`, while `priority="loads"` puts goal 4 first (loads level up to what capacities,
conflicts and kept pairs force; then as many entries with an expert as that allows, then preferences, then the
non-expert count).

Solved exactly as a min-cost flow (OR-Tools): source → entry (capacity k − kept) → juror (1 per pair) → sink, the
juror's arcs to the sink one per unit of load with cost B·t for its t-th entry. An entry that has no expert yet
reaches its experts through an "expert slot" node with two parallel arcs: the first unit costs 0, further units
cost the first-expert penalty like non-experts, so the first expert is worth more than the second. Preferences
are costs on the pair arcs: V on a "lieber nicht" pair, G on every pair without "gern" (every plan has the same
number of pairs, so this maximises the "gern" pairs without negative costs). Ids are sorted before the graph is
built, so the same input (in any order) gives the same plan.

Large rounds are pruned: each entry considers a few dozen candidate jurors (experts first, sampled in proportion
to the load each juror should take, deterministically from the ids; within each group "gern" jurors first and
"lieber nicht" jurors last). Entries the pruned graph leaves short are widened to all their jurors, then every
entry, so pruning never causes a false "infeasible"; uncovered entries are widened to all their experts. Then the
candidate optimum is priced against the whole problem: node potentials from the residual graph (shortest
distances, Bellman–Ford) give every pair outside the candidates its reduced cost; pairs with a negative one join
the candidates and the flow is solved again, until none is left. No pair outside with a negative reduced cost
proves that no cycle through them can lower the cost, so the plan is the exact optimum of the whole problem for all
five goals and both priorities (the same cost as `candidates=None`), not only of the candidate graph. Widening by
symptoms alone (short, uncovered, a "lieber nicht" left) missed plans that are better on a higher goal, e.g. level
loads under priority "loads" traded for a "lieber nicht" fewer. On the benchmark rounds the first candidate
optimum already passes; the check costs one Bellman–Ford pass over the candidate graph and a lower bound per
entry (only entries whose bound is negative are looked at pair by pair).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

import numpy as np
from ortools.graph.python import min_cost_flow

from ..core.errors import DomainError

CANDIDATES = 40  # jurors considered per entry when the round has more ("a few dozen")
EXPERT_CANDIDATES = 24  # of these, experts when there are also enough non-experts
_BATCH_CELLS = 2_000_000  # entry × juror cells scored at once while choosing candidates
_COST_LIMIT = 2**62  # the flow solver scales arc costs by the node count; this keeps them in 64 bits
_SAMPLE_SHIFT = 1e6  # added to (subtracted from) a sampling key for "lieber nicht" ("gern") pairs
GERN, LIEBER_NICHT = 1, -1
_NAMES_SHOWN = 20


@dataclass(frozen=True)
class PlanEntry:
    id: str
    category: str


@dataclass(frozen=True)
class PlanJuror:
    id: str
    capacity: int
    expertise: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    jurors_per_entry: int
    entries: tuple[PlanEntry, ...]
    jurors: tuple[PlanJuror, ...]
    conflicts: frozenset[tuple[str, str]] = frozenset()  # (juror id, entry id)
    existing: frozenset[tuple[str, str]] = frozenset()  # (juror id, entry id): current assignments
    priority: str = "experts"  # "experts": an expert for every entry before level loads; "loads": the reverse
    # (juror id, entry id, 1 = "gern" or -1 = "lieber nicht"); neutral pairs are absent
    preferences: tuple[tuple[str, str, int], ...] | frozenset[tuple[str, str, int]] = ()


@dataclass(frozen=True)
class Plan:
    status: str  # "optimal" from solve; "greedy" or "incomplete" from greedy_baseline
    assignments: tuple[tuple[str, str], ...]  # (juror id, entry id), sorted: kept + new
    new: tuple[tuple[str, str], ...]
    removed: tuple[tuple[str, str], ...]
    entries_without_expert: int  # no expert juror, although a non-conflicted expert with capacity is in the pool
    entries_without_any_expert_available: int  # no expert juror, and no such expert in the pool
    load_min: int
    load_max: int
    loads: dict[str, int] = field(hash=False)
    objective: int  # cost(problem, assignments)
    over_capacity: tuple[str, ...] = ()  # jurors whose kept assignments alone exceed their (lowered) capacity
    pruned: bool = False  # candidates were pruned (then priced: still the optimum of the whole problem)
    preferences_met: tuple[tuple[str, str], ...] = ()  # assigned pairs (kept or new) marked "gern"
    preferences_violated: tuple[tuple[str, str], ...] = ()  # assigned pairs (kept or new) marked "lieber nicht"


class Infeasible(DomainError):
    """No plan obeys the rules. `constraint`: k_invalid, no_jurors, too_few_unconflicted, capacity, unroutable."""

    def __init__(self, reason: str, entries: Iterable[str] = (), constraint: str = "unroutable"):
        super().__init__(reason)
        self.reason = reason
        self.entries = tuple(entries)
        self.constraint = constraint


@dataclass(frozen=True)
class Weights:
    """Integer weights of the cost, chosen so that each goal strictly outweighs all below it.

    Any two plans differ by exchanges along simple cycles of the flow graph, and the optimum has no cycle of
    negative cost. A simple cycle touches at most two juror→sink arcs (so it changes the load term by at most
    B·t_max, t_max bounding any juror's load), at most P = 2·min(jurors, 2·entries) pair arcs (each juror node, and
    each entry or expert-slot node, is passed at most once, with two arcs: so it changes the non-expert count, the
    "gern" count and the "lieber nicht" count by at most P each) and changes the number of entries without an
    expert by at most m + 1 (m = min(jurors, entries)). Each weight is one more than the largest change all goals
    below it can make together on one cycle: with priority "experts" (lowest first) non-expert 1, B = P + 1,
    G = P + B·t_max + 1, V = that bound + G·P + 1, C = that bound + V·P + 1; with "loads" non-expert 1, G, V, C the
    same way (the coverage term changing by at most m + 1), then B. A goal without any preference of its kind gets
    weight 0 and no place in the chain. So a cycle that improves a higher goal always has negative cost, and the
    min-cost flow is the exact lexicographic optimum (the argument extends to each goal in turn: a better plan for
    a lower goal with equal higher goals would need a negative cycle).

    The solver multiplies costs by about the number of nodes internally; on very large rounds with priority
    "loads" and preferences the chain would leave 64 bits, so the last tie-break (non-experts) is dropped first,
    then "gern"; `exact` is False then.
    """

    non_expert: int
    load: int
    no_expert: int
    avoid: int = 0  # V: per assigned "lieber nicht" pair
    gern: int = 0  # G: per assigned pair without "gern"
    exact: bool = True


def _chain(levels: list[tuple[str, int]]) -> dict[str, int]:
    """Weights for goals listed lowest first as (name, largest change per cycle): each one more than what all
    goals below can change together; the last one's change is not needed."""
    weight, bound = {}, 0
    for name, change in levels:
        weight[name] = bound + 1
        bound += weight[name] * change
    return weight


def weights(problem: Problem, *, kinds: set[int] | None = None) -> Weights:
    """The weights of `problem`'s cost. `kinds`: the preference values present (read from the problem if None)."""
    entry_ids = {e.id for e in problem.entries}
    juror_ids = {j.id for j in problem.jurors}
    n, jurors = len(entry_ids), len(juror_ids)
    m = min(jurors, n)
    pair_arcs = 2 * min(jurors, 2 * n)
    if kinds is None:
        kinds = {v for j, e, v in problem.preferences if j in juror_ids and e in entry_ids}
    existing: dict[str, int] = {}
    for juror_id, entry_id in problem.existing:
        if entry_id in entry_ids:
            existing[juror_id] = existing.get(juror_id, 0) + 1
    if problem.priority not in ("experts", "loads"):
        raise ValueError(f"Unbekannte Priorität „{problem.priority}“ (erlaubt: experts, loads).")
    t_max = min(n, max([*(j.capacity for j in problem.jurors), *existing.values(), 1]))
    nodes = 2 + 2 * n + jurors
    drop: list[str] = []
    for drop in ([], ["non_expert"], ["non_expert", "gern"]):
        prefs = [("gern", pair_arcs)] * (GERN in kinds and "gern" not in drop) + \
                [("avoid", pair_arcs)] * (LIEBER_NICHT in kinds)
        low = [("non_expert", pair_arcs)] * ("non_expert" not in drop)
        if problem.priority == "loads":
            w = _chain([*low, *prefs, ("no_expert", m + 1), ("load", 0)])
        else:
            w = _chain([*low, ("load", t_max), *prefs, ("no_expert", 0)])
        largest = max(w["no_expert"] + w.get("non_expert", 0) + w.get("gern", 0) + w.get("avoid", 0),
                      w["load"] * t_max)
        if largest * max(nodes + 1, 3 * n * max(problem.jurors_per_entry, 1)) < _COST_LIMIT:
            break
    return Weights(non_expert=w.get("non_expert", 0), load=w["load"], no_expert=w["no_expert"],
                   avoid=w.get("avoid", 0), gern=w.get("gern", 0), exact=not drop)


def cost(problem: Problem, assignments: Iterable[tuple[str, str]]) -> int:
    """The objective, lower is better: C·(entries without an expert juror) + V·("lieber nicht" pairs)
    + G·(pairs without "gern") + B·Σ l(l+1)/2 over juror loads + 1·(non-expert assignments), with the weights
    from `weights` (they depend on the problem's size, priority and preferences). Counts every pair given (kept
    and new); `Plan.objective` is this cost of `Plan.assignments`."""
    ix = _Index(problem)
    pairs = sorted(set(assignments))
    try:
        pe = np.array([ix.entry_pos[e] for _j, e in pairs], dtype=np.int64)
        pj = np.array([ix.juror_pos[j] for j, _e in pairs], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(f"Unbekannte Id in der Zuweisung: {exc.args[0]}") from None
    return ix.cost(pe, pj)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _sorted_unique(codes: np.ndarray) -> np.ndarray:
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if codes.size else codes


class _Index:
    """The problem over sorted integer indices, existing pairs split into kept and removed."""

    def __init__(self, problem: Problem):
        self.k = k = problem.jurors_per_entry
        entries = sorted(problem.entries, key=lambda e: e.id)
        jurors = sorted(problem.jurors, key=lambda j: j.id)
        for kind, items in (("Beitrag", entries), ("Jurymitglied", jurors)):
            for a, b in itertools.pairwise(items):
                if a.id == b.id:
                    raise ValueError(f"{kind} „{a.id}“ kommt mehrfach vor.")
        for juror in jurors:
            if juror.capacity < 0:
                raise ValueError(f"Die Kapazität von Jurymitglied „{juror.id}“ ist negativ.")
        self.entry_ids = [e.id for e in entries]
        self.juror_ids = [j.id for j in jurors]
        self.n, self.J = n, J = len(entries), len(jurors)
        self.entry_pos = {e: i for i, e in enumerate(self.entry_ids)}
        self.juror_pos = {j: i for i, j in enumerate(self.juror_ids)}
        categories = {c: i for i, c in enumerate(sorted({e.category for e in entries}))}
        self.entry_cat = np.array([categories[e.category] for e in entries], dtype=np.int64)
        self.expert = np.zeros((J, max(1, len(categories))), dtype=bool)
        for j, juror in enumerate(jurors):
            for c in juror.expertise:
                if c in categories:
                    self.expert[j, categories[c]] = True
        self.capacity = np.array([j.capacity for j in jurors], dtype=np.int64)
        self._preferences(problem.preferences)
        self.weights = weights(problem, kinds=set(np.unique(self.pref_val).tolist()))

        conflicts = [(self.juror_pos.get(j), self.entry_pos.get(e)) for j, e in problem.conflicts]
        conflicts = [(e, j) for j, e in conflicts if j is not None and e is not None]
        kept, removed = [], []
        for juror_id, entry_id in sorted(problem.existing):
            j, e = self.juror_pos.get(juror_id), self.entry_pos.get(entry_id)
            if j is None or e is None or (juror_id, entry_id) in problem.conflicts:
                removed.append((juror_id, entry_id))
            else:
                kept.append((e, j))
        self.removed = tuple(removed)
        self.conf_e, self.conf_j = (np.array(x, dtype=np.int64).reshape(-1) for x in zip(*conflicts, strict=True)) \
            if conflicts else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.kept_e, self.kept_j = (np.array(x, dtype=np.int64).reshape(-1) for x in zip(*kept, strict=True)) \
            if kept else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        # blocked for new pairs: conflicted or kept already
        width = max(J, 1)
        blocked = _sorted_unique(np.concatenate([self.conf_e * width + self.conf_j, self.kept_e * width + self.kept_j]))
        self.blocked_e, self.blocked_j = blocked // width, blocked % width
        self.kept_on_entry = np.bincount(self.kept_e, minlength=n)
        self.kept_on_juror = np.bincount(self.kept_j, minlength=J)
        self.pre_covered = np.zeros(n, dtype=bool)
        self.pre_covered[self.kept_e[self.expert[self.kept_j, self.entry_cat[self.kept_e]]]] = True
        self.need = np.maximum(0, k - self.kept_on_entry) if k >= 1 else np.zeros(n, np.int64)
        self.room = np.maximum(0, self.capacity - self.kept_on_juror)
        self.entry_seed = np.array([_seed("e:" + e) for e in self.entry_ids], dtype=np.uint64)
        self.juror_seed = _mix(np.array([_seed("j:" + j) for j in self.juror_ids], dtype=np.uint64))

    def _preferences(self, preferences) -> None:
        """Preferences on known pairs as sorted pair codes (entry · J + juror) with their values (C-level maps:
        a round may carry millions)."""
        J = max(self.J, 1)
        triples = preferences if isinstance(preferences, list | tuple) else list(preferences)
        count, unknown = len(triples), -(2**40)  # an unknown id makes the code negative (n · J ≪ 2**40)
        values = np.fromiter(map(itemgetter(2), triples), np.int64, count) \
            if set(map(type, map(itemgetter(2), triples))) <= {int} else None
        if values is None or ((values != GERN) & (values != LIEBER_NICHT)).any():
            j, e, v = next(t for t in triples if type(t[2]) is not int or t[2] not in (GERN, LIEBER_NICHT))
            raise ValueError(f"Die Präferenz von Jurymitglied „{j}“ für Beitrag „{e}“ ist {v!r}; erlaubt sind 1 "
                             "(gern) und -1 (lieber nicht).")
        codes = (np.fromiter(map(self.entry_pos.get, map(itemgetter(1), triples), repeat(unknown)), np.int64, count)
                 * J + np.fromiter(map(self.juror_pos.get, map(itemgetter(0), triples), repeat(unknown)), np.int64,
                                   count))
        keys = codes * 2 + (values == GERN)  # the value in the lowest bit
        keys = np.sort(keys[codes >= 0])
        codes, values = keys >> 1, np.where(keys & 1, GERN, LIEBER_NICHT).astype(np.int8)
        same = codes[1:] == codes[:-1]
        clash = np.flatnonzero(same & (values[1:] != values[:-1]))
        if clash.size:
            code = int(codes[clash[0]])
            raise ValueError(f"Für Jurymitglied „{self.juror_ids[code % J]}“ und Beitrag „{self.entry_ids[code // J]}“ "
                             "sind widersprüchliche Präferenzen angegeben.")
        keep = np.concatenate(([True], ~same)) if codes.size else np.zeros(0, dtype=bool)
        self.pref_code, self.pref_val = codes[keep], values[keep]
        self.pref_starts = np.searchsorted(self.pref_code // J, np.arange(self.n + 1))

    def preference(self, pe: np.ndarray, pj: np.ndarray) -> np.ndarray:
        """The preference (1, -1 or 0) of each pair (entry, juror)."""
        if not self.pref_code.size:
            return np.zeros(pe.shape, np.int8)
        code = pe * max(self.J, 1) + pj
        at = np.minimum(np.searchsorted(self.pref_code, code), self.pref_code.size - 1)
        return np.where(self.pref_code[at] == code, self.pref_val[at], 0).astype(np.int8)

    def preference_block(self, rows: np.ndarray, col_of: np.ndarray, width: int) -> np.ndarray:
        """Preferences of entries `rows` × jurors with a column in `col_of` (−1: not in the block), as a matrix."""
        block = np.zeros((rows.size, width), np.int8)
        if not self.pref_code.size or not rows.size:
            return block
        lo, hi = self.pref_starts[rows], self.pref_starts[rows + 1]
        counts = hi - lo
        at = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        r = np.repeat(np.arange(rows.size), counts)
        c = col_of[self.pref_code[at] % max(self.J, 1)]
        inside = c >= 0
        block[r[inside], c[inside]] = self.pref_val[at[inside]]
        return block

    # --- counts over eligible new pairs (not blocked, juror has room, entry needs jurors) -------------------------
    def eligible_per_entry(self, experts_only: bool = False) -> np.ndarray:
        with_room = self.room > 0
        if experts_only:
            total = (self.expert & with_room[:, None]).sum(axis=0)[self.entry_cat]
        else:
            total = np.full(self.n, int(with_room.sum()), dtype=np.int64)
        hit = with_room[self.blocked_j]
        if experts_only:
            hit &= self.expert[self.blocked_j, self.entry_cat[self.blocked_e]]
        return total - np.bincount(self.blocked_e[hit], minlength=self.n)

    def useful_room(self) -> np.ndarray:
        """Per juror: new entries they could take at most (room, and entries that need jurors and are open to them)."""
        needy = self.need > 0
        open_entries = int(needy.sum()) - np.bincount(self.blocked_j[needy[self.blocked_e]], minlength=self.J)
        return np.minimum(self.room, open_entries)

    def target_load(self) -> np.ndarray:
        """Water-filling: the new load each juror would take if loads were levelled (conflicts ignored)."""
        top, needed = self.useful_room(), int(self.need.sum())
        low, high = 0.0, float((self.kept_on_juror + top).max(initial=0))
        for _ in range(60):
            level = (low + high) / 2
            if np.clip(level - self.kept_on_juror, 0, top).sum() < needed:
                low = level
            else:
                high = level
        return np.clip(high - self.kept_on_juror, 0, top)

    def cost(self, pe: np.ndarray, pj: np.ndarray) -> int:
        w = self.weights
        loads = np.bincount(pj, minlength=self.J).astype(np.int64)
        is_expert = self.expert[pj, self.entry_cat[pe]]
        covered = np.zeros(self.n, dtype=bool)
        covered[pe[is_expert]] = True
        pref = self.preference(pe, pj)
        return (w.no_expert * int(self.n - covered.sum()) + w.load * int((loads * (loads + 1) // 2).sum())
                + w.non_expert * int((~is_expert).sum()) + w.avoid * int((pref == LIEBER_NICHT).sum())
                + w.gern * int((pref != GERN).sum()))


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:_NAMES_SHOWN])
    return shown + (f" und {len(ids) - _NAMES_SHOWN} weitere" if len(ids) > _NAMES_SHOWN else "")


def _beitraege(count: int) -> str:
    return "1 Beitrag" if count == 1 else f"{count} Beiträge"


def _check(ix: _Index) -> None:
    """The infeasibilities that can be named without solving (raises Infeasible)."""
    if ix.k < 1:
        raise Infeasible(f"Die Zahl der Jurymitglieder je Beitrag muss mindestens 1 sein (angegeben: {ix.k}). Bitte "
                         "korrigieren Sie die Einstellung der Bewertungsrunde.", (), "k_invalid")
    if ix.n and not ix.J:
        raise Infeasible("Es gibt keine Jurymitglieder für diese Bewertungsrunde. Bitte fügen Sie zuerst "
                         "Jurymitglieder hinzu.", (), "no_jurors")
    short = np.flatnonzero((ix.need > 0) & (ix.kept_on_entry + ix.eligible_per_entry() < ix.k))
    if short.size:
        ids = [ix.entry_ids[e] for e in short]
        raise Infeasible(f"Für {_beitraege(len(ids))} gibt es zu wenige Jurymitglieder ohne Befangenheit "
                         f"(benötigt: {ix.k}): {_names(ids)}. Bitte gewinnen Sie weitere Jurymitglieder, erhöhen Sie "
                         "die Kapazitäten oder prüfen Sie die Befangenheiten.", ids, "too_few_unconflicted")
    needed, available = int(ix.need.sum()), int(ix.useful_room().sum())
    if available < needed:
        raise Infeasible(f"Die Kapazität der Jurymitglieder reicht nicht aus: Benötigt werden {needed} weitere "
                         f"Zuweisungen, möglich sind {available}, es fehlen {needed - available}. Bitte erhöhen Sie "
                         "die Kapazitäten oder gewinnen Sie weitere Jurymitglieder.", (), "capacity")


def _candidates(ix: _Index, limit: int | None, full: np.ndarray, experts_full: np.ndarray):
    """Candidate pairs (entry, juror), sorted. With a `limit`, each entry gets up to `limit` jurors: up to
    EXPERT_CANDIDATES experts first, non-experts filling up (experts again if non-experts run short), each group a
    weighted sample without replacement (Efraimidis–Spirakis keys from a hash of both ids; weight: the load the
    juror should take when levelled; "gern" jurors before, "lieber nicht" jurors after all others of the group).
    `full` entries (or all, without a limit) get every eligible juror,
    `experts_full` entries every eligible expert."""
    weight = ix.target_load() + 0.25
    out_e, out_j = [], []
    batch = max(1, _BATCH_CELLS // max(1, ix.J))
    with_room = ix.room > 0
    row_of = np.full(ix.n, -1, dtype=np.int64)
    for c in range(ix.expert.shape[1]):
        rows_c = np.flatnonzero((ix.need > 0) & (ix.entry_cat == c))
        groups = (np.flatnonzero(with_room & ix.expert[:, c]), np.flatnonzero(with_room & ~ix.expert[:, c]))
        for start in range(0, rows_c.size, batch):
            rows = rows_c[start:start + batch]
            row_of[rows] = np.arange(rows.size)
            hit = row_of[ix.blocked_e] >= 0
            b_rows, b_j = row_of[ix.blocked_e[hit]], ix.blocked_j[hit]
            row_of[rows] = -1
            ranked = []
            for g, cols in enumerate(groups):
                col_of = np.full(ix.J, -1, dtype=np.int64)
                col_of[cols] = np.arange(cols.size)
                inside = col_of[b_j] >= 0
                wide = full[rows] | (experts_full[rows] if g == 0 else False)
                if limit is None:
                    ok = np.ones((rows.size, cols.size), dtype=bool)
                    ok[b_rows[inside], col_of[b_j[inside]]] = False
                    r, p = np.nonzero(ok)
                    out_e.append(rows[r])
                    out_j.append(cols[p])
                    continue
                u = _mix(ix.entry_seed[rows][:, None] + ix.juror_seed[cols][None, :])
                keys = -np.log(((u >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53) / weight[cols][None, :]
                if ix.pref_code.size:  # "gern" jurors first, "lieber nicht" last (still finite: taken if needed)
                    keys -= _SAMPLE_SHIFT * ix.preference_block(rows, col_of, cols.size)
                keys[b_rows[inside], col_of[b_j[inside]]] = np.inf
                if wide.any():
                    r, p = np.nonzero(np.isfinite(keys[wide]))
                    out_e.append(rows[wide][r])
                    out_j.append(cols[p])
                top = min(cols.size, limit)
                order = np.argpartition(keys, top - 1, axis=1)[:, :top] if 0 < top < cols.size else \
                    np.broadcast_to(np.arange(top), (rows.size, top))
                top_keys = np.take_along_axis(keys, order, 1)
                by_key = np.argsort(top_keys, axis=1, kind="stable")
                order = np.take_along_axis(order, by_key, 1)
                finite = np.isfinite(np.take_along_axis(top_keys, by_key, 1))
                ranked.append((cols, order, finite, finite.sum(axis=1)))
            if limit is None:
                continue
            (_c, _o, _f, n_exp), (_c, _o, _f, n_non) = ranked
            take_exp = np.minimum(n_exp, np.maximum(min(EXPERT_CANDIDATES, limit), limit - n_non))
            take_non = np.minimum(n_non, limit - take_exp)
            for (cols, order, finite, _n), take in zip(ranked, (take_exp, take_non), strict=True):
                r, p = np.nonzero(finite & (np.arange(order.shape[1])[None, :] < take[:, None]))
                out_e.append(rows[r])
                out_j.append(cols[order[r, p]])
    if not out_e:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    code = _sorted_unique(np.concatenate(out_e) * ix.J + np.concatenate(out_j))
    return code // ix.J, code % ix.J


def _preference_cost(ix: _Index, pe: np.ndarray, pj: np.ndarray) -> np.ndarray:
    """V on each "lieber nicht" pair, G on each pair without "gern"."""
    if not ix.pref_code.size:
        return np.zeros(pe.size, np.int64)
    pref = ix.preference(pe, pj)
    return np.where(pref == LIEBER_NICHT, ix.weights.avoid, 0) + np.where(pref == GERN, 0, ix.weights.gern)


@dataclass
class _Routed:
    """A min-cost flow on the candidate pairs: the chosen pairs, each entry's shortfall, and what the optimality
    check needs (every arc with its flow, the node of each entry's expert slot)."""

    chosen: np.ndarray  # mask over the candidate pairs
    shortfall: np.ndarray  # per entry
    arcs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # tails, heads, capacities, costs, flows
    nodes: int
    slot_node: np.ndarray  # per entry: its expert slot's node, −1 without one


def _route(ix: _Index, pe: np.ndarray, pj: np.ndarray) -> _Routed:
    """Min-cost max-flow on the candidate pairs."""
    n, J, w = ix.n, ix.J, ix.weights
    needy = np.flatnonzero(ix.need > 0)
    pair_expert = ix.expert[pj, ix.entry_cat[pe]]
    via_slot = pair_expert & ~ix.pre_covered[pe]
    slot_entries = _sorted_unique(pe[via_slot])
    slot_of = np.full(n, -1, dtype=np.int64)
    slot_of[slot_entries] = np.arange(slot_entries.size)
    entry_node, juror_node, slot_node = 2 + np.arange(n), 2 + n + np.arange(J), 2 + n + J + np.arange(slot_entries.size)
    first_cost = np.zeros(slot_entries.size, np.int64)
    more = ix.need[slot_entries] > 1
    units = ix.useful_room()  # every unit a juror could take, not only as many as their candidate pairs: the
    # optimality check then sees the cost of one more entry for everyone
    unit_juror = np.repeat(np.arange(J), units)
    unit_t = ix.kept_on_juror[unit_juror] + np.arange(unit_juror.size) - np.repeat(np.cumsum(units) - units, units) + 1
    arcs = [  # (tails, heads, capacities, costs)
        (np.zeros(needy.size, np.int64), entry_node[needy], ix.need[needy], np.zeros(needy.size, np.int64)),
        (entry_node[slot_entries], slot_node, np.ones(slot_entries.size, np.int64), first_cost),
        (entry_node[slot_entries[more]], slot_node[more], ix.need[slot_entries[more]] - 1,
         np.full(int(more.sum()), w.no_expert, np.int64)),
        (np.where(via_slot, slot_node[slot_of[pe]] if slot_entries.size else 0, entry_node[pe]), juror_node[pj],
         np.ones(pe.size, np.int64),
         np.where(via_slot, 0, np.where(pair_expert, w.no_expert, w.no_expert + w.non_expert))
         + _preference_cost(ix, pe, pj)),
        (juror_node[unit_juror], np.ones(unit_juror.size, np.int64), np.ones(unit_juror.size, np.int64),
         w.load * unit_t),
    ]
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = [flow.add_arcs_with_capacity_and_unit_cost(*(np.ascontiguousarray(a, dtype=np.int64) for a in arc))
           for arc in arcs]
    needed = int(ix.need.sum())
    flow.set_nodes_supplies(np.array([0, 1], np.int64), np.array([needed, -needed], np.int64))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    shortfall = np.zeros(n, np.int64)
    shortfall[needy] = ix.need[needy] - flow.flows(ids[0])
    slot_per_entry = np.full(n, -1, np.int64)
    slot_per_entry[slot_entries] = slot_node
    tails, heads, capacities, costs = (np.concatenate([np.asarray(arc[i], np.int64) for arc in arcs]) for i in range(4))
    flows = np.concatenate([flow.flows(i) for i in ids]).astype(np.int64)
    return _Routed(flow.flows(ids[3]) > 0, shortfall, (tails, heads, capacities, costs, flows),
                   2 + n + J + slot_entries.size, slot_per_entry)


def _potentials(routed: _Routed) -> np.ndarray:
    """Node potentials π that prove `routed` optimal on its own graph: every arc of the residual graph has reduced
    cost c(u, v) + π(u) − π(v) ≥ 0. π is the shortest distance in the residual graph from a root joined to every
    node at cost 0 (Bellman–Ford, vectorised; the residual graph of a min-cost flow has no negative cycle).
    Values lie in [−(cost of the flow), 0], so they stay in 64 bits (see `weights`)."""
    tails, heads, capacities, costs, flows = routed.arcs
    forward, backward = flows < capacities, flows > 0
    tail = np.concatenate([tails[forward], heads[backward]])
    head = np.concatenate([heads[forward], tails[backward]])
    arc_cost = np.concatenate([costs[forward], -costs[backward]])
    order = np.argsort(head, kind="stable")
    tail, head, arc_cost = tail[order], head[order], arc_cost[order]
    first = np.flatnonzero(np.concatenate(([True], head[1:] != head[:-1]))) if head.size else np.zeros(0, np.int64)
    targets = head[first]
    distance = np.zeros(routed.nodes, np.int64)
    for _ in range(routed.nodes + 1):
        best = np.minimum(distance[targets], np.minimum.reduceat(distance[tail] + arc_cost, first)) \
            if first.size else distance[targets]
        if (best >= distance[targets]).all():
            return distance
        distance[targets] = best
    raise RuntimeError("min-cost flow left a negative cycle")


def _price(ix: _Index, routed: _Routed, pe: np.ndarray, pj: np.ndarray) -> np.ndarray:
    """The eligible pairs outside the candidates whose arc has negative reduced cost under `_potentials`, as codes
    (entry · J + juror). None means the candidate optimum is optimal on the whole problem: any better plan differs
    by a cycle of negative cost, and such a cycle needs an arc that is not in the candidate graph with negative
    reduced cost (the reduced costs of a cycle sum to its cost). A new expert pair of an entry that has no slot yet
    would enter through a new slot, reached from the entry at cost 0: its tail potential is the entry's."""
    w, J = ix.weights, ix.J
    pot = _potentials(routed)
    rows_all = np.flatnonzero(ix.need > 0)
    cols = np.flatnonzero(ix.useful_room() > 0)
    if not rows_all.size or not cols.size:
        return np.zeros(0, np.int64)
    col_of = np.full(J, -1, dtype=np.int64)
    col_of[cols] = np.arange(cols.size)
    entry_pot = pot[2 + np.arange(ix.n)]
    slot_pot = np.where(routed.slot_node >= 0, pot[np.maximum(routed.slot_node, 0)], entry_pot)
    juror_pot = pot[2 + ix.n + cols]
    # a lower bound per entry (the preference cost is ≥ 0, −π(juror) ≥ −max π of the expert or non-expert jurors
    # of its category): entries whose bound is ≥ 0 need no cell-by-cell look
    expert_cols = ix.expert[cols]  # jurors × categories
    low = np.iinfo(np.int64).min
    top_expert = np.where(expert_cols, juror_pot[:, None], low).max(axis=0)[ix.entry_cat[rows_all]]
    top_other = np.where(~expert_cols, juror_pot[:, None], low).max(axis=0)[ix.entry_cat[rows_all]]
    covered = ix.pre_covered[rows_all]
    bound_expert = np.where(covered, w.no_expert + entry_pot[rows_all], slot_pot[rows_all])
    bound_other = w.no_expert + w.non_expert + entry_pot[rows_all]
    rows_all = rows_all[((top_expert > low) & (bound_expert < top_expert))
                        | ((top_other > low) & (bound_other < top_other))]
    if not rows_all.size:
        return np.zeros(0, np.int64)
    # cells that are no new arc: blocked (conflicted or kept) or already a candidate
    skip = _sorted_unique(np.concatenate([ix.blocked_e * J + ix.blocked_j, pe * J + pj]))
    skip_e, skip_j = skip // J, skip % J
    row_of = np.full(ix.n, -1, dtype=np.int64)
    out = []
    batch = max(1, _BATCH_CELLS // max(1, cols.size))
    for start in range(0, rows_all.size, batch):
        rows = rows_all[start:start + batch]
        expert = ix.expert[cols][:, ix.entry_cat[rows]].T
        via_slot = expert & ~ix.pre_covered[rows][:, None]
        reduced = np.where(via_slot, 0, np.where(expert, w.no_expert, w.no_expert + w.non_expert)) \
            + np.where(via_slot, slot_pot[rows][:, None], entry_pot[rows][:, None]) - juror_pot[None, :]
        if ix.pref_code.size:
            pref = ix.preference_block(rows, col_of, cols.size)
            reduced += np.where(pref == LIEBER_NICHT, w.avoid, 0) + np.where(pref == GERN, 0, w.gern)
        row_of[rows] = np.arange(rows.size)
        hit = (row_of[skip_e] >= 0) & (col_of[skip_j] >= 0)
        negative = reduced < 0
        negative[row_of[skip_e[hit]], col_of[skip_j[hit]]] = False
        row_of[rows] = -1
        r, c = np.nonzero(negative)
        out.append(rows[r] * J + cols[c])
    return np.concatenate(out)


def _plan(ix: _Index, new_e: np.ndarray, new_j: np.ndarray, status: str, pruned: bool) -> Plan:
    all_e, all_j = np.concatenate([ix.kept_e, new_e]), np.concatenate([ix.kept_j, new_j])
    loads = np.bincount(all_j, minlength=ix.J)
    covered = np.zeros(ix.n, dtype=bool)
    covered[all_e[ix.expert[all_j, ix.entry_cat[all_e]]]] = True
    conflicted_expert = ix.expert[ix.conf_j, ix.entry_cat[ix.conf_e]] & (ix.capacity[ix.conf_j] > 0)
    experts_in_pool = ((ix.expert & (ix.capacity > 0)[:, None]).sum(axis=0)[ix.entry_cat]
                       - np.bincount(ix.conf_e[conflicted_expert], minlength=ix.n))
    jid, eid = ix.juror_ids, ix.entry_ids
    pref = ix.preference(all_e, all_j)

    def pairs(mask: np.ndarray) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((jid[j], eid[e]) for e, j in zip(all_e[mask].tolist(), all_j[mask].tolist(),
                                                                 strict=True)))

    return Plan(
        status=status,
        assignments=tuple(sorted((jid[j], eid[e]) for e, j in zip(all_e.tolist(), all_j.tolist(), strict=True))),
        new=tuple(sorted((jid[j], eid[e]) for e, j in zip(new_e.tolist(), new_j.tolist(), strict=True))),
        removed=ix.removed,
        entries_without_expert=int((~covered & (experts_in_pool > 0)).sum()),
        entries_without_any_expert_available=int((~covered & (experts_in_pool <= 0)).sum()),
        load_min=int(loads.min()) if ix.J else 0,
        load_max=int(loads.max(initial=0)),
        loads=dict(zip(jid, loads.tolist(), strict=True)),
        objective=ix.cost(all_e, all_j),
        over_capacity=tuple(jid[j] for j in np.flatnonzero(ix.kept_on_juror > ix.capacity)),
        pruned=pruned,
        preferences_met=pairs(pref == GERN),
        preferences_violated=pairs(pref == LIEBER_NICHT),
    )


def solve(problem: Problem, *, candidates: int | None = CANDIDATES) -> Plan:
    """The plan of lowest cost (see the module docstring), or Infeasible. With more jurors than `candidates`, each
    entry first considers only that many (widened and priced until optimal on all pairs); `candidates=None` always
    uses all pairs."""
    ix = _Index(problem)
    _check(ix)
    pruned = candidates is not None and candidates < ix.J
    full = np.full(ix.n, not pruned)
    experts_full = np.zeros(ix.n, dtype=bool)
    pe, pj = _candidates(ix, candidates if pruned else None, full, experts_full)
    routed = _route(ix, pe, pj)
    shortfall = routed.shortfall
    if pruned and shortfall.any():  # widen the short entries, then everything: pruning never makes it infeasible
        for widen in (shortfall > 0, np.ones(ix.n, dtype=bool)):
            full |= widen
            pe, pj = _candidates(ix, candidates, full, experts_full)
            routed = _route(ix, pe, pj)
            shortfall = routed.shortfall
            if not shortfall.any():
                break
    if shortfall.any():
        short = [ix.entry_ids[e] for e in np.flatnonzero(shortfall)]
        raise Infeasible(f"Für {_beitraege(len(short))} lassen sich nicht genug Jurymitglieder finden, ohne "
                         f"Kapazitäten zu überschreiten oder Befangenheiten zu verletzen (benötigt: {ix.k}, es fehlen "
                         f"{int(shortfall.sum())} Zuweisungen): {_names(short)}. Bitte erhöhen Sie die Kapazität der "
                         "Jurymitglieder, die diese Beiträge bewerten können, oder gewinnen Sie weitere "
                         "Jurymitglieder.", short, "unroutable")
    if pruned and not full.all():  # entries left without an expert while one is outside their candidates
        got = np.zeros(ix.n, dtype=bool)
        got[pe[routed.chosen & ix.expert[pj, ix.entry_cat[pe]]]] = True
        has_more = ix.eligible_per_entry(experts_only=True) > np.bincount(
            pe[ix.expert[pj, ix.entry_cat[pe]]], minlength=ix.n)
        widen = (ix.need > 0) & ~ix.pre_covered & ~got & has_more
        if widen.any():
            experts_full |= widen
            pe, pj = _candidates(ix, candidates, full, experts_full)
            routed = _route(ix, pe, pj)
    while pruned and not full.all():  # priced: add every arc that could lower the cost, until none can
        more = _price(ix, routed, pe, pj)
        if not more.size:
            break
        code = _sorted_unique(np.concatenate([pe * ix.J + pj, more]))
        pe, pj = code // ix.J, code % ix.J
        routed = _route(ix, pe, pj)
    return _plan(ix, pe[routed.chosen], pj[routed.chosen], "optimal", pruned)


def greedy_baseline(problem: Problem) -> Plan:
    """Entry by entry (sorted ids): the least-loaded expert first if the entry has none, then the least-loaded
    jurors (experts before others on equal load). For comparison only; status "incomplete" if it gets stuck."""
    ix = _Index(problem)
    _check(ix)
    load, room = ix.kept_on_juror.copy(), ix.room.copy()
    starts = np.searchsorted(ix.blocked_e, np.arange(ix.n + 1))
    new_e, new_j, status = [], [], "greedy"
    for e in np.flatnonzero(ix.need > 0):
        free = room > 0
        free[ix.blocked_j[starts[e]:starts[e + 1]]] = False
        expert = ix.expert[:, ix.entry_cat[e]]
        covered = bool(ix.pre_covered[e])
        for _ in range(int(ix.need[e])):
            key = np.where(free, load * 2 + ~expert, np.iinfo(np.int64).max)
            if not covered and (free & expert).any():
                key = np.where(expert, key, np.iinfo(np.int64).max)
            j = int(np.argmin(key))
            if not free[j]:
                status = "incomplete"
                break
            free[j], covered = False, covered or bool(expert[j])
            load[j] += 1
            room[j] -= 1
            new_e.append(e)
            new_j.append(j)
    return _plan(ix, np.array(new_e, np.int64), np.array(new_j, np.int64), status, False)

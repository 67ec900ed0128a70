"""The assignment planner: hard rules, exact optimality against brute force, determinism, incremental plans,
pruning, messages and the JSON contract. Pure: no app, no database."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.core.errors import DomainError
from competition.judging.assignment import (
    Infeasible,
    PlanEntry,
    PlanJuror,
    Problem,
    cost,
    greedy_baseline,
    solve,
    weights,
)
from competition.judging.assignment_json import ProblemFormatError, plan_to_json, problem_from_json

CATEGORIES = ("a", "b")


# --- reference implementations (independent of the planner) -----------------------------------------------------

def kept_pairs(problem: Problem) -> set[tuple[str, str]]:
    entries, jurors = {e.id for e in problem.entries}, {j.id for j in problem.jurors}
    return {(j, e) for j, e in problem.existing if j in jurors and e in entries and (j, e) not in problem.conflicts}


def open_slots(problem: Problem):
    """(need per entry, room per juror, eligible new jurors per entry)."""
    kept = kept_pairs(problem)
    on_entry, on_juror = Counter(e for _j, e in kept), Counter(j for j, _e in kept)
    need = {e.id: max(0, problem.jurors_per_entry - on_entry[e.id]) for e in problem.entries}
    room = {j.id: max(0, j.capacity - on_juror[j.id]) for j in problem.jurors}
    eligible = {e.id: [j.id for j in problem.jurors if (j.id, e.id) not in problem.conflicts
                       and (j.id, e.id) not in kept and room[j.id] > 0] for e in problem.entries}
    return need, room, eligible


def is_expert(problem: Problem, juror_id: str, entry_id: str) -> bool:
    juror = next(j for j in problem.jurors if j.id == juror_id)
    entry = next(e for e in problem.entries if e.id == entry_id)
    return entry.category in juror.expertise


def goals(problem: Problem, assignments) -> tuple[int, int, int]:
    """The three goals in rank order: entries without an expert, Σ load², non-expert assignments (the first two
    swapped with priority "loads")."""
    covered = {e for j, e in assignments if is_expert(problem, j, e)}
    loads = Counter(j for j, _e in assignments)
    uncovered, level = len(problem.entries) - len(covered), sum(v * v for v in loads.values())
    first, second = (level, uncovered) if problem.priority == "loads" else (uncovered, level)
    return first, second, sum(1 for j, e in assignments if not is_expert(problem, j, e))


def all_plans(problem: Problem):
    """Every plan that obeys the hard rules (kept pairs + new pairs), by exhaustive search."""
    need, room, eligible = open_slots(problem)
    kept = sorted(kept_pairs(problem))
    entries = [e.id for e in problem.entries if need[e.id] > 0]

    def extend(i: int, left: dict[str, int], chosen: list):
        if i == len(entries):
            yield kept + chosen
            return
        e = entries[i]
        for group in itertools.combinations([j for j in eligible[e] if left[j] > 0], need[e]):
            for j in group:
                left[j] -= 1
            yield from extend(i + 1, left, chosen + [(j, e) for j in group])
            for j in group:
                left[j] += 1

    yield from extend(0, dict(room), [])


def routable(problem: Problem) -> bool:
    """Independent feasibility check: augmenting paths from entries to jurors with room."""
    need, room, eligible = open_slots(problem)
    load: Counter = Counter()
    match: dict[str, set[str]] = {j: set() for j in room}  # juror -> entries

    def augment(e: str, seen: set[str]) -> bool:
        for j in eligible[e]:
            if j in seen or e in match[j]:
                continue
            seen.add(j)
            if load[j] < room[j]:
                match[j].add(e)
                load[j] += 1
                return True
            for other in sorted(match[j]):
                if augment(other, seen):
                    match[j].discard(other)
                    match[j].add(e)
                    return True
        return False

    return all(augment(e, set()) for e, n in need.items() for _ in range(n))


# --- strategies --------------------------------------------------------------------------------------------------

@st.composite
def problems(draw, max_entries=4, max_jurors=4, max_k=3, max_capacity=4, conflicts=True, existing=True,
             min_jurors=1):
    n = draw(st.integers(0, max_entries))
    m = draw(st.integers(min_jurors, max_jurors))
    entries = tuple(PlanEntry(f"e{i}", draw(st.sampled_from(CATEGORIES))) for i in range(n))
    jurors = tuple(PlanJuror(f"j{i}", draw(st.integers(0, max_capacity) | st.integers(2, max_capacity)),
                             frozenset(draw(st.sets(st.sampled_from(CATEGORIES))))) for i in range(m))
    pairs = [(j.id, e.id) for j in jurors for e in entries]
    conflict_set = frozenset(draw(st.sets(st.sampled_from(pairs), max_size=4))) if conflicts and pairs else frozenset()
    existing_set = frozenset(draw(st.sets(st.sampled_from([*pairs, ("jx", "e0"), ("j0", "ex")]), max_size=4))) \
        if existing else frozenset()
    return Problem(draw(st.integers(1, max_k)), entries, jurors, conflict_set, existing_set,
                   draw(st.sampled_from(["experts", "loads"])))


def random_problem(seed: int, n: int = 25, m: int = 10, k: int = 3, conflict_rate: float = 0.15,
                   existing_rate: float = 0.05, capacity: tuple[int, int] = (0, 12)) -> Problem:
    rng = random.Random(seed)
    entries = tuple(PlanEntry(f"e{i:02d}", rng.choice(("a", "b", "c"))) for i in range(rng.randint(0, n)))
    jurors = tuple(PlanJuror(f"j{i:02d}", rng.randint(*capacity), frozenset(rng.sample("abc", rng.randint(0, 2))))
                   for i in range(rng.randint(1, m)))
    pairs = [(j.id, e.id) for j in jurors for e in entries]
    return Problem(rng.randint(1, k), entries, jurors,
                   frozenset(p for p in pairs if rng.random() < conflict_rate),
                   frozenset(p for p in pairs if rng.random() < existing_rate), rng.choice(["experts", "loads"]))


def tight_problem(seed: int) -> Problem:
    """A group of entries whose only unconflicted jurors are a few with little room: often unroutable although
    every entry alone has enough jurors and the total capacity suffices."""
    rng = random.Random(seed)
    n, m, k = rng.randint(3, 14), rng.randint(3, 9), rng.randint(1, 3)
    entries = tuple(PlanEntry(f"e{i:02d}", rng.choice("ab")) for i in range(n))
    jurors = tuple(PlanJuror(f"j{i}", rng.randint(1, 6), frozenset(rng.sample("ab", rng.randint(0, 1))))
                   for i in range(m))
    group = rng.sample(entries, rng.randint(1, n // 2 + 1))
    inner = {j.id for j in rng.sample(jurors, min(m, k + rng.randint(0, 1)))}
    conflicts = {(j.id, e.id) for e in group for j in jurors if j.id not in inner}
    conflicts |= {(j.id, e.id) for e in entries for j in jurors if rng.random() < 0.05}
    existing = {(j.id, e.id) for e in entries for j in jurors if rng.random() < 0.05}
    return Problem(k, entries, jurors, frozenset(conflicts), frozenset(existing), rng.choice(["experts", "loads"]))


def shuffled(problem: Problem, seed: int) -> Problem:
    rng = random.Random(seed)
    entries, jurors = list(problem.entries), list(problem.jurors)
    rng.shuffle(entries)
    rng.shuffle(jurors)
    return Problem(problem.jurors_per_entry, tuple(entries), tuple(jurors), problem.conflicts, problem.existing,
                   problem.priority)


def assert_obeys_rules(problem: Problem, plan) -> None:
    kept = kept_pairs(problem)
    pairs = set(plan.assignments)
    assert list(plan.assignments) == sorted(pairs), "sorted, no duplicates"
    assert not pairs & problem.conflicts, "a conflicted pair was assigned"
    assert kept <= pairs, "kept pairs must stay"
    assert set(plan.new) == pairs - kept and not set(plan.new) & problem.existing
    assert set(plan.removed) == set(problem.existing) - kept
    per_entry = Counter(e for _j, e in pairs)
    kept_per_entry = Counter(e for _j, e in kept)
    for entry in problem.entries:
        assert per_entry[entry.id] == max(problem.jurors_per_entry, kept_per_entry[entry.id])
    loads = Counter(j for j, _e in pairs)
    kept_loads = Counter(j for j, _e in kept)
    for juror in problem.jurors:
        assert loads[juror.id] <= max(juror.capacity, kept_loads[juror.id]), "capacity exceeded"
        assert plan.loads[juror.id] == loads[juror.id]
    assert plan.load_min == min(plan.loads.values(), default=0)
    assert plan.load_max == max(plan.loads.values(), default=0)
    assert plan.objective == cost(problem, plan.assignments)


# --- properties --------------------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(problems())
def test_plan_is_the_exact_optimum_found_by_brute_force(problem):
    plans = list(all_plans(problem))
    if not plans:
        with pytest.raises(Infeasible):
            solve(problem)
        return
    plan = solve(problem)
    assert_obeys_rules(problem, plan)
    assert goals(problem, plan.assignments) == min(goals(problem, p) for p in plans)
    assert plan.objective == min(cost(problem, p) for p in plans)
    # every entry gets an expert whenever some plan gives every entry one
    if problem.priority == "experts" and any(goals(problem, p)[0] == 0 for p in plans):
        assert plan.entries_without_expert == plan.entries_without_any_expert_available == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6))
def test_hard_rules_hold_and_infeasible_means_unroutable(seed):
    problem = random_problem(seed)
    try:
        plan = solve(problem)
    except Infeasible as exc:
        assert exc.constraint in {"too_few_unconflicted", "capacity", "unroutable"}
        assert not routable(problem)
        return
    assert routable(problem)
    assert_obeys_rules(problem, plan)
    greedy = greedy_baseline(problem)
    if greedy.status == "greedy":
        assert_obeys_rules(problem, greedy)
        assert plan.objective <= greedy.objective


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([None, 1, 2, 3]))
def test_tight_instances_infeasible_exactly_when_unroutable(seed, candidates):
    problem = tight_problem(seed)
    try:
        plan = solve(problem, candidates=candidates)
    except Infeasible as exc:
        assert exc.constraint in {"too_few_unconflicted", "capacity", "unroutable"}
        assert exc.entries or exc.constraint == "capacity"
        assert not routable(problem)
        return
    assert routable(problem)
    assert_obeys_rules(problem, plan)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_same_input_in_any_order_gives_the_same_plan(seed, order):
    problem = random_problem(seed, n=30, m=12)
    for candidates in (None, 4):
        try:
            plan = solve(problem, candidates=candidates)
        except Infeasible as exc:
            with pytest.raises(Infeasible) as again:
                solve(shuffled(problem, order), candidates=candidates)
            assert (again.value.reason, again.value.entries) == (exc.reason, exc.entries)
            continue
        assert solve(shuffled(problem, order), candidates=candidates) == plan
        assert solve(problem, candidates=candidates) == plan


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 5))
def test_pruning_never_causes_a_false_infeasible(seed, candidates):
    problem = random_problem(seed, n=30, m=12, conflict_rate=0.3, capacity=(0, 9))
    try:
        full = solve(problem, candidates=None)
    except Infeasible as exc:
        with pytest.raises(Infeasible) as pruned:
            solve(problem, candidates=candidates)
        assert pruned.value.constraint == exc.constraint
        return
    plan = solve(problem, candidates=candidates)
    assert_obeys_rules(problem, plan)
    assert plan.pruned == (len(problem.jurors) > candidates)
    assert plan.objective == full.objective  # pruned or not: the exact optimum
    if not plan.pruned:
        assert plan == full


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 8), st.integers(1, 12), st.integers(0, 40), st.integers(1, 4),
       st.sampled_from([frozenset(), frozenset(CATEGORIES), None]), st.randoms(use_true_random=False))
def test_equal_capacities_give_loads_within_one(capacity, jurors, entries, k, expertise, rng):
    """Holds for any expertise with priority "loads"; with "experts" only where expertise cannot tip it."""
    problem = Problem(k, tuple(PlanEntry(f"e{i}", rng.choice(CATEGORIES)) for i in range(entries)),
                      tuple(PlanJuror(f"j{i}", capacity, frozenset(rng.sample(CATEGORIES, rng.randint(0, 2)))
                                      if expertise is None else expertise) for i in range(jurors)),
                      priority="loads" if expertise is None else rng.choice(["experts", "loads"]))
    try:
        plan = solve(problem)
    except Infeasible:
        assert k > jurors or k * entries > jurors * min(capacity, entries)
        return
    assert plan.load_max - plan.load_min <= 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.booleans()), min_size=1, max_size=12), st.integers(0, 30),
       st.integers(1, 3), st.sampled_from(["none", "all", "mixed"]))
def test_loads_are_level_except_where_capacity_forces_them_apart(jurors, entries, k, expertise):
    """With priority "loads" for any expertise; with "experts" where expertise cannot tip it (none or all)."""
    problem = Problem(k, tuple(PlanEntry(f"e{i}", "a") for i in range(entries)),
                      tuple(PlanJuror(f"j{i}", c, frozenset({"a"}) if {"all": True, "mixed": x}.get(expertise)
                                      else frozenset()) for i, (c, x) in enumerate(jurors)),
                      priority="loads" if expertise == "mixed" else "experts")
    try:
        plan = solve(problem)
    except Infeasible:
        return
    for a, b in itertools.permutations(problem.jurors, 2):
        if plan.loads[a.id] >= plan.loads[b.id] + 2:
            assert plan.loads[b.id] == min(b.capacity, entries), "only a full juror may lag behind"


# --- examples ----------------------------------------------------------------------------------------------------

def jurors_(*specs) -> tuple[PlanJuror, ...]:
    return tuple(PlanJuror(juror_id, capacity, frozenset(expertise)) for juror_id, capacity, expertise in specs)


def entries_(*specs) -> tuple[PlanEntry, ...]:
    return tuple(PlanEntry(entry_id, category) for entry_id, category in specs)


@pytest.mark.parametrize("priority", ["experts", "loads"])
@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_first_expert_is_worth_more_than_the_second(priority, order):
    problem = shuffled(Problem(2, entries_(("e1", "a"), ("e2", "a")),
                               jurors_(("x1", 1, "a"), ("x2", 1, "a"), ("n1", 1, ""), ("n2", 1, "")),
                               priority=priority), order)
    plan = solve(problem)
    experts = Counter(e for j, e in plan.assignments if j.startswith("x"))
    assert experts == {"e1": 1, "e2": 1}
    assert plan.entries_without_expert == 0


def test_expert_coverage_comes_before_level_loads_unless_loads_have_priority():
    problem = Problem(1, entries_(("e1", "a"), ("e2", "a")), jurors_(("j1", 5, "a"), ("j2", 5, "")))
    plan = solve(problem)
    assert plan.assignments == (("j1", "e1"), ("j1", "e2"))
    assert (plan.load_min, plan.load_max, plan.entries_without_expert) == (0, 2, 0)
    level = solve(dataclasses.replace(problem, priority="loads"))
    assert (level.load_min, level.load_max, level.entries_without_expert) == (1, 1, 1)
    with pytest.raises(ValueError, match="Priorität"):
        solve(dataclasses.replace(problem, priority="fastest"))


def test_more_experts_are_preferred_when_loads_stay_level():
    problem = Problem(2, entries_(("e1", "a"), ("e2", "b")),
                      jurors_(("j1", 1, "a"), ("j2", 1, "a"), ("j3", 1, "b"), ("j4", 1, "b")))
    assert set(solve(problem).assignments) == {("j1", "e1"), ("j2", "e1"), ("j3", "e2"), ("j4", "e2")}


def test_no_expert_available_is_counted_apart():
    problem = Problem(1, entries_(("e1", "a"), ("e2", "b"), ("e3", "c")),
                      jurors_(("j1", 3, "a"), ("j2", 3, "b")), conflicts=frozenset({("j2", "e2")}))
    plan = solve(problem)
    assert plan.entries_without_expert == 0  # e2's only expert is conflicted
    assert plan.entries_without_any_expert_available == 2


def test_existing_pairs_are_kept_unless_conflicted_or_gone():
    problem = Problem(2, entries_(("e1", "a"), ("e2", "a"), ("e3", "a")),
                      jurors_(("j1", 2, ""), ("j2", 3, ""), ("j3", 3, "")),
                      conflicts=frozenset({("j3", "e2")}),
                      existing=frozenset({("j1", "e1"), ("j1", "e2"), ("j3", "e2"), ("j9", "e1"), ("j2", "e9")}))
    plan = solve(problem)
    assert plan.removed == (("j2", "e9"), ("j3", "e2"), ("j9", "e1"))
    assert {("j1", "e1"), ("j1", "e2")} <= set(plan.assignments)
    assert plan.loads["j1"] == 2  # the kept pairs fill j1's capacity: no new entry for j1
    assert not [p for p in plan.new if p[0] == "j1"]
    assert_obeys_rules(problem, plan)


def test_entry_with_enough_kept_jurors_gets_none_and_lowered_capacity_is_reported():
    problem = Problem(1, entries_(("e1", "a"), ("e2", "a")), jurors_(("j1", 0, ""), ("j2", 2, "")),
                      existing=frozenset({("j1", "e1"), ("j2", "e1")}))
    plan = solve(problem)
    assert plan.assignments == (("j1", "e1"), ("j2", "e1"), ("j2", "e2"))
    assert plan.new == (("j2", "e2"),)
    assert plan.over_capacity == ("j1",)


def test_no_entries_gives_an_empty_plan():
    plan = solve(Problem(3, (), jurors_(("j1", 2, "")), existing=frozenset({("j1", "e1")})))
    assert (plan.assignments, plan.removed, plan.load_max) == ((), (("j1", "e1"),), 0)


def test_cost_weights_rank_goals_strictly():
    problem = Problem(3, entries_(*((f"e{i}", "a") for i in range(10))),
                      jurors_(*((f"j{i}", 10, "a") for i in range(5))))
    w = weights(problem)
    assert w.non_expert == 1 and w.load == 2 * 5 + 1 and w.no_expert > w.load * 10
    plan = solve(problem)
    assert plan.objective == cost(problem, plan.assignments) == w.load * 5 * (6 * 7 // 2)
    assert cost(problem, []) == w.no_expert * 10
    with pytest.raises(ValueError, match="Unbekannte Id"):
        cost(problem, [("j9", "e1")])


# --- messages ----------------------------------------------------------------------------------------------------

def test_message_too_few_unconflicted_jurors():
    problem = Problem(3, entries_(("e1", "a"), ("e2", "a"), ("e7", "a"), ("e9", "a")),
                      jurors_(*((f"j{i}", 10, "") for i in range(4))),
                      conflicts=frozenset((j, e) for j in ("j0", "j1") for e in ("e1", "e7", "e9")))
    with pytest.raises(Infeasible) as exc:
        solve(problem)
    assert exc.value.reason.startswith(
        "Für 3 Beiträge gibt es zu wenige Jurymitglieder ohne Befangenheit (benötigt: 3): e1, e7, e9.")
    assert (exc.value.entries, exc.value.constraint) == (("e1", "e7", "e9"), "too_few_unconflicted")
    assert isinstance(exc.value, DomainError) and exc.value.message == exc.value.reason


def test_message_singular_and_long_lists_are_shortened():
    one = Problem(2, entries_(("e1", "a")), jurors_(("j1", 1, "")))
    with pytest.raises(Infeasible, match=r"^Für 1 Beitrag gibt es zu wenige"):
        solve(one)
    many = Problem(2, entries_(*((f"e{i:02d}", "a") for i in range(25))), jurors_(("j1", 30, "")))
    with pytest.raises(Infeasible, match="e19 und 5 weitere") as exc:
        solve(many)
    assert len(exc.value.entries) == 25


def test_message_capacity():
    problem = Problem(2, entries_(("e1", "a"), ("e2", "a"), ("e3", "a")), jurors_(("j1", 2, ""), ("j2", 2, "")))
    with pytest.raises(Infeasible) as exc:
        solve(problem)
    assert exc.value.constraint == "capacity"
    assert "Benötigt werden 6 weitere Zuweisungen, möglich sind 4, es fehlen 2" in exc.value.reason


def test_message_k_invalid_and_no_jurors():
    with pytest.raises(Infeasible) as exc:
        solve(Problem(0, entries_(("e1", "a")), jurors_(("j1", 1, ""))))
    assert exc.value.constraint == "k_invalid" and "mindestens 1" in exc.value.reason
    with pytest.raises(Infeasible) as exc:
        solve(Problem(2, entries_(("e1", "a")), ()))
    assert exc.value.constraint == "no_jurors" and exc.value.reason.startswith("Es gibt keine Jurymitglieder")


def test_message_unroutable_names_the_entries_left_short():
    # each of e1, e2 has two jurors without a conflict (j1, j2), but they have room for one entry each
    problem = Problem(2, entries_(*((f"e{i}", "a") for i in range(1, 6))),
                      jurors_(("j1", 1, ""), ("j2", 1, ""), *((f"j{i}", 10, "") for i in range(3, 7))),
                      conflicts=frozenset((f"j{i}", e) for i in range(3, 7) for e in ("e1", "e2")))
    for candidates in (None, 1):
        with pytest.raises(Infeasible) as exc:
            solve(problem, candidates=candidates)
        assert exc.value.constraint == "unroutable"
        assert exc.value.entries and set(exc.value.entries) <= {"e1", "e2"}
        assert exc.value.reason.startswith("Für ") and "es fehlen 2 Zuweisungen" in exc.value.reason


# --- JSON contract -----------------------------------------------------------------------------------------------

def test_problem_from_json_and_plan_to_json():
    problem = problem_from_json({
        "jurors_per_entry": 1,
        "entries": [{"id": "e1", "category": "mobilitaet"}, {"id": "e2", "category": "mobilitaet"}],
        "jurors": [{"id": "j1", "capacity": 2, "expertise": ["mobilitaet"]}, {"id": "j2", "capacity": 1}],
        "conflicts": [["j1", "e1"]],
        "existing": [["j2", "e1"]],
    })
    assert problem.conflicts == frozenset({("j1", "e1")}) and problem.jurors[1].expertise == frozenset()
    data = plan_to_json(solve(problem))
    assert data["status"] == "optimal"
    assert data["assignments"] == [["j1", "e2"], ["j2", "e1"]]
    assert (data["entries_without_expert"], data["entries_without_any_expert_available"]) == (0, 1)
    assert (data["load_min"], data["load_max"]) == (1, 1)
    assert data["new"] == [["j1", "e2"]] and data["removed"] == []


@pytest.mark.parametrize(("data", "fragment"), [
    ([], "JSON-Objekt"),
    ({"entries": [], "jurors": []}, "jurors_per_entry"),
    ({"jurors_per_entry": 2, "jurors": []}, "„entries“ fehlt"),
    ({"jurors_per_entry": 2, "entries": [{"id": "e1"}], "jurors": []}, "entries[0]"),
    ({"jurors_per_entry": 2, "entries": [], "jurors": [{"id": "j1", "capacity": -1}]}, "capacity"),
    ({"jurors_per_entry": 2, "entries": [], "jurors": [{"id": "j1", "capacity": 1, "expertise": "a"}]}, "Liste"),
    ({"jurors_per_entry": 2, "entries": [{"id": "e1", "category": "a"}] * 2, "jurors": []}, "mehrfach"),
    ({"jurors_per_entry": 2, "entries": [], "jurors": [], "conflicts": [["j1"]]}, "conflicts[0]"),
    ({"jurors_per_entry": 2, "entries": [], "jurors": [], "priority": "speed"}, "priority"),
])
def test_problem_from_json_refuses_bad_input(data, fragment):
    with pytest.raises(ProblemFormatError) as exc:
        problem_from_json(data)
    assert fragment in str(exc.value)

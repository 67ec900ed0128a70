"""Preferences in the assignment planner ("gern" = 1, "lieber nicht" = -1), checked against two exact references
that share no code with the planner: brute force over every plan (small instances, all five goals) and an exact
lexicographic ILP solved with OR-Tools CP-SAT (larger instances). Pure: no app, no database."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from competition.judging.assignment import (
    Infeasible,
    PlanEntry,
    PlanJuror,
    Problem,
    cost,
    solve,
    weights,
)
from competition.judging.assignment_json import ProblemFormatError, plan_to_json, problem_from_json

from .test_assignment import (
    CATEGORIES,
    all_plans,
    assert_obeys_rules,
    is_expert,
    kept_pairs,
    open_slots,
    problems,
    random_problem,
    shuffled,
)


def with_preferences(problem: Problem, rng: random.Random, rate: float = 0.4) -> Problem:
    """Marks about `rate` of all pairs (conflicted and kept ones too), half "gern", half "lieber nicht"."""
    prefs = tuple((j.id, e.id, rng.choice((1, -1))) for j in problem.jurors for e in problem.entries
                  if rng.random() < rate)
    return dataclasses.replace(problem, preferences=prefs)


@st.composite
def problems_with_preferences(draw, **kwargs):
    problem = draw(problems(**kwargs))
    pairs = [(j.id, e.id) for j in problem.jurors for e in problem.entries]
    marked = draw(st.dictionaries(st.sampled_from(pairs), st.sampled_from((1, -1)), max_size=len(pairs))) \
        if pairs else {}
    return dataclasses.replace(problem, preferences=tuple((j, e, v) for (j, e), v in marked.items()))


def preference_of(problem: Problem) -> dict[tuple[str, str], int]:
    return {(j, e): v for j, e, v in problem.preferences}


def goals(problem: Problem, assignments) -> tuple[int, ...]:
    """The five goals in rank order (lower is better): entries without an expert, "lieber nicht" pairs, pairs
    without "gern", Σ load², non-expert pairs; with priority "loads" Σ load² comes first."""
    pref = preference_of(problem)
    covered = {e for j, e in assignments if is_expert(problem, j, e)}
    loads = Counter(j for j, _e in assignments)
    uncovered = len(problem.entries) - len(covered)
    avoid = sum(1 for p in assignments if pref.get(p) == -1)
    not_gern = sum(1 for p in assignments if pref.get(p) != 1)
    level = sum(v * v for v in loads.values())
    non_expert = sum(1 for j, e in assignments if not is_expert(problem, j, e))
    if problem.priority == "loads":
        return level, uncovered, avoid, not_gern, non_expert
    return uncovered, avoid, not_gern, level, non_expert


def counts(problem: Problem, plan) -> tuple[int, int, int]:
    """(entries with an expert, "lieber nicht" pairs, "gern" pairs) of a plan."""
    pref = preference_of(problem)
    covered = {e for j, e in plan.assignments if is_expert(problem, j, e)}
    return (len(covered), sum(1 for p in plan.assignments if pref.get(p) == -1),
            sum(1 for p in plan.assignments if pref.get(p) == 1))


def lexicographic_ilp(problem: Problem) -> tuple[int, int, int] | None:
    """The exact reference with CP-SAT: maximise entries with an expert (after levelling Σ load² first with priority
    "loads"), then minimise "lieber nicht" pairs for that, then maximise "gern" pairs; None if infeasible.
    Returns (entries with an expert, "lieber nicht" pairs, "gern" pairs) of the optimum."""
    need, room, eligible = open_slots(problem)
    kept = kept_pairs(problem)
    pref = preference_of(problem)
    model = cp_model.CpModel()
    x = {(j, e): model.new_bool_var(f"x_{j}_{e}") for e in need for j in eligible[e]}
    for e, n in need.items():
        model.add(sum(x[j, e] for j in eligible[e]) == n)
    for juror in problem.jurors:
        model.add(sum(v for (j, _e), v in x.items() if j == juror.id) <= room[juror.id])
    covered = []
    for entry in problem.entries:
        if any(is_expert(problem, j, entry.id) for j, e in kept if e == entry.id):
            covered.append(1)
            continue
        c = model.new_bool_var(f"c_{entry.id}")
        model.add(c <= sum(x[j, entry.id] for j in eligible[entry.id] if is_expert(problem, j, entry.id)))
        covered.append(c)
    avoid = sum(1 for p in kept if pref.get(p) == -1) + sum(v for p, v in x.items() if pref.get(p) == -1)
    gern = sum(1 for p in kept if pref.get(p) == 1) + sum(v for p, v in x.items() if pref.get(p) == 1)
    stages = [(sum(covered), "max"), (avoid, "min"), (gern, "max")]
    if problem.priority == "loads":
        squares = []
        for juror in problem.jurors:
            base = sum(1 for j, _e in kept if j == juror.id)
            top = base + room[juror.id]
            load = model.new_int_var(0, top, f"l_{juror.id}")
            model.add(load == base + sum(v for (j, _e), v in x.items() if j == juror.id))
            square = model.new_int_var(0, top * top, f"s_{juror.id}")
            model.add_multiplication_equality(square, [load, load])
            squares.append(square)
        stages.insert(0, (sum(squares), "min"))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    values = []
    for expression, sense in stages:
        if isinstance(expression, int):  # nothing to choose for this goal
            values.append(expression)
            continue
        model.clear_objective()
        (model.maximize if sense == "max" else model.minimize)(expression)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return None
        assert status == cp_model.OPTIMAL
        best = round(solver.objective_value)
        model.add(expression == best)
        values.append(best)
    return tuple(values[-3:])


# --- properties --------------------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(problems_with_preferences())
def test_plan_is_the_lexicographic_optimum_found_by_brute_force(problem):
    """Coverage, then fewest "lieber nicht", then most "gern", then level loads, then experts: exactly."""
    plans = list(all_plans(problem))
    if not plans:
        with pytest.raises(Infeasible):
            solve(problem)
        return
    plan = solve(problem)
    assert_obeys_rules(problem, plan)
    assert goals(problem, plan.assignments) == min(goals(problem, p) for p in plans)
    assert plan.objective == min(cost(problem, p) for p in plans)
    pref = preference_of(problem)
    assert set(plan.preferences_met) == {p for p in plan.assignments if pref.get(p) == 1}
    assert set(plan.preferences_violated) == {p for p in plan.assignments if pref.get(p) == -1}


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["experts", "loads"]))
def test_preferences_match_an_exact_ilp_on_larger_instances(seed, priority):
    """Same expert coverage as the reference; violated "lieber nicht" pairs equal its minimum for that coverage;
    then as many "gern" pairs as it finds."""
    rng = random.Random(seed)
    problem = dataclasses.replace(random_problem(seed, n=9, m=7, k=2, capacity=(0, 6)), priority=priority)
    problem = with_preferences(problem, rng, rate=rng.choice((0.2, 0.5, 0.9)))
    reference = lexicographic_ilp(problem)
    if reference is None:
        with pytest.raises(Infeasible):
            solve(problem)
        return
    plan = solve(problem)
    assert_obeys_rules(problem, plan)
    assert counts(problem, plan) == reference
    assert len(plan.preferences_violated) == reference[1] and len(plan.preferences_met) == reference[2]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 6))
@example(seed=22117, candidates=2)  # priority "loads": the pruned plan traded level loads for a "lieber nicht"
def test_pruning_keeps_the_preference_guarantee(seed, candidates):
    """With few candidates per entry, the pruned plan is still the exact optimum: same cost as with all pairs, so
    the same coverage, loads and the fewest "lieber nicht" pairs."""
    rng = random.Random(seed)
    problem = with_preferences(random_problem(seed, n=30, m=14, conflict_rate=0.1, capacity=(3, 12)), rng, 0.5)
    try:
        full = solve(problem, candidates=None)
    except Infeasible:
        with pytest.raises(Infeasible):
            solve(problem, candidates=candidates)
        return
    plan = solve(problem, candidates=candidates)
    assert_obeys_rules(problem, plan)
    assert plan.objective == full.objective
    assert goals(problem, plan.assignments) == goals(problem, full.assignments)
    assert len(plan.preferences_violated) == len(full.preferences_violated)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_same_preferences_in_any_order_give_the_same_plan(seed, order):
    rng = random.Random(seed)
    problem = with_preferences(random_problem(seed, n=30, m=12), rng)
    reordered = dataclasses.replace(shuffled(problem, order),
                                    preferences=tuple(random.Random(order).sample(problem.preferences,
                                                                                  len(problem.preferences))))
    for candidates in (None, 4):
        try:
            plan = solve(problem, candidates=candidates)
        except Infeasible:
            continue
        assert solve(reordered, candidates=candidates) == plan


# --- examples ----------------------------------------------------------------------------------------------------

def jurors_(*specs) -> tuple[PlanJuror, ...]:
    return tuple(PlanJuror(juror_id, capacity, frozenset(expertise)) for juror_id, capacity, expertise in specs)


def entries_(*specs) -> tuple[PlanEntry, ...]:
    return tuple(PlanEntry(entry_id, category) for entry_id, category in specs)


def test_lieber_nicht_is_avoided_even_at_the_cost_of_level_loads():
    problem = Problem(1, entries_(("e1", "a"), ("e2", "a")), jurors_(("j1", 2, "a"), ("j2", 2, "a")),
                      preferences=(("j2", "e1", -1), ("j2", "e2", -1)))
    plan = solve(problem)
    assert plan.assignments == (("j1", "e1"), ("j1", "e2"))
    assert (plan.load_min, plan.load_max, plan.preferences_violated) == (0, 2, ())


def test_gern_is_preferred_but_expert_coverage_comes_first():
    # j2 likes e1 but is no expert; e1's only expert is j1, so j1 judges e1 although j2 asked for it
    problem = Problem(1, entries_(("e1", "a"), ("e2", "b")), jurors_(("j1", 1, "a"), ("j2", 1, "b")),
                      preferences=(("j2", "e1", 1), ("j1", "e2", 1)))
    plan = solve(problem)
    assert plan.assignments == (("j1", "e1"), ("j2", "e2"))
    assert plan.preferences_met == () and plan.entries_without_expert == 0


def test_lieber_nicht_is_accepted_only_when_capacity_forces_it():
    problem = Problem(2, entries_(("e1", "a"),), jurors_(("j1", 1, "a"), ("j2", 1, ""), ("j3", 1, "")),
                      preferences=(("j2", "e1", -1), ("j3", "e1", -1)))
    plan = solve(problem)
    assert len(plan.preferences_violated) == 1 and ("j1", "e1") in plan.assignments


def test_gern_pairs_are_met_before_loads_are_levelled():
    problem = Problem(1, entries_(*((f"e{i}", "a") for i in range(4))), jurors_(("j1", 4, ""), ("j2", 4, "")),
                      preferences=tuple(("j1", f"e{i}", 1) for i in range(3)))
    plan = solve(problem)
    assert set(plan.preferences_met) == {("j1", "e0"), ("j1", "e1"), ("j1", "e2")}
    assert plan.loads == {"j1": 3, "j2": 1}


def test_without_preferences_the_weights_and_plan_are_as_before():
    problem = Problem(2, entries_(*((f"e{i}", CATEGORIES[i % 2]) for i in range(6))),
                      jurors_(("j1", 4, "a"), ("j2", 4, "b"), ("j3", 4, "")))
    w = weights(problem)
    assert (w.avoid, w.gern, w.exact) == (0, 0, True)
    assert w.load == 2 * 3 + 1 and w.no_expert == w.load * 4 + 2 * 3 + 1
    assert solve(problem) == solve(dataclasses.replace(problem, preferences=(("j9", "e1", 1), ("j1", "e9", -1))))


def test_weights_rank_preferences_between_coverage_and_loads():
    problem = Problem(2, entries_(*((f"e{i}", "a") for i in range(6))),
                      jurors_(("j1", 4, "a"), ("j2", 4, ""), ("j3", 4, "")),
                      preferences=(("j1", "e1", 1), ("j2", "e1", -1)))
    w = weights(problem)
    assert w.exact and w.non_expert == 1
    assert w.no_expert > w.avoid > w.gern > w.load * 4
    loads_first = weights(dataclasses.replace(problem, priority="loads"))
    assert loads_first.load > loads_first.no_expert > loads_first.avoid > loads_first.gern > loads_first.non_expert


def test_weights_stay_in_64_bits_on_huge_rounds():
    problem = Problem(3, tuple(PlanEntry(f"e{i}", "a") for i in range(20000)),
                      tuple(PlanJuror(f"j{i}", 45, frozenset()) for i in range(2000)),
                      preferences=(("j1", "e1", 1), ("j2", "e1", -1)), priority="loads")
    w = weights(problem)
    assert not w.exact and w.non_expert == 0 and w.avoid > w.gern >= 1
    assert w.load * 45 * (2 + 2 * 20000 + 2000 + 1) < 2**62
    experts_first = weights(dataclasses.replace(problem, priority="experts"))
    assert experts_first.exact and experts_first.non_expert == 1


@pytest.mark.parametrize("value", [0, 2, "1", True, 1.0, None])
def test_problem_refuses_other_preference_values(value):
    problem = Problem(1, entries_(("e1", "a"),), jurors_(("j1", 1, "a"),), preferences=(("j1", "e1", value),))
    with pytest.raises(ValueError, match="erlaubt sind 1"):
        solve(problem)


def test_problem_refuses_contradicting_preferences():
    problem = Problem(1, entries_(("e1", "a"),), jurors_(("j1", 1, "a"),),
                      preferences=(("j1", "e1", 1), ("j1", "e1", -1)))
    with pytest.raises(ValueError, match="widersprüchliche"):
        solve(problem)


# --- JSON contract -----------------------------------------------------------------------------------------------

def test_json_preferences_round_trip():
    problem = problem_from_json({
        "jurors_per_entry": 1,
        "entries": [{"id": "e1", "category": "a"}, {"id": "e2", "category": "a"}],
        "jurors": [{"id": "j1", "capacity": 2, "expertise": ["a"]}, {"id": "j2", "capacity": 2, "expertise": ["a"]}],
        "preferences": [["j1", "e1", 1], ["j2", "e1", -1], ["j1", "e2", -1], ["j1", "e1", 1]],
    })
    assert sorted(problem.preferences) == [("j1", "e1", 1), ("j1", "e2", -1), ("j2", "e1", -1)]
    data = plan_to_json(solve(problem))
    assert data["assignments"] == [["j1", "e1"], ["j2", "e2"]]
    assert data["preferences_met"] == [["j1", "e1"]] and data["preferences_violated"] == []


@pytest.mark.parametrize(("preferences", "fragment"), [
    ("gern", "„preferences“ muss eine Liste sein"),
    ([["j1", "e1"]], "preferences[0]: erwartet wird [Jurymitglied, Beitrag, 1 oder -1]"),
    ([["j1", "e1", 0]], "preferences[0]: Die Präferenz muss 1 (gern) oder -1 (lieber nicht) sein"),
    ([["j1", "e1", True]], "Die Präferenz muss 1"),
    ([["j1", "e1", 1.0]], "Die Präferenz muss 1"),
    ([["j1", "e1", "gern"]], "Die Präferenz muss 1"),
    ([["j1", "e1", 1], ["j1", "e1", -1]], "preferences[1]: Für Jurymitglied „j1“ und Beitrag „e1“ sind "
                                          "widersprüchliche"),
    ([["", "e1", 1]], "preferences[0]: „id“"),
])
def test_json_refuses_bad_preferences(preferences, fragment):
    with pytest.raises(ProblemFormatError) as exc:
        problem_from_json({"jurors_per_entry": 1, "entries": [], "jurors": [], "preferences": preferences})
    assert fragment in str(exc.value)

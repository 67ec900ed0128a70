"""`flask judging solve`: the pure planner on a problem file, driven through click's CliRunner (no database)."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner

from competition.judging.solve_cli import solve_command

PROBLEM = {
    "jurors_per_entry": 2,
    "entries": [{"id": "e1", "category": "mobilitaet"}, {"id": "e2", "category": "digitalisierung"},
                {"id": "e3", "category": "mobilitaet"}],
    "jurors": [{"id": "j1", "capacity": 10, "expertise": ["mobilitaet"]},
               {"id": "j2", "capacity": 2, "expertise": ["digitalisierung"]},
               {"id": "j3", "capacity": 3, "expertise": []},
               {"id": "j4", "capacity": 3}],
    "conflicts": [["j1", "e1"]],
    "existing": [["j2", "e1"], ["j9", "e2"]],
}


def run(tmp_path, problem, *extra):
    path = tmp_path / "problem.json"
    path.write_text(problem if isinstance(problem, str) else json.dumps(problem), encoding="utf-8")
    return CliRunner().invoke(solve_command, ["--input", str(path), *extra])


def test_is_a_standalone_click_command_named_solve():
    assert isinstance(solve_command, click.Command) and solve_command.name == "solve"


def test_prints_the_plan_and_writes_it_to_output(tmp_path):
    out = tmp_path / "plan.json"
    result = run(tmp_path, PROBLEM, "--output", str(out))
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert json.loads(out.read_text(encoding="utf-8")) == plan
    assert plan["status"] == "optimal"
    pairs = {tuple(p) for p in plan["assignments"]}
    assert ("j2", "e1") in pairs and ("j1", "e1") not in pairs
    assert sorted(e for _j, e in pairs) == ["e1", "e1", "e2", "e2", "e3", "e3"]
    assert plan["removed"] == [["j9", "e2"]]
    assert plan["entries_without_expert"] == 0
    assert {"load_min", "load_max", "new", "objective"} <= plan.keys()
    assert plan["load_max"] - plan["load_min"] <= 1


def test_contract_example_without_optional_fields(tmp_path):
    problem = {"jurors_per_entry": 1, "entries": [{"id": "e1", "category": "mobilitaet"}],
               "jurors": [{"id": "j1", "capacity": 10, "expertise": ["mobilitaet"]}]}
    result = run(tmp_path, problem)
    assert result.exit_code == 0
    plan = json.loads(result.output)
    assert (plan["assignments"], plan["entries_without_expert"], plan["load_min"], plan["load_max"]) == \
        ([["j1", "e1"]], 0, 1, 1)


def test_infeasible_exits_2_with_a_reason(tmp_path):
    out = tmp_path / "plan.json"
    problem = {**PROBLEM, "jurors_per_entry": 5}
    result = run(tmp_path, problem, "--output", str(out))
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["status"] == "infeasible"
    assert data["reason"].startswith("Für 3 Beiträge gibt es zu wenige Jurymitglieder ohne Befangenheit")
    assert data["constraint"] == "too_few_unconflicted" and data["entries"] == ["e1", "e2", "e3"]
    assert "assignments" not in data
    assert json.loads(out.read_text(encoding="utf-8")) == data


def test_capacity_shortage_says_how_many_are_missing(tmp_path):
    problem = {**PROBLEM, "jurors": [{**j, "capacity": 1} for j in PROBLEM["jurors"]]}
    result = run(tmp_path, problem)
    assert result.exit_code == 2
    assert "es fehlen" in json.loads(result.output)["reason"]


def test_bad_json_exits_1_with_a_clear_message(tmp_path):
    result = run(tmp_path, "{not json")
    assert result.exit_code == 1
    assert "kein gültiges JSON" in result.output


def test_missing_field_exits_1(tmp_path):
    result = run(tmp_path, {"jurors_per_entry": 3, "entries": []})
    assert result.exit_code == 1
    assert "„jurors“ fehlt" in result.output


def test_missing_input_file_exits_1(tmp_path):
    result = CliRunner().invoke(solve_command, ["--input", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "lässt sich nicht lesen" in result.output


def test_input_is_required():
    result = CliRunner().invoke(solve_command, [])
    assert result.exit_code == 2 and "--input" in result.output


def test_preferences_contract(tmp_path):
    """1 = gern, -1 = lieber nicht; the plan lists the assigned pairs with each, and avoids the -1 it can."""
    problem = {
        "jurors_per_entry": 1,
        "entries": [{"id": "e1", "category": "mobilitaet"}, {"id": "e2", "category": "mobilitaet"}],
        "jurors": [{"id": "j1", "capacity": 2, "expertise": ["mobilitaet"]},
                   {"id": "j2", "capacity": 2, "expertise": ["mobilitaet"]}],
        "preferences": [["j1", "e1", 1], ["j2", "e1", -1], ["j2", "e2", 1], ["j9", "e1", 1]],
    }
    result = run(tmp_path, problem)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["assignments"] == [["j1", "e1"], ["j2", "e2"]]
    assert plan["preferences_met"] == [["j1", "e1"], ["j2", "e2"]] and plan["preferences_violated"] == []
    forced = {**problem, "jurors": [{**j, "capacity": 1} for j in problem["jurors"]],
              "preferences": [["j2", "e1", -1], ["j2", "e2", -1]]}
    plan = json.loads(run(tmp_path, forced).output)
    assert len(plan["preferences_violated"]) == 1 and plan["preferences_met"] == []


def test_bad_preference_exits_1(tmp_path):
    result = run(tmp_path, {**PROBLEM, "preferences": [["j1", "e2", 2]]})
    assert result.exit_code == 1
    assert "preferences[0]: Die Präferenz muss 1 (gern) oder -1 (lieber nicht) sein" in result.output

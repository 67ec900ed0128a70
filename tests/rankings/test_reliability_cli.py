"""`flask rankings reliability`: the JSON contract (whole input and per category), the readable output, and exit
code 2 with a German message on bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from competition import create_app
from competition.rankings.cli import cli


def jury(seed: int = 3, entries: int = 24, jurors: int = 8, per_entry: int = 3, noise: float = 0.8) -> dict:
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1.2, entries)
    leniency = rng.normal(0, 0.6, jurors)
    sheets = []
    for i in range(entries):
        for j in rng.choice(jurors, per_entry, replace=False):
            value = float(np.clip(6 + quality[i] + leniency[j] + rng.normal(0, noise), 0, 10))
            second = float(np.clip(value + rng.normal(0, 0.5), 0, 10))
            sheets.append({"juror": f"j{j}", "entry": f"e{i}",
                           "scores": {"c1": round(value, 1), "c2": round(second, 1)}})
    return {"scale": {"min": 0, "max": 10}, "criteria": [{"id": "c1", "weight": 60}, {"id": "c2", "weight": 40}],
            "sheets": sheets}


WITH_CATEGORIES = {**jury(), "categories": {f"e{i}": ("mobilitaet", "digital")[i % 2] for i in range(24)}}


@pytest.fixture
def runner():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
    app.cli.add_command(cli)
    return app.test_cli_runner()


def run(runner, tmp_path, data, *args):
    path = tmp_path / "sheets.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return runner.invoke(args=["rankings", "reliability", "--input", str(path), *args])


def test_json_contract_for_the_whole_input(runner, tmp_path):
    result = run(runner, tmp_path, jury(noise=1.5), "--line", "3", "--budget", "4", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["method"] == "calibrated" and out["line"] == 3 and out["status"] == "ok"
    assert 0 < out["single_rater"] < out["panel"] < 1
    assert out["single_rater_interval"][0] <= out["single_rater"] <= out["single_rater_interval"][1]
    assert isinstance(out["line_stable"], bool) and out["line_stable"] is False
    recommendations = out["recommendations"]
    assert 0 < len(recommendations) <= 4 and len(set(recommendations)) == len(recommendations)
    assert set(recommendations) <= {s["entry"] for s in jury()["sheets"]}
    gains = {c["entry"]: c["gain"] for c in out["candidates"]}
    assert [gains[e] for e in recommendations] == sorted((gains[e] for e in recommendations), reverse=True)
    assert "categories" not in out


def test_per_category_results_under_categories(runner, tmp_path):
    result = run(runner, tmp_path, WITH_CATEGORIES, "--line", "2", "--budget", "1", "--method", "weighted-mean",
                 "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["categories"]) == {"mobilitaet", "digital"}
    for category, data in out["categories"].items():
        assert data["entries"] == 12 and data["method"] == "weighted-mean" and data["line"] == 2
        assert len(data["recommendations"]) <= 1
        members = {e for e, c in WITH_CATEGORIES["categories"].items() if c == category}
        assert set(data["recommendations"]) <= members
        assert {"single_rater", "panel", "line_stable"} <= set(data)
    assert out["entries"] == 24  # the top level: the whole input as one ranking


def test_the_line_defaults_to_the_prize_line_of_the_file_else_three(runner, tmp_path):
    assert json.loads(run(runner, tmp_path, jury(), "--json").output)["line"] == 3
    assert json.loads(run(runner, tmp_path, {**jury(), "prize_line": 5}, "--json").output)["line"] == 5


def test_the_same_input_gives_the_same_answer(runner, tmp_path):
    first = run(runner, tmp_path, WITH_CATEGORIES, "--json").output
    assert run(runner, tmp_path, WITH_CATEGORIES, "--json").output == first


def test_readable_output_in_german(runner, tmp_path):
    result = run(runner, tmp_path, WITH_CATEGORIES, "--budget", "2")
    assert result.exit_code == 0, result.output
    assert "Zuverlässigkeit der Gesamtwertung: 0," in result.output
    assert "Kategorie digital:" in result.output and "Kategorie mobilitaet:" in result.output
    assert "Linie nach Platz 3" in result.output
    assert "statistisch nicht zu unterscheiden" in result.output or "gut gesichert" in result.output


def test_too_little_data_is_said_not_guessed(runner, tmp_path):
    data = jury(entries=3, per_entry=2)
    result = run(runner, tmp_path, data, "--json")
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["status"] == "insufficient" and out["single_rater"] is None and out["panel"] is None
    assert "zu wenige Beiträge" in run(runner, tmp_path, data).output


@pytest.mark.parametrize(("data", "args", "message"), [
    ("{kein json", (), "kein gültiges JSON"),
    ({"criteria": [], "sheets": []}, (), "Das Feld „scale“ fehlt"),
    ({**jury(), "categories": ["mobilitaet"]}, (), "„categories“ muss ein JSON-Objekt sein"),
    ({**jury(), "categories": {"e1": "mobilitaet"}}, (), "Für den Beitrag „e0“ fehlt die Kategorie"),
    ({**jury(), "categories": {**WITH_CATEGORIES["categories"], "e5": ""}}, (), "Die Kategorie von „e5“"),
    ({**jury(), "categories": {**WITH_CATEGORIES["categories"], "e5": 7}}, (), "Die Kategorie von „e5“"),
    (jury(), ("--line", "0"), "--line"),
    (jury(), ("--budget", "-1"), "--budget"),
    (jury(), ("--line", "drei"), "--line"),
])
def test_bad_input_exits_2_with_a_clear_message(runner, tmp_path, data, args, message):
    result = run(runner, tmp_path, data, *args, "--json")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["rankings", "reliability", "--input", str(tmp_path / "fehlt.json")])
    assert result.exit_code == 2 and "lässt sich nicht lesen" in result.output

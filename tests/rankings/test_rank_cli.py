"""`flask rankings rank`: JSON contract, readable table, and exit code 2 with a German message on bad input."""

from __future__ import annotations

import json

import pytest

from competition import create_app
from competition.rankings.cli import cli, parse_input

GOOD = {
    "scale": {"min": 0, "max": 10},
    "criteria": [{"id": "c1", "weight": 30}, {"id": "c2", "weight": 10}],
    "sheets": [
        {"juror": j, "entry": e, "scores": {"c1": c1, "c2": c2}}
        for j, e, c1, c2 in [
            ("j1", "e1", 8, 4), ("j2", "e1", 6, 10), ("j3", "e1", 9, 5),
            ("j1", "e2", 7, 7), ("j2", "e2", 10, 2), ("j3", "e2", 5, 9),
            ("j1", "e3", 2, 2), ("j2", "e3", 10, 10), ("j3", "e3", 6, 6),
        ]
    ],
}


@pytest.fixture
def runner():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
    app.cli.add_command(cli)
    return app.test_cli_runner()


def run(runner, tmp_path, data, *args):
    path = tmp_path / "sheets.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return runner.invoke(args=["rankings", "rank", "--input", str(path), *args])


@pytest.mark.parametrize("method", ["weighted-mean", "median", "trimmed-mean", "calibrated"])
def test_json_contract(runner, tmp_path, method):
    result = run(runner, tmp_path, GOOD, "--method", method, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["method"] == method
    first = out["ranking"][0]
    assert {"entry", "rank", "score", "raw_score", "sheets", "spread", "rank_interval", "tie"} <= set(first)
    assert first["entry"] == "e1" and first["rank"] == 1 and first["sheets"] == 3
    assert first["raw_score"] == pytest.approx(22 / 3) and first["spread"] == 1.0
    assert len(first["rank_interval"]) == 2 and first["tie"] is False
    assert [r["rank"] for r in out["ranking"]] == [1, 2, 3]
    assert {j["juror"] for j in out["jurors"]} == {"j1", "j2", "j3"}
    assert all(j["calibrated"] for j in out["jurors"])
    assert out["agreement"]["kendall_tau"] == pytest.approx(1.0)


def test_default_method_prints_a_table(runner, tmp_path):
    result = run(runner, tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "Methode: weighted-mean" in result.output and "e1" in result.output
    assert "Punkte" in result.output and "Kendalls tau" in result.output


def test_optional_fields_flag_ties_and_missing_sheets(runner, tmp_path):
    data = {**GOOD, "expected_sheets": 4, "prize_line": 1, "jury_order": ["e2"]}
    out = json.loads(run(runner, tmp_path, data, "--json").output)
    assert all("missing_sheets" in r["flags"] for r in out["ranking"])


def with_sheet(**changes):
    data = json.loads(json.dumps(GOOD))
    data["sheets"].append({"juror": "j1", "entry": "e9", "scores": {"c1": 5, "c2": 5}, **changes})
    return data


@pytest.mark.parametrize(("data", "message"), [
    (with_sheet(scores={"c1": 5, "c9": 5}), "Unbekanntes Kriterium „c9“ im Bogen von j1 für e9."),
    (with_sheet(scores={"c1": 11, "c2": 5}), "außerhalb der Skala"),
    (with_sheet(scores={"c1": 5}), "Kriterium „c2“ fehlt im Bogen von j1 für e9."),
    (with_sheet(scores={"c1": "sieben", "c2": 5}), "keine Zahl"),
    (with_sheet(entry=""), "fehlt „entry“"),
    ({**GOOD, "sheets": []}, "keine Bewertungsbögen"),
    ({"scale": {"min": 0, "max": 10}, "criteria": GOOD["criteria"]}, "„sheets“ fehlt"),
    ({**GOOD, "criteria": [{"id": "c1", "weight": 0}]}, "positives Gewicht"),
    ({**GOOD, "scale": {"min": 5, "max": 5}}, "kleiner als"),
    ({**GOOD, "sheets": [*GOOD["sheets"], GOOD["sheets"][0]]}, "zwei Bögen von j1 für e1"),
    ("{kaputt", "kein gültiges JSON"),
])
def test_bad_input_exits_2_with_a_clear_message(runner, tmp_path, data, message):
    result = run(runner, tmp_path, data, "--json")
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_method_and_missing_file(runner, tmp_path):
    assert run(runner, tmp_path, GOOD, "--method", "mode").exit_code == 2
    result = runner.invoke(args=["rankings", "rank", "--input", str(tmp_path / "fehlt.json")])
    assert result.exit_code == 2 and "lässt sich nicht lesen" in result.output


def test_parse_input_keeps_values():
    parsed = parse_input(GOOD)
    assert parsed.scale.max == 10 and [c.weight for c in parsed.criteria] == [30, 10] and len(parsed.sheets) == 9

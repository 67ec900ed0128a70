"""`flask judging solve --input PROBLEM.json [--output PLAN.json]`: the pure planner on a problem file, no database.

A standalone click command (no app context needed); `judging/cli.py` attaches it to the `judging` group.
Exit codes: 0 plan found, 2 infeasible (the JSON says why), 1 unreadable or malformed problem file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .assignment import Infeasible, solve
from .assignment_json import ProblemFormatError, infeasible_to_json, plan_to_json, problem_from_json


@click.command("solve")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Problemdatei (JSON): jurors_per_entry, entries, jurors, optional conflicts, existing, priority "
                   "und preferences.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Den Plan zusätzlich in diese Datei schreiben.")
@click.pass_context
def solve_command(ctx: click.Context, input_path: Path, output_path: Path | None) -> None:
    """Plan the assignment of entries to jurors for a problem file (no database)."""
    try:
        data = json.loads(input_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"Die Problemdatei „{input_path}“ lässt sich nicht lesen: {exc.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"Die Problemdatei „{input_path}“ ist kein gültiges JSON: {exc}.") from None
    try:
        problem = problem_from_json(data)
    except ProblemFormatError as exc:
        raise click.ClickException(f"Die Problemdatei „{input_path}“ ist ungültig. {exc}") from None
    try:
        result, code = plan_to_json(solve(problem)), 0
    except Infeasible as exc:
        result, code = infeasible_to_json(exc), 2
    text = json.dumps(result, ensure_ascii=False)
    if output_path is not None:
        try:
            output_path.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"Der Plan lässt sich nicht nach „{output_path}“ schreiben: "
                                       f"{exc.strerror}.") from None
    click.echo(text)
    ctx.exit(code)

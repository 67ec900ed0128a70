"""`flask rankings reliability --input SHEETS.json [--line K] [--budget B] [--method M] [--json]`: how reliable a
jury's ranking is, whether its line is stable and where extra reviews help most; no database.

Input: the file `flask rankings rank` reads (its parser is reused), with an optional ``"categories": {"e1":
"mobilitaet", …}`` (every entry with sheets needs one): the top level then describes the whole input ranked as one
list, ``"categories"`` each category on its own (each with the same line and budget). ``--line`` defaults to the
file's ``"prize_line"``, else 3; without ``--budget`` as many entries are recommended as are in doubt (at most 10).
Exit codes: 0 assessed, 2 bad input (the message says what is wrong, in German).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import reliability as rel
from .cli import InputError, RankingInput, cli, parse_input, read_json_file
from .ranking import METHODS, Sheet

DEFAULT_LINE = 3


def parse_categories(data: dict, parsed: RankingInput) -> dict[str, str] | None:
    """The optional entry → category map; every entry with sheets needs a category."""
    if "categories" not in data or data["categories"] is None:
        return None
    raw = data["categories"]
    if not isinstance(raw, dict) or not all(isinstance(k, str) and k for k in raw):
        raise InputError("„categories“ muss ein JSON-Objekt sein, das Beitrags-IDs auf Kategorien abbildet.")
    for entry, category in raw.items():
        if not isinstance(category, str) or not category.strip():
            raise InputError(f"Die Kategorie von „{entry}“ muss ein nicht leerer Text sein.")
    missing = sorted({s.entry for s in parsed.sheets} - set(raw))
    if missing:
        raise InputError(f"Für den Beitrag „{missing[0]}“ fehlt die Kategorie in „categories“.")
    return {entry: category.strip() for entry, category in raw.items()}


def assess_input(parsed: RankingInput, categories: dict[str, str] | None, *, method: str, line: int,
                 budget: int | None, seed: int) -> dict[str, Any]:
    """The JSON of the command: the whole input, and each category under "categories" when given."""

    def one(sheets: list[Sheet]) -> rel.Reliability:
        return rel.assess(sheets, parsed.criteria, parsed.scale, method=method, line=line, budget=budget, seed=seed)

    whole = one(list(parsed.sheets))
    result = rel.reliability_to_json(whole)
    per_category = {}
    if categories is not None:
        for category in sorted(set(categories[s.entry] for s in parsed.sheets)):
            sheets = [s for s in parsed.sheets if categories[s.entry] == category]
            per_category[category] = one(sheets)
        result["categories"] = {c: rel.reliability_to_json(r) for c, r in per_category.items()}
    return {"whole": whole, "categories": per_category, "json": result}


def _text(name: str | None, r: rel.Reliability) -> list[str]:
    from .reliability_labels import number, percent, statement_text, summary_text

    lines = [f"Kategorie {name}:" if name else "Alle Beiträge:"]
    lines.append(f"  {summary_text(r)}")
    if r.status == "ok":
        lines.append(f"  90-%-Intervall: ein Jurymitglied {number(r.single_rater_interval[0])}–"
                     f"{number(r.single_rater_interval[1])}, Gesamtwertung {number(r.panel_interval[0])}–"
                     f"{number(r.panel_interval[1])}")
        c = r.components
        lines.append(f"  Varianzanteile: Beiträge {number(c.entry)}, Milde/Strenge der Jury {number(c.juror)}, "
                     f"Rest {number(c.residual)}")
    for s in r.statements:
        if s.kind != "insufficient":
            lines.append(f"  {statement_text(s)}")
    if r.line_probability is not None:
        lines.append(f"  Linie nach Platz {r.line}: {'stabil' if r.line_stable else 'nicht stabil'} "
                     f"(richtig gezogen mit {percent(r.line_probability)} Wahrscheinlichkeit)")
    if r.recommendations:
        lines.append(f"  Zusätzliche Bewertungen empfohlen für: {', '.join(r.recommendations)}")
    elif r.line is not None and r.line < r.entries:
        lines.append("  Keine zusätzlichen Bewertungen nötig.")
    return lines


@cli.command("reliability")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Bögen als JSON wie bei „rank“, optional mit „categories“.")
@click.option("--line", type=click.IntRange(min=1), default=None,
              help="Plätze über der Linie (Preise bzw. Shortlist) je Kategorie; Standard: „prize_line“ der Datei, "
                   "sonst 3.")
@click.option("--budget", type=click.IntRange(min=0), default=None,
              help="Höchstzahl empfohlener zusätzlicher Bewertungen (Standard: so viele, wie Beiträge in Frage "
                   "stehen, höchstens 10).")
@click.option("--method", type=click.Choice(METHODS), default="calibrated", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Startwert der Zufallsziehungen.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt ausgeben.")
def reliability_command(input_path: Path, line: int | None, budget: int | None, method: str, seed: int,
                        as_json: bool) -> None:
    """How reliable the jury's ranking is, whether the line is stable, where extra reviews help (no database)."""
    data = read_json_file(input_path)
    try:
        parsed = parse_input(data)
        categories = parse_categories(data, parsed)
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    line = line or parsed.prize_line or DEFAULT_LINE
    outcome = assess_input(parsed, categories, method=method, line=line, budget=budget, seed=seed)
    if as_json:
        click.echo(json.dumps(outcome["json"], ensure_ascii=False))
        return
    lines = [f"Zuverlässigkeit der Rangliste (Methode: {method}, Linie nach Platz {line})"]
    lines += _text(None, outcome["whole"])
    for name, r in outcome["categories"].items():
        lines += _text(name, r)
    click.echo("\n".join(lines))

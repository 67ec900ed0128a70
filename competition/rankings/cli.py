"""`flask rankings rank --input SHEETS.json [--method …] [--json]`: rank entries from a sheets file, no database.

Input: ``{"scale": {"min": 0, "max": 10}, "criteria": [{"id": "c1", "weight": 30}, …],
"sheets": [{"juror": "j1", "entry": "e1", "scores": {"c1": 7.5, …}}, …]}``; optional ``"expected_sheets"`` (k),
``"jury_order"`` (recorded jury decision, a list of entry ids) and ``"prize_line"`` (number of prizes).
Exit codes: 0 ranked, 2 bad input (the message says what is wrong, in German).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from .ranking import METHODS, Criterion, Ranking, Scale, Sheet, rank_entries, ranking_to_json

cli = AppGroup("rankings", help="Ranglisten berechnen.")


class InputError(ValueError):
    """Bad sheets file; the message is for the user."""


@dataclass(frozen=True)
class RankingInput:
    scale: Scale
    criteria: tuple[Criterion, ...]
    sheets: tuple[Sheet, ...]
    expected_sheets: int | None = None
    jury_order: tuple[str, ...] = ()
    prize_line: int | None = None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _optional_count(data: dict, field: str) -> int | None:
    value = data.get(field)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise InputError(f"„{field}“ muss eine positive ganze Zahl sein.")
    return value


def parse_input(data: Any) -> RankingInput:
    """Validate a sheets file; raises InputError with a German message."""
    if not isinstance(data, dict):
        raise InputError("Die Eingabe muss ein JSON-Objekt sein.")
    for field in ("scale", "criteria", "sheets"):
        if field not in data:
            raise InputError(f"Das Feld „{field}“ fehlt.")
    raw_scale = data["scale"]
    if not isinstance(raw_scale, dict) or not _number(raw_scale.get("min")) or not _number(raw_scale.get("max")):
        raise InputError("„scale“ braucht die Zahlen „min“ und „max“.")
    if raw_scale["min"] >= raw_scale["max"]:
        raise InputError("Die Skala braucht „min“ kleiner als „max“.")
    scale = Scale(float(raw_scale["min"]), float(raw_scale["max"]))
    if not isinstance(data["criteria"], list) or not data["criteria"]:
        raise InputError("„criteria“ muss eine nicht leere Liste sein.")
    criteria: list[Criterion] = []
    for i, c in enumerate(data["criteria"], start=1):
        if not isinstance(c, dict) or not _text(c.get("id")):
            raise InputError(f"Kriterium Nr. {i} braucht eine „id“.")
        if not _number(c.get("weight")) or c["weight"] <= 0:
            raise InputError(f"Kriterium „{c['id']}“ braucht ein positives Gewicht („weight“).")
        if any(x.id == c["id"] for x in criteria):
            raise InputError(f"Kriterium „{c['id']}“ ist doppelt angegeben.")
        criteria.append(Criterion(c["id"], float(c["weight"])))
    known = {c.id for c in criteria}
    if not isinstance(data["sheets"], list) or not data["sheets"]:
        raise InputError("Es gibt keine Bewertungsbögen („sheets“ ist leer).")
    sheets: list[Sheet] = []
    seen: set[tuple[str, str]] = set()
    for i, s in enumerate(data["sheets"], start=1):
        if not isinstance(s, dict):
            raise InputError(f"Bogen Nr. {i} ist kein JSON-Objekt.")
        for field in ("juror", "entry"):
            if not _text(s.get(field)):
                raise InputError(f"Im Bogen Nr. {i} fehlt „{field}“.")
        juror, entry, scores = s["juror"], s["entry"], s.get("scores")
        where = f"im Bogen von {juror} für {entry}"
        if not isinstance(scores, dict):
            raise InputError(f"„scores“ fehlt {where}.")
        for cid, value in scores.items():
            if cid not in known:
                raise InputError(f"Unbekanntes Kriterium „{cid}“ {where}.")
            if not _number(value):
                raise InputError(f"Der Wert für „{cid}“ {where} ist keine Zahl.")
            if not scale.min <= value <= scale.max:
                raise InputError(f"Der Wert {value} für „{cid}“ {where} liegt außerhalb der Skala "
                                 f"{raw_scale['min']}–{raw_scale['max']}.")
        missing = [c.id for c in criteria if c.id not in scores]
        if missing:
            raise InputError(f"Kriterium „{missing[0]}“ fehlt {where}.")
        if (juror, entry) in seen:
            raise InputError(f"Es gibt zwei Bögen von {juror} für {entry}.")
        seen.add((juror, entry))
        sheets.append(Sheet(juror, entry, {k: float(v) for k, v in scores.items()}))
    jury_order = data.get("jury_order", [])
    if not isinstance(jury_order, list) or not all(_text(e) for e in jury_order):
        raise InputError("„jury_order“ muss eine Liste von Beitrags-IDs sein.")
    return RankingInput(scale, tuple(criteria), tuple(sheets), _optional_count(data, "expected_sheets"),
                        tuple(jury_order), _optional_count(data, "prize_line"))


def _table(ranking: Ranking) -> str:
    lines = [f"Methode: {ranking.method}",
             f"{'Rang':>4}  {'Beitrag':<12} {'Wert':>7} {'roh':>7} {'Bögen':>5} {'Spanne':>6} {'Intervall':>9}  "
             "Gleichstand  Regel  Hinweise"]
    for r in ranking.entries:
        interval = f"{r.rank_interval[0]}–{r.rank_interval[1]}" if r.rank_interval else "–"
        lines.append(f"{r.rank:>4}  {r.entry:<12} {r.score:>7.2f} {r.raw_score:>7.2f} {r.sheets:>5} {r.spread:>6.2f} "
                     f"{interval:>9}  {'ja' if r.tie else 'nein':<11}  {r.tie_rule or '–'}  {', '.join(r.flags)}")
    lines.append("Jury:")
    for j in ranking.jurors:
        if j.calibrated:
            direction = "über" if j.offset >= 0 else "unter"
            lines.append(f"  {j.juror}: bewertet im Mittel {abs(j.offset):.2f} Punkte {direction} dem Panel")
        else:
            lines.append(f"  {j.juror}: nicht kalibriert ({j.reason})")
    if ranking.kendall_tau is not None:
        lines.append(f"Übereinstimmung gewichtetes Mittel ↔ kalibriert (Kendalls tau): {ranking.kendall_tau:.3f}")
    return "\n".join(lines)


def read_json_file(path: Path) -> Any:
    """The JSON in `path`, or a usage error (exit 2) that says in German why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"Die Datei „{path}“ lässt sich nicht lesen: {exc.strerror}.") from None
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.UsageError(f"Die Datei „{path}“ ist kein gültiges JSON: {exc}.") from None


@cli.command("rank")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Bögen als JSON: scale, criteria, sheets.")
@click.option("--method", type=click.Choice(METHODS), default="weighted-mean", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt ausgeben.")
@click.option("--seed", type=int, default=0, show_default=True, help="Startwert für das Bootstrap-Resampling.")
def rank_command(input_path: Path, method: str, as_json: bool, seed: int) -> None:
    """Rank the entries of a sheets file (no database)."""
    data = read_json_file(input_path)
    try:
        parsed = parse_input(data)
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    ranking = rank_entries(parsed.sheets, parsed.criteria, parsed.scale, method=method,
                           expected_sheets=parsed.expected_sheets, jury_order=parsed.jury_order,
                           prize_line=parsed.prize_line, seed=seed)
    click.echo(json.dumps(ranking_to_json(ranking), ensure_ascii=False) if as_json else _table(ranking))


@cli.command("freeze")
@click.option("--edition", "slug", required=True, help="Kürzel der Ausschreibung, z. B. ind-2026.")
@click.option("--round", "position", type=int, default=None,
              help="Nummer der Bewertungsrunde (Standard: die letzte mit eingereichten Bögen).")
@click.option("--method", type=click.Choice(METHODS), default="weighted-mean", show_default=True)
@click.option("--line", type=click.IntRange(min=1), default=None,
              help="Plätze über der Linie je Kategorie (Preise bzw. Shortlist) für die Zuverlässigkeit; Standard: "
                   "wie beim letzten Stand, sonst 3 in der letzten Runde und 5 davor.")
def freeze_command(slug: str, position: int | None, method: str, line: int | None) -> None:
    """Freeze the round's ranking as an immutable snapshot; prints its id and SHA-256."""
    from ..core.clock import utcnow
    from ..core.errors import DomainError
    from ..editions.services import edition_by_slug
    from ..extensions import db
    from ..judging.queries import system_actor
    from . import queries, services

    edition = edition_by_slug(slug)
    if edition is None:
        raise click.ClickException(f"Unbekannte Ausschreibung „{slug}“.")
    if position is None:
        judging_round = queries.latest_round_with_sheets(edition)
        if judging_round is None:
            raise click.ClickException(f"„{edition.name}“ hat noch keine eingereichten Bewertungsbögen.")
    else:
        judging_round = next((r for r in edition.rounds if r.position == position), None)
        if judging_round is None:
            raise click.ClickException(f"„{edition.name}“ hat keine Bewertungsrunde {position}.")
    try:
        snapshot = services.freeze_ranking(judging_round=judging_round, method=method, by=system_actor(),
                                           now=utcnow(), line=line)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Rangliste eingefroren: Stand {snapshot.id} ({judging_round.name}, {method})")
    click.echo(f"SHA-256: {snapshot.sha256}")
    click.echo("Bewertungsbögen und Zuweisungen dieser Runde sind jetzt gesperrt; wieder öffnen (mit Begründung) "
               "auf der Ranglisten-Seite.")


# --- published outputs of a frozen ranking: `flask rankings pdf` and `flask rankings export` ------------------------

PDF_KINDS = ("internal", "public", "certificates", "feedback", "protocol")
EXPORT_FORMATS = ("xlsx", "csv")


class OutputRefused(click.ClickException):
    """A clear message and exit code 2 (bad input: unknown edition, no snapshot, unwritable file), no traceback."""

    exit_code = 2


def pick_snapshot(slug: str, snapshot_id: int | None, *, last_round: bool):
    """The snapshot to print: `--snapshot ID` (of this edition), else the edition's latest snapshot, or with
    `last_round` the latest snapshot of the last round that has one (public results, certificates)."""
    from sqlalchemy import select

    from ..editions.models import JudgingRound
    from ..editions.services import edition_by_slug
    from ..extensions import db
    from .models import RankingSnapshot

    edition = edition_by_slug(slug)
    if edition is None:
        raise OutputRefused(f"Unbekannte Ausschreibung „{slug}“.")
    if snapshot_id is not None:
        snapshot = db.session.get(RankingSnapshot, snapshot_id)
        if snapshot is None or snapshot.edition_id != edition.id:
            raise OutputRefused(f"„{edition.name}“ hat keinen eingefrorenen Stand Nr. {snapshot_id}.")
        return snapshot
    query = select(RankingSnapshot).where(RankingSnapshot.edition_id == edition.id)
    if last_round:
        query = query.join(JudgingRound, JudgingRound.id == RankingSnapshot.round_id).order_by(
            JudgingRound.position.desc(), RankingSnapshot.created_at.desc(), RankingSnapshot.id.desc())
    else:
        query = query.order_by(RankingSnapshot.created_at.desc(), RankingSnapshot.id.desc())
    snapshot = db.session.scalars(query.limit(1)).first()
    if snapshot is None:
        raise OutputRefused(f"„{edition.name}“ hat noch keinen eingefrorenen Stand. Zuerst einfrieren: "
                            f"flask rankings freeze --edition {slug}")
    return snapshot


def _write(out: Path, data: bytes) -> None:
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise OutputRefused(f"Die Datei „{out}“ lässt sich nicht schreiben: {exc.strerror}.") from None


@cli.command("pdf")
@click.option("--edition", "slug", required=True, help="Kürzel der Ausschreibung, z. B. ind-2026.")
@click.option("--kind", type=click.Choice(PDF_KINDS), required=True,
              help="internal: Jury-Rangliste, public: Ergebnisse, certificates: Urkunden, feedback: Rückmeldungen "
                   "an die Unternehmen, protocol: Jury-Protokoll.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei (PDF).")
@click.option("--snapshot", "snapshot_id", type=int, default=None,
              help="Nummer des eingefrorenen Stands (Standard: der neueste; für public: der neueste der letzten Runde "
                   "mit einem eingefrorenen Stand; für certificates: der veröffentlichte – Urkunden aus einem "
                   "anderen Stand sind ein Entwurf ohne Prüfcode).")
def pdf_command(slug: str, kind: str, out: Path, snapshot_id: int | None) -> None:
    """Print a frozen ranking as a PDF."""
    from ..core.urls import base_url
    from ..extensions import db
    from . import outputs
    from .certificates import is_published

    draft = False
    if kind == "certificates":
        snapshot = _certificate_snapshot(slug, snapshot_id)
        draft = not is_published(snapshot)
        if draft:
            click.echo(f"Hinweis: Der eingefrorene Stand {snapshot.id} ist nicht veröffentlicht; die Urkunden sind "
                       "ein Entwurf (Vermerk „Entwurf“, kein Prüfcode). Gültige Urkunden entstehen aus dem "
                       "veröffentlichten Stand.", err=True)
        data = outputs.certificates_pdf(snapshot, base_url=base_url())
        db.session.commit()  # the certificates' codes, kept for printing them again
    else:
        snapshot = pick_snapshot(slug, snapshot_id, last_round=kind == "public")
        if kind == "feedback":
            data = outputs.feedback_pdfs(snapshot)
        else:
            data = {"internal": outputs.internal_pdf, "public": outputs.public_pdf,
                    "protocol": outputs.protocol_pdf}[kind](snapshot)
    _write(out, data)
    click.echo(f"{out}: {len(data):,} Bytes, eingefrorener Stand {snapshot.id} (SHA-256 {snapshot.sha256[:16]}…)"
               .replace(",", ".") + (" – Entwurf ohne Prüfcodes" if draft else ""))


def _certificate_snapshot(slug: str, snapshot_id: int | None):
    """Certificates are printed from the published snapshot by default; without a publication (or with
    `--snapshot` naming another one) they are a draft."""
    from ..editions.services import edition_by_slug
    from .certificates import publication_of_edition

    if snapshot_id is None:
        edition = edition_by_slug(slug)
        publication = publication_of_edition(edition.id) if edition is not None else None
        if publication is not None:
            return publication.snapshot
    return pick_snapshot(slug, snapshot_id, last_round=True)


@cli.command("export")
@click.option("--edition", "slug", required=True, help="Kürzel der Ausschreibung, z. B. ind-2026.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei.")
@click.option("--snapshot", "snapshot_id", type=int, default=None,
              help="Nummer des eingefrorenen Stands (Standard: der neueste).")
def export_command(slug: str, fmt: str, out: Path, snapshot_id: int | None) -> None:
    """Export a frozen ranking with every juror's scores and comments (XLSX or CSV)."""
    from . import exports

    snapshot = pick_snapshot(slug, snapshot_id, last_round=False)
    data = exports.snapshot_xlsx(snapshot) if fmt == "xlsx" else exports.snapshot_csv(snapshot)
    _write(out, data)
    click.echo(f"{out}: {len(data):,} Bytes, eingefrorener Stand {snapshot.id} (SHA-256 {snapshot.sha256[:16]}…)"
               .replace(",", "."))


from . import reliability_cli as _reliability_cli  # noqa: E402, F401 - registers `flask rankings reliability`

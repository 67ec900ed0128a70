"""`flask judging …`: automatic assignment, the pure planner on a file, reminders."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..editions import services as edition_services
from ..editions.models import Edition, JudgingRound
from ..extensions import db
from . import queries, reminders, services

cli = AppGroup("judging", help="Jury: Zuweisung und Erinnerungen / jury assignment and reminders.")


def _edition(slug: str) -> Edition:
    edition = edition_services.edition_by_slug(slug)
    if edition is None:
        known = ", ".join(e.slug for e in db.session.scalars(edition_services.list_editions())) or "–"
        raise click.ClickException(f"Unbekannte Ausschreibung „{slug}“. Vorhanden: {known}")
    return edition


def _round(edition: Edition, position: int | None) -> JudgingRound:
    if not edition.rounds:
        raise click.ClickException(f"„{edition.name}“ hat noch keine Bewertungsrunde.")
    if position is None:
        return queries.current_round(edition, utcnow())
    for judging_round in edition.rounds:
        if judging_round.position == position:
            return judging_round
    raise click.ClickException(f"„{edition.name}“ hat keine Bewertungsrunde {position} "
                               f"(vorhanden: 1–{len(edition.rounds)}).")


@cli.command("assign")
@click.option("--edition", "slug", required=True, help="Kürzel der Ausschreibung, z. B. ind-2026.")
@click.option("--round", "position", type=int, default=None, help="Nummer der Bewertungsrunde (Standard: aktuelle).")
@click.option("--dry-run", is_flag=True, help="Nur planen und anzeigen, nichts speichern.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt ausgeben.")
def assign(slug: str, position: int | None, dry_run: bool, as_json: bool) -> None:
    """Plan (and unless --dry-run apply) the automatic assignment of entries to jurors."""
    edition = _edition(slug)
    judging_round = _round(edition, position)
    try:
        preview = services.plan_round(judging_round=judging_round)
        if not dry_run:
            organiser = queries.system_actor()
            preview = services.apply_plan(judging_round=judging_round, digest=preview.digest, by=organiser,
                                          now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"status": "infeasible", "reason": str(exc.message)}, ensure_ascii=False))
            sys.exit(2)
        raise click.ClickException(str(exc.message)) from None
    if not dry_run:
        db.session.commit()
    summary = services.plan_summary(preview)
    summary.update({"edition": edition.slug, "round": judging_round.name, "applied": not dry_run})
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    verb = "Geplant (nicht gespeichert)" if dry_run else "Zugewiesen"
    click.echo(f"{verb}: {judging_round.name} in „{edition.name}“")
    click.echo(f"  Zuweisungen insgesamt: {summary['assignments']} (neu {summary['new']}, entfernt "
               f"{summary['removed']})")
    click.echo(f"  Beiträge ohne Fachjuror: {summary['entries_without_expert']}")
    click.echo(f"  Last pro Jurymitglied: {summary['load_min']}–{summary['load_max']}")
    click.echo(f"  Verletzte Befangenheiten: {summary['conflicts_violated']}")
    click.echo(f"  Präferenzen: {summary['preferences_met']} × „gern“ erfüllt, {summary['preferences_violated']} × "
               "„lieber nicht“ zugewiesen")


@cli.command("remind")
@click.option("--edition", "slug", required=True, help="Kürzel der Ausschreibung.")
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, wer erinnert würde.")
def remind(slug: str, dry_run: bool) -> None:
    """E-mail jurors who have open work in the current round."""
    edition = _edition(slug)
    judging_round = _round(edition, None)
    due = reminders.jurors_with_open_work(judging_round)
    if not due:
        click.echo("Niemand hat offene Bewertungen.")
        return
    for juror, count in due:
        click.echo(f"  {juror.email}: {count} offen")
    if dry_run:
        click.echo(f"{len(due)} Jurymitglieder würden erinnert (--dry-run: nichts gesendet).")
        return
    sent, failed = reminders.send_reminders(judging_round=judging_round, due=due)
    click.echo(f"{sent} Erinnerungen gesendet" + (f", {failed} fehlgeschlagen" if failed else "") + ".")
    if failed:
        sys.exit(1)


def register_solve(group: AppGroup) -> None:
    from .solve_cli import solve_command

    group.add_command(solve_command)


register_solve(cli)

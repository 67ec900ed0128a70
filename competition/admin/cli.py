"""`flask demo …` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.clock import utcnow
from ..extensions import db
from . import demo

cli = AppGroup("demo", help="Demo-Daten / demo data.")


@cli.command("seed")
@click.option("--entries", default=30, show_default=True, type=click.IntRange(0, 20000),
              help="Anzahl der Unternehmen (Bewerberkonten).")
@click.option("--jurors", default=12, show_default=True, type=click.IntRange(0, 2000),
              help="Anzahl der Jurymitglieder.")
@click.option("--scored", is_flag=True,
              help="Auch Bewertungen der Vorauswahl erzeugen (setzt die Ausschreibung in die Jurybewertung).")
@click.option("--seed", default=2026, show_default=True, type=int, help="Startwert für reproduzierbare Daten.")
def seed(entries: int, jurors: int, scored: bool, seed: int) -> None:
    """Build the demo edition "Industrie. Neu. Denken. 2026". Running it again changes nothing."""
    result = demo.seed_demo(entries=entries, jurors=jurors, seed=seed, now=utcnow())
    db.session.commit()
    if result.created:
        from sqlalchemy import func, select

        from ..entries.models import Entry, EntryStatus

        counts = dict(db.session.execute(
            select(Entry.status, func.count()).where(Entry.edition_id == result.edition.id).group_by(Entry.status)
        ).all())
        click.echo(f"Demo-Ausschreibung „{result.edition.name}“ angelegt: {len(result.edition.categories)} "
                   f"Kategorien, {len(result.edition.rounds)} Bewertungsrunden, {len(result.jurors)} Jurymitglieder, "
                   f"{len(result.applicants)} Unternehmen mit {sum(counts.values()) - counts.get(EntryStatus.DRAFT, 0)}"
                   f" eingereichten Beiträgen und {counts.get(EntryStatus.DRAFT, 0)} Entwürfen.")
        for note in result.notes:
            click.echo(note)
    else:
        click.echo(f"Demo-Daten sind bereits vorhanden („{result.edition.name}“)"
                   + ("." if scored else "; nichts geändert."))
    if scored:
        _echo_scores(demo.seed_scores(edition=result.edition, organiser=result.organiser, seed=seed, now=utcnow()),
                     again=not result.created)
        db.session.commit()
    click.echo("")
    click.echo(f"Demo-Zugänge (Passwort für alle: {demo.DEMO_PASSWORD})")
    click.echo(f"  Organisationsteam: {result.organiser.email}")
    for user in result.jurors[:3]:
        click.echo(f"  Jurymitglied:      {user.email}  ({user.full_name})")
    for user in result.applicants[:3]:
        click.echo(f"  Unternehmen:       {user.email}  ({user.full_name})")
    if len(result.jurors) > 3 or len(result.applicants) > 3:
        click.echo(f"  … und weitere: jury01..jury{len(result.jurors):02d}@ind-demo.example")


def _echo_scores(scores: demo.ScoreSeedResult, *, again: bool) -> None:
    if scores.phase_set:
        click.echo("Die Ausschreibung ist jetzt in der Jurybewertung (vom Organisationsteam gesetzt).")
    if scores.scored + scores.existing + scores.not_started + scores.blocked == 0:
        click.echo("Keine Bewertungen erzeugt: die Vorauswahl hat keine Zuweisungen.")
        return
    if again and scores.scored == 0:
        click.echo(f"Bewertungen sind bereits vorhanden ({scores.existing} Bewertungsbögen); keine neuen erzeugt.")
        return
    prefix = (f"Bewertungen ergänzt ({scores.existing} Bewertungsbögen waren schon vorhanden): " if scores.existing
              else "Bewertungen erzeugt: ")
    click.echo(f"{prefix}{scores.scored} Bewertungsbögen, davon {scores.submitted} eingereicht und {scores.drafts} "
               f"Entwürfe; {scores.not_started} Zuweisungen noch nicht begonnen.")
    if scores.blocked:
        click.echo(f"{scores.blocked} Zuweisungen ohne Bewertung: das Jurymitglied ist inzwischen befangen.")


@cli.command("results")
@click.option("--seed", default=2026, show_default=True, type=int, help="Startwert für reproduzierbare Daten.")
def results(seed: int) -> None:
    """Add the finished edition "Industrie. Neu. Denken. 2025" (scored, decided, published). Running it again
    changes nothing."""
    from ..core.urls import base_url
    from .demo_audience import seed_audience_vote
    from .demo_results import seed_results

    try:
        result = seed_results(seed=seed, now=utcnow())
        audience = seed_audience_vote(result.edition, seed=seed)
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if result.created:
        click.echo(f"Abgeschlossene Ausschreibung „{result.edition.name}“ angelegt: bewertet, entschieden, "
                   "veröffentlicht.")
    else:
        click.echo(f"„{result.edition.name}“ ist bereits vorhanden; nichts geändert.")
    base = base_url()
    click.echo(f"  Ergebnisseite: {base}/ergebnisse/{result.edition.slug}")
    click.echo(f"  Ranglisten (Organisationsteam): {base}/organisation/editions/{result.edition.id}/rankings")
    if result.snapshot is not None:
        click.echo(f"  Eingefrorener Stand: SHA-256 {result.snapshot.sha256}")
    if audience is not None:
        totals = audience.content["totals"]
        click.echo(f"  Publikumspreis: {totals['counted']} Stimmen gezählt, {totals['excluded']} ausgeschlossen; "
                   f"SHA-256 {audience.sha256}")

"""`flask ops …`: backup, restore, retention purge, audit-chain check.

Exit codes: 0 done; 1 a check failed (audit chain broken, restored data not verified); 2 refused (bad archive,
non-empty target, unknown edition …), with a German message saying why and what to do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.audit import AuditEvent, first_broken_link
from ..core.clock import to_berlin, utcnow
from ..core.storage import get_storage
from ..extensions import db
from . import backup as backups
from . import purge as purges

cli = AppGroup("ops", help="Betrieb: Backup, Wiederherstellung, Löschfristen, Prüfung des Audit-Protokolls.")


def _refuse(message: str, code: int = 2):
    click.echo(f"Abgebrochen: {message}", err=True)
    sys.exit(code)


def format_datetime_berlin(moment) -> str:
    return to_berlin(moment).strftime("%d.%m.%Y, %H:%M Uhr")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


@cli.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Zieldatei, z. B. /var/backups/wettbewerb-2026-11-25.tar.gz")
def backup_command(out: Path):
    """Datenbank und Anlagen in ein Archiv mit Prüfsummen sichern."""
    try:
        result = backups.create_backup(out=out, storage=get_storage(), now=utcnow())
    except backups.BackupError as error:
        _refuse(str(error))
    click.echo(f"Backup geschrieben: {result.path}")
    click.echo(f"  Datenbank: {result.dialect}; Dateien: {result.files}; zusammen {_size(result.bytes)}; "
               f"eingefrorene Stände: {result.snapshots}")
    if result.missing_files:
        click.echo(f"  Warnung: {len(result.missing_files)} Anlage(n) ohne Datei im Speicher, z. B. "
                   f"{result.missing_files[0]}", err=True)


@cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(archive: Path):
    """Ein Backup in eine LEERE Installation einspielen und prüfen."""
    try:
        result = backups.restore_backup(path=archive, storage=get_storage())
    except backups.BackupError as error:
        _refuse(str(error))
    click.echo(f"Backup eingespielt ({result.dialect}): {result.files} Dateien.")
    click.echo(f"  Anlagen mit korrekter SHA-256: {result.attachments_ok}; eingefrorene Stände mit "
               f"korrektem Hash: {result.snapshots_ok}; Alembic-Revision: {result.revision or '–'}")
    for warning in result.warnings:
        click.echo(f"  Hinweis: {warning}")
    if not result.verified:
        for problem in result.attachments_bad + result.snapshots_bad:
            click.echo(f"  FEHLER: {problem}", err=True)
        click.echo("Die Prüfung nach dem Einspielen ist fehlgeschlagen; bitte das Backup prüfen.", err=True)
        sys.exit(1)
    click.echo("Prüfung bestanden.")


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, was gelöscht würde.")
@click.option("--edition", "slug", help="Nur diese Ausschreibung (Kürzel).")
def purge_command(dry_run: bool, slug: str | None):
    """Nach Ablauf der Aufbewahrungsfrist Anlagen und persönliche Daten nicht ausgezeichneter Beiträge löschen."""
    now = utcnow()
    try:
        plan = purges.plan_purge(now=now, slug=slug)
    except LookupError:
        _refuse(f"Unbekannte Ausschreibung „{slug}“.")
    except purges.RetentionNotReached as error:
        edition = error.args[0]
        if edition.retention_until is None:
            _refuse(f"Für „{edition.name}“ ist keine Aufbewahrungsfrist gesetzt; es wird nichts gelöscht.")
        _refuse(f"Die Aufbewahrungsfrist von „{edition.name}“ läuft erst am "
                f"{format_datetime_berlin(edition.retention_until)} ab; es wird nichts gelöscht.")
    if plan.is_empty:
        click.echo("Nichts zu löschen." if plan.editions else
                   "Nichts zu löschen: keine Ausschreibung hat ihre Aufbewahrungsfrist überschritten.")
        return
    prefix = "Würde löschen" if dry_run else "Lösche"
    for item in plan.editions:
        if item.is_empty:
            click.echo(f"{item.slug}: nichts zu löschen.")
            continue
        click.echo(f"{prefix} in {item.slug}: {len(item.entries)} Beitrag/Beiträge, {item.attachments} Anlage(n), "
                   f"Kontaktdaten von {len(item.companies)} Unternehmen")
        if item.entries:
            click.echo("  Beiträge: " + ", ".join(e.label for e in item.entries))
    if dry_run:
        click.echo("Probelauf: nichts wurde verändert.")
        return
    purges.apply_purge(plan, storage=get_storage(), by=None, now=now)
    db.session.commit()
    click.echo("Gelöscht; je Ausschreibung ist ein Audit-Ereignis „retention.purged“ verzeichnet.")


@cli.command("verify-audit")
def verify_audit_command():
    """Die Hash-Kette des Audit-Protokolls prüfen."""
    broken = first_broken_link()
    if broken is None:
        count = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
        click.echo(f"Audit-Kette intakt ({count} Ereignisse)")
        return
    click.echo(f"Audit-Kette unterbrochen beim Ereignis {broken.id} vom "
               f"{format_datetime_berlin(broken.occurred_at)} ({broken.action}): Inhalt oder Verkettung wurde "
               f"nachträglich verändert. Alle späteren Ereignisse sind ungeprüft.", err=True)
    sys.exit(1)

"""`flask accounts …` commands."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..extensions import db
from . import services

cli = AppGroup("accounts", help="Konten verwalten / manage accounts.")


@cli.command("create-admin")
@click.option("--email", required=True, help="E-Mail-Adresse des Organisationsteam-Kontos.")
@click.option("--name", "full_name", default="Organisationsteam", show_default=True, help="Anzeigename.")
@click.option("--password-stdin", is_flag=True, help="Passwort aus der Standardeingabe lesen (erste Zeile).")
def create_admin(email: str, full_name: str, password_stdin: bool) -> None:
    """Create the first organiser (or give an existing account the organiser role)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
    try:
        user = services.create_admin(email=email, password=password, full_name=full_name, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Organisationsteam-Konto bereit: {user.email} (id {user.id})")

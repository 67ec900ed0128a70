"""``flask audience purge-addresses``: delete the voters' addresses of every published vote (idempotent; the
publication already does it, this is for a vote published before the deletion ran or for the retention check)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..core.clock import utcnow
from ..extensions import db
from .models import AudienceVote, Ballot
from .services import purge_addresses

cli = AppGroup("audience", help="Publikumspreis.")


@cli.command("purge-addresses")
def purge_addresses_command() -> None:
    """Delete the e-mail addresses of published votes (the salted hashes stay)."""
    total = 0
    for vote in db.session.scalars(select(AudienceVote).where(AudienceVote.published_at.is_not(None))):
        left = db.session.scalar(select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.email.is_not(None))
                                 .limit(1))
        if left is not None:
            total += purge_addresses(vote=vote, by=None, now=utcnow())
    db.session.commit()
    noun = "E-Mail-Adresse" if total == 1 else "E-Mail-Adressen"
    click.echo(f"{total} {noun} gelöscht; die gesalzenen Prüfwerte bleiben.")

"""Use cases of the audience vote. They flush, never commit; the acting user and ``now`` are arguments.

Decisions (issue 20):
- A vote is requested with an address and confirmed by the link mailed to it (double opt-in); only confirmed votes
  count. The confirmation mail is a background job (``audience.confirmation``), never sent in the request.
- One ballot per person per category, keyed by the salted hash of the normalised address (``addresses.py``).
- Changing a vote re-confirms: the new choice waits in ``pending_entry_id`` and the old confirmed one keeps counting
  until the new link is clicked. Without re-confirmation anybody who knows an address could move that person's vote.
- Votes themselves are not written to the audit chain (20 000 a day would serialise on its lock); what organisers
  do is: configuring, closing, exclusions, publication, the deletion of addresses.
- Publication freezes the result with its SHA-256 and deletes the voters' addresses (only the salted hash, the
  domain and the network remain): the result is final then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select, update

from ..core import audit
from ..core.errors import InvalidToken, Locked, ValidationFailed
from ..core.permissions import require_organiser
from ..core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from ..editions.models import Category, Edition
from ..entries.models import Entry
from ..extensions import db
from ..jobs import submit
from ..rankings.services import canonical_sha256
from . import queries
from .addresses import AddressInvalid, address_hash, split
from .models import AudienceVote, Ballot
from .results import CountedBallot, EntryMeta, freeze_content

TOKEN_PURPOSE = "audience-vote"  # noqa: S105  # nosec B105  # a salt name, not a secret
TOKEN_MAX_AGE = 7 * 24 * 3600
MAX_REASON = 2000


def confirm_token(ballot_id: int, nonce: str) -> str:
    return make_token(TOKEN_PURPOSE, {"b": ballot_id, "n": nonce})


# --- the organisers' side -----------------------------------------------------------------------------------------

def configure_vote(*, edition: Edition, opens_at: datetime, closes_at: datetime, entry_ids: list[int], by,
                   now: datetime) -> AudienceVote:
    """Create or change the vote of an edition: its dates and the entries in the gallery (audited)."""
    require_organiser(by)
    vote = queries.vote_of(edition.id)
    if vote is not None and vote.published_at is not None:
        raise Locked(_l("Das Ergebnis der Publikumsabstimmung ist veröffentlicht; sie kann nicht mehr geändert "
                        "werden."))
    if closes_at <= opens_at:
        raise ValidationFailed(_l("Das Ende der Abstimmung muss nach ihrem Beginn liegen."), field="closes_at")
    allowed = {e.id for e in queries.candidate_entries(edition.id)}
    chosen = sorted({int(e) for e in entry_ids})
    if not chosen:
        raise ValidationFailed(_l("Bitte wählen Sie mindestens einen Beitrag für die Abstimmung aus."),
                               field="entry_ids")
    if not set(chosen) <= allowed:
        raise ValidationFailed(_l("Zur Abstimmung stehen nur eingereichte Beiträge, deren Unternehmen der "
                                  "Veröffentlichung zugestimmt hat."), field="entry_ids")
    if vote is None:
        vote = AudienceVote(edition_id=edition.id, opens_at=opens_at, closes_at=closes_at, entry_ids=chosen,
                            salt=secrets.token_hex(16), created_at=now)
        db.session.add(vote)
    else:
        if vote.closed_at is not None and closes_at > now:
            vote.closed_at = None  # new dates after an early close: the organiser opens it again
        vote.opens_at, vote.closes_at, vote.entry_ids = opens_at, closes_at, chosen
    db.session.flush()
    audit.record(actor=by, action="audience.configured", obj_type="edition", obj_id=edition.id, now=now,
                 opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(), entries=chosen)
    return vote


def close_vote(*, vote: AudienceVote, by, now: datetime) -> None:
    require_organiser(by)
    if vote.closed_at is not None or vote.published_at is not None:
        raise ValidationFailed(_l("Die Abstimmung ist bereits geschlossen."))
    if now < vote.opens_at:
        raise ValidationFailed(_l("Die Abstimmung hat noch nicht begonnen; ändern Sie stattdessen ihre Termine."))
    vote.closed_at = min(now, vote.closes_at)
    db.session.flush()
    audit.record(actor=by, action="audience.closed", obj_type="edition", obj_id=vote.edition_id, now=now,
                 closed_at=vote.closed_at.isoformat())


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(_l("Bitte begründen Sie den Ausschluss (mindestens 10 Zeichen); die Begründung steht "
                                  "im Protokoll und ihre Zahl im veröffentlichten Ergebnis."), field="reason")
    return reason[:MAX_REASON]


def exclude_ballots(*, vote: AudienceVote, ballot_ids: list[int], reason: str, by, now: datetime,
                    pattern: str | None = None) -> int:
    """Exclude votes (single ones or every vote of a pattern) with a reason; audited. Returns how many."""
    require_organiser(by)
    if vote.published_at is not None:
        raise Locked(_l("Das Ergebnis ist veröffentlicht; Stimmen können nicht mehr ausgeschlossen werden."))
    reason = _reason(reason)
    ids = sorted({int(i) for i in ballot_ids})
    if not ids:
        raise ValidationFailed(_l("Es wurden keine Stimmen ausgewählt."))
    result = db.session.execute(update(Ballot).where(Ballot.vote_id == vote.id, Ballot.id.in_(ids),
                                                     Ballot.excluded_at.is_(None))
                                .values(excluded_at=now, excluded_reason=reason, excluded_by_id=by.id))
    db.session.flush()
    audit.record(actor=by, action="audience.excluded", obj_type="edition", obj_id=vote.edition_id, now=now,
                 reason=reason, pattern=pattern, ballots=ids, count=result.rowcount)
    return result.rowcount


def readmit_ballot(*, vote: AudienceVote, ballot: Ballot, by, now: datetime) -> None:
    require_organiser(by)
    if vote.published_at is not None:
        raise Locked(_l("Das Ergebnis ist veröffentlicht; es kann nicht mehr geändert werden."))
    ballot.excluded_at = ballot.excluded_reason = ballot.excluded_by_id = None
    db.session.flush()
    audit.record(actor=by, action="audience.readmitted", obj_type="edition", obj_id=vote.edition_id, now=now,
                 ballot=ballot.id)


def result_content(vote: AudienceVote) -> dict:
    edition = db.session.get(Edition, vote.edition_id)
    entries = queries.gallery_entries(vote)
    categories = [{"id": c.id, "name": c.name} for c in edition.categories
                  if any(e.category_id == c.id for e in entries)]
    rows = db.session.execute(select(Ballot.category_id, Ballot.entry_id, Ballot.excluded_reason)
                              .where(Ballot.vote_id == vote.id, Ballot.entry_id.is_not(None))).all()
    unconfirmed = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id,
                                                                        Ballot.entry_id.is_(None))) or 0
    return freeze_content(
        edition={"id": edition.id, "name": edition.name, "slug": edition.slug},
        categories=categories,
        entries=[EntryMeta(e.id, e.category_id, e.number or "", e.title, e.company.legal_name,
                           str(e.company.district.value)) for e in entries],
        ballots=[CountedBallot(r.category_id, r.entry_id, r.excluded_reason) for r in rows],
        unconfirmed=unconfirmed,
        window={"opens_at": vote.opens_at.isoformat(), "closed_at": (vote.closed_at or vote.closes_at).isoformat()})


def publish_vote(*, vote: AudienceVote, by, now: datetime) -> str:
    """Freeze the result with its SHA-256, publish it and delete the voters' addresses (audited)."""
    require_organiser(by)
    if vote.published_at is not None:
        raise ValidationFailed(_l("Das Ergebnis ist bereits veröffentlicht."))
    if not vote.is_closed(now):
        raise ValidationFailed(_l("Bitte schließen Sie die Abstimmung, bevor Sie das Ergebnis veröffentlichen."))
    if vote.closed_at is None:
        vote.closed_at = vote.closes_at
    content = result_content(vote)
    content["published_at"] = now.replace(microsecond=0).isoformat()
    vote.content = content
    vote.sha256 = canonical_sha256(content)
    vote.published_at = now
    vote.published_by_id = by.id
    db.session.flush()
    audit.record(actor=by, action="audience.published", obj_type="edition", obj_id=vote.edition_id, now=now,
                 sha256=vote.sha256, counted=content["totals"]["counted"], excluded=content["totals"]["excluded"])
    purge_addresses(vote=vote, by=by, now=now)
    return vote.sha256


def purge_addresses(*, vote: AudienceVote, by, now: datetime) -> int:
    """Delete the voters' addresses of a published vote; the salted hashes stay (audited). Returns how many."""
    if vote.published_at is None:
        raise ValidationFailed(_l("Die Adressen werden gelöscht, sobald das Ergebnis veröffentlicht ist."))
    result = db.session.execute(update(Ballot).where(Ballot.vote_id == vote.id, Ballot.email.is_not(None))
                                .values(email=None, local=None, nonce=None, pending_entry_id=None))
    vote.addresses_purged_at = now
    db.session.flush()
    audit.record(actor=by, action="audience.addresses_purged", obj_type="edition", obj_id=vote.edition_id, now=now,
                 count=result.rowcount)
    return result.rowcount


def verify_vote(vote: AudienceVote) -> bool:
    return vote.content is not None and canonical_sha256(vote.content) == vote.sha256


# --- the voters' side ---------------------------------------------------------------------------------------------

def request_vote(*, vote: AudienceVote, entry_id: int, category_id: int, email: str, network: str, locale: str,
                 now: datetime) -> int | None:
    """Record a requested vote and queue its confirmation mail; returns the ballot's id, or None when the address
    already has this confirmed choice (nothing to do). Lean on purpose (a viral vote): one upsert on the unique key
    of the ballot (so two requests of one address at the same moment cannot make two ballots) and one job row."""
    if not vote.is_open(now):
        raise Locked(_l("Die Abstimmung ist geschlossen; es können keine Stimmen mehr abgegeben werden."))
    try:
        local, domain = split(email)
    except AddressInvalid as exc:
        raise ValidationFailed(_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."),
                               field="email") from exc
    nonce = secrets.token_urlsafe(12)
    ballot_id = _upsert_ballot(
        dict(vote_id=vote.id, category_id=category_id, voter_hash=address_hash(f"{local}@{domain}", salt=vote.salt),
             consent_at=now, requested_at=now, email=email.strip()[:254], local=local, domain=domain,
             network=network, locale=locale, pending_entry_id=entry_id, nonce=nonce, mail_sent_at=None),
        entry_id=entry_id)
    if ballot_id is None:  # the conflicting row already counts this entry and waits for nothing
        return None
    submit("audience.confirmation", params={"ballot_id": ballot_id, "nonce": nonce}, by=None, now=now,
           edition_id=vote.edition_id)
    return ballot_id


_RENEWED = ("email", "local", "domain", "network", "locale", "pending_entry_id", "nonce", "requested_at",
            "mail_sent_at")


_UPSERTS: dict[str, object] = {}


def _upsert_ballot(values: dict, *, entry_id: int):
    """INSERT … ON CONFLICT (vote, category, voter) DO UPDATE the request's fields, unless the existing ballot
    already counts ``entry_id`` with no change pending; RETURNING the id (none in that case). The statement is built
    once per dialect with bound parameters (SQLAlchemy then reuses its compiled form)."""
    dialect = db.session.get_bind().dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = Ballot.__table__
        statement = insert(table).values({name: bindparam(name) for name in values})
        statement = _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[table.c.vote_id, table.c.category_id, table.c.voter_hash],
            set_={name: statement.excluded[name] for name in _RENEWED},
            where=or_(table.c.entry_id.is_(None), table.c.entry_id != bindparam("chosen_entry"),
                      table.c.pending_entry_id.is_not(None)),
        ).returning(table.c.id)
    return db.session.scalar(statement, {**values, "chosen_entry": entry_id})


@dataclass(frozen=True)
class Confirmed:
    """What the confirmation page shows: the vote and the entry the ballot now counts."""

    vote_id: int
    entry_id: int


def confirm_vote(*, token: str, now: datetime) -> Confirmed:
    """Count the choice the link names (the link of the latest request of this address in this category).

    Lean on purpose: one UPDATE that moves the pending choice only if the link's nonce is still the ballot's and the
    vote is open; only when it changes nothing do further queries find out why (clicked twice, a newer link, closed).
    """
    try:
        data = read_token(TOKEN_PURPOSE, token, max_age=TOKEN_MAX_AGE)
    except TokenExpired as exc:
        raise InvalidToken(_l("Dieser Bestätigungslink ist abgelaufen. Bitte stimmen Sie erneut ab.")) from exc
    except TokenInvalid as exc:
        raise InvalidToken(_l("Dieser Bestätigungslink ist ungültig. Bitte kopieren Sie ihn vollständig aus der "
                              "E-Mail oder stimmen Sie erneut ab.")) from exc
    ballot_id, nonce = int(data.get("b") or 0), data.get("n")
    is_open = (select(AudienceVote.id)
               .where(AudienceVote.id == Ballot.vote_id, AudienceVote.closed_at.is_(None),
                      AudienceVote.published_at.is_(None), AudienceVote.opens_at <= now, AudienceVote.closes_at > now)
               .exists())
    row = db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot_id, Ballot.nonce == nonce, Ballot.nonce.is_not(None),
               Ballot.pending_entry_id.is_not(None), is_open)
        .values(entry_id=Ballot.pending_entry_id, pending_entry_id=None, nonce=None, confirmed_at=now)
        .returning(Ballot.vote_id, Ballot.entry_id)
        .execution_options(synchronize_session=False)).first()
    if row is not None:
        return Confirmed(row.vote_id, row.entry_id)
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise InvalidToken(_l("Zu diesem Link gibt es keine Stimme mehr."))
    if ballot.nonce != nonce:
        if ballot.nonce is None and ballot.entry_id is not None:
            return Confirmed(ballot.vote_id, ballot.entry_id)  # clicked twice: already counted
        raise InvalidToken(_l("Dieser Link gilt nicht mehr: Mit dieser Adresse wurde in dieser Kategorie später "
                              "noch einmal abgestimmt. Bitte verwenden Sie den Link aus der neuesten E-Mail."))
    raise Locked(_l("Die Abstimmung ist geschlossen; diese Stimme kann nicht mehr bestätigt werden."))


def category_of(entry: Entry) -> Category:
    return entry.category

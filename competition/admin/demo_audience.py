"""The audience vote of the finished demo edition: a few hundred confirmed votes on its finalists, one scripted
campaign (numbered addresses from one network, confirmed within a second) excluded with a reason, closed and
published, so the results page and PDF show the Publikumspreis. Deterministic from the seed."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import Role, User, UserRole
from ..audience import queries, services
from ..audience.addresses import address_hash, split
from ..audience.models import AudienceVote, Ballot
from ..audience.patterns import SEQUENTIAL, all_flags, network_of
from ..editions.models import Edition
from ..extensions import db

FIRST = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hannes", "ida", "jonas", "karla", "lukas",
         "mia", "nils", "paula", "robert", "sophie", "tom", "ute", "volker"]
LAST = ["schubert", "meier", "krause", "wolf", "neumann", "richter", "vogel", "lehmann", "franke", "seidel",
        "fischer", "weber"]
DOMAINS = ["web.de", "gmx.de", "t-online.de", "gmail.com", "posteo.de", "freenet.de", "outlook.de"]


def seed_audience_vote(edition: Edition, *, seed: int, honest: int = 320, scripted: int = 24) -> AudienceVote | None:
    """Give the finished edition its closed, published audience vote (nothing when it has one already)."""
    if queries.vote_of(edition.id) is not None:
        return None
    organiser = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.ORGANISER)
                                  .order_by(User.id).limit(1))
    rng = random.Random(seed + 20)
    opens_at = edition.jury_ends_at - timedelta(days=14)
    closes_at = edition.jury_ends_at - timedelta(days=1)
    entry_ids = queries.default_entry_ids(edition.id)
    if not entry_ids:
        return None
    vote = services.configure_vote(edition=edition, opens_at=opens_at, closes_at=closes_at, entry_ids=entry_ids,
                                   by=organiser, now=opens_at - timedelta(days=2))
    entries = queries.gallery_entries(vote)
    weights = [rng.uniform(0.5, 3.0) for _ in entries]
    seen: set[tuple[int, str]] = set()

    def ballot(email: str, entry, ip: str, at, confirm_after: float) -> None:
        local, domain = split(email)
        voter = address_hash(f"{local}@{domain}", salt=vote.salt)
        if (entry.category_id, voter) in seen:
            return
        seen.add((entry.category_id, voter))
        sent = at + timedelta(seconds=rng.uniform(1, 4))
        db.session.add(Ballot(vote_id=vote.id, category_id=entry.category_id, voter_hash=voter, email=email,
                              local=local, domain=domain, network=network_of(ip), entry_id=entry.id,
                              consent_at=at, requested_at=at, mail_sent_at=sent,
                              confirmed_at=sent + timedelta(seconds=confirm_after)))

    span = (closes_at - opens_at).total_seconds()
    for i in range(honest):
        email = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        ip = f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        ballot(email, rng.choices(entries, weights=weights)[0], ip,
               opens_at + timedelta(seconds=rng.uniform(0, span)), rng.uniform(20, 7200))
        if i % 4 == 0 and len({e.category_id for e in entries}) > 1:  # some vote in a second category too
            other = rng.choice([e for e in entries if e.category_id != entries[0].category_id] or entries)
            ballot(email, other, ip, opens_at + timedelta(seconds=rng.uniform(0, span)), rng.uniform(20, 7200))
    target = min(entries, key=lambda e: weights[entries.index(e)])  # the campaign pushes an outsider
    start = opens_at + timedelta(days=5, hours=2)
    for n in range(1, scripted + 1):
        ballot(f"unterstuetzer{n}@wegwerfmail.de", target, f"203.0.113.{n}", start + timedelta(seconds=20 * n), 0.6)
    db.session.flush()
    flags = [f for f in all_flags(queries.ballot_facts(vote.id)) if f.kind == SEQUENTIAL]
    for flag in flags:
        services.exclude_ballots(vote=vote, ballot_ids=list(flag.ballot_ids), pattern=flag.pattern_id, by=organiser,
                                 now=closes_at + timedelta(hours=2),
                                 reason="Durchnummerierte Wegwerf-Adressen aus einem Netz, Bestätigung in unter einer "
                                        "Sekunde: eine automatisierte Kampagne.")
    services.close_vote(vote=vote, by=organiser, now=closes_at)
    services.publish_vote(vote=vote, by=organiser, now=closes_at + timedelta(hours=3))
    return vote


__all__ = ["seed_audience_vote"]

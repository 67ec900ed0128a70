"""Generated vote traffic for the pattern tests: an honest crowd and each kind of manipulation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from competition.audience.addresses import split
from competition.audience.patterns import BallotFact, network_of

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FIRST = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hans", "ida", "jonas", "karla", "lukas",
         "mia", "noah", "olga", "paul", "rita", "sven", "tina", "uwe"]
LAST = ["schubert", "meier", "krause", "wolf", "neumann", "richter", "vogel", "lehmann", "franke", "seidel"]
FREE = ["gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de", "posteo.de"]


class Traffic:
    def __init__(self, seed: int = 7):
        self.random = random.Random(seed)
        self.facts: list[BallotFact] = []
        self.next_id = 1

    def add(self, address: str, ip: str, at: datetime, *, confirm_after: float | None = 45.0) -> int:
        local, domain = split(address)
        sent = at + timedelta(seconds=1)
        confirmed = sent + timedelta(seconds=confirm_after) if confirm_after is not None else None
        fact = BallotFact(self.next_id, network_of(ip), domain, local, at, sent, confirmed)
        self.facts.append(fact)
        self.next_id += 1
        return fact.id

    def honest(self, n: int, *, hours: float = 48) -> list[int]:
        """People all over the region: own networks, mostly free-mail, a human delay before the click."""
        ids = []
        for i in range(n):
            r = self.random
            name = f"{r.choice(FIRST)}.{r.choice(LAST)}{r.choice(['', '', str(r.randint(60, 99))])}"
            ip = f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            at = START + timedelta(seconds=r.uniform(0, hours * 3600))
            ids.append(self.add(f"{name}{i}@{r.choice(FREE)}", ip, at, confirm_after=r.uniform(8, 3600)))
        return ids

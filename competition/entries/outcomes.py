"""What a company sees of its entry's outcome once the results are published.

The results live in a higher module (rankings); the entry page only asks. Rankings registers a provider
(``register_outcome_provider``) that answers with an ``Outcome`` or None, so this module never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Outcome:
    headline: str  # „Erster Platz in der Kategorie Digitalisierung“, „Teilnahme am Finale“ …
    kind: str  # winner | mention | finalist | participant
    justification: str  # the jury's justification of an award ("" if none)
    certificate_url: str
    feedback_url: str | None
    results_url: str


_PROVIDERS: list[Callable[..., Outcome | None]] = []


def register_outcome_provider(provider: Callable[..., Outcome | None]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def outcome_of(entry, *, now: datetime) -> Outcome | None:
    """The published outcome of ``entry``, or None before publication (or when it was not ranked)."""
    for provider in _PROVIDERS:
        outcome = provider(entry=entry, now=now)
        if outcome is not None:
            return outcome
    return None

"""Extra awards beside the jury's, shown on the public results page and in the results PDF.

Higher modules (the audience award) register a provider here; rankings never imports them. A provider gets the
edition id and returns the ``ExtraAward``s that are published and verified, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtraAwardWinner:
    category: str
    number: str
    title: str
    company: str
    detail: str  # e.g. "412 bestätigte Stimmen"


@dataclass(frozen=True)
class ExtraAward:
    key: str  # stable name, e.g. "audience"
    title: str  # "Publikumspreis"
    summary: str  # one or two sentences on how it was decided (e.g. counted and excluded votes)
    sha256: str  # of the frozen result it is read from
    winners: tuple[ExtraAwardWinner, ...]


Provider = Callable[[int], list[ExtraAward]]
_PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    _PROVIDERS[key] = provider


def extra_awards(edition_id: int) -> list[ExtraAward]:
    awards: list[ExtraAward] = []
    for provider in _PROVIDERS.values():
        awards.extend(provider(edition_id))
    return awards

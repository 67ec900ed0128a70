"""What follows from switching an edition's phase by hand, said in counts before the switch is confirmed
("6 Entwürfe können dann nicht mehr eingereicht werden").

The editions module knows nothing of entries or sheets, so the modules above it subscribe here (as Indico's
signals do): each registered function gets the edition, the phase now and the phase after the switch, and returns
German sentences. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .models import Edition
from .phases import Phase, flags_for

Consequence = Callable[[Edition, Phase, Phase, datetime], list[str]]
_SUBSCRIBERS: list[Consequence] = []


def subscribe(function: Consequence) -> Consequence:
    """Register a function that names consequences (used as a decorator by higher modules)."""
    if function not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(function)
    return function


def consequences(edition: Edition, *, new: Phase, now: datetime) -> list[str]:
    old = edition.phase(now)
    if old is new:
        return []
    lines: list[str] = []
    for function in _SUBSCRIBERS:
        lines.extend(function(edition, old, new, now))
    return lines


def opens(old: Phase, new: Phase, flag: str) -> bool:
    return not getattr(flags_for(old), flag) and getattr(flags_for(new), flag)


def closes(old: Phase, new: Phase, flag: str) -> bool:
    return getattr(flags_for(old), flag) and not getattr(flags_for(new), flag)

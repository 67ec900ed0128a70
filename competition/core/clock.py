"""The current time and conversions between UTC (stored) and Europe/Berlin (entered and shown)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class NonexistentLocalTime(ValueError):
    """A wall-clock time that does not exist in Berlin (skipped by the switch to summer time)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def berlin_to_utc(local: datetime) -> datetime:
    """Interpret a naive wall-clock time as Europe/Berlin and return it as aware UTC.

    Ambiguous times (the repeated hour in October) take the first occurrence (summer time).
    Times in the skipped hour (March) raise NonexistentLocalTime.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=BERLIN, fold=0)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(BERLIN).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(local.isoformat())
    return as_utc


def to_berlin(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN)


def berlin_midnight(days_from_today: int, *, now: datetime, hour: int = 0) -> datetime:
    """A full hour in Berlin, `days_from_today` days from the Berlin date of `now`, as aware UTC."""
    day = to_berlin(now).date() + timedelta(days=days_from_today)
    return berlin_to_utc(datetime(day.year, day.month, day.day, hour, 0))

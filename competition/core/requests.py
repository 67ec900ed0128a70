"""The request class of the app: form fields and query parameters arrive without NUL characters.

PostgreSQL cannot store NUL in text columns: a name or comment with a NUL byte made the database refuse the statement
and the user saw a server error (SQLite stored it). No legitimate input contains NUL, so it is dropped at the door,
for every view alike (WTForms or `request.form`), before any validation sees the value.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flask import Request, current_app, has_request_context, request
from werkzeug.utils import cached_property

from .clock import utcnow

NUL = "\x00"


def _without_nul(pairs, storage_class):
    if not any(NUL in key or (isinstance(value, str) and NUL in value) for key, value in pairs):
        return None
    return storage_class([(key.replace(NUL, ""), value.replace(NUL, "") if isinstance(value, str) else value)
                          for key, value in pairs])


class CleanRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            cleaned = _without_nul(list(form.items(multi=True)), self.parameter_storage_class)
            if cleaned is not None:
                self.__dict__["form"] = cleaned

    @cached_property
    def args(self):
        args = super().args
        cleaned = _without_nul(list(args.items(multi=True)), self.parameter_storage_class)
        return args if cleaned is None else cleaned


def arrival_time(now: datetime | None = None) -> datetime:
    """When the request reached the platform: the reverse proxy's `X-Request-Start` when `TRUST_REQUEST_START` is
    on (the proxy must set it and overwrite any value a client sends), else the server clock.

    Deadlines are judged on it, so a submit sent in time that waited in the app servers' queue during a deadline
    rush is not refused as late. Accepted formats: nginx `t=1700000000.123` (seconds), Apache `t=1700000000123456`
    (microseconds), also milliseconds; a value in the future or older than `REQUEST_START_MAX_AGE` seconds is ignored.
    """
    now = now or utcnow()
    if not has_request_context() or not current_app.config.get("TRUST_REQUEST_START"):
        return now
    raw = (request.headers.get("X-Request-Start") or "").strip().removeprefix("t=")
    try:
        value = float(raw)
    except ValueError:
        return now
    if not math.isfinite(value) or value <= 0:
        return now
    for divisor in (1, 1_000, 1_000_000):  # seconds, milliseconds, microseconds
        seconds = value / divisor
        if seconds < 10_000_000_000:  # before the year 2286: the unit fits
            break
    try:
        started = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return now
    max_age = timedelta(seconds=int(current_app.config.get("REQUEST_START_MAX_AGE") or 300))
    if started > now or now - started > max_age:
        return now
    return started

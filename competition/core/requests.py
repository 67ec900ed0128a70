"""The request class of the app (form fields and query parameters arrive without NUL characters) and the request's
arrival time, stamped before any of the app's work.

PostgreSQL cannot store NUL in text columns: a name or comment with a NUL byte made the database refuse the statement
and the user saw a server error (SQLite stored it). No legitimate input contains NUL, so it is dropped at the door,
for every view alike (WTForms or `request.form`), before any validation sees the value.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta

from flask import Request, current_app, has_request_context, request
from werkzeug.utils import cached_property

from .clock import utcnow

NUL = "\x00"
ARRIVED_AT = "competition.arrived_at"  # environ key: when the request reached this process (seconds since the epoch)
SERVER_STAMP = threading.local()  # .arrived_at: set by the app server's worker thread (see core/serving.py)
SERVER_STAMP_MAX_AGE = 60.0  # seconds; an older stamp from the app server is not believed


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


class ArrivalStamp:
    """WSGI middleware, the outermost layer of the app: notes when the request reached this process, before Flask,
    the session, the login and the wait for the database (SQLite lets one writer in at a time).

    Under gunicorn's threaded worker the worker thread of the app server has noted an earlier moment: when the
    request's bytes were waiting on a kept-alive connection and the request was queued for a free thread
    (``core/serving.py``). That moment is taken when it is not older than ``SERVER_STAMP_MAX_AGE``."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        now = time.time()
        stamped = getattr(SERVER_STAMP, "arrived_at", None)
        SERVER_STAMP.arrived_at = None
        if stamped is not None and 0 <= now - stamped <= SERVER_STAMP_MAX_AGE:
            now = stamped
        environ.setdefault(ARRIVED_AT, now)
        return self.wsgi_app(environ, start_response)


def arrival_time(now: datetime | None = None) -> datetime:
    """When the request reached the platform: the reverse proxy's `X-Request-Start` when `TRUST_REQUEST_START` is
    on (the proxy must set it and overwrite any value a client sends), else the moment the app server got it
    (``ArrivalStamp``), else the clock.

    Deadlines are judged on it, so a submit sent in time that waited in the app servers' queue or for the database
    during a deadline rush is not refused as late. Accepted header formats: nginx `t=1700000000.123` (seconds), Apache
    `t=1700000000123456` (microseconds), also milliseconds; a value in the future or older than
    `REQUEST_START_MAX_AGE` seconds is ignored.
    """
    now = now or utcnow()
    if not has_request_context():
        return now
    arrived = now
    stamped = request.environ.get(ARRIVED_AT)
    if isinstance(stamped, float) and math.isfinite(stamped) and stamped <= now.timestamp():
        # A request is never judged earlier than REQUEST_ARRIVAL_MAX_WAIT before it is handled: waiting in a queue
        # is forgiven, a body trickled in for minutes is not.
        max_wait = float(current_app.config.get("REQUEST_ARRIVAL_MAX_WAIT") or 30)
        arrived = max(datetime.fromtimestamp(stamped, tz=UTC), now - timedelta(seconds=max_wait))
    if not current_app.config.get("TRUST_REQUEST_START"):
        return arrived
    raw = (request.headers.get("X-Request-Start") or "").strip().removeprefix("t=")
    try:
        value = float(raw)
    except ValueError:
        return arrived
    if not math.isfinite(value) or value <= 0:
        return arrived
    for divisor in (1, 1_000, 1_000_000):  # seconds, milliseconds, microseconds
        seconds = value / divisor
        if seconds < 10_000_000_000:  # before the year 2286: the unit fits
            break
    try:
        started = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return arrived
    max_age = timedelta(seconds=int(current_app.config.get("REQUEST_START_MAX_AGE") or 300))
    if started > now or now - started > max_age:
        return arrived
    return started

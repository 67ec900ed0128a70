"""Structured logs: JSON lines (``LOG_FORMAT=json``, the production default) or text, each with a request id.

Every request gets an id, taken from a valid ``X-Request-ID`` header (set by the reverse proxy) or made here, and
returned in the response's ``X-Request-ID`` header; every log record written during the request carries it and the
user's id. One access line per request gives method, path, status and duration.

Nothing secret reaches the log: the query string is never logged, path segments that are tokens (``/verify/<token>``)
are replaced, and ``token=``/``password=``-style pairs are masked in every message, also in other libraries' lines
(the development server's access log). Headers and cookies are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_SECRET_PAIRS = re.compile(
    r"(?i)\b([\w-]*(?:token|password|passwort|secret|session|cookie|api[_-]?key)[\w-]*)=([^&\s\"';,]+)"
)
_SECRET_VIEW_ARGS = re.compile(r"(?i)token|secret|password")
REDACTED = "[redacted]"
EXTRA_FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")
_HANDLER_FLAG = "_competition_log_handler"

access_log = logging.getLogger("competition.request")


def redact(text: str) -> str:
    """Mask the values of token/password/session pairs in a log line."""
    return _SECRET_PAIRS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def request_id_from(header: str | None) -> str:
    """The proxy's request id if it is a sane token, else a fresh one (never echo arbitrary input into logs)."""
    if header and _VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def safe_path() -> str:
    """The request path without query string and with token-like URL parts replaced."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if _SECRET_VIEW_ARGS.search(name) and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return path


def _current_user_id() -> int | None:
    """Only what Flask-Login already loaded: logging never queries the database. After a commit the user's
    attributes are expired, and reading ``is_authenticated`` or ``id`` would load the row again (one more query
    for every request that writes); the identity key the session keeps for the object needs no query."""
    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or not state.identity:  # anonymous (not a mapped object) or never stored
        return None
    return state.identity[0]


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            if getattr(record, "request_id", None) is None:
                record.request_id = g.get("request_id")
            if getattr(record, "user_id", None) is None:
                record.user_id = _current_user_id()
        for field in EXTRA_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for field in EXTRA_FIELDS:
            entry[field] = getattr(record, field, None)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def make_handler(log_format: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestContextFilter())
    setattr(handler, _HANDLER_FLAG, True)
    return handler


def init_logging(app: Flask) -> None:
    log_format = (app.config.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in {"json", "text"}:
        raise RuntimeError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}.")
    # Tests keep pytest's log capture unless they ask for JSON explicitly.
    if not app.testing or log_format == "json":
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, _HANDLER_FLAG, False)]:
            root.removeHandler(handler)
        root.addHandler(make_handler(log_format))
        root.setLevel(app.config.get("LOG_LEVEL") or "INFO")
        for noisy in ("weasyprint", "fontTools", "botocore", "boto3", "s3transfer", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    @app.before_request
    def start_request_log():
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request_log(response):
        if "request_id" not in g:
            g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        response.headers[REQUEST_ID_HEADER] = g.request_id
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        path = safe_path()
        access_log.info("%s %s %s", request.method, path, response.status_code,
                        extra={"method": request.method, "path": path, "status": response.status_code,
                               "duration_ms": duration})
        return response

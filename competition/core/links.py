"""Absolute links for mails: built from the configured BASE_URL, never from the request's Host header."""

from __future__ import annotations

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """The path of `endpoint` under BASE_URL (works inside and outside a request)."""
    base = str(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context("/"):  # the path only; the host of any current request plays no part
        path = url_for(endpoint, **values)
    return base + path

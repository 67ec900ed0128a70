"""Absolute URLs and the hosts the platform answers to.

Every absolute URL the platform hands out (links in mails, the address printed on certificates and in their QR
codes) is built from the configured ``BASE_URL``, never from the request: a request's ``Host`` or
``X-Forwarded-Host`` header is chosen by whoever sends it, and a password-reset link built from it would carry a
valid token to an attacker's server. ``external_url`` builds through the app's URL map, so it works the same in a
request, in a background job and on the command line.

Requests for a host the platform does not serve are refused with 400 (Flask's ``TRUSTED_HOSTS``): the host of
``BASE_URL``, the extra names in the ``TRUSTED_HOSTS`` setting and, outside production, the loopback names.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class BaseUrlInvalid(RuntimeError):
    """BASE_URL is missing or not an absolute http(s) address (start-up refuses, like a missing SECRET_KEY)."""


def parse_base_url(value: str | None) -> tuple[str, str, str]:
    """(scheme, host[:port], path without trailing slash) of a BASE_URL, or BaseUrlInvalid with what to do."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BaseUrlInvalid(
            f"BASE_URL must be the platform's public address, e.g. https://wettbewerb.example.de (got {value!r}); "
            "every link in mails and on certificates is built from it.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BaseUrlInvalid(f"BASE_URL must not contain a query, fragment or user name (got {value!r}).")
    return parts.scheme, parts.netloc.lower(), parts.path.rstrip("/")


def trusted_hosts(config) -> list[str]:
    """The host names requests may carry: BASE_URL's, the TRUSTED_HOSTS setting's and (not in production)
    the loopback names, so the development server and the test client keep working. Ports are not compared."""
    hosts = [urlsplit(config["BASE_URL"]).hostname or ""]
    extra = config.get("TRUSTED_HOSTS_EXTRA") or ()
    if isinstance(extra, str):
        extra = extra.split(",")
    hosts += [h.strip().lower() for h in extra if h and h.strip()]
    if config.get("ENV_NAME") != "production":
        hosts += LOOPBACK_HOSTS
    return list(dict.fromkeys(h for h in hosts if h))


def init_app(app: Flask) -> None:
    """Check BASE_URL and derive the trusted hosts (called by create_app before anything is registered)."""
    parse_base_url(app.config.get("BASE_URL"))
    app.config["BASE_URL"] = app.config["BASE_URL"].strip().rstrip("/")
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)


def base_url() -> str:
    """The configured public address without a trailing slash, e.g. ``https://wettbewerb.example.de``."""
    return current_app.config["BASE_URL"].rstrip("/")


def external_url(endpoint: str, /, **values) -> str:
    """``url_for(endpoint, **values, _external=True)``, but on ``BASE_URL`` whatever the request says.

    ``endpoint`` is a full endpoint name (``"accounts.reset_password"``); ``_anchor`` is supported. Works inside
    and outside requests (jobs, CLI)."""
    app = current_app
    scheme, netloc, path = parse_base_url(app.config["BASE_URL"])
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(netloc, script_name=path or "/", url_scheme=scheme)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url

"""Site-wide routes (health check, language switch) and error pages."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db, limiter
from .i18n import SESSION_KEY
from .redirects import safe_next
from .storage import get_storage

log = logging.getLogger(__name__)
bp = Blueprint("core", __name__)


def _check_database() -> str:
    try:
        with db.engine.connect() as conn:  # a pooled connection, without a session's bookkeeping
            conn.exec_driver_sql("SELECT 1")
        return "ok"
    except Exception:  # any driver error means "not reachable"
        log.exception("health check: database not reachable")
        return "unreachable"


def _check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "disabled"
    import redis

    client = current_app.extensions.get("healthz_redis")
    if client is None:  # one client (and connection pool) per process, not a new connection per check
        client = current_app.extensions["healthz_redis"] = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
        return "ok"
    except Exception:  # connection refused, timeout, auth error
        log.exception("health check: Redis not reachable")
        return "unreachable"


def _check_storage() -> str:
    """Write, read back and delete a small probe file in the attachment store.

    The probe is durable writing (two fsyncs on a local disk, a round trip to S3): it took most of the time of a
    health check. A success is therefore reused for ``HEALTHZ_STORAGE_SECONDS`` per process; a failure never is, so
    a full disk shows at the next check after the last success has aged."""
    import io
    import secrets
    import time

    max_age = float(current_app.config.get("HEALTHZ_STORAGE_SECONDS") or 0)
    last_ok = current_app.extensions.get("healthz_storage_ok_at")  # monotonic time of the last success
    if max_age and last_ok is not None and time.monotonic() - last_ok < max_age:
        return "ok"
    probe = b"healthz " + secrets.token_hex(8).encode()
    storage = get_storage()
    try:
        stored = storage.save(io.BytesIO(probe))
        try:
            with storage.open(stored.key) as f:
                ok = f.read() == probe
        finally:
            storage.delete(stored.key)
    except Exception:  # full disk, read-only mount, bucket gone, no credentials
        log.exception("health check: storage not writable")
        current_app.extensions.pop("healthz_storage_ok_at", None)
        return "unwritable"
    if ok:
        current_app.extensions["healthz_storage_ok_at"] = time.monotonic()
        return "ok"
    current_app.extensions.pop("healthz_storage_ok_at", None)
    return "unreadable"


@bp.get("/healthz")
@limiter.exempt  # asked by the load balancer every few seconds; nothing to limit
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis(), "storage": _check_storage()}
    healthy = all(value in {"ok", "disabled"} for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    if not healthy:
        body["failed"] = [name for name, value in checks.items() if value not in {"ok", "disabled"}]
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("editions.home"))


ERROR_TEXTS = {
    400: (
        lambda: _("Ungültige Anfrage"),
        lambda: _("Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben."),
    ),
    403: (
        lambda: _("Kein Zugriff"),
        lambda: _("Sie haben keine Berechtigung für diese Seite. Melden Sie sich gegebenenfalls mit einem "
                  "anderen Konto an."),
    ),
    404: (
        lambda: _("Seite nicht gefunden"),
        lambda: _("Diese Seite gibt es nicht (mehr). Bitte prüfen Sie die Adresse oder beginnen Sie auf der "
                  "Startseite."),
    ),
    405: (
        lambda: _("Aktion nicht möglich"),
        lambda: _("Diese Aktion ist auf dieser Seite nicht möglich."),
    ),
    413: (
        lambda: _("Datei oder Formular zu groß"),
        lambda: _("Die gesendeten Daten sind zu groß. Bitte verkleinern Sie die Datei und versuchen Sie es "
                  "erneut."),
    ),
    429: (
        lambda: _("Zu viele Versuche"),
        lambda: _("Sie haben es zu oft in kurzer Zeit versucht. Bitte warten Sie einige Minuten und versuchen "
                  "Sie es dann erneut."),
    ),
    500: (
        lambda: _("Interner Fehler"),
        lambda: _("Leider ist ein unerwarteter Fehler aufgetreten. Ihre gespeicherten Daten sind nicht "
                  "betroffen. Bitte versuchen Sie es später erneut; das Organisationsteam wurde informiert."),
    ),
}


def render_error(code: int, message: str | None = None):
    title, default_message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return (
        render_template("errors/error.html", code=code, title=title(), message=message or default_message()),
        code,
    )


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _("Das Formular ist abgelaufen oder wurde nicht vollständig gesendet (Sicherheitsprüfung). Bitte "
              "gehen Sie zurück, laden Sie die Seite neu und senden Sie das Formular erneut ab."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header the platform does not serve (TRUSTED_HOSTS): no page can be built for it (no URL adapter),
        # so a short plain answer that names the right address (from BASE_URL, never the request).
        text = _("Diese Adresse wird von der Plattform nicht bedient. Bitte rufen Sie sie unter %(url)s auf.",
                 url=current_app.config["BASE_URL"])
        return text + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in ERROR_TEXTS:
            response, code = render_error(error.code)
            if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
                return response, code, {"Allow": ", ".join(error.valid_methods)}
            return response, code
        return error

    @app.errorhandler(500)
    def internal_error(error):
        # Flask logs the original exception; the user sees no stack trace or internal detail.
        db.session.rollback()
        return render_error(500)

"""Production settings for gunicorn, read from the environment:  gunicorn -c gunicorn.conf.py wsgi:app

Every setting has a default that suits one server behind a reverse proxy (nginx, Caddy) that terminates TLS:

    GUNICORN_WORKERS          processes (default 2 × CPU cores + 1)
    GUNICORN_THREADS          threads per process (default 4: a worker class "gthread" that keeps slow uploads from
                              blocking a whole process; 1 means the plain "sync" worker)
    BIND / PORT               where to listen (BIND wins, e.g. "0.0.0.0:8000" in a container or "unix:/run/ind.sock";
                              default 127.0.0.1:$PORT, PORT 8000)
    GUNICORN_TIMEOUT          seconds a worker may be silent before the master kills it (default 60)
    GUNICORN_GRACEFUL_TIMEOUT seconds a worker has to finish its requests on restart (default 30)
    GUNICORN_KEEPALIVE        seconds an idle keep-alive connection stays open (default 5)
    GUNICORN_MAX_REQUESTS     requests after which a worker is recycled, 0 = never (default 2000, jitter 10 %)
    GUNICORN_ACCESS_LOG       "-" for stdout (default), a file path, or "off"
    FORWARDED_ALLOW_IPS       proxies whose X-Forwarded-* headers gunicorn trusts (default 127.0.0.1; set the
                              proxy's address; the app's own ProxyFix is configured with PROXY_FIX_X_FOR)

The app writes its own logs (JSON lines with request ids); the access log stays one short line per request.
Each new worker removes the temporary files of uploads that a killed worker left behind (see post_worker_init).
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- processes ---------------------------------------------------------------------------------------------------
wsgi_app = "wsgi:app"
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = max(1, _int("GUNICORN_THREADS", 4))
# The threaded worker, noting when a request was queued for a free thread (deadlines are judged on it, see
# competition/core/serving.py); one thread means the plain "sync" worker.
worker_class = "competition.core.serving.ArrivalThreadWorker" if threads > 1 else "sync"
preload_app = False  # each worker builds its own app and database pool (no connections shared across fork)
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's heartbeat files, as its documentation advises
    worker_tmp_dir = "/dev/shm"  # noqa: S108 - the heartbeat file: never on a slow or full disk

# --- where to listen ---------------------------------------------------------------------------------------------
bind = [os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# --- time --------------------------------------------------------------------------------------------------------
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# --- recycling (bounds slow memory growth, e.g. from PDF rendering) -------------------------------------------------
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10 if max_requests else 0

# --- request limits (the body is capped by the app's MAX_CONTENT_LENGTH and per-edition upload caps) ----------------
limit_request_line = 8190  # bytes of "GET /path?query HTTP/1.1"
limit_request_fields = 100  # header count
limit_request_field_size = 8190  # bytes per header (session cookie included)

# --- logs --------------------------------------------------------------------------------------------------------
_access = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip()
accesslog = None if _access.lower() in {"", "off", "none", "0", "false"} else _access
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'  # path only: query strings are not logged
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
_TOKEN = re.compile(r"[A-Za-z0-9_\-.]{32,}")  # signed tokens in paths (password reset, invitations, joining)


class RedactingLogger(Logger):
    """The access log without secrets: long token-like path segments become "…"."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN.sub("…", atoms.get("U") or "")
        return atoms


logger_class = RedactingLogger


def post_worker_init(worker) -> None:
    """A worker killed mid-upload (timeout, OOM, SIGKILL) leaves its half-received file in the storage's temporary
    folder; the next worker to start removes the temporary files of processes that no longer run."""
    storage = getattr(worker.wsgi, "extensions", {}).get("storage")
    clean = getattr(storage, "remove_stale_temporaries", None)
    if clean is None:
        return
    try:
        removed = clean()
    except OSError as exc:
        worker.log.warning("could not clean temporary upload files: %s", exc)
        return
    if removed:
        worker.log.info("removed %d temporary upload file(s) left by stopped workers", removed)

"""Infrastructure settings, read from the environment.

Competition rules (deadlines, scales, weights) are data on the edition's rows, never configuration.
The development default needs nothing installed: SQLite and uploads under ``instance/``, mail printed to the log.
"""

from __future__ import annotations

import os

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused in production


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "SQLite under the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: instance/uploads
    # Attachment store: "local" (UPLOAD_FOLDER) or "s3" (an S3-compatible bucket shared by all app servers;
    # credentials from the standard AWS environment variables or an instance role).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")  # e.g. https://s3.eu-central-1.amazonaws.com or MinIO
    S3_REGION = os.environ.get("S3_REGION")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")

    # Logs: "json" (one object per line, for log collectors) or "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # The platform's public address: every link in mails and on certificates is built from it, never from the
    # request's Host header. Required in production. Requests for other hosts are refused (400): BASE_URL's host
    # and the names in TRUSTED_HOSTS (comma-separated, e.g. an internal name the health check uses) are served.
    BASE_URL = os.environ.get("BASE_URL") or None
    TRUSTED_HOSTS_EXTRA = _list("TRUSTED_HOSTS")

    # Requests: the largest single request body (attachments are capped further per edition).
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "ind_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    # CSRF: tokens stay valid for a long working session (long entry forms, score sheets).
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # Internationalisation.
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    # Rate limiting (Redis when REDIS_URL is set, memory otherwise).
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN_PER_IP = "20 per minute;100 per hour"
    RATELIMIT_LOGIN_PER_ACCOUNT = "5 per minute;20 per hour"
    RATELIMIT_MAIL_PER_IP = "10 per hour"
    # Audience vote: per normalised address, per /24 or /48 network (an office or a campus shares one), confirmations
    RATELIMIT_AUDIENCE_PER_ADDRESS = os.environ.get("RATELIMIT_AUDIENCE_PER_ADDRESS", "5 per 10 minutes;20 per day")
    RATELIMIT_AUDIENCE_PER_NETWORK = os.environ.get("RATELIMIT_AUDIENCE_PER_NETWORK", "60 per minute;2000 per day")
    RATELIMIT_AUDIENCE_CONFIRM = os.environ.get("RATELIMIT_AUDIENCE_CONFIRM", "120 per minute;4000 per day")

    # Mail: "console" prints to the log, "smtp" sends, "locmem" keeps messages in memory (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Industrie. Neu. Denken. <wettbewerb@industrie-neu-denken.example>"
    )

    # argon2id parameters; None means argon2-cffi's recommended defaults.
    PASSWORD_HASH_PARAMS: dict | None = None

    # Token lifetimes (seconds).
    EMAIL_VERIFICATION_MAX_AGE = 48 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_VALID_DAYS = 14

    # Number of trusted reverse proxies in front of the app (for the client IP in rate limits).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    # Number of proxies whose X-Forwarded-Proto (https) is trusted; used together with PROXY_FIX_X_FOR.
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 1)
    # Number of proxies whose X-Forwarded-Host is trusted (default 0: never). Links never follow it either way;
    # only set it if the proxy overwrites the header and the names it sends are in TRUSTED_HOSTS.
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST", 0)
    # Judge deadlines on the time the reverse proxy received the request (X-Request-Start), not when an app server
    # got to it; only with a proxy that sets the header and overwrites what clients send. Older values are ignored.
    TRUST_REQUEST_START = _bool("TRUST_REQUEST_START", False)
    # Without such a proxy, deadlines are judged on when the app server got the request (before it waited for a free
    # thread or the database), but never more than this many seconds before the request is handled.
    REQUEST_ARRIVAL_MAX_WAIT = _int("REQUEST_ARRIVAL_MAX_WAIT", 30)
    REQUEST_START_MAX_AGE = _int("REQUEST_START_MAX_AGE", 300)

    # /healthz writes, reads and deletes a probe file; a success is reused for this many seconds (0: every check).
    HEALTHZ_STORAGE_SECONDS = _int("HEALTHZ_STORAGE_SECONDS", 10)

    # Background jobs: RQ on Redis when REDIS_URL is set (JOBS_BACKEND "auto"), in-process otherwise or when
    # JOBS_BACKEND is "inline". A running job without a heartbeat for JOBS_STALE_MINUTES is re-queued, at most
    # JOBS_MAX_ATTEMPTS runs in all; JOBS_RETRY_DELAY seconds between retries the job itself asks for.
    # Without Redis the jobs run in a worker thread of each serving process ("thread"); it looks for jobs of dead
    # processes every JOBS_POLL_SECONDS and takes queued jobs nobody took within JOBS_PICKUP_SECONDS.
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "auto")
    JOBS_POLL_SECONDS = _int("JOBS_POLL_SECONDS", 5)
    JOBS_PICKUP_SECONDS = _int("JOBS_PICKUP_SECONDS", 30)
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "competition")
    JOBS_STALE_MINUTES = _int("JOBS_STALE_MINUTES", 10)
    JOBS_MAX_ATTEMPTS = _int("JOBS_MAX_ATTEMPTS", 3)
    JOBS_RETRY_DELAY = _int("JOBS_RETRY_DELAY", 60)
    JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 3600)
    JOBS_HEARTBEAT_SECONDS = _int("JOBS_HEARTBEAT_SECONDS", 30)  # a running job refreshes heartbeat_at this often
    JOBS_IMPORTS = os.environ.get("JOBS_IMPORTS", "")  # extra modules with tasks for the worker, comma-separated

    @classmethod
    def validate(cls, settings: dict) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    BASE_URL = os.environ.get("BASE_URL") or "http://127.0.0.1:5000"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "locmem"
    BASE_URL = "http://localhost"
    # Still argon2id, with cheap parameters so the suite stays fast.
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class ProductionConfig(Config):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def validate(cls, settings: dict) -> None:
        key = settings.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("DATABASE_URL must be set in production.")
        if not settings.get("BASE_URL"):
            raise RuntimeError(
                "BASE_URL must be set in production to the platform's public address (e.g. "
                "https://wettbewerb.example.de): links in mails and on certificates are built from it."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("COMPETITION_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"COMPETITION_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None

"""Wettbewerbsplattform „Industrie. Neu. Denken.“ — the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | Mapping | None = None) -> Flask:
    """Build the app. Registers things only: it never queries, migrates or prompts."""
    from config import Config, config_from_env

    from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    config_class = config if isinstance(config, type) else config_from_env()
    app.config.from_object(config_class)
    if isinstance(config, Mapping):
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # The embedded default, as in Flask's tutorial: SQLite in the instance folder, made on first start.
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'competition.sqlite'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI") or (
        app.config["REDIS_URL"] or "memory://"
    )
    validate = getattr(config_class, "validate", Config.validate)
    validate(app.config)
    from .core import urls

    urls.init_app(app)  # BASE_URL checked; requests for other hosts are refused (TRUSTED_HOSTS)
    from .core import ids

    ids.init_app(app)  # <int:…> in routes never matches a number the id columns cannot hold

    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Host only when explicitly trusted (PROXY_FIX_X_HOST): links never follow it anyway.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=app.config.get("PROXY_FIX_X_PROTO", 1),
                                x_host=app.config.get("PROXY_FIX_X_HOST", 0))

    from .core.requests import ArrivalStamp

    app.wsgi_app = ArrivalStamp(app.wsgi_app)  # outermost: the arrival is noted before anything else runs
    from .ops.logging import init_logging

    init_logging(app)  # JSON lines or text, request ids; leaves pytest's logging alone unless LOG_FORMAT is given

    from . import models  # noqa: F401 - every table is known to SQLAlchemy and Alembic
    from .core import i18n, security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.refresh_view = "accounts.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories="translations")
    limiter.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    from .core.storage import storage_from_config

    app.extensions["storage"] = storage_from_config(app.config)  # attachments; get_storage() finds it
    from .jobs.runner import init_app as init_jobs

    init_jobs(app)  # the embedded default: a worker thread per serving process, started by its first request

    @app.before_request
    def load_user_afresh():
        # Each request checks the session against the database (its generation may have changed), even when an
        # outer app context is reused across requests, as in tests and scripts.
        from flask import g

        g.pop("_login_user", None)

    _register_blueprints(app)
    _register_hooks()
    _register_cli(app)
    _register_template_globals(app)
    from .core.views import register_error_handlers

    register_error_handlers(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .communications.views import bp as communications_bp
    from .communications.views import templates_bp as mail_templates_bp
    from .core.views import bp as core_bp
    from .editions.views import bp as editions_bp
    from .entries.attachment_views import bp as attachments_bp
    from .entries.organiser_views import bp as entries_admin_bp
    from .entries.question_views import bp as questions_bp
    from .entries.views import bp as entries_bp
    from .jobs.views import bp as jobs_bp
    from .judging.audit_views import bp as audit_bp
    from .judging.decision_views import bp as jury_decisions_bp
    from .judging.organiser_views import bp as jury_admin_bp
    from .judging.preference_views import admin_bp as preference_admin_bp
    from .judging.preference_views import bp as preferences_bp
    from .judging.progress_views import bp as jury_progress_bp
    from .judging.sheet_views import bp as sheets_bp
    from .judging.views import bp as judging_bp
    from .rankings.public_views import public_bp as results_bp
    from .rankings.verify_views import bp as certificates_bp
    from .rankings.views import bp as rankings_bp

    blueprints = (core_bp, accounts_bp, editions_bp, entries_bp, attachments_bp, entries_admin_bp, questions_bp,
                  judging_bp, jury_admin_bp, sheets_bp, jury_progress_bp, audit_bp, admin_bp, rankings_bp, results_bp)
    blueprints += (jobs_bp, communications_bp, mail_templates_bp)
    blueprints += (certificates_bp, jury_decisions_bp)
    blueprints += (preferences_bp, preference_admin_bp)
    from .rankings.reliability_views import bp as reliability_bp

    blueprints += (reliability_bp,)
    from .editions.conditions_views import bp as conditions_bp
    from .rankings.design_views import bp as certificate_design_bp
    from .rankings.outcome_views import bp as outcomes_bp

    blueprints += (certificate_design_bp, outcomes_bp, conditions_bp)
    from .privacy.views import bp as privacy_bp

    blueprints += (privacy_bp,)
    from .audience.organiser_views import bp as audience_admin_bp
    from .audience.views import bp as audience_bp
    from .audience.views import verify_bp as audience_verify_bp

    blueprints += (audience_bp, audience_admin_bp, audience_verify_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # Modules that say what a phase switch means for them (editions.phase_effects).
    from .entries import phase_effects as _entries_phase_effects  # noqa: F401
    from .judging import phase_effects as _judging_phase_effects  # noqa: F401

    # Every write to a round's sheets, scores, assignments or criteria bumps its inputs revision (rankings staleness).
    from .judging import revisions as _judging_revisions  # noqa: F401


# Lower modules offer registries and signals that higher ones subscribe to, so imports keep running one way
# (docs/architecture.md): each module erases its own part of a person (accounts.erasure), privacy records consent
# when an account is opened through a form that asked for it (accounts.signals).
HOOK_MODULES = ("entries.erasure", "judging.erasure", "rankings.erasure", "rankings.hooks", "communications.erasure",
                "privacy.subscribers")


def _register_hooks() -> None:
    from importlib import import_module

    for name in HOOK_MODULES:
        import_module(f"{__name__}.{name}")


def _register_cli(app: Flask) -> None:
    from .accounts.cli import cli as accounts_cli
    from .admin.cli import cli as demo_cli
    from .judging.cli import cli as judging_cli
    from .rankings.cli import cli as rankings_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(judging_cli)
    app.cli.add_command(rankings_cli)
    from .ops.cli import cli as ops_cli

    app.cli.add_command(ops_cli)
    from .jobs.cli import cli as jobs_cli

    app.cli.add_command(jobs_cli)
    from .audience.cli import cli as audience_cli

    app.cli.add_command(audience_cli)


def _register_template_globals(app: Flask) -> None:
    from flask_babel import get_locale

    from .accounts.models import Role

    @app.context_processor
    def globals_for_templates():
        locale = get_locale()
        return {
            "Role": Role,
            "current_language": locale.language if locale else "de",
            "languages": app.config["LANGUAGES"],
        }

"""The function RQ calls for every job: in a bare RQ worker (started without `flask jobs worker`) it builds the app
once per process and imports the task modules named in ``JOBS_IMPORTS``; then `jobs.runner.run_job` runs the job.

It sits beside `create_app`, above every module, so that `jobs` never imports the app factory (docs/architecture.md).
"""

from __future__ import annotations

import importlib

from flask import Flask, current_app, has_app_context

from .jobs import runner

_worker_app: Flask | None = None


def _app() -> Flask:
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
        for module in (_worker_app.config.get("JOBS_IMPORTS") or "").split(","):
            if module.strip():
                importlib.import_module(module.strip())
    return _worker_app


def run_job(job_id: int) -> None:
    with _app().app_context():
        runner.run_job(job_id)

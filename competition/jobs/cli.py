"""``flask jobs worker [--burst]`` and ``flask jobs recover``."""

from __future__ import annotations

import importlib

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.clock import utcnow
from ..extensions import db
from . import rq_backend, runner

cli = AppGroup("jobs", help="Hintergrundaufträge (RQ-Worker, Wiederaufnahme abgebrochener Aufträge).")


def _recover() -> None:
    actions = runner.recover(now=utcnow())
    db.session.commit()
    for job, action in actions:
        click.echo(f"Auftrag {job.id} ({job.kind}): {action}")
    if not actions:
        click.echo("Keine abgebrochenen Aufträge gefunden.")


@cli.command("recover")
def recover_command():
    """Aufträge, deren Worker ausgefallen ist, erneut einreihen (nach den letzten Versuch: als fehlgeschlagen)."""
    _recover()


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Alle wartenden Aufträge abarbeiten und dann beenden.")
@click.option("--scheduler/--no-scheduler", default=True, help="Verzögerte Wiederholungen einplanen (Standard: an).")
def worker_command(burst: bool, scheduler: bool):
    """Einen RQ-Worker starten (braucht REDIS_URL). Jeder Auftrag läuft in einem eigenen, abgezweigten Prozess
    (work horse), der danach endet: den Speicher von WeasyPrint & Co. bekommt das System so nach jedem Auftrag zurück.
    Beim Start werden abgebrochene Aufträge wieder aufgenommen (wie ``flask jobs recover``)."""
    if runner.backend() != "rq":
        raise click.ClickException("Der Worker braucht Redis: setzen Sie REDIS_URL (und nicht JOBS_BACKEND=inline).")
    from rq import Worker

    for module in (current_app.config.get("JOBS_IMPORTS") or "").split(","):
        if module.strip():
            importlib.import_module(module.strip())

    class AppWorker(Worker):
        def main_work_horse(self, job, queue):
            # The forked work horse must not share the parent's database connections.
            db.engine.dispose(close=False)
            super().main_work_horse(job, queue)

    _recover()
    db.session.remove()
    db.engine.dispose()
    worker = AppWorker([rq_backend.rq_queue()], connection=rq_backend.redis_connection())
    worker.work(burst=burst, with_scheduler=scheduler)

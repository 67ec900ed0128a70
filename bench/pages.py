"""Page speed on the demo data at 2000 entries, as ratios to a trivial route measured in the same run.

    .venv/bin/python bench/pages.py [--entries 2000] [--jurors 700] [--rebuild]

The demo edition (`flask demo seed --entries 2000 --jurors 700 --scored`, then the preliminary round's ranking
frozen as `flask rankings freeze --edition ind-2026` does) is built once into instance/bench/pages-<n>.sqlite and
reused while the schema is unchanged (a fingerprint of the tables and columns is part of the file name). The app is
served by gunicorn with the repository's gunicorn.conf.py (production settings); next to it, in the same run and with
the same gunicorn settings, a bare Flask "hello" (bench/hello_app.py): the floor every figure is measured against.
Prints:

    floor_rps                requests per second on the bare Flask hello from 8 concurrent keep-alive clients, 5 s
    hello_rps                the same on the app's GET /healthz (its most trivial route: SELECT 1, storage probe)
    healthz_floor_ratio      median time of /healthz ÷ median time of the floor; target ≤ 1.5
    entry_detail_p50_ratio   median time of the organiser's view of one entry (/organisation/entries/<id>: core
                             fields, answers, attachments, versions) ÷ the floor's; target ≤ 3
    ranking_page_p50_ratio   median time of the organiser's ranking page of the edition (the latest frozen snapshot)
                             ÷ the floor's; target ≤ 5
    entries_list_p50_ratio   median time of the organiser's entries list of the edition (2 000 entries, first page)
                             ÷ the floor's; target ≤ 5

The medians come from one client per server requesting the floor and the pages in turn (interleaved, so that noise
on the shared machine hits all of them alike), after a warm-up. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import SECRET_KEY, Client, GunicornServer  # noqa: E402

CACHE = ROOT / "instance" / "bench"


def schema_fingerprint() -> str:
    from competition.extensions import db

    parts = [f"{t.name}:{','.join(sorted(c.name for c in t.columns))}" for t in db.metadata.sorted_tables]
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:10]


def build_app(database_url: str, upload_folder: Path):
    os.environ.update(COMPETITION_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
                      UPLOAD_FOLDER=str(upload_folder), MAIL_BACKEND="dummy")
    from competition import create_app

    # config.py reads the environment once, at import: the mapping is what counts for a second app.
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": str(upload_folder),
                       "BASE_URL": "http://127.0.0.1"})


def build_demo(app, *, entries: int, jurors: int) -> None:
    """The demo edition, scored, with the preliminary round's ranking frozen."""
    from sqlalchemy import select, text

    from competition.admin import demo
    from competition.core.clock import utcnow
    from competition.editions.models import Edition
    from competition.extensions import db
    from competition.rankings import services as ranking_services

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        started = time.perf_counter()
        result = demo.seed_demo(entries=entries, jurors=jurors, seed=2026, now=utcnow())
        db.session.commit()
        print(f"# demo seed, {entries} entries and {jurors} jurors: {time.perf_counter() - started:.0f} s")
        for note in result.notes:
            print(f"#   {note}")
        started = time.perf_counter()
        scores = demo.seed_scores(edition=result.edition, organiser=result.organiser, seed=2026, now=utcnow())
        db.session.commit()
        print(f"# scores: {scores.scored} sheets ({scores.submitted} submitted) in "
              f"{time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        edition = db.session.scalar(select(Edition).where(Edition.slug == "ind-2026"))
        ranking_services.freeze_ranking(judging_round=edition.rounds[0], method="weighted-mean",
                                        by=result.organiser, now=utcnow())
        db.session.commit()
        print(f"# ranking frozen in {time.perf_counter() - started:.1f} s")


def pick_targets(app) -> dict:
    from sqlalchemy import func, select

    from competition.admin import demo
    from competition.editions.models import Edition
    from competition.entries.models import Attachment, Entry
    from competition.extensions import db

    with app.app_context():
        edition = db.session.scalar(select(Edition).where(Edition.slug == "ind-2026"))
        with_files = select(Attachment.entry_id).group_by(Attachment.entry_id).having(func.count() >= 2)
        entry_ids = db.session.scalars(select(Entry.id).where(Entry.edition_id == edition.id, Entry.id.in_(with_files))
                                       .order_by(Entry.id)).all()
        count = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.edition_id == edition.id))
        return {"edition_id": edition.id, "entry_id": entry_ids[len(entry_ids) // 2], "entries": count,
                "organiser": demo.ORGANISER_EMAIL, "password": demo.DEMO_PASSWORD}


def hello_rps(url: str, *, clients: int = 8, seconds: float = 5.0) -> float:
    stop = time.monotonic() + seconds
    counts = [0] * clients

    def hammer(index: int) -> None:
        client = Client(url)
        while time.monotonic() < stop:
            status, _headers, _body = client.get("/healthz")
            if status == 200:
                counts[index] += 1
        client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def medians(clients: dict[str, Client], paths: dict[str, str], *, rounds: int, warmup: int = 5) -> dict[str, float]:
    """``paths`` maps a name to (the client of its server, path)."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for index in range(warmup + rounds):
        for name, path in paths.items():
            client = clients[name]
            started = time.perf_counter()
            status, _headers, _body = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise RuntimeError(f"{path}: status {status}")
            if index >= warmup:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--jurors", type=int, default=700, help="enough for 3 jurors per entry within their capacities")
    parser.add_argument("--rounds", type=int, default=40, help="requests per page for the medians")
    parser.add_argument("--rebuild", action="store_true", help="build the cached demo database again")
    args = parser.parse_args()

    CACHE.mkdir(parents=True, exist_ok=True)
    upload_folder = CACHE / "uploads"
    from competition import models  # noqa: F401 - every table, for the fingerprint

    database = CACHE / f"pages-{args.entries}-{args.jurors}-{schema_fingerprint()}.sqlite"
    database_url = f"sqlite:///{database}"
    app = build_app(database_url, upload_folder)
    if args.rebuild or not database.exists():
        for stale in CACHE.glob(f"pages-{args.entries}-{args.jurors}-*.sqlite"):
            stale.unlink()
        shutil.rmtree(upload_folder, ignore_errors=True)
        partial = database.with_suffix(".building")
        partial.unlink(missing_ok=True)
        app = build_app(f"sqlite:///{partial}", upload_folder)
        build_demo(app, entries=args.entries, jurors=args.jurors)
        with app.app_context():
            from competition.extensions import db

            db.engine.dispose()
        partial.rename(database)
        app = build_app(database_url, upload_folder)
    else:
        print(f"# reusing {database.relative_to(ROOT)}")
    targets = pick_targets(app)
    print(f"# {targets['entries']} entries; entry {targets['entry_id']}, edition {targets['edition_id']}")

    env = {"DATABASE_URL": database_url, "UPLOAD_FOLDER": str(upload_folder), "RATELIMIT_ENABLED": "0"}
    workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * os.cpu_count() + 1)
    threads = int(os.environ.get("GUNICORN_THREADS") or 4)
    floor_server = GunicornServer(env=env, workers=workers, threads=threads, log_path=CACHE / "gunicorn-floor.log",
                                  wsgi_app="bench.hello_app:app")
    with floor_server, GunicornServer(env=env, workers=workers, threads=threads,
                                      log_path=CACHE / "gunicorn.log") as server:
        floor = Client(floor_server.url)
        client = Client(server.url)
        client.log_in(targets["organiser"], targets["password"])
        ranking_path = f"/organisation/editions/{targets['edition_id']}/rankings"
        status, _headers, _body = client.get(ranking_path)
        paths = {"floor": "/healthz", "healthz": "/healthz", "entry": f"/organisation/entries/{targets['entry_id']}",
                 "entries": f"/organisation/entries?edition={targets['edition_id']}"}
        if status == 200:
            paths["ranking"] = ranking_path
        clients = {name: floor if name == "floor" else client for name in paths}
        p50 = medians(clients, paths, rounds=args.rounds)
        client.close()
        floor.close()
        floor_rps = hello_rps(floor_server.url)
        rps = hello_rps(server.url)
    print(f"# gunicorn: {workers} workers × {threads} threads; load average {os.getloadavg()[0]:.1f}; p50 ms: "
          + ", ".join(f"{name} {value:.1f}" for name, value in p50.items()))
    print(f"floor_rps: {floor_rps:.0f}")
    print(f"hello_rps: {rps:.0f}")
    print(f"healthz_floor_ratio: {p50['healthz'] / p50['floor']:.2f}")
    print(f"entry_detail_p50_ratio: {p50['entry'] / p50['floor']:.2f}")
    if "ranking" in p50:
        print(f"ranking_page_p50_ratio: {p50['ranking'] / p50['floor']:.2f}")
    elif status == 404:
        print("ranking_page_p50_ratio: n/a (route missing)")
    else:
        print(f"ranking_page_p50_ratio: n/a (status {status}, see {(CACHE / 'gunicorn.log').relative_to(ROOT)})")
    print(f"entries_list_p50_ratio: {p50['entries'] / p50['floor']:.2f}")


if __name__ == "__main__":
    main()

"""Profile the vote POST and the confirm GET/POST of the audience vote in-process with pyinstrument.

    .venv/bin/python bench/profile_votes.py [--repeat 200] [--html instance/bench/profiles]
                                            [--database-url postgresql+psycopg://…/competition_votes_bench]

Builds the database as bench/votes.py does (PostgreSQL; that database is EMPTIED), runs the app with the
production settings, RQ on Redis and the rate limits on, and prints per request kind the mean time per request, the
SQL statements one request issues and pyinstrument's call tree of all the repetitions.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.votes import DEFAULT_DB, SLUG, ensure_database, seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--html", type=Path, help="also write one HTML profile per request kind into this folder")
    parser.add_argument("--database-url", default=os.environ.get("VOTES_BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("VOTES_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    args = parser.parse_args()
    from pyinstrument import Profiler
    from sqlalchemy import event

    ensure_database(args.database_url)
    tmp = tempfile.mkdtemp(prefix="profile-votes-")
    world = seed(args.database_url, Path(tmp) / "instance")
    from competition import create_app
    from competition.audience.services import confirm_token
    from competition.extensions import db

    queue_name = f"profile-votes-{os.getpid()}"
    os.environ.update(REDIS_URL=args.redis_url, JOBS_BACKEND="rq", JOBS_QUEUE=queue_name, RATELIMIT_ENABLED="1",
                      PROXY_FIX_X_FOR="1", BASE_URL="http://localhost")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "REDIS_URL": args.redis_url,
                      "JOBS_BACKEND": "rq", "JOBS_QUEUE": queue_name, "BASE_URL": "http://localhost",
                      "TRUSTED_HOSTS": ["localhost"], "RATELIMIT_ENABLED": True, "SESSION_COOKIE_SECURE": False})
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: statements.append(sql.split("\n")[0][:110]))
    client = app.test_client()
    entry_id = world["entries"][0][0]
    counter = iter(range(10**9))

    def vote():
        n = next(counter)
        response = client.post(f"/publikumspreis/{SLUG}/beitrag/{entry_id}",
                               data={"email": f"Voter{n}@Web.de", "consent": "y"},
                               environ_base={"REMOTE_ADDR": f"10.{n // 250 % 250}.{n % 250}.{n % 7 + 1}"})
        assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:500])

    def tokens(count: int) -> list[str]:
        from sqlalchemy import text

        with app.app_context():
            rows = db.session.execute(text("SELECT id, nonce FROM audience_ballots WHERE nonce IS NOT NULL "
                                           "ORDER BY id DESC LIMIT :n"), {"n": count}).all()
            db.session.remove()
        with app.test_request_context():
            return [confirm_token(row.id, row.nonce) for row in rows]

    def confirm_get(token):
        response = client.get(f"/publikumspreis/bestaetigen/{token}")
        assert response.status_code == 200, response.status_code

    def confirm_post(token):
        n = next(counter)
        response = client.post(f"/publikumspreis/bestaetigen/{token}",
                               environ_base={"REMOTE_ADDR": f"10.9.{n % 250}.9"})
        assert response.status_code == 200 and "Ihre Stimme zählt" in response.get_data(as_text=True), \
            response.status_code

    for _ in range(5):
        vote()
    for kind in ("vote", "confirm_get", "confirm_post"):
        batch = tokens(args.repeat) if kind != "vote" else [None] * args.repeat
        statements.clear()
        run = {"vote": lambda _t: vote(), "confirm_get": confirm_get, "confirm_post": confirm_post}[kind]
        run(batch[0])
        print(f"=== {kind}: {len(statements)} SQL statements")
        for sql in statements:
            print(f"    {sql}")
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for token in batch[1:]:
            run(token)
        profiler.stop()
        elapsed = (time.perf_counter() - started) / max(1, len(batch) - 1) * 1000
        print(f"=== {kind}: {elapsed:.2f} ms per request (profiled)")
        print(profiler.output_text(unicode=True, color=False))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{kind}.html").write_text(profiler.output_html())
    from redis import Redis
    from rq import Queue

    rq_queue = Queue(queue_name, connection=Redis.from_url(args.redis_url))
    rq_queue.empty()
    rq_queue.delete(delete_jobs=True)


if __name__ == "__main__":
    main()

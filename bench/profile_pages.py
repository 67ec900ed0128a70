"""Profile the pages of bench/pages.py in-process with pyinstrument (production settings, the bench's database).

    .venv/bin/python bench/profile_pages.py [--repeat 50] [--html instance/bench/profiles]

Needs the database that bench/pages.py builds (run it once). Prints, per page, the mean time per request and
pyinstrument's call tree of all the repetitions (the app's own frames and where the time goes below them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import CACHE, build_app, pick_targets, schema_fingerprint  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--jurors", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--html", type=Path, help="also write one HTML profile per page into this folder")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument("--only", help="comma-separated page names (hello, healthz, entry, entries, ranking)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from competition import models  # noqa: F401 - every table, for the fingerprint

    database = CACHE / f"pages-{args.entries}-{args.jurors}-{schema_fingerprint()}.sqlite"
    if not database.exists():
        raise SystemExit(f"{database} is missing: run bench/pages.py first")
    os.environ["RATELIMIT_ENABLED"] = "0"
    app = build_app(f"sqlite:///{database}", CACHE / "uploads")
    app.config.update(RATELIMIT_ENABLED=False, SESSION_COOKIE_SECURE=False, BASE_URL="http://localhost",
                      TRUSTED_HOSTS=["localhost"])
    targets = pick_targets(app)
    client = app.test_client()
    from bench._server import _CSRF

    page = client.get("/login").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": targets["organiser"],
                                           "password": targets["password"]})
    assert response.status_code == 302, response.status_code
    paths = {"healthz": "/healthz", "entry": f"/organisation/entries/{targets['entry_id']}",
             "entries": f"/organisation/entries?edition={targets['edition_id']}",
             "ranking": f"/organisation/editions/{targets['edition_id']}/rankings"}
    if args.only:
        paths = {name: path for name, path in paths.items() if name in args.only.split(",")}
    for name, path in paths.items():
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for _ in range(args.repeat):
            client.get(path)
        profiler.stop()
        elapsed = (time.perf_counter() - started) / args.repeat * 1000
        print(f"=== {name} {path}: {elapsed:.1f} ms per request (profiled)")
        print(profiler.output_text(unicode=True, color=False, show_all=args.all))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{name}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()

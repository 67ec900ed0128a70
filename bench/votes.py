"""Audience vote under a viral peak: people vote, receive the confirmation link and click it, for 60 s.

    .venv/bin/python bench/votes.py [--seconds 60] [--clients 24] [--changers 2] [--workers 5] [--threads 4]
                                    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/competition_votes_bench]
                                    [--redis-url redis://127.0.0.1:6379/9]

Builds the database (PostgreSQL; that database is EMPTIED and rebuilt, created when missing): an edition with three
categories, twelve finalists and an open audience vote. Serves the app with gunicorn and the repository's
gunicorn.conf.py with the production settings, jobs on RQ in Redis (the confirmation mail is a job: the request only
writes its ballot and the job row and puts the job on the queue; no worker runs, so queued mails stay queued and are
counted), rate limits ON (per address and per /24 network, in Redis). Voters come from many networks, as they would
through a reverse proxy (``X-Forwarded-For`` with ``PROXY_FIX_X_FOR=1``).

The "mailbox" reads the queued confirmation jobs from the database and builds each link as the mail job would (the
signed token of the ballot and its nonce), so the clients click exactly the link the mail would carry. Client
threads vote for a fresh address each (written in mixed case, some with +tags or Gmail dots); other threads click the
links as they arrive; "changers" vote, confirm, vote again in the same category with another spelling of their
address for another entry and confirm that too. Prints:

    votes_per_s          confirmations acknowledged ("Ihre Stimme zählt") per second of the run
    p95_ms               95th percentile of the vote and confirm requests (POSTs)
    mails_queued_per_s   confirmation jobs queued per second of the run
    lost                 acknowledged votes without their ballot and job, acknowledged confirmations whose choice is
                         not what the ballot counts at the end; target 0
    counted_twice        people (however their address was written) with more than one counted vote in one category;
                         target 0

and, as comments, the load of the machine (``uptime``) and the counts behind the figures.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import SECRET_KEY, Client, GunicornServer, ensure_database  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/competition_votes_bench"
SLUG = "ind-votes"
FIRST = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hans", "ida", "jonas", "karla", "lukas"]
DOMAINS = ["web.de", "gmx.de", "gmail.com", "t-online.de", "posteo.de", "outlook.de"]


def seed(database_url: str, instance: Path) -> dict:
    os.environ.update(COMPETITION_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
                      INSTANCE_PATH=str(instance), MAIL_BACKEND="dummy", BASE_URL="http://127.0.0.1")
    from sqlalchemy import text

    from competition import create_app
    from competition.accounts import services as account_services
    from competition.accounts.models import Role
    from competition.audience import services as audience_services
    from competition.core.clock import utcnow
    from competition.editions import services as edition_services
    from competition.editions.phases import PhaseDates
    from competition.entries.models import Company, District, Entry, EntryStatus, TurnoverBand
    from competition.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_BACKEND": "dummy", "REDIS_URL": None,
                      "JOBS_BACKEND": "inline"})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        now = utcnow()
        organiser = account_services.create_verified_user(
            email="orga@votes.example", full_name="Organisationsteam", password="Bench-Passwort-2026!",
            roles=[Role.ORGANISER], locale="de", now=now)
        edition = edition_services.create_edition(data=edition_services.EditionData(
            name="Industrie. Neu. Denken. Publikum", slug=SLUG, description="",
            dates=PhaseDates(registration_opens_at=now - timedelta(days=90),
                             submission_deadline_at=now - timedelta(days=60), jury_starts_at=now - timedelta(days=50),
                             jury_ends_at=now + timedelta(days=10), publication_at=now + timedelta(days=20))),
            by=organiser, now=now)
        categories = [edition_services.add_category(edition=edition, name=name, description="", by=organiser)
                      for name in ("Mobilität", "Digitalisierung", "Kreislaufwirtschaft")]
        entries = []
        for index in range(12):
            company = Company(legal_name=f"Publikum Technik {index + 1} GmbH", district=District.CHEMNITZ,
                              turnover_band=list(TurnoverBand)[1])
            db.session.add(company)
            db.session.flush()
            entry = Entry(edition_id=edition.id, company_id=company.id, category_id=categories[index % 3].id,
                          number=f"IND-V-{index + 1:04d}", status=EntryStatus.SHORTLISTED,
                          title=f"Finalist {index + 1}", summary="Eine Idee für die Region.", publish_summary=True)
            db.session.add(entry)
            entries.append(entry)
        db.session.flush()
        vote = audience_services.configure_vote(
            edition=edition, opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=1),
            entry_ids=[e.id for e in entries], by=organiser, now=now)
        db.session.commit()
        return {"entries": [(e.id, e.category_id) for e in entries], "vote_id": vote.id, "salt": vote.salt}


@dataclass
class Voter:
    identity: str  # local@domain as the person thinks of it
    spellings: list[str] = field(default_factory=list)
    expected: dict[int, int] = field(default_factory=dict)  # category → entry the last acknowledged confirm chose


def spelling(rng: random.Random, local: str, domain: str) -> str:
    out = local
    if domain == "gmail.com" and rng.random() < 0.5 and len(out) > 2:
        cut = rng.randint(1, len(out) - 1)
        out = out[:cut] + "." + out[cut:]
    if rng.random() < 0.3:
        out += "+" + rng.choice(["preis", "abstimmung", "x"])
    out = "".join(c.upper() if rng.random() < 0.2 else c for c in out)
    return f"{out}@{domain.upper() if rng.random() < 0.1 else domain}"


class Run:
    def __init__(self, url: str, entries: list[tuple[int, int]], seconds: float):
        self.url, self.entries, self.seconds = url, entries, seconds
        self.start = 0.0
        self.stop_voting = threading.Event()
        self.stop_all = threading.Event()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.votes_acked: list[tuple[str, int, int]] = []  # (spelling, entry, category)
        self.confirm_acks: list[tuple[float, str]] = []  # (time, spelling)
        self.refused: dict[str, int] = defaultdict(int)
        self.pending: dict[str, tuple[Voter, int, int]] = {}  # spelling → voter, entry, category
        self.voters: list[Voter] = []
        self.links: queue.Queue = queue.Queue()
        self.private: dict[str, queue.Queue] = {}  # changers' own mailboxes
        self.counter = 0

    def client(self, ip: str) -> Client:
        return Client(self.url)

    def post(self, client: Client, path: str, fields: dict, ip: str) -> tuple[int, bytes]:
        began = time.perf_counter()
        try:
            status, _headers, data = client.request(
                "POST", path, body=urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": ip})
        except OSError:
            client.close()
            status, data = 0, b""
        with self.lock:
            self.latencies.append((time.perf_counter() - began) * 1000)
        return status, data

    def new_voter(self, rng: random.Random) -> tuple[Voter, str]:
        with self.lock:
            self.counter += 1
            n = self.counter
        local = f"{rng.choice(FIRST)}{n}x{rng.randint(10, 99)}"
        voter = Voter(f"{local}@{rng.choice(DOMAINS)}")
        ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        with self.lock:
            self.voters.append(voter)
        return voter, ip

    def vote(self, client: Client, rng: random.Random, voter: Voter, ip: str, entry: tuple[int, int],
             mailbox: str = "") -> str | None:
        local, domain = voter.identity.split("@")
        written = spelling(rng, local, domain)
        while written in voter.spellings:
            written = spelling(rng, local, domain) + ""
            if written in voter.spellings:
                written = f"{local}+{len(voter.spellings)}@{domain}"
        voter.spellings.append(written)
        with self.lock:
            self.pending[written] = (voter, entry[0], entry[1])
            if mailbox:
                self.private[written] = self.private.get(mailbox) or queue.Queue()
                self.private[mailbox] = self.private[written]
        status, _data = self.post(client, f"/publikumspreis/{SLUG}/beitrag/{entry[0]}",
                                  {"email": written, "consent": "y"}, ip)
        if status == 302:
            with self.lock:
                self.votes_acked.append((written, entry[0], entry[1]))
            return written
        with self.lock:
            self.refused[f"vote {status}"] += 1
        return None

    def confirm(self, client: Client, written: str, token: str, ip: str) -> bool:
        status, data = self.post(client, f"/publikumspreis/bestaetigen/{token}", {}, ip)
        if status == 200 and "Ihre Stimme zählt".encode() in data:
            voter, entry, category = self.pending[written]
            with self.lock:
                self.confirm_acks.append((time.monotonic(), written))
                voter.expected[category] = entry
            return True
        with self.lock:
            self.refused[f"confirm {status}"] += 1
        return False

    def voting(self, seed: int) -> None:
        rng = random.Random(seed)
        client = Client(self.url)
        while not self.stop_voting.is_set():
            voter, ip = self.new_voter(rng)
            self.vote(client, rng, voter, ip, rng.choice(self.entries))
        client.close()

    def clicking(self) -> None:
        client = Client(self.url)
        while not self.stop_all.is_set():
            try:
                written, token = self.links.get(timeout=0.2)
            except queue.Empty:
                continue
            self.confirm(client, written, token, f"10.200.{random.randint(0, 255)}.7")
        client.close()

    def changing(self, seed: int) -> None:
        """Vote, confirm, vote again for another entry of the category with another spelling, confirm."""
        rng = random.Random(seed)
        client = Client(self.url)
        while not self.stop_voting.is_set():
            voter, ip = self.new_voter(rng)
            first = rng.choice(self.entries)
            second = rng.choice([e for e in self.entries if e[1] == first[1] and e != first])
            box = f"box-{voter.identity}"
            for entry in (first, second):
                written = self.vote(client, rng, voter, ip, entry, mailbox=box)
                if written is None:
                    break
                try:
                    token = self.private[box].get(timeout=15)
                except queue.Empty:
                    break
                self.confirm(client, written, token, ip)
        client.close()

    def mailbox(self, database_url: str) -> None:
        """Deliver the queued confirmation mails: the link the job would build, to the address it was sent to."""
        import psycopg
        from itsdangerous import URLSafeTimedSerializer

        serializer = URLSafeTimedSerializer(SECRET_KEY, salt="competition.audience-vote")
        last = 0
        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not self.stop_all.is_set():
                rows = conn.execute(
                    "SELECT j.id, j.params FROM jobs j WHERE j.kind = 'audience.confirmation' AND j.id > %s "
                    "ORDER BY j.id LIMIT 2000", (last,)).fetchall()
                if rows:
                    ids = [int(p["ballot_id"]) for _id, p in rows]
                    emails = dict(conn.execute("SELECT id, email FROM audience_ballots WHERE id = ANY(%s)",
                                               (ids,)).fetchall())
                    for job_id, params in rows:
                        last = max(last, job_id)
                        written = emails.get(int(params["ballot_id"]))
                        token = serializer.dumps({"b": int(params["ballot_id"]), "n": params["nonce"]})
                        if written is None:
                            continue
                        box = self.private.get(written)
                        if box is not None:
                            box.put(token)
                        else:
                            self.links.put((written, token))
                else:
                    time.sleep(0.1)


def check(database_url: str, run: Run, salt: str) -> dict:
    import psycopg

    from competition.audience.addresses import address_hash, normalise

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        ballots = conn.execute("SELECT voter_hash, category_id, entry_id FROM audience_ballots").fetchall()
        jobs = conn.execute("SELECT count(*) FROM jobs WHERE kind = 'audience.confirmation'").fetchone()[0]
    by_hash = defaultdict(dict)
    for voter_hash, category, entry in ballots:
        by_hash[voter_hash][category] = entry
    lost = 0
    for written, _entry, category in run.votes_acked:  # an acknowledged vote has its ballot
        if category not in by_hash.get(address_hash(normalise(written), salt=salt), {}):
            lost += 1
    counted_twice = 0
    for voter in run.voters:
        hashes = {address_hash(normalise(w), salt=salt) for w in voter.spellings}
        per_category = defaultdict(int)
        for h in hashes:
            for category, entry in by_hash.get(h, {}).items():
                if entry is not None:
                    per_category[category] += 1
        counted_twice += sum(1 for n in per_category.values() if n > 1)
        for category, entry in voter.expected.items():  # an acknowledged confirmation counts what it chose
            counted = [by_hash.get(h, {}).get(category) for h in hashes]
            if entry not in counted:
                lost += 1
    return {"lost": lost, "counted_twice": counted_twice, "jobs": jobs, "ballots": len(ballots),
            "counted": sum(1 for b in ballots if b[2] is not None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=24, help="threads that vote (as many click links)")
    parser.add_argument("--changers", type=int, default=2, help="threads that vote, confirm and change their vote")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn processes (default: gunicorn.conf.py's production default, 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per process (default: gunicorn.conf.py's production default, 4)")
    parser.add_argument("--database-url", default=os.environ.get("VOTES_BENCH_DATABASE_URL", DEFAULT_DB),
                        help="PostgreSQL; this database is EMPTIED")
    parser.add_argument("--redis-url", default=os.environ.get("VOTES_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    args = parser.parse_args()
    ensure_database(args.database_url)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-votes-") as tmp:
        world = seed(args.database_url, Path(tmp) / "instance")
        queue_name = f"bench-votes-{os.getpid()}"
        env = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "JOBS_BACKEND": "rq",
               "JOBS_QUEUE": queue_name, "INSTANCE_PATH": str(Path(tmp) / "instance"), "PROXY_FIX_X_FOR": "1",
               "UPLOAD_FOLDER": str(Path(tmp) / "uploads"), "RATELIMIT_ENABLED": "1"}
        with GunicornServer(env=env, log_path=Path(tmp) / "gunicorn.log", workers=args.workers,
                            threads=args.threads) as server:
            run = Run(server.url, world["entries"], args.seconds)
            threads = [threading.Thread(target=run.mailbox, args=(args.database_url,), daemon=True)]
            threads += [threading.Thread(target=run.clicking, daemon=True) for _ in range(args.clients)]
            voting = [threading.Thread(target=run.voting, args=(i,), daemon=True) for i in range(args.clients)]
            voting += [threading.Thread(target=run.changing, args=(1000 + i,), daemon=True)
                       for i in range(args.changers)]
            run.start = time.monotonic()
            for thread in threads + voting:
                thread.start()
            cpu_before = _cpu_seconds(server.worker_pids())
            time.sleep(args.seconds)
            cpu_used = _cpu_seconds(server.worker_pids()) - cpu_before
            run.stop_voting.set()
            ended = time.monotonic()
            for thread in voting:
                thread.join(timeout=30)
            deadline = time.monotonic() + 20  # the links of the last votes are still clicked
            while time.monotonic() < deadline and (not run.links.empty()):
                time.sleep(0.2)
            time.sleep(1.0)
            run.stop_all.set()
            for thread in threads:
                thread.join(timeout=10)
            load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
        result = check(args.database_url, run, world["salt"])
        _clear_queue(args.redis_url, queue_name)
    duration = ended - run.start
    in_window = sum(1 for at, _w in run.confirm_acks if at <= ended)
    latencies = sorted(run.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    print(f"# load: {load}; gunicorn {args.workers} workers × {args.threads} threads")
    print(f"# {len(run.votes_acked)} votes acknowledged, {len(run.confirm_acks)} confirmations acknowledged "
          f"({in_window} within the {duration:.0f} s), {result['jobs']} mails queued, {result['ballots']} ballots, "
          f"{result['counted']} counted; median {statistics.median(latencies) if latencies else 0:.0f} ms; "
          f"refused: {dict(run.refused) or 'none'}")
    per_vote = cpu_used / in_window * 1000 if in_window else 0.0
    print(f"# gunicorn workers used {cpu_used:.1f} CPU seconds in the run: {per_vote:.0f} ms per confirmed vote "
          f"(its vote and confirm requests), i.e. at most {2000 / per_vote if per_vote else 0:.0f} votes/s on two "
          "otherwise idle cores before PostgreSQL and Redis take their share")
    print(f"votes_per_s: {in_window / duration:.1f}")
    print(f"p95_ms: {p95:.0f}")
    print(f"mails_queued_per_s: {result['jobs'] / duration:.1f}")
    print(f"lost: {result['lost']}")
    print(f"counted_twice: {result['counted_twice']}")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (from /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _clear_queue(redis_url: str, queue_name: str) -> None:
    """Remove this run's queued jobs from Redis (nothing else)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    rq_queue = Queue(queue_name, connection=connection)
    rq_queue.empty()
    rq_queue.delete(delete_jobs=True)


if __name__ == "__main__":
    main()

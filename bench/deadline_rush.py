"""Deadline rush: 50 companies save, upload and submit in the last seconds while the submission deadline passes.

    .venv/bin/python bench/deadline_rush.py [--clients 50] [--deadline-in 20]
    .venv/bin/python bench/deadline_rush.py --database-url postgresql+psycopg://postgres@127.0.0.1/competition_perf

Builds a fresh database (a SQLite file in a temporary folder by default; with --database-url that database is
EMPTIED and rebuilt), an edition and one applicant, company and complete draft entry per client, through the
services. Serves the app with gunicorn and the repository's gunicorn.conf.py (production settings: CSRF, argon2,
secure cookies; GUNICORN_WORKERS / GUNICORN_THREADS as set in the environment or the config's defaults). Rate limits
are off for the run: every client comes from 127.0.0.1, which the per-IP login limit (20 per minute) would stop; in
a real rush the companies come from many addresses. Mail goes to the "dummy" backend (the receipt PDF is still
rendered on every submit: on SQLite by the worker thread of the serving process, the embedded default; with a
PostgreSQL --database-url by RQ workers on Redis (--redis-url, `flask jobs worker`, --rq-workers of them), as
deployed).

Each client logs in, then the deadline is set to --deadline-in seconds from now and every client loops until two
seconds past it: load the entry form, save the draft, upload a small unique PDF, submit. Afterwards the server is
stopped and the database and upload folder are checked. Prints:

    uploads_per_s            acknowledged uploads / seconds from the start of the rush to the deadline
    p95_ms                   95th percentile of the response time of every request of the rush
    lost                     requests acknowledged as done (redirect + success message) whose effect is not stored:
                             an acknowledged upload without its row, a row whose file is missing or differs from its
                             SHA-256, an acknowledged submit without its version; target 0
    accepted_after_deadline  attachments, submitted versions and draft saves stored with a time after the deadline,
                             plus acknowledgements of requests sent after it; target 0 (also printed as accepted_late)
    refused_in_time          saves, uploads and submits sent before the deadline but refused as late (they waited
                             in a queue until after it); target 0 with the app alone (no proxy header). A request
                             is "sent" when its last byte has been written to the connection, as a browser sends it
    cycles_per_s             complete cycles (page, save, upload, submit, all acknowledged) sent before the deadline,
                             per second from the start of the rush to the deadline
    jobs_done / jobs_left    receipt jobs done after the rush (the server drains its queue before it stops) and
                             jobs still queued, running or failed

and, as comments, the counts behind them (requests, refusals, server errors, orphaned or temporary files).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import SECRET_KEY, Client, GunicornServer, ensure_database  # noqa: E402

PASSWORD = "Bench-Passwort-2026!"
CORE = {
    "summary": "Eine Spannvorrichtung, die sich selbst auf neue Werkstücke einstellt.",
    "description": "<p>Sensoren messen das Werkstück; die Vorrichtung stellt sich in Sekunden um.</p>",
    "implementation": "Pilotbetrieb seit März bei zwei Kunden.",
    "regional_benefit": "Zwölf neue Arbeitsplätze im Erzgebirge, Zulieferer aus der Region.",
    "sustainability": "30 % weniger Ausschuss.",
    "video_url": "",
}
_LOCK_VERSION = re.compile(r'name="lock_version"[^>]*value="(\d+)"')


def small_pdf(tag: str, padding: int = 16_000) -> bytes:
    """A valid one-page PDF, unique by `tag` and random padding in a comment of its content stream."""
    content = (f"BT /F1 18 Tf 60 760 Td (Projektbeschreibung {tag}) Tj ET\n% "
               + os.urandom(padding // 2).hex() + "\n").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def last_flash(client: Client) -> tuple[str, str] | None:
    """The newest flash message in Flask's signed (not encrypted) session cookie: what the user would read."""
    cookie = client.cookies.get("ind_session", "")
    compressed = cookie.startswith(".")
    payload = cookie.lstrip(".").split(".")[0]
    if not payload:
        return None
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        data = zlib.decompress(data)
    flashes = json.loads(data).get("_flashes") or []
    if not flashes:
        return None
    last = flashes[-1]
    last = last.get(" t", last) if isinstance(last, dict) else last
    return last[0], last[1]


# --- the database ------------------------------------------------------------------------------------------------

def build_app(database_url: str, upload_folder: Path, instance: Path):
    os.environ.update(COMPETITION_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
                      UPLOAD_FOLDER=str(upload_folder), INSTANCE_PATH=str(instance), MAIL_BACKEND="dummy")
    from competition import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": str(upload_folder),
                       "MAIL_BACKEND": "dummy", "BASE_URL": "http://127.0.0.1"})


def seed(app, clients: int) -> dict:
    from sqlalchemy import text

    from competition.accounts import services as account_services
    from competition.accounts.models import Role
    from competition.accounts.passwords import hash_password
    from competition.core.clock import utcnow
    from competition.editions import services as edition_services
    from competition.editions.conditions import publish_conditions
    from competition.editions.phases import PhaseDates
    from competition.entries import company_services as entry_company_services
    from competition.entries import services as entry_services
    from competition.entries.models import District, TurnoverBand
    from competition.extensions import db

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        now = utcnow()
        password_hash = hash_password(PASSWORD)
        organiser = account_services.create_verified_user(
            email="orga@rush.example", full_name="Organisationsteam", password=PASSWORD, roles=[Role.ORGANISER],
            locale="de", now=now, password_hash=password_hash)
        edition = edition_services.create_edition(data=edition_services.EditionData(
            name="Industrie. Neu. Denken. Rush", slug="ind-rush", description="",
            dates=PhaseDates(registration_opens_at=now - timedelta(days=30),
                             submission_deadline_at=now + timedelta(hours=1),  # set to the rush's deadline later
                             jury_starts_at=now + timedelta(days=7), jury_ends_at=now + timedelta(days=30),
                             publication_at=now + timedelta(days=40)),
            max_file_mb=20, max_entry_mb=2000, max_files=500), by=organiser, now=now)
        categories = [edition_services.add_category(edition=edition, name=name, description="", by=organiser)
                      for name in ("Mobilität", "Digitalisierung", "Kreislaufwirtschaft")]
        # Without Teilnahmebedingungen an edition takes no submissions (issue 16): publish them as an organiser does.
        publish_conditions(edition=edition, body="## Teilnahmebedingungen\n\nTeilnehmen können Unternehmen aus "
                           "Südwestsachsen.", pdf=None, pdf_name="", by=organiser, now=now)
        accounts = []
        for index in range(clients):
            email = f"kontakt{index + 1:03d}@firma{index + 1:03d}.example"
            user = account_services.create_verified_user(
                email=email, full_name=f"Ansprechperson {index + 1}", password=PASSWORD, roles=[Role.APPLICANT],
                locale="de", now=now, password_hash=password_hash)
            company = entry_company_services.create_company(data={
                "legal_name": f"Rush Präzisionstechnik {index + 1} GmbH", "legal_form": "GmbH",
                "street": f"Industriestraße {index + 1}", "postal_code": "09111", "city": "Chemnitz",
                "district": District.CHEMNITZ, "employees": 40, "turnover_band": list(TurnoverBand)[1],
                "industry": "Maschinenbau", "website": f"https://firma{index + 1:03d}.example",
                "contact_name": f"Ansprechperson {index + 1}", "contact_email": email,
                "contact_phone": "0371 123456"}, by=user, now=now)
            entry = entry_services.create_entry(company=company, category=categories[index % 3], by=user, now=now)
            entry_services.save_draft(entry=entry, data=entry_services.EntryInput(
                category_id=None, answers={}, core={"title": f"Adaptive Spannvorrichtung {index + 1}", **CORE}),
                lock_version=None, by=user, now=now)
            accounts.append((email, entry))
        db.session.commit()
        return {"edition_id": edition.id, "accounts": [(email, entry.id) for email, entry in accounts]}


def set_deadline(app, edition_id: int, deadline: datetime) -> None:
    from competition.editions.models import Edition
    from competition.extensions import db

    with app.app_context():
        db.session.get(Edition, edition_id).submission_deadline_at = deadline
        db.session.commit()


# --- the clients -------------------------------------------------------------------------------------------------

@dataclass
class Record:
    client: int
    op: str  # page, save, upload, submit
    sent: float  # wall clock (time.time()), comparable with the deadline
    ms: float
    status: int  # 0: no answer (connection error, timeout)
    acked: bool = False
    detail: str = ""
    sha256: str = ""
    title: str = ""


@dataclass
class Rush:
    url: str
    entry_of: dict[str, int]
    start_at: float = 0.0
    stop_at: float = 0.0
    records: list[Record] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)


def timed(rush: Rush, number: int, op: str, call, *args) -> tuple[Record, tuple | None]:
    sent = time.time()
    started = time.perf_counter()
    try:
        result = call(*args)
        status = result[0]
    except OSError as exc:
        result, status = None, 0
        detail = type(exc).__name__
    else:
        detail = ""
    client = getattr(call, "__self__", None)
    if isinstance(client, Client) and client.last_sent_at is not None and client.last_sent_at >= sent:
        sent = client.last_sent_at  # when its last byte left for the server (see Client.last_sent_at)
    record = Record(number, op, sent, (time.perf_counter() - started) * 1000, status, detail=detail)
    rush.add(record)
    return record, result


def run_client(rush: Rush, number: int, client: Client, entry_id: int, ready: threading.Barrier) -> None:
    ready.wait()
    while time.time() < rush.start_at:
        time.sleep(0.01)
    token, lock_version, iteration = None, None, 0
    edit, show = f"/entries/{entry_id}/edit", f"/entries/{entry_id}"
    while time.time() < rush.stop_at:
        iteration += 1
        record, result = timed(rush, number, "page", client.get, edit)
        if result and result[0] == 200:
            page = result[2].decode("utf-8", "replace")
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            lock_version = _LOCK_VERSION.search(page).group(1)
        if token is None:
            client.close()
            time.sleep(0.2)
            continue
        title = f"Adaptive Spannvorrichtung {number + 1} – Fassung {iteration}"
        record, result = timed(rush, number, "save", client.post_form, edit, {
            "csrf_token": token, "lock_version": lock_version or "", "title": title, **CORE})
        record.title = title
        if result and result[0] == 302:
            flash = last_flash(client)
            record.acked = result[1].get("location", "").endswith(edit) and flash is not None and flash[0] == "success"
            record.detail = record.detail or (flash[1][:60] if flash and not record.acked else "")
        pdf = small_pdf(f"{number + 1}/{iteration}")
        record, result = timed(
            rush, number, "upload", client.post_multipart, f"/entries/{entry_id}/attachments",
            {"csrf_token": token, "question_id": ""},
            {"file": (f"Projektbeschreibung {iteration}.pdf", pdf, "application/pdf")})
        record.sha256 = hashlib.sha256(pdf).hexdigest()
        if result and result[0] == 302:
            flash = last_flash(client)
            record.acked = flash is not None and "wurde hochgeladen" in flash[1]
            record.detail = record.detail or (flash[1][:60] if flash and not record.acked else "")
        record, result = timed(
            rush, number, "submit", client.post_form, f"/entries/{entry_id}/submit",
            {"csrf_token": token, "consent": "y"})
        if result and result[0] == 302:
            flash = last_flash(client)
            record.acked = (result[1].get("location", "").endswith(show) and flash is not None
                            and flash[0] == "success" and "ist eingereicht" in flash[1])
            record.detail = record.detail or (flash[1][:60] if flash and not record.acked else "")
        elif result and result[0] == 200:  # the form again, with the reason shown on the page
            page = result[2].decode("utf-8", "replace")
            reason = re.search(r'class="(?:field-error|notice notice-error)"[^>]*>([^<]+)<', page)
            record.detail = ("Die Einreichungsfrist ist abgelaufen" if "Einreichungsfrist ist abgelaufen" in page
                             else f"submit form shown again: {reason.group(1).strip()[:60] if reason else '?'}")
    client.close()


# --- checking what was stored --------------------------------------------------------------------------------------

def verify(app, rush: Rush, upload_folder: Path, deadline: datetime) -> dict:
    from sqlalchemy import select

    from competition.entries.models import Attachment, Entry, EntryVersion
    from competition.extensions import db

    deadline_ts = deadline.timestamp()
    lost: list[str] = []
    late: list[str] = []
    with app.app_context():
        attachments = db.session.scalars(select(Attachment)).all()
        versions = db.session.scalars(select(EntryVersion)).all()
        entries = {e.id: e for e in db.session.scalars(select(Entry)).all()}
        stored_keys = set()
        by_entry_sha = {(a.entry_id, a.sha256) for a in attachments}
        for attachment in attachments:
            path = upload_folder / attachment.storage_key[:2] / attachment.storage_key[2:4] / attachment.storage_key
            stored_keys.add(attachment.storage_key)
            if not path.is_file():
                lost.append(f"attachment {attachment.id}: file missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != attachment.sha256:
                lost.append(f"attachment {attachment.id}: file differs from its SHA-256")
            if attachment.uploaded_at >= deadline:
                late.append(f"attachment {attachment.id} uploaded {attachment.uploaded_at.isoformat()}")
        for version in versions:
            if version.submitted_at >= deadline:
                late.append(f"version {version.id} submitted {version.submitted_at.isoformat()}")
        for entry in entries.values():
            if entry.last_submitted_at is not None and entry.last_submitted_at >= deadline:
                late.append(f"entry {entry.id} last submitted {entry.last_submitted_at.isoformat()}")
            if entry.updated_at is not None and entry.updated_at >= deadline:
                late.append(f"entry {entry.id} saved {entry.updated_at.isoformat()}")
        versions_of = Counter(v.entry_id for v in versions)
        acked_submits: Counter = Counter()
        entry_ids = sorted(entries)
        entry_of_client = {n: rush.entry_of[email] for n, email in enumerate(sorted(rush.entry_of))}
        last_save: dict[int, Record] = {}
        unknown_after: set[int] = set()
        for record in sorted(rush.records, key=lambda r: r.sent):
            entry_id = entry_of_client[record.client]
            if record.acked and record.sent >= deadline_ts:
                late.append(f"client {record.client}: {record.op} sent after the deadline was acknowledged")
            if record.op == "upload" and record.acked and (entry_id, record.sha256) not in by_entry_sha:
                lost.append(f"client {record.client}: acknowledged upload not stored")
            if record.op == "submit" and record.acked:
                acked_submits[entry_id] += 1
                if entries[entry_id].status.value != "submitted":
                    lost.append(f"entry {entry_id}: acknowledged submit, status {entries[entry_id].status.value}")
            if record.op == "save":
                if record.acked:
                    last_save[entry_id] = record
                    unknown_after.discard(entry_id)
                elif record.status in (0, 500, 502, 503, 504):
                    unknown_after.add(entry_id)  # outcome unknown: it may have been stored
        for entry_id, count in acked_submits.items():
            if versions_of[entry_id] < count:
                lost.append(f"entry {entry_id}: {count} acknowledged submits, {versions_of[entry_id]} versions")
        for entry_id, record in last_save.items():
            if entry_id not in unknown_after and entries[entry_id].title != record.title:
                lost.append(f"entry {entry_id}: last acknowledged save not stored")
        assert len(entry_ids) == len(rush.entry_of)
    files = [p for p in upload_folder.rglob("*") if p.is_file()]
    temporaries = [p for p in files if p.parent.name == ".tmp"]
    orphans = [p for p in files if p.parent.name != ".tmp" and p.name not in stored_keys]
    return {"lost": lost, "late": late, "attachments": len(attachments), "versions": len(versions),
            "temporaries": len(temporaries), "orphans": len(orphans)}


def complete_cycles(records: list[Record], deadline_ts: float) -> int:
    """Cycles whose four requests were all acknowledged (the page counts when it loaded), sent before the deadline."""
    by_client: dict[int, list[Record]] = {}
    for record in sorted(records, key=lambda r: r.sent):
        by_client.setdefault(record.client, []).append(record)
    complete = 0
    for items in by_client.values():
        for index in range(len(items) - 3):
            page, save, upload, submit = items[index:index + 4]
            if ([r.op for r in (page, save, upload, submit)] == ["page", "save", "upload", "submit"]
                    and page.status == 200 and save.acked and upload.acked and submit.acked
                    and submit.sent < deadline_ts):
                complete += 1
    return complete


def wait_for_jobs(app, *, timeout: float) -> dict[str, int]:
    """Wait until no receipt job is queued or running (the worker thread or the RQ workers finish them)."""
    from sqlalchemy import func, select

    from competition.extensions import db
    from competition.jobs import Job, JobStatus

    deadline = time.monotonic() + timeout
    with app.app_context():
        while True:
            counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            db.session.rollback()
            active = counts.get(JobStatus.QUEUED, 0) + counts.get(JobStatus.RUNNING, 0)
            if not active or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        db.session.remove()
    done = counts.get(JobStatus.DONE, 0)
    return {"done": done, "left": sum(counts.values()) - done}


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--deadline-in", type=float, default=20.0, help="seconds from the start of the rush")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder (this DB is emptied)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: GUNICORN_WORKERS or the config's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: GUNICORN_THREADS or the config's)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6",
                        help="Redis for the RQ jobs when --database-url is PostgreSQL")
    parser.add_argument("--rq-workers", type=int, default=2, help="`flask jobs worker` processes (PostgreSQL runs)")
    parser.add_argument("--verbose", action="store_true", help="list every lost or late item")
    parser.add_argument("--proxy-arrival", action="store_true",
                        help="clients stamp X-Request-Start like a reverse proxy and the app trusts it "
                             "(TRUST_REQUEST_START): deadlines are judged on when a request was sent")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deadline-rush-") as tmp:
        tmp_path = Path(tmp)
        database_url = args.database_url or f"sqlite:///{tmp_path / 'rush.sqlite'}"
        if database_url.startswith("postgresql"):
            ensure_database(database_url)
        upload_folder = tmp_path / "uploads"
        app = build_app(database_url, upload_folder, tmp_path / "instance")
        started = time.perf_counter()
        seeded = seed(app, args.clients)
        print(f"# seeded {args.clients} companies with draft entries in {time.perf_counter() - started:.1f} s")
        env = {"DATABASE_URL": database_url, "UPLOAD_FOLDER": str(upload_folder), "RATELIMIT_ENABLED": "0",
               "INSTANCE_PATH": str(tmp_path / "instance")}
        if args.proxy_arrival:
            env["TRUST_REQUEST_START"] = "1"
        rq_workers: list[subprocess.Popen] = []
        if database_url.startswith("postgresql"):
            queue = f"rush-{os.getpid()}"
            env.update(REDIS_URL=args.redis_url, JOBS_QUEUE=queue, JOBS_BACKEND="rq")
            worker_env = {**os.environ, **env, "COMPETITION_ENV": "production", "SECRET_KEY": SECRET_KEY,
                          "BASE_URL": "http://127.0.0.1", "MAIL_BACKEND": "dummy", "LOG_LEVEL": "WARNING"}
            log = (tmp_path / "rq.log").open("ab")
            for _ in range(args.rq_workers):
                rq_workers.append(subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "competition:create_app", "jobs", "worker"],
                    cwd=ROOT, env=worker_env, stdout=log, stderr=log, start_new_session=True))
        workers = args.workers or int(os.environ.get("GUNICORN_WORKERS") or 2 * os.cpu_count() + 1)
        threads = args.threads or int(os.environ.get("GUNICORN_THREADS") or 4)
        server = GunicornServer(env=env, workers=workers, threads=threads, log_path=tmp_path / "gunicorn.log")
        server.start()
        try:
            rush = Rush(url=server.url, entry_of=dict(seeded["accounts"]))
            clients = []
            emails = sorted(rush.entry_of)
            for email in emails:  # log in before the rush (argon2 is deliberately slow)
                client = Client(server.url)
                client.stamp_arrival = args.proxy_arrival
                client.log_in(email, PASSWORD)
                clients.append(client)
            now = datetime.now(UTC)
            deadline = now + timedelta(seconds=args.deadline_in + 1)
            set_deadline(app, seeded["edition_id"], deadline)
            rush.start_at = now.timestamp() + 1
            rush.stop_at = deadline.timestamp() + 2
            barrier = threading.Barrier(len(clients))
            threads_ = [threading.Thread(target=run_client,
                                         args=(rush, n, clients[n], rush.entry_of[email], barrier))
                        for n, email in enumerate(emails)]
            for thread in threads_:
                thread.start()
            for thread in threads_:
                thread.join()
            jobs = wait_for_jobs(app, timeout=120)
        finally:
            server.stop()
            for worker in rq_workers:
                worker.send_signal(signal.SIGTERM)
            for worker in rq_workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
        result = verify(app, rush, upload_folder, deadline)
        log_tail = (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]

    records = rush.records
    before = [r for r in records if r.sent < deadline.timestamp()]
    acked_uploads = sum(1 for r in records if r.op == "upload" and r.acked)
    by_status = Counter(r.status for r in records)
    errors = sum(n for status, n in by_status.items() if status == 0 or status >= 500)
    print(f"# gunicorn: {workers} workers × {threads} threads; {args.clients} clients; rush "
          f"{deadline.timestamp() - rush.start_at:.1f} s to the deadline and 2 s past it")
    print(f"# requests: {len(records)} ({len(before)} before the deadline); status counts: "
          f"{dict(sorted(by_status.items()))}")
    for op in ("page", "save", "upload", "submit"):
        ops = [r for r in records if r.op == op]
        ops_before = [r for r in ops if r.sent < deadline.timestamp()]
        if ops:
            print(f"#   {op:6}: {len(ops)} sent, {sum(r.acked for r in ops_before)} acknowledged before the deadline, "
                  f"p50 {statistics.median(r.ms for r in ops):.0f} ms, p95 {percentile([r.ms for r in ops], .95):.0f}"
                  f" ms")
    refusals = Counter(r.detail for r in records if r.detail and r.sent >= deadline.timestamp())
    if refusals:
        print(f"# refusals of requests sent after the deadline: {dict(refusals.most_common(3))}")
    queued_out = Counter(r.op for r in before if not r.acked and r.detail.startswith("Die Einreichungsfrist"))
    print(f"# sent before the deadline but refused as late (queued until after it): {dict(queued_out)}")
    if queued_out:  # how close to the deadline: the client's "sent" is taken before its thread gets to send
        print("#   ms before the deadline when sent, ms until answered: " + ", ".join(
            f"{r.op} {(deadline.timestamp() - r.sent) * 1000:.0f}/{r.ms:.0f}" for r in before
            if not r.acked and r.detail.startswith("Die Einreichungsfrist")))
    other = Counter((r.op, r.detail or str(r.status)) for r in before if not r.acked and r.op != "page"
                    and not r.detail.startswith("Die Einreichungsfrist"))
    if other:
        print(f"# other refusals before the deadline: {dict(other.most_common(4))}")
    print(f"# stored: {result['attachments']} attachments, {result['versions']} submitted versions; "
          f"{result['orphans']} orphaned files, {result['temporaries']} temporary files; server errors or no "
          f"answer: {errors}")
    if errors:
        print("# gunicorn log (end):\n# " + log_tail.replace("\n", "\n# ")[-1500:])
    if args.verbose:
        for item in result["lost"] + result["late"]:
            print(f"#   {item}")
    seconds = deadline.timestamp() - rush.start_at
    print(f"# database: {'PostgreSQL, RQ jobs on Redis' if rq_workers else 'SQLite (WAL), jobs in the worker thread'}"
          f"; load average {os.getloadavg()[0]:.1f}")
    print(f"uploads_per_s: {acked_uploads / seconds:.1f}")
    print(f"cycles_per_s: {complete_cycles(records, deadline.timestamp()) / seconds:.1f}")
    print(f"p95_ms: {percentile([r.ms for r in records], .95):.0f}")
    print(f"lost: {len(result['lost'])}")
    print(f"accepted_after_deadline: {len(result['late'])}")
    print(f"accepted_late: {len(result['late'])}")
    print(f"refused_in_time: {sum(queued_out.values())}")
    print(f"jobs_done: {jobs['done']}")
    print(f"jobs_left: {jobs['left']}")


if __name__ == "__main__":
    main()

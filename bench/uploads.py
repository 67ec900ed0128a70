"""Upload benchmark: a 100 MiB PDF through a real HTTP server, and the refusal of an oversized request.

    .venv/bin/python bench/uploads.py

Builds the app on a temporary SQLite database and upload folder, creates an edition (caps large enough), a company
and an entry, then uploads a valid 100 MiB PDF (one page showing one uncompressed image, so it passes the full content
check) to a Werkzeug server on 127.0.0.1 running in a thread, streaming the request body from disk. Prints:

    throughput_mb_s: file size in MiB / seconds from the first byte sent to the response (parse, hash, content
                     check, fsync, database row and audit event included)
    peak_rss_growth_mb: the process's peak resident memory during the upload minus before it, in MiB (client and
                        server share the process, so this bounds the server's growth from above)
    reject_ms: median time from sending the headers of an over-limit upload (by Content-Length) to its response

Targets: ≥ 50 MB/s, ≤ 5 MB growth, ≤ 10 ms.
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILE_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024
PASSWORD = "Bench-Passwort-2026!"


# --- a large, legitimate PDF, written to disk in chunks ------------------------------------------------------------

def write_large_pdf(path: Path, size: int) -> int:
    """One A4 page drawing one uncompressed RGB image whose samples make up (almost all of) `size` bytes."""
    side = int((size / 3) ** 0.5)
    samples = side * side * 3
    offsets = []
    with path.open("wb") as out:
        def obj(body: bytes) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> "
            b"/Contents 4 0 R >>")
        content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
        obj(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        offsets.append(out.tell())
        out.write(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                  b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, samples))
        left = samples
        while left:
            n = min(CHUNK, left)
            out.write(os.urandom(n))
            left -= n
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return path.stat().st_size


# --- memory ----------------------------------------------------------------------------------------------------------

def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


class PeakRss:
    """Peak resident memory while active: the kernel's high-water mark (reset first), and 2 ms samples as a check."""

    def __enter__(self):
        self.base = _status_kib("VmRSS")
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.sampled = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.002):
            self.sampled = max(self.sampled, _status_kib("VmRSS"))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        peak = max(self.sampled, _status_kib("VmHWM") if self.hwm_reset else 0)
        self.growth_mib = max(0, peak - self.base) / 1024


# --- the app, its data and a server -------------------------------------------------------------------------------

def build_app(workdir: Path):
    from competition import create_app
    from config import TestingConfig

    settings = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.sqlite'}",
        UPLOAD_FOLDER=str(workdir / "uploads"),
        MAX_CONTENT_LENGTH=256 * 1024 * 1024,
    )
    return create_app(settings)


def seed(app) -> tuple[int, str]:
    from competition.accounts.models import Role
    from competition.accounts.services import create_verified_user
    from competition.core.clock import utcnow
    from competition.editions.models import Category, Edition
    from competition.entries.models import Company, CompanyMember, District, Entry, TurnoverBand
    from competition.extensions import db

    with app.app_context():
        db.create_all()
        now = utcnow()
        user = create_verified_user(email="bench@firma.example", full_name="Bench", password=PASSWORD,
                                    roles=[Role.APPLICANT], locale="de", now=now)
        edition = Edition(name="Bench", slug="bench", registration_opens_at=now - timedelta(days=1),
                          submission_deadline_at=now + timedelta(days=10), jury_starts_at=now + timedelta(days=20),
                          jury_ends_at=now + timedelta(days=30), publication_at=now + timedelta(days=40),
                          max_file_mb=128, max_entry_mb=256, max_files=10)
        category = Category(edition=edition, name="Digitalisierung")
        company = Company(legal_name="Bench GmbH", district=District.CHEMNITZ,
                          turnover_band=TurnoverBand.UNDER_2M)
        db.session.add_all([edition, category, company])
        db.session.flush()
        company.members.append(CompanyMember(user_id=user.id, is_admin=True))
        entry = Entry(edition_id=edition.id, category_id=category.id, company_id=company.id, title="Bench")
        db.session.add(entry)
        db.session.commit()
        return entry.id, user.email


class Server:
    def __init__(self, app):
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120, blocksize=CHUNK)


def log_in(server: Server, email: str) -> str:
    conn = server.connection()
    conn.request("POST", "/login", body=urlencode({"email": email, "password": PASSWORD}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    match = re.match(r"([^=]+=[^;]+)", cookie)
    if response.status != 302 or not match:
        raise RuntimeError(f"login failed: {response.status}")
    return match.group(1)


def multipart(path: Path, boundary: str) -> tuple[bytes, bytes]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail


def upload(server: Server, cookie: str, entry_id: int, path: Path) -> tuple[float, str]:
    boundary = uuid.uuid4().hex
    head, tail = multipart(path, boundary)
    length = len(head) + path.stat().st_size + len(tail)

    def body():
        yield head
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
        yield tail

    conn = server.connection()
    start = time.perf_counter()
    conn.request("POST", f"/entries/{entry_id}/attachments", body=body(), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length),
        "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, f"{response.status} {response.getheader('Location')}"


def rejection_ms(server: Server, cookie: str, entry_id: int, content_length: int) -> float:
    conn = server.connection()
    start = time.perf_counter()
    conn.putrequest("POST", f"/entries/{entry_id}/attachments")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(content_length))
    conn.putheader("Cookie", cookie)
    conn.endheaders()  # headers only: the body is never sent, and the server must not wait for it
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"expected a redirect, got {response.status}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        workdir = Path(tmp)
        pdf = workdir / "Grossformat.pdf"
        size = write_large_pdf(pdf, FILE_BYTES)
        app = build_app(workdir)
        entry_id, email = seed(app)
        with Server(app) as server:
            cookie = log_in(server, email)
            rejection_ms(server, cookie, entry_id, 200 * 1024 * 1024)  # warm-up; the upload measured is the first
            with PeakRss() as memory:
                seconds, outcome = upload(server, cookie, entry_id, pdf)
            with app.app_context():
                from competition.entries.models import Attachment
                from competition.extensions import db

                stored = db.session.scalar(db.select(Attachment).order_by(Attachment.id.desc()).limit(1))
            if stored is None or stored.size_bytes != size:
                raise RuntimeError(f"the upload was not stored ({outcome})")
            rejections = [rejection_ms(server, cookie, entry_id, 200 * 1024 * 1024) for _ in range(25)]
        print(f"throughput_mb_s: {size / (1024 * 1024) / seconds:.1f}")
        print(f"peak_rss_growth_mb: {memory.growth_mib:.1f}")
        print(f"reject_ms: {statistics.median(rejections):.2f}")


if __name__ == "__main__":
    main()

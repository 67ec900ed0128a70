"""A gunicorn worker killed in the middle of an upload leaves neither a row nor a half file behind.

The app runs under gunicorn with the repository's gunicorn.conf.py (one worker, production settings) on the test
database. An applicant sends an upload whose body stops half way; while the worker is receiving it (its temporary
file exists), the worker gets SIGKILL, so none of its own clean-up runs. Gunicorn starts a new worker, which removes
the temporary files of dead processes (gunicorn.conf.py post_worker_init → LocalStorage.remove_stale_temporaries).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import time
from pathlib import Path

import pytest

from bench._server import Client, GunicornServer, multipart
from tests.conftest import PASSWORD
from tests.entries.test_filetypes import pdf_bytes
from tests.faults.conftest import attachment_rows, files_in


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def server(database_url, upload_folder, tmp_path, entry):
    with GunicornServer(env={"DATABASE_URL": database_url, "UPLOAD_FOLDER": str(upload_folder),
                             "RATELIMIT_ENABLED": "0", "INSTANCE_PATH": str(tmp_path / "instance")},
                        workers=1, threads=1, log_path=tmp_path / "gunicorn.log") as server:
        yield server


def test_worker_killed_during_upload_leaves_no_row_and_no_file(server, applicant, entry, upload_folder):
    client = Client(server.url)
    client.log_in(applicant.email, PASSWORD)
    token = client.csrf_token(f"/entries/{entry.id}/edit")
    pdf = pdf_bytes(padding=400_000)
    body, content_type = multipart({"csrf_token": token, "question_id": ""},
                                   {"file": ("Projektbeschreibung.pdf", pdf, "application/pdf")})
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (f"POST /entries/{entry.id}/attachments HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nCookie: {cookie}\r\n\r\n").encode()
    [worker] = server.worker_pids()
    temp_dir = upload_folder / ".tmp"

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(head + body[: len(body) // 2])  # ... and the rest never comes
        half_file = wait_for(lambda: [p for p in files_in(temp_dir) if p.stat().st_size > 100_000])
        assert f"upload-{worker}@" in half_file[0].name  # a half-received file, named after its writer
        os.kill(worker, signal.SIGKILL)
        try:
            answer = slow.recv(1024)
        except ConnectionResetError:
            answer = b""
        assert answer == b""  # the connection died with the worker: no answer, no acknowledgement

    # Gunicorn replaces the worker; the new one removes what the killed one left.
    new_worker = wait_for(lambda: [pid for pid in server.worker_pids() if pid != worker])
    server.wait_ready()
    assert new_worker != [worker]
    assert attachment_rows(entry.id) == []
    assert files_in(upload_folder) == []

    # The same upload, sent whole, is stored once: one row, one file with the right checksum.
    client = Client(server.url)
    client.log_in(applicant.email, PASSWORD)
    token = client.csrf_token(f"/entries/{entry.id}/edit")
    status, headers, _body = client.post_multipart(
        f"/entries/{entry.id}/attachments", {"csrf_token": token, "question_id": ""},
        {"file": ("Projektbeschreibung.pdf", pdf, "application/pdf")})
    assert status == 302 and headers["location"].endswith(f"/entries/{entry.id}/edit#anlagen")
    _status, _headers, page = client.get(f"/entries/{entry.id}/edit")
    assert "wurde hochgeladen" in page.decode()
    [row] = attachment_rows(entry.id)
    stored = files_in(upload_folder)
    assert [p.name for p in stored] == [row.storage_key]
    assert hashlib.sha256(Path(stored[0]).read_bytes()).hexdigest() == row.sha256 == hashlib.sha256(pdf).hexdigest()


def test_stale_temporaries_are_those_of_ended_processes_or_old(upload_folder):
    """What a starting worker removes: files of ended processes on this host, and anything a day old; never the
    file of an upload still running (in this process, or on another server sharing the folder)."""
    import subprocess
    import sys

    from competition.core.storage import LocalStorage

    storage = LocalStorage(upload_folder)
    running = storage.spool()
    running.write(b"%PDF-1.7 halb")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = running.path.name.split("@", 1)[1].rsplit("-", 1)[0]
    orphan = storage.temp_dir / f"upload-{ended.stdout.strip()}@{host}-abc123.part"
    orphan.write_bytes(b"%PDF-1.7 halb")
    elsewhere = storage.temp_dir / "upload-1@other-server-abc123.part"
    elsewhere.write_bytes(b"%PDF-1.7 halb")
    old = storage.temp_dir / "upload-2@other-server-def456.part"
    old.write_bytes(b"%PDF-1.7 halb")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))

    assert storage.remove_stale_temporaries() == 2
    assert sorted(p.name for p in files_in(upload_folder)) == sorted([running.path.name, elsewhere.name])
    stored = storage.save(running)
    assert storage.exists(stored.key) and files_in(storage.temp_dir) == [elsewhere]

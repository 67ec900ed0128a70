"""Run the app under gunicorn with the repository's gunicorn.conf.py, in a subprocess, for benchmarks and fault tests.

    with GunicornServer(env={...}, workers=2) as server:
        server.url  # http://127.0.0.1:<free port>

The server runs with COMPETITION_ENV=production unless `env` says otherwise (so CSRF, secure cookies and argon2 are
as deployed); the caller gives DATABASE_URL, UPLOAD_FOLDER and whatever else it needs.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-and-fault-tests-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it is missing (benchmarks empty and rebuild it anyway)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


class GunicornServer:
    def __init__(self, *, env: dict[str, str], workers: int = 1, threads: int = 1, log_path: Path | None = None,
                 access_log: bool = False, wsgi_app: str = "wsgi:app"):
        self.wsgi_app = wsgi_app  # e.g. "bench.hello_app:app" for the floor of the page benchmark
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "COMPETITION_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "BASE_URL": self.url,  # production needs it; the server answers to this host only
            "MAIL_BACKEND": "dummy",
            "BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "-" if access_log else "off",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 60) -> GunicornServer:
        self._log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.wsgi_app],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=self._log, start_new_session=True,
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), from /proc."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- a small HTTP client with a cookie jar (stdlib only; one keep-alive connection per client) ----------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, base_url: str, timeout: float = 60):
        match = re.fullmatch(r"http://([^:/]+):(\d+)", base_url)
        self.host, self.port = match.group(1), int(match.group(2))
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None
        # Like a reverse proxy with `X-Request-Start`: stamp each request with the time it is sent.
        self.stamp_arrival = False
        # When the last request was handed to the kernel in full (its last byte written): when it was "sent". A
        # time taken before building it would count the client's own waits (50 client threads share one GIL).
        self.last_sent_at: float | None = None

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        if self.stamp_arrival:
            headers["X-Request-Start"] = f"t={time.time():.3f}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            connection = self._conn()
            try:
                connection.request(method, path, body=body, headers=headers)
                self.last_sent_at = time.time()
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: retry once on a new one
                if attempt == 2 or method != "GET":
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _sep, _attrs = value.partition(";")
                key, _eq, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str] | list[tuple[str, str]]):
        from urllib.parse import urlencode

        return self.request("POST", path, body=urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
        body, content_type = multipart(fields, files)
        return self.request("POST", path, body=body, headers={"Content-Type": content_type})

    def csrf_token(self, path: str) -> str:
        status, _headers, data = self.get(path)
        match = _CSRF.search(data.decode("utf-8", "replace"))
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return match.group(1)

    def log_in(self, email: str, password: str) -> None:
        token = self.csrf_token("/login")
        status, headers, _data = self.post_form("/login", {"csrf_token": token, "email": email, "password": password})
        if status != 302 or "/login" in headers.get("location", ""):
            raise RuntimeError(f"login of {email} failed (status {status})")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----bench" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, mimetype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {mimetype}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

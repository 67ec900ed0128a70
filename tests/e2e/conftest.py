"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's Chromium via Playwright.

CSRF is on, as in production, so every form the browser submits carries a real token. The server shares the test
database with the test (the autouse fixture in tests/conftest.py empties it after each test); mail sent by the
server lands in `live_outbox`.

Set E2E_SCREENSHOTS to a folder to keep full-page screenshots of the main pages (1280 px and 390 px wide).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from competition.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def live_app(app, make_app):
    """A second app on the test database, with CSRF on as in production and its own in-memory outbox."""
    live = make_app(WTF_CSRF_ENABLED=True)
    mail = live.extensions["mailman"]
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    mail.outbox.clear()
    return live


@pytest.fixture
def live_outbox(live_app) -> list:
    """The mails the live server has sent, oldest first."""
    return live_app.extensions["mailman"].outbox


@pytest.fixture
def live_server(live_app):
    """Serve `live_app` on a free port in a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = base  # the public address, as production sets it: links in mails point here
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with live_app.app_context():
            db.engine.dispose()  # release the server's connections before the tables are emptied


@pytest.fixture(scope="session")
def chromium_browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium wurde nicht gefunden (kein 'chromium' im PATH). Die Browsertests brauchen Debians Chromium: "
            "sudo apt-get install chromium   (oder: make system-deps)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )


@pytest.fixture
def new_page(request, chromium_browser):
    """Open a page in a fresh browser context (own cookies); screenshots of every open page on failure."""
    contexts = []

    def factory(**options):
        settings = {"locale": "de-DE", "viewport": {"width": 1280, "height": 900}}
        settings.update(options)
        context = chromium_browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory
    failed = _failed(request)
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    for n, context in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{n}-{m}.png"), full_page=True)
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"screenshot failed: {exc}")
        context.close()


@pytest.fixture
def browser_page(new_page):
    """A page in a fresh Chromium context: German locale, 1280 × 900."""
    return new_page()


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` keeps full-page shots at 1280 px and 390 px when E2E_SCREENSHOTS is set."""
    folder = os.environ.get("E2E_SCREENSHOTS")

    def take(page, name: str) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size(original)

    return take

"""PDF rendering: only our static files can be loaded, untrusted text stays text, metadata is set."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint.urls import path2url

from competition.core import pdf as pdf_module
from competition.core.pdf import ResourceRefused, StaticOnlyFetcher, render_html, render_pdf

ROOT = Path(__file__).resolve().parents[2]
PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000020001e221bc330000000049454e44ae426082"
)).decode()


@pytest.fixture
def fetcher(app):
    return StaticOnlyFetcher(app.static_folder)


@pytest.fixture
def static_url(app) -> str:
    return path2url(Path(app.static_folder).resolve())  # file:///…/static/


def test_fetcher_serves_static_files_with_their_type(fetcher, static_url):
    response = fetcher.fetch(static_url + "css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetch(static_url + "img/favicon.svg").content_type == "image/svg+xml"


@pytest.mark.parametrize("url", [
    "http://example.com/print.css",
    "https://example.com/logo.png",
    "ftp://example.com/logo.png",
    "//example.com/logo.png",
    "javascript:alert(1)",
    "about:blank",
])
def test_fetcher_refuses_the_network_and_other_schemes(fetcher, url):
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)


def test_fetcher_refuses_files_outside_static(fetcher):
    for path in (ROOT / "config.py", Path("/etc/passwd"), ROOT / "instance"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(path2url(path))
    with pytest.raises(ResourceRefused):
        fetcher.fetch("file://evil.example/static/css/print.css")  # a file URL naming another host


@pytest.mark.parametrize("relative", [
    "css/../../config.py",
    "../config.py",
    "css/%2e%2e/%2e%2e/config.py",
    "css/..%2f..%2fconfig.py",
    "img/../../../../../../etc/passwd",
])
def test_fetcher_refuses_path_traversal(fetcher, static_url, relative):
    with pytest.raises(ResourceRefused):
        fetcher.fetch(static_url + relative)


def test_fetcher_refuses_symlinks_out_and_unknown_types(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (static / "linked.css").symlink_to(secret)
    (static / "notes.txt").write_text("not for PDFs")
    fetcher = StaticOnlyFetcher(static)
    with pytest.raises(ResourceRefused):
        fetcher.fetch(path2url(static / "linked.css"))
    with pytest.raises(ResourceRefused):
        fetcher.fetch(path2url(static / "notes.txt"))
    with pytest.raises(ResourceRefused):
        fetcher.fetch(path2url(static / "missing.css"))


def test_fetcher_allows_inline_images_only(fetcher):
    response = fetcher.fetch(f"data:image/png;base64,{PNG_1PX}")
    assert response.content_type == "image/png"
    assert response.read().startswith(b"\x89PNG")
    for url in ("data:text/css,body{background:url(http://example.com/x)}", "data:text/html,<p>x</p>",
                "data:,plain", "data:font/woff2;base64,AAAA", "data:image/png;base64"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)


def test_render_pdf_loads_the_stylesheet_through_the_static_fetcher(app, monkeypatch):
    fetched = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_module.StaticOnlyFetcher, "fetch", spy)
    render_pdf("pdf/base.html", title="Test", edition_name="Runde")
    assert any(url.endswith("/static/css/print.css") for url in fetched)
    assert all(url.startswith(("file:", "data:")) for url in fetched)


HOSTILE_TITLE = 'Bericht <script>alert("x")</script>'
HOSTILE_EDITION = '</p><h1>Runde & "Söhne"</h1>'


@pytest.fixture(scope="module")
def hostile_pdf(app) -> PdfReader:
    with app.app_context():
        data = render_pdf("pdf/base.html", title=HOSTILE_TITLE, lang="en", edition_name=HOSTILE_EDITION)
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def test_pdf_templates_are_always_autoescaped(app):
    env = pdf_module._environment(app)
    assert env.from_string("{{ value }}").render(value="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert env.get_template("pdf/base.html").environment is env  # not a template compiled elsewhere


def test_untrusted_text_is_escaped_in_the_html(app):
    html = render_html("pdf/base.html", title=HOSTILE_TITLE, edition_name=HOSTILE_EDITION)
    assert "<script>" not in html and "<h1>Runde" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;/p&gt;&lt;h1&gt;Runde &amp; &#34;Söhne&#34;&lt;/h1&gt;" in html


def test_untrusted_text_shows_as_text_in_the_pdf(hostile_pdf):
    text = hostile_pdf.pages[0].extract_text()
    assert HOSTILE_EDITION in text


def test_pdf_has_title_language_and_tags(hostile_pdf):
    assert hostile_pdf.metadata.title == HOSTILE_TITLE
    catalog = hostile_pdf.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])  # tagged (PDF/UA-1)
    assert "/StructTreeRoot" in catalog
    assert b"pdfuaid:part=\"1\"" in hostile_pdf.xmp_metadata.stream.get_data()


def test_page_footer_follows_the_language(app, hostile_pdf):
    assert "Page 1 of 1" in hostile_pdf.pages[0].extract_text()
    german = PdfReader(io.BytesIO(render_pdf("pdf/base.html", title="Test", edition_name="Runde")))
    assert "Seite 1 von 1" in german.pages[0].extract_text()
    assert german.trailer["/Root"]["/Lang"] == "de"

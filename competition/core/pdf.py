"""PDF documents: a Jinja template rendered to HTML, then to PDF bytes by WeasyPrint.

Templates get plain dataclasses (never ORM objects) and are always autoescaped, whatever their file name: entry
titles and texts are untrusted input. The document may load only our own static files (the print stylesheet,
images, fonts): no network, no other files, and ``data:`` URLs only for images. Text strings are formatted in
Python before rendering (dates in Europe/Berlin, decimal commas), in the document's language.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import pydyf
from flask import current_app
from flask_babel import force_locale
from jinja2 import Environment
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

# Tagged PDF (structure tree, /Lang, /DisplayDocTitle, PDF/UA identification in the XMP metadata): WeasyPrint ≥ 63
# knows the variant "pdf/ua-1", which implies pdf_tags=True and PDF 1.7.
PDF_VARIANT = "pdf/ua-1"
# Archived documents (jury ranking, protocol): PDF/A-3a, the accessible ("a") level of PDF/A, tagged as well.
ARCHIVE_VARIANT = "pdf/a-3a"

# What the static folder may hand out to a PDF, by file suffix.
STATIC_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
MAX_DATA_URL_BYTES = 5 * 1024 * 1024
_ENV_KEY = "competition.pdf_jinja_env"


def _cached_page_references(self) -> tuple[bytes, ...]:
    """pydyf's ``PDF.page_references``, rebuilt only when a page was added. The original builds the tuple of all
    pages anew on every access, and WeasyPrint's tagging reads it once per tagged box: quadratic in a long tagged
    document (a 1000-entry ranking spent a third of its time there). Same values, same type."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        self.__dict__["_page_references_cache"] = cached
    return cached[1]


if isinstance(getattr(pydyf.PDF, "page_references", None), property):
    pydyf.PDF.page_references = property(_cached_page_references)


class ResourceRefused(ValueError):
    """A document asked for a resource that is not one of our static files (or an inline image)."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to regular files inside ``static_folder`` and inline images.

    Everything else (http:, https:, ftp:, file: elsewhere, ``..`` and symlinks leading out, unknown file types,
    data: URLs that are not images) raises ResourceRefused; WeasyPrint then logs it and leaves the resource out.
    """

    def __init__(self, static_folder: str | Path):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme, _, _ = url.partition(":")
        scheme = scheme.lower()
        if scheme == "file":
            return self._static_file(url)
        if scheme == "data":
            return self._data_image(url)
        raise ResourceRefused(f"only static files can be used in PDFs, not {url[:200]!r}")

    def _static_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"file URL on another host: {url[:200]!r}")
        path = Path(url2pathname(parts.path)).resolve()  # percent-decoded; "..", "." and symlinks resolved
        if not path.is_relative_to(self.root):
            raise ResourceRefused(f"file outside the static folder: {url[:200]!r}")
        content_type = STATIC_TYPES.get(path.suffix.lower())
        if content_type is None:
            raise ResourceRefused(f"file type not allowed in PDFs: {url[:200]!r}")
        if not path.is_file():
            raise ResourceRefused(f"no such static file: {url[:200]!r}")
        return URLFetcherResponse(path2url(path), path.read_bytes(), {"Content-Type": content_type})

    def _data_image(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[len("data:"):].partition(",")
        if not comma:
            raise ResourceRefused("malformed data URL")
        media_type, *parameters = (part.strip().lower() for part in header.split(";"))
        if media_type not in DATA_IMAGE_TYPES:
            raise ResourceRefused(f"data URL of type {media_type or 'text/plain'!r}: only images are allowed")
        raw = unquote_to_bytes(payload)
        if "base64" in parameters:
            try:
                raw = base64.b64decode(raw, validate=False)
            except binascii.Error as error:
                raise ResourceRefused("data URL with invalid base64") from error
        if len(raw) > MAX_DATA_URL_BYTES:
            raise ResourceRefused("data URL too large")
        return URLFetcherResponse("data:" + media_type, raw, {"Content-Type": media_type})


def _environment(app) -> Environment:
    """The app's Jinja environment (same loader, filters, globals, gettext) with autoescaping always on."""
    env = app.extensions.get(_ENV_KEY)
    if env is None:
        # A cache of its own: templates compiled by the app's environment keep that environment's autoescape.
        env = app.jinja_env.overlay(autoescape=True, cache_size=100)
        app.extensions[_ENV_KEY] = env
    return env


def render_html(template_name: str, *, title: str, lang: str = "de", **context) -> str:
    """The HTML of a PDF document, rendered in `lang` (useful on its own for previews and tests)."""
    app = current_app._get_current_object()
    with force_locale(lang):
        values = dict(context, title=str(title), lang=lang)
        app.update_template_context(values)  # context processors first; the values given here win
        return _environment(app).get_template(template_name).render(values)


def render_pdf(template_name: str, *, title: str, lang: str = "de", variant: str = PDF_VARIANT, **context) -> bytes:
    """Render ``templates/<template_name>`` to a tagged A4 PDF in `lang`, titled `title`; returns the bytes.

    The template should extend ``pdf/base.html``, which sets ``<html lang>`` and ``<title>`` (the PDF's /Lang and
    /Title) and links ``static/css/print.css``. Relative URLs in the template resolve against the static folder.
    `variant` is WeasyPrint's PDF variant: PDF/UA-1 by default, e.g. ``ARCHIVE_VARIANT`` for documents to be filed.
    """
    app = current_app._get_current_object()
    html = render_html(template_name, title=title, lang=lang, **context)
    static_folder = Path(app.static_folder).resolve()
    document = HTML(
        string=html,
        base_url=path2url(static_folder),
        url_fetcher=StaticOnlyFetcher(static_folder),
        media_type="print",
    )
    return document.write_pdf(pdf_variant=variant, pdf_tags=True)

"""Texts organisers write in Markdown (legal pages, Teilnahmebedingungen) as sanitised HTML.

CommonMark via markdown-it-py, raw HTML let through to nh3, which keeps only headings, paragraphs, lists,
emphasis and links (http, https, mailto, tel). "# Titel" becomes a level-2 heading: the page has its own h1.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"h2", "h3", "h4", "p", "br", "strong", "em", "ul", "ol", "li", "a", "address", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"https", "http", "mailto", "tel"}
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})


def sanitise_html(value: str | None) -> str:
    if not value:
        return ""
    return nh3.clean(value.replace("\r\n", "\n"), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer").strip()


def render_markdown(text: str | None) -> str:
    if not text:
        return ""
    html = _MARKDOWN.render(text.replace("\r\n", "\n"))
    return sanitise_html(html.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))

"""Rich text of entries: plain text or a small safe subset of formatting, sanitised on the server with nh3."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li"}
_TAG = re.compile(r"<[^>]+>")


def sanitise(value: str | None) -> str:
    """Keep only the allowed tags (no attributes); everything else is removed or escaped."""
    if not value:
        return ""
    cleaned = nh3.clean(value.replace("\r\n", "\n"), tags=ALLOWED_TAGS, attributes={}, link_rel=None)
    return cleaned.strip()


def plain_text(value: str | None) -> str:
    """The text a reader sees, without markup: paragraphs and list items joined by blanks, entities decoded (for
    summaries in lists, galleries and PDFs, which escape it again when they print it)."""
    cleaned = sanitise(value)
    if not cleaned:
        return ""
    spaced = re.sub(r"<(?:/p|br ?/?|/li)>", " ", cleaned)
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub("", spaced))).strip()


def visible_length(value: str | None) -> int:
    """Characters a reader sees: tags do not count, entities count once."""
    if not value:
        return 0
    return len(html.unescape(_TAG.sub("", value)))

"""Slugs: short ASCII names for URLs and commands ("Industrie. Neu. Denken. 2026" → "industrie-neu-denken-2026")."""

from __future__ import annotations

import re
import unicodedata

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(UMLAUTS).replace("&", " ")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG.match(text)) and len(text) <= 80

"""The confirmation mail of an audience vote (double opt-in). ``confirm_values`` is the one place its
placeholders are made (plain values, see core/placeholders.py)."""

from __future__ import annotations

from datetime import datetime

from ..core.mail import send_mail


def confirm_values(*, edition_name: str, entry_title: str, company: str, category: str, link: str,
                   closes_at: datetime, is_change: bool) -> dict:
    """``edition_name``, ``entry.title``, ``entry.company``, ``entry.category``, ``link``, ``closes_at``,
    ``is_change`` (the person had already voted in this category)."""
    return {"edition_name": edition_name, "entry": {"title": entry_title, "company": company, "category": category},
            "link": link, "closes_at": closes_at, "is_change": is_change}


def send_confirm_mail(*, to: str, locale: str, values: dict) -> bool:
    return send_mail(to=to, template="audience_confirm", locale=locale, **values)

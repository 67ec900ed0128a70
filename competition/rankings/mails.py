"""The results mail to the companies (outcome, link to the public results, the jury's feedback letter attached) and
the request to jurors for extra reviews.

The ``*_values`` functions are the one place where each mail's placeholders are made (plain values, see
core/placeholders.py), for sending and for the sample data of the template editor.
"""

from __future__ import annotations

from ..core.mail import send_mail
from ..core.placeholders import person
from ..core.urls import external_url


def results_values(*, user: dict, edition_name: str, entry_number: str | None, entry_title: str, outcome: str,
                   link: str) -> dict:
    """``user.full_name``, ``user.email``, ``edition_name``, ``entry.number``, ``entry.title``, ``outcome`` (one
    sentence), ``link``."""
    return {"user": user, "edition_name": edition_name, "entry": {"number": entry_number or "", "title": entry_title},
            "outcome": outcome, "link": link}


def extra_review_values(*, juror_name: str, round_name: str, deadline, entries) -> dict:
    """``juror_name``, ``round_name``, ``deadline`` (or none), ``entries`` (each ``number``, ``title``, ``link``)."""
    return {"juror_name": juror_name, "round_name": round_name, "deadline": deadline,
            "entries": [{"number": e.number, "title": e.title, "link": e.link} for e in entries]}


def send_results_mail(*, user, locale: str, content: dict, entry_id: str, outcome: str,
                      attachment: tuple[str, bytes, str]) -> bool:
    meta = content["entries"][entry_id]
    values = results_values(user=person(user), edition_name=content["edition"]["name"], entry_number=meta["number"],
                            entry_title=meta["title"], outcome=outcome,
                            link=external_url("results.show", slug=content["edition"]["slug"]))
    return send_mail(to=user.email, template="results", locale=locale, attachments=[attachment], **values)

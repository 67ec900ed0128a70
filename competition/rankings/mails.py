"""The results mail to the companies (outcome, link to the public results, the jury's feedback letter attached) and
the request to jurors for extra reviews.

The ``*_values`` functions are the one place where each mail's placeholders are made (plain values, see
core/placeholders.py), for sending and for the sample data of the template editor.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.i18n import datetime_filter
from ..core.mail import send_mail
from ..core.mail_text import mail_kind
from ..core.placeholders import person
from ..core.urls import external_url


def results_values(*, user: dict, edition_name: str, entry_number: str | None, entry_title: str, outcome: str,
                   link: str) -> dict:
    """``user.full_name``, ``user.email``, ``edition_name``, ``entry.number``, ``entry.title``, ``outcome`` (one
    sentence), ``link``."""
    return {"user": user, "edition_name": edition_name, "entry": {"number": entry_number or "", "title": entry_title},
            "outcome": outcome, "link": link}


@mail_kind("results", _l("Ergebnisse an die Unternehmen (mit Rückmeldung der Jury)"),
           (("Name", _l("Name der Person")), ("E-Mail", _l("E-Mail-Adresse der Person")),
            ("Ausschreibung", _l("Name der Ausschreibung")), ("Beitragsnummer", _l("Beitragsnummer")),
            ("Titel", _l("Titel des Beitrags")), ("Ergebnis", _l("Ergebnis des Beitrags in einem Satz")),
            ("Link", _l("Link zur öffentlichen Ergebnisseite"))))
def results_texts(values: dict) -> dict[str, str]:
    return {"Name": values["user"]["full_name"], "E-Mail": values["user"]["email"],
            "Ausschreibung": values["edition_name"], "Beitragsnummer": values["entry"]["number"],
            "Titel": values["entry"]["title"], "Ergebnis": values["outcome"], "Link": values["link"]}


def extra_review_values(*, juror_name: str, round_name: str, deadline, entries) -> dict:
    """``juror_name``, ``round_name``, ``deadline`` (or none), ``entries`` (each ``number``, ``title``, ``link``)."""
    return {"juror_name": juror_name, "round_name": round_name, "deadline": deadline,
            "entries": [{"number": e.number, "title": e.title, "link": e.link} for e in entries]}


@mail_kind("extra_review", _l("Bitte um zusätzliche Bewertungen (Zuverlässigkeit der Rangliste)"),
           (("Name", _l("Name des Jurymitglieds")), ("Bewertungsrunde", _l("Name der Bewertungsrunde")),
            ("Beitragsliste", _l("Fertige Liste der zusätzlich zugewiesenen Beiträge, je mit Link")),
            ("Fristhinweis", _l("Satz mit der Frist, leer wenn keine mehr bevorsteht")),
            ("Frist", _l("Datum und Uhrzeit der Frist (leer, wenn keine)"))))
def extra_review_texts(values: dict) -> dict[str, str]:
    deadline = values["deadline"]
    entries = "\n".join(f"- {e['number']} „{e['title']}“\n  {e['link']}" for e in values["entries"])
    return {"Name": values["juror_name"], "Bewertungsrunde": values["round_name"], "Beitragsliste": entries,
            "Fristhinweis": _("Bitte geben Sie Ihre Bewertung bis %(deadline)s ab.",
                              deadline=datetime_filter(deadline)) if deadline else "",
            "Frist": datetime_filter(deadline) if deadline else ""}


def send_results_mail(*, user, locale: str, content: dict, entry_id: str, outcome: str,
                      attachment: tuple[str, bytes, str]) -> bool:
    meta = content["entries"][entry_id]
    values = results_values(user=person(user), edition_name=content["edition"]["name"], entry_number=meta["number"],
                            entry_title=meta["title"], outcome=outcome,
                            link=external_url("results.show", slug=content["edition"]["slug"]))
    return send_mail(to=user.email, template="results", locale=locale, attachments=[attachment], **values)

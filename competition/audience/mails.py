"""The confirmation mail of an audience vote (double opt-in). ``confirm_values`` is the one place its plain values
are made (see core/placeholders.py); ``confirm_texts`` turns them into the placeholders of the plain-text template
``templates/mail/<locale>/audience_confirm.txt`` (core/mail_text.py), which organisers can edit like every other
system mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import utcnow
from ..core.i18n import datetime_filter
from ..core.mail import send_mail
from ..core.mail_text import mail_kind


def confirm_values(*, edition_name: str, entry_title: str, company: str, category: str, link: str,
                   closes_at: datetime, is_change: bool) -> dict:
    """``edition_name``, ``entry.title``, ``entry.company``, ``entry.category``, ``link``, ``closes_at``,
    ``is_change`` (the person had already voted in this category)."""
    return {"edition_name": edition_name, "entry": {"title": entry_title, "company": company, "category": category},
            "link": link, "closes_at": closes_at, "is_change": is_change}


def _samples() -> list[dict]:
    closes = utcnow() + timedelta(days=10)
    return [confirm_values(edition_name="Industrie. Neu. Denken. 2026", entry_title="Adaptive Spannvorrichtung",
                           company="Präzisionstechnik Erzgebirge GmbH", category="Digitalisierung",
                           link="https://wettbewerb.example/publikumspreis/bestaetigen/…", closes_at=closes,
                           is_change=change) for change in (False, True)]


@mail_kind("audience_confirm", _l("Publikumspreis: Bestätigung der Stimme (Double-Opt-in)"),
           (("Ausschreibung", _l("Name der Ausschreibung")), ("Kategorie", _l("Kategorie der Stimme")),
            ("Titel", _l("Titel des gewählten Beitrags")), ("Unternehmen", _l("Unternehmen des gewählten Beitrags")),
            ("Abstimmungshinweis", _l("Satz: abgestimmt oder Stimme geändert (die bisherige zählt bis zur "
                                      "Bestätigung)")),
            ("Link", _l("Bestätigungslink")), ("Frist", _l("Ende der Abstimmung (Datum und Uhrzeit)"))),
           samples=_samples)
def confirm_texts(values: dict) -> dict[str, str]:
    entry = values["entry"]
    if values["is_change"]:
        note = _("Sie haben Ihre Stimme beim Publikumspreis „%(edition)s“ in der Kategorie „%(category)s“ geändert. "
                 "Ihre bisherige Stimme zählt weiter, bis Sie die neue bestätigen.",
                 edition=values["edition_name"], category=entry["category"])
    else:
        note = _("Sie haben beim Publikumspreis „%(edition)s“ in der Kategorie „%(category)s“ abgestimmt.",
                 edition=values["edition_name"], category=entry["category"])
    return {"Ausschreibung": values["edition_name"], "Kategorie": entry["category"], "Titel": entry["title"],
            "Unternehmen": entry["company"], "Abstimmungshinweis": note, "Link": values["link"],
            "Frist": datetime_filter(values["closes_at"])}


def send_confirm_mail(*, to: str, locale: str, values: dict) -> bool:
    return send_mail(to=to, template="audience_confirm", locale=locale, **values)

"""The jury's mails: reminders of open work; the values of the organisers' conflict notices (sent by notices.py).

The ``*_values`` functions are the one place where each mail kind's placeholders are made (plain values, see
core/placeholders.py), for sending and for the sample data of the template editor.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.i18n import datetime_filter
from ..core.mail import send_mail
from ..core.mail_text import mail_kind
from ..core.placeholders import person
from ..core.urls import external_url


def jury_reminder_values(*, juror: dict, round_name: str, deadline_at: datetime | None, open_count: int,
                         link: str) -> dict:
    """``juror.full_name``, ``judging_round.name``, ``judging_round.deadline_at``, ``open_count``, ``link``."""
    return {"juror": juror, "judging_round": {"name": round_name, "deadline_at": deadline_at},
            "open_count": open_count, "link": link}


@mail_kind("jury_reminder", _l("Erinnerung an offene Bewertungen"),
           (("Name", _l("Name des Jurymitglieds")), ("Bewertungsrunde", _l("Name der Bewertungsrunde")),
            ("Frist", _l("Datum und Uhrzeit der Bewertungsfrist")),
            ("Offene-Bewertungen", _l("Zahl der offenen Bewertungen")), ("Link", _l("Link zur Jury-Übersicht"))))
def jury_reminder_texts(values: dict) -> dict[str, str]:
    return {"Name": values["juror"]["full_name"], "Bewertungsrunde": values["judging_round"]["name"],
            "Frist": datetime_filter(values["judging_round"]["deadline_at"]),
            "Offene-Bewertungen": str(values["open_count"]), "Link": values["link"]}


def conflict_declared_values(*, juror: dict, entry: dict | None, company: dict, reason: str, outcome: str,
                             affected: list[dict], blind: bool, link: str) -> dict:
    """``juror.full_name``, ``entry.number``/``entry.title`` (None for a declaration against a company),
    ``company.legal_name``, ``reason``, ``outcome`` (declared, removed, kept), ``affected`` (number, title, round,
    status), ``blind``, ``link``."""
    return {"juror": juror, "entry": entry, "company": company, "reason": reason, "outcome": outcome,
            "affected": affected, "blind": blind, "link": link}


def conflict_withdrawal_values(*, juror: dict, entry: dict | None, company: dict, reason: str, requested: bool,
                               affected: list[dict], blind: bool, link: str) -> dict:
    """As ``conflict_declared_values``, with ``requested`` (the juror asked; else it is withdrawn)."""
    return {"juror": juror, "entry": entry, "company": company, "reason": reason, "requested": requested,
            "affected": affected, "blind": blind, "link": link}


_CONFLICT = (("Jurymitglied", _l("Name des Jurymitglieds")),
             ("Unternehmen", _l("Name des Unternehmens")),
             ("Beitragsnummer", _l("Beitragsnummer (leer bei einer Erklärung gegenüber einem Unternehmen)")),
             ("Titel", _l("Titel des Beitrags (leer bei einer Erklärung gegenüber einem Unternehmen)")),
             ("Erklärung", _l("Satz, wer gegenüber welchem Beitrag oder Unternehmen befangen ist")),
             ("Begründung", _l("Begründung des Jurymitglieds")))
_STATUS = {"none": _l("nicht begonnen"), "draft": _l("Entwurf"), "submitted": _l("eingereicht")}


def _affected_lines(items: list[dict], *, with_status: bool) -> list[str]:
    if with_status:
        return [f"- {i['number']} „{i['title']}“ ({i['round']}): {_STATUS.get(i['status'], i['status'])}"
                for i in items]
    return [f"- {i['number']} „{i['title']}“ ({i['round']})" for i in items]


def _conflict_common(values: dict) -> dict[str, str]:
    entry = values["entry"] or {}
    return {"Jurymitglied": values["juror"]["full_name"], "Unternehmen": values["company"]["legal_name"],
            "Beitragsnummer": entry.get("number", "") or "", "Titel": entry.get("title", "") or "",
            "Begründung": values["reason"] or "", "Link": values["link"]}


@mail_kind("conflict_declared", _l("Befangenheit erklärt (an das Organisationsteam)"),
           (*_CONFLICT,
            ("Hinweis", _l("Was mit den Zuweisungen geschehen ist und was zu tun ist (fertiger Text)")),
            ("Zuweisungsliste", _l("Fertige Liste der Zuweisungen, über die Sie entscheiden müssen (leer, wenn "
                                   "keine)")),
            ("Link", _l("Link zur Jury-Verwaltung"))))
def conflict_declared_texts(values: dict) -> dict[str, str]:
    texts = _conflict_common(values)
    juror, company, entry = texts["Jurymitglied"], texts["Unternehmen"], values["entry"]
    if entry:
        texts["Erklärung"] = _("%(juror)s hat beim Beitrag %(number)s „%(title)s“ (%(company)s) eine Befangenheit "
                               "erklärt.", juror=juror, number=entry["number"], title=entry["title"], company=company)
    else:
        texts["Erklärung"] = _("%(juror)s hat eine Befangenheit gegenüber dem Unternehmen %(company)s erklärt.",
                               juror=juror, company=company)
    notes = []
    if values["outcome"] == "removed":
        notes.append(_("Die Zuweisung wurde entfernt; der Bogen bleibt im Verlauf und zählt nicht. Bitte weisen Sie "
                       "den Beitrag bei Bedarf neu zu."))
    elif values["outcome"] == "kept":
        notes.append(_("Die Rangliste dieser Runde ist bereits als eingefrorener Stand gesichert. Zuweisung und "
                       "Bogen bleiben deshalb bestehen, bis Sie entscheiden: den Bogen mit Begründung für ungültig "
                       "erklären oder die Erklärung verwerfen (Seite „Bewertungsbögen“ des Beitrags)."))
    if values["affected"] and values["blind"]:
        notes.append(_("Anonyme Bewertung: Das Jurymitglied sieht diese Zuweisungen unverändert, damit es nicht "
                       "erfährt, welcher Beitrag zu welchem Unternehmen gehört. Nehmen Sie die Zuweisung zurück oder "
                       "verwerfen Sie die Erklärung."))
    if not values["affected"] and values["outcome"] == "declared":
        notes.append(_("Dem Jurymitglied ist derzeit kein Beitrag zugewiesen, den diese Erklärung betrifft. Künftig "
                       "werden ihm solche Beiträge nicht zugewiesen."))
    texts["Hinweis"] = "\n\n".join(notes)
    texts["Zuweisungsliste"] = "\n".join(
        [_("Zuweisungen, über die Sie entscheiden müssen:"), *_affected_lines(values["affected"], with_status=True)]
    ) if values["affected"] else ""
    return texts


@mail_kind("conflict_withdrawal", _l("Befangenheit zurückgenommen oder Rücknahme beantragt (an das "
                                     "Organisationsteam)"),
           (*_CONFLICT,
            ("Vorgang", _l("„Rücknahme einer Befangenheit beantragt“ oder „Befangenheit zurückgenommen“")),
            ("Hinweis", _l("Was geschehen ist und was zu tun ist (fertiger Text)")),
            ("Zuweisungsliste", _l("Fertige Liste der Zuweisungen, die die Erklärung betrifft (leer, wenn keine)")),
            ("Link", _l("Link zur Jury-Verwaltung"))))
def conflict_withdrawal_texts(values: dict) -> dict[str, str]:
    texts = _conflict_common(values)
    juror, company, entry = texts["Jurymitglied"], texts["Unternehmen"], values["entry"]
    if entry:
        texts["Erklärung"] = _("Es geht um die Befangenheit von %(juror)s beim Beitrag %(number)s „%(title)s“ "
                               "(%(company)s).", juror=juror, number=entry["number"], title=entry["title"],
                               company=company)
    else:
        texts["Erklärung"] = _("Es geht um die Befangenheit von %(juror)s gegenüber dem Unternehmen %(company)s.",
                               juror=juror, company=company)
    if values["requested"]:
        texts["Vorgang"] = _("Rücknahme einer Befangenheit beantragt")
        texts["Hinweis"] = _("Das Jurymitglied möchte seine Erklärung zurücknehmen. Weil ihm in einer laufenden "
                             "Ausschreibung bereits Beiträge zugewiesen sind, entscheiden Sie darüber: Rücknahme "
                             "genehmigen oder ablehnen (Jury-Seite, Abschnitt „Befangenheiten“). Bis dahin gilt die "
                             "Befangenheit.")
    else:
        texts["Vorgang"] = _("Befangenheit zurückgenommen")
        texts["Hinweis"] = _("Das Jurymitglied hat seine Erklärung zurückgenommen. Ihm waren zu diesem Zeitpunkt "
                             "keine Beiträge in einer laufenden Ausschreibung zugewiesen.")
    texts["Zuweisungsliste"] = "\n".join(
        [_("Zuweisungen, die die Erklärung derzeit betrifft:"), *_affected_lines(values["affected"],
                                                                                 with_status=False)]
    ) if values["affected"] else ""
    return texts


def preference_invitation_values(*, juror_name: str, round_name: str, edition_name: str,
                                 ends_at: datetime | None, link: str) -> dict:
    """``juror_name``, ``round_name``, ``edition_name``, ``ends_at``, ``link``."""
    return {"juror_name": juror_name, "round_name": round_name, "edition_name": edition_name, "ends_at": ends_at,
            "link": link}


@mail_kind("preference_invitation", _l("Präferenzphase geöffnet (an die Jury)"),
           (("Name", _l("Name des Jurymitglieds")), ("Bewertungsrunde", _l("Name der Bewertungsrunde")),
            ("Ausschreibung", _l("Name der Ausschreibung")),
            ("Fristhinweis", _l("Satz mit dem Ende der Präferenzphase, leer wenn keines gesetzt ist")),
            ("Frist", _l("Ende der Präferenzphase (leer, wenn keines gesetzt ist)")),
            ("Link", _l("Link zur Liste der Beiträge"))))
def preference_invitation_texts(values: dict) -> dict[str, str]:
    ends_at = values["ends_at"]
    return {"Name": values["juror_name"], "Bewertungsrunde": values["round_name"],
            "Ausschreibung": values["edition_name"],
            "Fristhinweis": _("Bitte markieren Sie bis %(date)s.", date=datetime_filter(ends_at)) if ends_at else "",
            "Frist": datetime_filter(ends_at) if ends_at else "", "Link": values["link"]}


def send_jury_reminder(*, juror, judging_round, open_count: int) -> bool:
    values = jury_reminder_values(juror=person(juror), round_name=judging_round.name,
                                  deadline_at=judging_round.deadline_at, open_count=open_count,
                                  link=external_url("judging.dashboard"))
    return send_mail(to=juror.email, template="jury_reminder", locale=juror.locale, **values)

"""The entries' mails: the submission receipt (with its PDF), the invitation of a colleague, and the notice to
the organisers that a juror joined a company.

The ``*_values`` functions are the one place where each mail kind's placeholders are made (plain values, see
core/placeholders.py), for sending and for the sample data of the template editor.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.queries import active_organisers
from ..core.mail import send_mail
from ..core.mail_text import mail_kind
from ..core.placeholders import person
from ..core.urls import external_url
from .queries import juror_in_running_edition
from .receipts import ReceiptData


def receipt_values(*, number: str, title: str, edition_name: str, submitted_at_text: str, version: int,
                   submitted_by: str, attachments: list[dict], snapshot_sha256: str) -> dict:
    """``data.entry.number``, ``data.entry.title``, ``data.edition_name``, ``data.submitted_at_text``,
    ``data.version``, ``data.submitted_by``, ``data.attachments`` (each ``name``, ``kind_text``, ``size_text``,
    ``sha256``), ``data.snapshot_sha256``."""
    return {"data": {
        "entry": {"number": number, "title": title}, "edition_name": edition_name,
        "submitted_at_text": submitted_at_text, "version": version, "submitted_by": submitted_by,
        "attachments": [{key: a[key] for key in ("name", "kind_text", "size_text", "sha256")} for a in attachments],
        "snapshot_sha256": snapshot_sha256,
    }}


@mail_kind("receipt", _l("Eingangsbestätigung einer Einreichung"),
           (("Beitragsnummer", _l("Beitragsnummer, z. B. IND-2026-0007")), ("Titel", _l("Titel des Beitrags")),
            ("Ausschreibung", _l("Name der Ausschreibung")), ("Eingegangen-am", _l("Datum und Uhrzeit des Eingangs")),
            ("Version", _l("Nummer der eingereichten Fassung")),
            ("Eingereicht-von", _l("Name und E-Mail-Adresse der einreichenden Person")),
            ("Anlagenliste", _l("Fertige Liste der Anlagen mit Größe und Prüfsumme, oder der Satz, dass keine "
                                "Anlagen eingereicht wurden")),
            ("Prüfsumme", _l("Prüfsumme des eingereichten Stands (SHA-256)"))))
def receipt_texts(values: dict) -> dict[str, str]:
    data = values["data"]
    if data["attachments"]:
        lines = [_("Anlagen mit ihren Prüfsummen (SHA-256):")]
        for item in data["attachments"]:
            lines.append(f"- {item['name']} ({item['kind_text']}, {item['size_text']})")
            lines.append(f"  {item['sha256']}")
        attachments = "\n".join(lines)
    else:
        attachments = _("Es wurden keine Anlagen eingereicht.")
    return {"Beitragsnummer": data["entry"]["number"], "Titel": data["entry"]["title"],
            "Ausschreibung": data["edition_name"], "Eingegangen-am": data["submitted_at_text"],
            "Version": str(data["version"]), "Eingereicht-von": data["submitted_by"], "Anlagenliste": attachments,
            "Prüfsumme": data["snapshot_sha256"]}


def receipt_values_of(data: ReceiptData) -> dict:
    """The receipt's placeholders from its data, with dates and sizes in the current language (force_locale)."""
    return receipt_values(
        number=data.entry.number, title=data.entry.title, edition_name=data.edition_name,
        submitted_at_text=data.submitted_at_text, version=data.version, submitted_by=data.submitted_by,
        attachments=[{"name": a.name, "kind_text": a.kind_text, "size_text": a.size_text, "sha256": a.sha256}
                     for a in data.attachments],
        snapshot_sha256=data.snapshot_sha256)


def company_invite_values(*, company_name: str, inviter: dict, link: str) -> dict:
    """``company.legal_name``, ``inviter.full_name``, ``link``."""
    return {"company": {"legal_name": company_name}, "inviter": inviter, "link": link}


@mail_kind("company_invite", _l("Einladung ins Unternehmenskonto"),
           (("Unternehmen", _l("Name des Unternehmens")), ("Einladende-Person", _l("Name der einladenden Person")),
            ("Link", _l("Einladungslink (14 Tage gültig)"))))
def company_invite_texts(values: dict) -> dict[str, str]:
    return {"Unternehmen": values["company"]["legal_name"], "Einladende-Person": values["inviter"]["full_name"],
            "Link": values["link"]}


def send_receipt_mail(*, to: str, locale: str | None, data: ReceiptData, pdf: bytes) -> bool:
    """The receipt of a submitted version: number, title, time and attachment checksums, and the receipt PDF.

    Sent by the view after the commit; returns False when the mail could not be sent (the PDF stays available on
    the entry's page)."""
    with force_locale(locale or "de"):
        values = receipt_values_of(data)
    return send_mail(to=to, template="receipt", locale=locale, attachments=[(data.filename, pdf, "application/pdf")],
                     **values)


def send_company_invite(*, to: str, locale: str | None, company, inviter, token: str) -> bool:
    values = company_invite_values(company_name=company.legal_name, inviter=person(inviter),
                                   link=external_url("entries.join_company", token=token))
    return send_mail(to=to, template="company_invite", locale=locale, **values)


def juror_joined_company_values(*, juror: dict, company_name: str, entries: list[dict], editions: list[dict]) -> dict:
    """``juror.full_name``, ``juror.email``, ``company.legal_name``, ``entries`` (number, title, edition),
    ``editions`` (edition, link)."""
    return {"juror": juror, "company": {"legal_name": company_name}, "entries": entries, "editions": editions}


@mail_kind("juror_joined_company", _l("Jurymitglied tritt einem Unternehmen bei (an das Organisationsteam)"),
           (("Jurymitglied", _l("Name des Jurymitglieds")), ("E-Mail", _l("E-Mail-Adresse des Jurymitglieds")),
            ("Unternehmen", _l("Name des Unternehmens")),
            ("Beitragsliste", _l("Fertige Liste der Beiträge des Unternehmens in laufenden Ausschreibungen "
                                 "(leer, wenn es keine gibt)")),
            ("Jury-Links", _l("Je laufender Ausschreibung eine Zeile mit dem Link zur Jury-Verwaltung"))))
def juror_joined_company_texts(values: dict) -> dict[str, str]:
    entries = ""
    if values["entries"]:
        entries = "\n".join([_("Beiträge des Unternehmens in laufenden Ausschreibungen:")] + [
            f"- {e['number']} „{e['title']}“ ({e['edition']})" for e in values["entries"]])
    links = "\n".join(f"{_('Jury von %(name)s:', name=e['edition'])} {e['link']}" for e in values["editions"])
    return {"Jurymitglied": values["juror"]["full_name"], "E-Mail": values["juror"]["email"],
            "Unternehmen": values["company"]["legal_name"], "Beitragsliste": entries, "Jury-Links": links}


def tell_organisers_juror_joined(*, user, company, now) -> int:
    """A juror of a running edition has joined (or founded) a company's account: every organiser hears of it,
    with the company's entries in those editions, so they can check assignments and sheets. Sent by the view
    after the commit; returns how many mails went out."""
    editions = juror_in_running_edition(user, now)
    if not editions:
        return 0
    entries = [{"number": e.number or "–", "title": e.title, "edition": e.edition.name}
               for e in company.entries if e.edition_id in {ed.id for ed in editions}]
    links = [{"edition": ed.name, "link": external_url("jury_admin.jury", edition_id=ed.id)} for ed in editions]
    sent = 0
    for organiser in active_organisers():
        sent += send_mail(to=organiser.email, template="juror_joined_company", locale=organiser.locale,
                          **juror_joined_company_values(juror=person(user), company_name=company.legal_name,
                                                        entries=entries, editions=links))
    return sent

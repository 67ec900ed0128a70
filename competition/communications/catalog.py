"""What the editable templates are: the system mails (files in ``templates/mail/``), with their placeholders and
sample data for previews and checks, and the placeholders of group mails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.clock import utcnow


@dataclass(frozen=True)
class SystemTemplate:
    key: str
    label: object
    placeholders: tuple[tuple[str, object], ...] = field(default=())

    def sample(self) -> dict | None:
        builder = _SAMPLES.get(self.key)
        return builder() if builder else None


def _person(name="Anna Schubert", email="anna.schubert@praezision.example"):
    return SimpleNamespace(full_name=name, email=email, locale="de")


_LINK = "https://wettbewerb.example/link"
_USER = (("user.full_name", _l("Name der Person")), ("user.email", _l("E-Mail-Adresse")))

_KNOWN = {
    "verify_email": (_l("Registrierung: E-Mail-Adresse bestätigen"), (*_USER, ("link", _l("Bestätigungslink")))),
    "already_registered": (_l("Registrierung mit bestehender Adresse"),
                           (*_USER, ("login_link", _l("Link zur Anmeldung")),
                            ("reset_link", _l("Link „Passwort vergessen“")))),
    "reset_password": (_l("Passwort zurücksetzen"), (*_USER, ("link", _l("Link zum Zurücksetzen")))),
    "change_email": (_l("Neue E-Mail-Adresse bestätigen"), (*_USER, ("link", _l("Bestätigungslink")))),
    "email_changed": (_l("Hinweis: E-Mail-Adresse geändert"), (*_USER, ("old_email", _l("Bisherige Adresse")))),
    "invitation": (_l("Einladung (Jury, Organisationsteam)"),
                   (("invitation.full_name", _l("Name der eingeladenen Person")),
                    ("invitation.role.value", _l("Rolle: juror oder organiser")),
                    ("invitation.expires_at", _l("Gültig bis (mit |datetime)")), ("link", _l("Einladungslink")))),
    "company_invite": (_l("Einladung ins Unternehmenskonto"),
                       (("company.legal_name", _l("Unternehmen")), ("inviter.full_name", _l("Einladende Person")),
                        ("link", _l("Einladungslink")))),
    "receipt": (_l("Eingangsbestätigung einer Einreichung"),
                (("data.entry.number", _l("Beitragsnummer")), ("data.entry.title", _l("Titel")),
                 ("data.edition_name", _l("Wettbewerbsrunde")), ("data.submitted_at_text", _l("Eingegangen am")),
                 ("data.version", _l("Version")), ("data.submitted_by", _l("Eingereicht von")),
                 ("data.attachments", _l("Anlagen (Liste mit name, kind_text, size_text, sha256)")),
                 ("data.snapshot_sha256", _l("Prüfsumme")))),
    "jury_reminder": (_l("Erinnerung an offene Bewertungen"),
                      (("juror.full_name", _l("Name des Jurymitglieds")),
                       ("judging_round.name", _l("Bewertungsrunde")),
                       ("judging_round.deadline_at", _l("Frist (mit |datetime)")),
                       ("open_count", _l("Zahl offener Bewertungen")), ("link", _l("Link zur Jury-Übersicht")))),
    "results": (_l("Ergebnisse an die Unternehmen (mit Rückmeldung der Jury)"),
                (*_USER, ("edition_name", _l("Wettbewerbsrunde")), ("entry.number", _l("Beitragsnummer")),
                 ("entry.title", _l("Titel")), ("outcome", _l("Ergebnis des Beitrags in einem Satz")),
                 ("link", _l("Link zur Ergebnisseite")))),
    "conflict_declared": (_l("Befangenheit erklärt (an das Organisationsteam)"),
                          (("juror.full_name", _l("Name des Jurymitglieds")), ("entry.number", _l("Beitragsnummer")),
                           ("entry.title", _l("Titel")), ("reason", _l("Begründung")),
                           ("link", _l("Link zur Jury-Verwaltung")))),
    "preference_invitation": (_l("Präferenzphase geöffnet (an die Jury)"),
                              (("juror_name", _l("Name des Jurymitglieds")), ("round_name", _l("Bewertungsrunde")),
                               ("edition_name", _l("Ausschreibung")),
                               ("ends_at", _l("Ende der Präferenzphase, falls gesetzt (mit |datetime)")),
                               ("link", _l("Link zur Liste der Beiträge")))),
    "preference_conflict": (_l("Befangenheit in der Präferenzphase erklärt (an das Organisationsteam)"),
                            (("juror_name", _l("Name des Jurymitglieds")), ("round_name", _l("Bewertungsrunde")),
                             ("entry_number", _l("Beitragsnummer")), ("entry_title", _l("Titel")),
                             ("reason", _l("Begründung (kann leer sein)")), ("link", _l("Link zur Jury-Verwaltung")))),
}


def _samples() -> dict:
    now = utcnow()
    user = _person()
    entry = SimpleNamespace(id=7, number="IND-2026-0007", title="Adaptive Spannvorrichtung")
    return {
        "verify_email": lambda: {"user": user, "link": _LINK},
        "already_registered": lambda: {"user": user, "login_link": _LINK, "reset_link": _LINK},
        "reset_password": lambda: {"user": user, "link": _LINK},
        "change_email": lambda: {"user": user, "link": _LINK},
        "email_changed": lambda: {"user": user, "old_email": "alt@praezision.example"},
        "invitation": lambda: {"invitation": SimpleNamespace(full_name="Dr. Jan Vogel", email="jan@uni.example",
                                                             role=SimpleNamespace(value="juror"),
                                                             expires_at=now + timedelta(days=14)), "link": _LINK},
        "company_invite": lambda: {"company": SimpleNamespace(legal_name="Erzgebirge Präzisionstechnik GmbH"),
                                   "inviter": user, "link": _LINK},
        "receipt": lambda: {"data": SimpleNamespace(
            entry=entry, edition_name="Industrie. Neu. Denken. 2026", submitted_at_text="24.11.2026, 14:30 Uhr",
            version=1, submitted_by="Anna Schubert", snapshot_sha256="0" * 64,
            attachments=[SimpleNamespace(name="konzept.pdf", kind_text="PDF", size_text="1,2 MB", sha256="f" * 64)],
            filename="eingangsbestaetigung.pdf")},
        "jury_reminder": lambda: {"juror": _person("Dr. Jan Vogel", "jan@uni.example"), "open_count": 3,
                                  "judging_round": SimpleNamespace(name="Vorauswahl",
                                                                   deadline_at=now + timedelta(days=7)),
                                  "link": _LINK},
        "results": lambda: {"user": user, "entry": entry, "edition_name": "Industrie. Neu. Denken. 2026",
                            "outcome": "Ihr Beitrag wurde mit dem 1. Platz in der Kategorie „Digitalisierung“ "
                                       "ausgezeichnet – herzlichen Glückwunsch!", "link": _LINK},
        "conflict_declared": lambda: {"juror": _person("Dr. Jan Vogel", "jan@uni.example"), "entry": entry,
                                      "reason": "Frühere Zusammenarbeit", "link": _LINK},
        "preference_invitation": lambda: {"juror_name": "Dr. Jan Vogel", "round_name": "Vorauswahl",
                                          "edition_name": "Industrie. Neu. Denken. 2026",
                                          "ends_at": now + timedelta(days=7), "link": _LINK},
        "preference_conflict": lambda: {"juror_name": "Dr. Jan Vogel", "round_name": "Vorauswahl",
                                        "entry_number": entry.number, "entry_title": entry.title,
                                        "reason": "Frühere Zusammenarbeit", "link": _LINK},
    }


class _LazySamples(dict):
    def get(self, key, default=None):
        return _samples().get(key, default)


_SAMPLES = _LazySamples()


def mail_folder() -> Path:
    return Path(current_app.template_folder) / "mail"


def system_templates() -> list[SystemTemplate]:
    """Every system mail (one per file in templates/mail), known ones with their label and placeholders."""
    keys = sorted(path.stem for path in mail_folder().glob("*.txt"))
    result = []
    for key in keys:
        label, placeholders = _KNOWN.get(key, (key, ()))
        result.append(SystemTemplate(key=key, label=label, placeholders=placeholders))
    return result


def system_template(key: str) -> SystemTemplate | None:
    return next((t for t in system_templates() if t.key == key), None)


def default_source(key: str) -> tuple[str, str]:
    """The subject line and body of the system template file, as an organiser would start editing them."""
    text = (mail_folder() / f"{key}.txt").read_text(encoding="utf-8")
    first, _, body = text.lstrip().partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


# --- group mails -----------------------------------------------------------------------------------------------------

CAMPAIGN_PLACEHOLDERS = (
    ("name", _l("Name der Person")),
    ("email", _l("E-Mail-Adresse")),
    ("company", _l("Unternehmen (bei Einreichenden)")),
    ("entry_title", _l("Titel der Beiträge (bei Einreichenden, durch Komma getrennt)")),
    ("entry_number", _l("Beitragsnummern (bei Einreichenden)")),
    ("category", _l("Kategorie der Beiträge")),
    ("edition", _l("Name der Wettbewerbsrunde")),
    ("deadline", _l("Frist: Einreichungsfrist, bei Jurymitgliedern die Bewertungsfrist")),
    ("open_count", _l("Zahl offener Bewertungen (bei Jurymitgliedern)")),
    ("link", _l("Persönlicher Link zur Übersicht auf der Plattform")),
)


def campaign_sample() -> dict:
    return {
        "name": "Anna Schubert", "email": "anna.schubert@praezision.example",
        "company": "Erzgebirge Präzisionstechnik GmbH", "entry_title": "Adaptive Spannvorrichtung",
        "entry_number": "IND-2026-0007", "category": "Mobilität", "edition": "Industrie. Neu. Denken. 2026",
        "deadline": "15.12.2026, 23:59 Uhr", "open_count": 3, "link": _LINK,
    }

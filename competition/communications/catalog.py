"""What the editable templates are: the system mails (files in ``templates/mail/``), with their placeholders and
sample data for previews and checks, and the placeholders of group mails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..accounts import mails as account_mails
from ..core.clock import utcnow
from ..core.placeholders import person
from ..entries import mails as entry_mails
from ..judging import mails as judging_mails
from ..rankings import mails as ranking_mails


@dataclass(frozen=True)
class SystemTemplate:
    key: str
    label: object
    placeholders: tuple[tuple[str, object], ...] = field(default=())

    def samples(self) -> list[dict] | None:
        """Sample placeholders in every variant this mail has (with and without attachments, each role, …), built
        by the mail kind's own ``*_values`` function; a template is checked against all of them."""
        builder = _SAMPLES.get(self.key)
        return builder() if builder else None

    def sample(self) -> dict | None:
        samples = self.samples()
        return samples[0] if samples else None


def _person(name="Anna Schubert", email="anna.schubert@praezision.example") -> dict:
    return person(SimpleNamespace(full_name=name, email=email))


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
                 ("data.edition_name", _l("Ausschreibung")), ("data.submitted_at_text", _l("Eingegangen am")),
                 ("data.version", _l("Version")), ("data.submitted_by", _l("Eingereicht von")),
                 ("data.attachments", _l("Anlagen (Liste mit name, kind_text, size_text, sha256)")),
                 ("data.snapshot_sha256", _l("Prüfsumme")))),
    "jury_reminder": (_l("Erinnerung an offene Bewertungen"),
                      (("juror.full_name", _l("Name des Jurymitglieds")),
                       ("judging_round.name", _l("Bewertungsrunde")),
                       ("judging_round.deadline_at", _l("Frist (mit |datetime)")),
                       ("open_count", _l("Zahl offener Bewertungen")), ("link", _l("Link zur Jury-Übersicht")))),
    "extra_review": (_l("Bitte um zusätzliche Bewertungen (Zuverlässigkeit der Rangliste)"),
                     (("juror_name", _l("Name des Jurymitglieds")), ("round_name", _l("Bewertungsrunde")),
                      ("deadline", _l("Frist (mit |datetime), leer wenn keine mehr bevorsteht")),
                      ("entries", _l("Beiträge (Liste mit number, title, link)")))),
    "results": (_l("Ergebnisse an die Unternehmen (mit Rückmeldung der Jury)"),
                (*_USER, ("edition_name", _l("Ausschreibung")), ("entry.number", _l("Beitragsnummer")),
                 ("entry.title", _l("Titel")), ("outcome", _l("Ergebnis des Beitrags in einem Satz")),
                 ("link", _l("Link zur Ergebnisseite")))),
    "conflict_declared": (_l("Befangenheit erklärt (an das Organisationsteam)"),
                          (("juror.full_name", _l("Name des Jurymitglieds")),
                           ("entry.number", _l("Beitragsnummer (leer bei einer Erklärung gegenüber einem "
                                               "Unternehmen)")),
                           ("entry.title", _l("Titel")), ("company.legal_name", _l("Unternehmen")),
                           ("reason", _l("Begründung")),
                           ("outcome", _l("declared, removed (Zuweisung entfernt) oder kept (Rangliste "
                                          "festgeschrieben)")),
                           ("affected", _l("Betroffene Zuweisungen (Liste mit number, title, round, status)")),
                           ("blind", _l("Anonyme Bewertung (ja/nein)")), ("link", _l("Link zur Jury-Verwaltung")))),
    "conflict_withdrawal": (_l("Befangenheit zurückgenommen oder Rücknahme beantragt (an das Organisationsteam)"),
                            (("juror.full_name", _l("Name des Jurymitglieds")),
                             ("entry.number", _l("Beitragsnummer (leer bei einer Erklärung gegenüber einem "
                                                 "Unternehmen)")),
                             ("entry.title", _l("Titel")), ("company.legal_name", _l("Unternehmen")),
                             ("requested", _l("Rücknahme beantragt (ja) oder erfolgt (nein)")),
                             ("reason", _l("Begründung")),
                             ("affected", _l("Betroffene Zuweisungen (Liste mit number, title, round, status)")),
                             ("link", _l("Link zur Jury-Verwaltung")))),
    "juror_joined_company": (_l("Jurymitglied tritt einem Unternehmen bei (an das Organisationsteam)"),
                             (("juror.full_name", _l("Name des Jurymitglieds")),
                              ("juror.email", _l("E-Mail-Adresse")), ("company.legal_name", _l("Unternehmen")),
                              ("entries", _l("Beiträge des Unternehmens (Liste mit number, title, edition)")),
                              ("editions", _l("Laufende Ausschreibungen (Liste mit edition, link)")))),
    "preference_invitation": (_l("Präferenzphase geöffnet (an die Jury)"),
                              (("juror_name", _l("Name des Jurymitglieds")), ("round_name", _l("Bewertungsrunde")),
                               ("edition_name", _l("Ausschreibung")),
                               ("ends_at", _l("Ende der Präferenzphase, falls gesetzt (mit |datetime)")),
                               ("link", _l("Link zur Liste der Beiträge")))),
}


def _samples() -> dict:
    now = utcnow()
    user = _person()
    juror = _person("Dr. Jan Vogel", "jan@uni.example")
    outcomes = ("Ihr Beitrag wurde mit dem 1. Platz in der Kategorie „Digitalisierung“ ausgezeichnet – herzlichen "
                "Glückwunsch!", "Ihr Beitrag war im Finale der Kategorie „Digitalisierung“; für einen Preis hat es "
                "diesmal nicht gereicht.", "")
    receipt = {"number": "IND-2026-0007", "title": "Adaptive Spannvorrichtung",
               "edition_name": "Industrie. Neu. Denken. 2026", "submitted_at_text": "24.11.2026, 14:30 Uhr",
               "submitted_by": "Anna Schubert <anna.schubert@praezision.example>", "snapshot_sha256": "0" * 64}
    entry_sample = {"number": "IND-2026-0007", "title": "Adaptive Spannvorrichtung"}
    company = {"legal_name": "Erzgebirge Präzisionstechnik GmbH"}
    affected = {"number": "IND-2026-0007", "title": "Adaptive Spannvorrichtung", "round": "Vorauswahl",
                "status": "submitted"}
    attachment = {"name": "konzept.pdf", "kind_text": "PDF", "size_text": "1,2 MB", "sha256": "f" * 64}
    return {
        "verify_email": lambda: [account_mails.link_values(user=user, link=_LINK)],
        "already_registered": lambda: [account_mails.already_registered_values(user=user, login_link=_LINK,
                                                                               reset_link=_LINK)],
        "reset_password": lambda: [account_mails.link_values(user=user, link=_LINK)],
        "change_email": lambda: [account_mails.link_values(user=user, link=_LINK)],
        "email_changed": lambda: [account_mails.email_changed_values(user=user, old_email="alt@praezision.example")],
        "invitation": lambda: [account_mails.invitation_values(full_name=name, email="jan@uni.example", role=role,
                                                               expires_at=now + timedelta(days=14), link=_LINK)
                               for name, role in (("Dr. Jan Vogel", "juror"), ("", "organiser"))],
        "company_invite": lambda: [entry_mails.company_invite_values(
            company_name="Erzgebirge Präzisionstechnik GmbH", inviter=user, link=_LINK)],
        "receipt": lambda: [entry_mails.receipt_values(**receipt, version=version, attachments=files)
                            for version, files in ((1, [attachment]), (2, []))],
        "jury_reminder": lambda: [judging_mails.jury_reminder_values(
            juror=juror, round_name="Vorauswahl", deadline_at=deadline, open_count=count, link=_LINK)
            for count, deadline in ((3, now + timedelta(days=7)), (1, None))],
        "results": lambda: [ranking_mails.results_values(
            user=user, edition_name="Industrie. Neu. Denken. 2026", entry_number="IND-2026-0007",
            entry_title="Adaptive Spannvorrichtung", outcome=outcome, link=_LINK) for outcome in outcomes],
        "conflict_declared": lambda: [judging_mails.conflict_declared_values(
            juror=juror, entry=entry, company=company, reason="Frühere Zusammenarbeit", outcome=outcome,
            affected=items, blind=blind, link=_LINK)
            for entry, outcome, items, blind in ((entry_sample, "removed", [], False),
                                                 (entry_sample, "kept", [affected], True),
                                                 (None, "declared", [affected], True),
                                                 (None, "declared", [], False))],
        "conflict_withdrawal": lambda: [judging_mails.conflict_withdrawal_values(
            juror=juror, entry=entry, company=company, requested=requested, reason="Mandat beendet",
            affected=[affected] if requested else [], blind=blind, link=_LINK)
            for requested, blind, entry in ((True, False, None), (False, True, entry_sample))],
        "juror_joined_company": lambda: [entry_mails.juror_joined_company_values(
            juror=juror, company_name=company["legal_name"],
            entries=[{"number": "IND-2026-0007", "title": "Adaptive Spannvorrichtung",
                      "edition": "Industrie. Neu. Denken. 2026"}],
            editions=[{"edition": "Industrie. Neu. Denken. 2026", "link": _LINK}])],
        "preference_invitation": lambda: [judging_mails.preference_invitation_values(
            juror_name="Dr. Jan Vogel", round_name="Vorauswahl", edition_name="Industrie. Neu. Denken. 2026",
            ends_at=ends_at, link=_LINK) for ends_at in (now + timedelta(days=7), None)],
        "extra_review": lambda: [ranking_mails.extra_review_values(
            juror_name="Dr. Jan Vogel", round_name="Vorauswahl", deadline=deadline,
            entries=[SimpleNamespace(number="IND-2026-0007", title="Adaptive Spannvorrichtung", link=_LINK)] * count)
            for count, deadline in ((1, now + timedelta(days=7)), (2, None))],
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
    ("edition", _l("Name der Ausschreibung")),
    ("deadline", _l("Frist: Einreichungsfrist, bei Jurymitgliedern die Bewertungsfrist")),
    ("open_count", _l("Zahl offener Bewertungen (bei Jurymitgliedern)")),
    ("link", _l("Persönlicher Link zur Übersicht auf der Plattform")),
)


def campaign_samples() -> list[dict]:
    """A company member and a juror (no company, open work): every group mail is checked with both."""
    applicant = {
        "name": "Anna Schubert", "email": "anna.schubert@praezision.example",
        "company": "Erzgebirge Präzisionstechnik GmbH", "entry_title": "Adaptive Spannvorrichtung",
        "entry_number": "IND-2026-0007", "category": "Mobilität", "edition": "Industrie. Neu. Denken. 2026",
        "deadline": "15.12.2026, 23:59 Uhr", "open_count": 0, "link": _LINK,
    }
    juror = {**applicant, "name": "Dr. Jan Vogel", "email": "jan@uni.example", "company": "", "entry_title": "",
             "entry_number": "", "category": "", "deadline": "", "open_count": 3}
    return [applicant, juror]

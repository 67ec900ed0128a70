"""What the editable templates are: the system mails (files in ``templates/mail/<locale>/``), with their placeholders
(registered by each module's ``mails.py``) and sample data for previews, and the placeholders of group mails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..accounts import mails as account_mails
from ..core.clock import utcnow
from ..core.mail import default_text
from ..core.mail_text import find_mail_kind, mail_kinds
from ..core.placeholders import person, plain_values
from ..entries import mails as entry_mails
from ..judging import mails as judging_mails
from ..rankings import mails as ranking_mails


@dataclass(frozen=True)
class SystemTemplate:
    key: str
    label: object
    placeholders: tuple[tuple[str, object], ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _description in self.placeholders)

    def samples(self) -> list[dict] | None:
        """Sample values in every variant this mail has (with and without attachments, each role, …), built by
        the mail kind's own ``*_values`` function."""
        builder = _SAMPLES.get(self.key)
        if builder is None:
            kind = find_mail_kind(self.key)
            builder = kind.samples if kind else None
        return builder() if builder else None

    def sample_texts(self) -> list[dict[str, str]]:
        """The placeholders' texts of every sample (in the current language), as the preview shows them."""
        kind = find_mail_kind(self.key)
        return [kind.texts(plain_values(values)) for values in self.samples() or []] if kind else []


def _person(name="Anna Schubert", email="anna.schubert@praezision.example") -> dict:
    return person(SimpleNamespace(full_name=name, email=email))


_LINK = "https://wettbewerb.example/link"


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


def system_templates() -> list[SystemTemplate]:
    """Every system mail (one per file in templates/mail/de), with its label and placeholders."""
    kinds = mail_kinds()
    folder = Path(current_app.template_folder) / "mail" / "de"
    result = []
    for key in sorted(path.stem for path in folder.glob("*.txt")):
        kind = kinds.get(key)
        result.append(SystemTemplate(key=key, label=kind.label if kind else key,
                                     placeholders=kind.placeholders if kind else ()))
    return result


def system_template(key: str) -> SystemTemplate | None:
    return next((t for t in system_templates() if t.key == key), None)


def default_source(key: str, locale: str = "de") -> tuple[str, str]:
    """The subject line and body of the system template file, as an organiser would start editing them."""
    return default_text(key, locale)


# --- group mails -----------------------------------------------------------------------------------------------------

CAMPAIGN_PLACEHOLDERS = (
    ("Name", _l("Name der Person")),
    ("E-Mail", _l("E-Mail-Adresse")),
    ("Unternehmen", _l("Unternehmen (bei Einreichenden)")),
    ("Beitragstitel", _l("Titel der Beiträge (bei Einreichenden, durch Komma getrennt)")),
    ("Beitragsnummer", _l("Beitragsnummern (bei Einreichenden)")),
    ("Kategorie", _l("Kategorie der Beiträge")),
    ("Ausschreibung", _l("Name der Ausschreibung")),
    ("Frist", _l("Frist: Einreichungsfrist, bei Jurymitgliedern die Bewertungsfrist")),
    ("Offene-Bewertungen", _l("Zahl offener Bewertungen (bei Jurymitgliedern)")),
    ("Link", _l("Persönlicher Link zur Übersicht auf der Plattform")),
)
CAMPAIGN_NAMES = tuple(name for name, _description in CAMPAIGN_PLACEHOLDERS)


def campaign_samples() -> list[dict[str, str]]:
    """A company member and a juror (no company, open work): the placeholders' texts of each."""
    applicant = {
        "Name": "Anna Schubert", "E-Mail": "anna.schubert@praezision.example",
        "Unternehmen": "Erzgebirge Präzisionstechnik GmbH", "Beitragstitel": "Adaptive Spannvorrichtung",
        "Beitragsnummer": "IND-2026-0007", "Kategorie": "Mobilität", "Ausschreibung": "Industrie. Neu. Denken. 2026",
        "Frist": "15.12.2026, 23:59 Uhr", "Offene-Bewertungen": "0", "Link": _LINK,
    }
    juror = {**applicant, "Name": "Dr. Jan Vogel", "E-Mail": "jan@uni.example", "Unternehmen": "",
             "Beitragstitel": "", "Beitragsnummer": "", "Kategorie": "", "Frist": "", "Offene-Bewertungen": "3"}
    return [applicant, juror]

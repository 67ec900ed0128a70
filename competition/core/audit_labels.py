"""German labels for the audit trail: one label per action key, per object type and per detail key, and the
formatting of an event's details as short German lines (no JSON, decimal commas, dates as 24.11.2026, 14:30 Uhr).

Every action key that the code records must have a label here; tests/core/test_audit_labels.py scans the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

# Grouped as in the filter list (optgroups): family label, then (key, label) pairs.
ACTION_GROUPS: list[tuple[object, list[tuple[str, object]]]] = [
    (_l("Ausschreibung"), [
        ("edition.phase_override", _l("Phase von Hand gesetzt")),
        ("conditions.published", _l("Teilnahmebedingungen veröffentlicht")),
        ("certificate_design.saved", _l("Gestaltung der Urkunden gespeichert")),
        ("question.archived", _l("Frage archiviert")),
        ("deadline.extended", _l("Einreichungsfrist für ein Unternehmen verlängert")),
    ]),
    (_l("Unternehmen und Beiträge"), [
        ("company.created", _l("Unternehmen angelegt")),
        ("company.updated", _l("Unternehmensprofil geändert")),
        ("company.renamed", _l("Unternehmen umbenannt")),
        ("company.member_joined", _l("Person einem Unternehmen beigetreten")),
        ("entry.created", _l("Beitrag angelegt")),
        ("entry.submitted", _l("Beitrag eingereicht")),
        ("entry.eligibility", _l("Zulassung entschieden")),
        ("entry.withdrawn", _l("Beitrag zurückgezogen")),
        ("attachment.added", _l("Anlage hochgeladen")),
        ("attachment.removed", _l("Anlage entfernt")),
        ("attachment.blind_copy_failed", _l("Anonymisierte Kopie einer Anlage fehlgeschlagen")),
    ]),
    (_l("Befangenheit"), [
        ("conflict.declared", _l("Befangenheit vom Jurymitglied erklärt")),
        ("conflict.organiser", _l("Befangenheit vom Organisationsteam eingetragen")),
        ("conflict.detected", _l("Befangenheit automatisch erkannt")),
        ("conflicts.detected", _l("Befangenheiten automatisch geprüft")),
        ("conflict.confirmed", _l("Erkannte Befangenheit bestätigt")),
        ("conflict.dismissed", _l("Erkannte Befangenheit verworfen")),
        ("conflict.removed", _l("Befangenheit zurückgenommen")),
        ("conflict.withdrawal_requested", _l("Rücknahme einer Befangenheit beantragt")),
        ("conflict.withdrawal_approved", _l("Rücknahme einer Befangenheit genehmigt")),
        ("conflict.withdrawal_refused", _l("Rücknahme einer Befangenheit abgelehnt")),
        ("conflict.declared_after_freeze", _l("Befangenheit nach dem Einfrieren erklärt")),
        ("company_group.added", _l("Unternehmensgruppe angelegt")),
        ("company_group.deleted", _l("Unternehmensgruppe gelöscht")),
        ("domain_alias.added", _l("Domain-Alias angelegt")),
        ("domain_alias.deleted", _l("Domain-Alias gelöscht")),
    ]),
    (_l("Zuweisung"), [
        ("preferences.changed", _l("Präferenzen geändert")),
        ("preferences.closed", _l("Präferenzphase geschlossen")),
        ("assignments.applied", _l("Automatische Zuweisung übernommen")),
        ("assignment.added", _l("Zuweisung hinzugefügt")),
        ("assignment.removed", _l("Zuweisung entfernt")),
        ("assignment.removed_by_conflict", _l("Zuweisung wegen Befangenheit entfernt")),
        ("assignment.set_aside", _l("Zuweisung zurückgestellt")),
    ]),
    (_l("Bewertung"), [
        ("sheet.saved", _l("Bewertungsbogen gespeichert")),
        ("sheet.submitted", _l("Bewertungsbogen eingereicht")),
        ("sheet.reopened", _l("Bewertungsbogen wieder geöffnet")),
        ("sheet.no_conflict_confirmed", _l("Keine Befangenheit bestätigt")),
        ("scoring.extended", _l("Bewertungsfrist verlängert")),
        ("scoring.extension_withdrawn", _l("Verlängerung der Bewertungsfrist zurückgenommen")),
    ]),
    (_l("Ergebnisse"), [
        ("ranking.frozen", _l("Rangliste eingefroren")),
        ("ranking.override_set", _l("Rang von Hand gesetzt")),
        ("ranking.override_removed", _l("Von Hand gesetzten Rang entfernt")),
        ("ranking.shortlist_applied", _l("Shortlist übernommen")),
        ("ranking.award_set", _l("Auszeichnung vergeben")),
        ("ranking.award_removed", _l("Auszeichnung entfernt")),
        ("ranking.extra_reviews_requested", _l("Zusätzliche Bewertungen angefordert")),
        ("results.published", _l("Ergebnisse veröffentlicht")),
        ("results.withdrawn", _l("Veröffentlichung zurückgenommen")),
    ]),
    (_l("Publikumspreis"), [
        ("audience.configured", _l("Publikumspreis eingerichtet")),
        ("audience.closed", _l("Abstimmung zum Publikumspreis geschlossen")),
        ("audience.excluded", _l("Stimmen zum Publikumspreis ausgeschlossen")),
        ("audience.readmitted", _l("Ausgeschlossene Stimmen wieder zugelassen")),
        ("audience.published", _l("Publikumspreis veröffentlicht")),
        ("audience.addresses_purged", _l("E-Mail-Adressen der Abstimmenden gelöscht")),
    ]),
    (_l("Kommunikation"), [
        ("campaign.started", _l("Gruppen-E-Mail gestartet")),
        ("mail_template.saved", _l("E-Mail-Vorlage gespeichert")),
        ("mail_template.reset", _l("E-Mail-Vorlage zurückgesetzt")),
    ]),
    (_l("Datenschutz und Betrieb"), [
        ("legal_page.saved", _l("Rechtstext gespeichert")),
        ("account.exported", _l("Daten eines Kontos exportiert")),
        ("account.erased", _l("Konto gelöscht")),
        ("retention.purged", _l("Daten nach Aufbewahrungsfrist gelöscht")),
    ]),
]

ACTION_LABELS: dict[str, object] = {key: label for _group, pairs in ACTION_GROUPS for key, label in pairs}

OBJECT_LABELS: dict[str, object] = {
    "score_sheet": _l("Bewertungsbogen"),
    "assignment": _l("Zuweisung"),
    "entry": _l("Beitrag"),
    "conflict": _l("Befangenheit"),
    "round": _l("Bewertungsrunde"),
    "judging_round": _l("Bewertungsrunde"),
    "edition": _l("Ausschreibung"),
    "user": _l("Konto"),
    "company": _l("Unternehmen"),
    "attachment": _l("Anlage"),
    "campaign": _l("Gruppen-E-Mail"),
    "legal_page": _l("Rechtstext"),
    "mail_template": _l("E-Mail-Vorlage"),
    "question": _l("Frage"),
    "ranking_snapshot": _l("Eingefrorener Stand"),
    "company_group": _l("Unternehmensgruppe"),
    "domain_alias": _l("Domain-Alias"),
}

DETAIL_LABELS: dict[str, object] = {
    "ballot": _l("Stimme Nr."),
    "ballots": _l("Stimmen"),
    "closed_at": _l("geschlossen am"),
    "closes_at": _l("endet am"),
    "count": _l("Anzahl"),
    "counted": _l("gezählte Stimmen"),
    "excluded": _l("ausgeschlossene Stimmen"),
    "opens_at": _l("beginnt am"),
    "pattern": _l("Muster"),
    "vote": _l("Abstimmung Nr."),
    "alias": _l("Alias"),
    "domain": _l("Domain"),
    "members": _l("Mitglieder"),
    "added": _l("hinzugefügt"),
    "after": _l("nachher"),
    "answers": _l("Antworten"),
    "assignment": _l("Zuweisung Nr."),
    "attachments": _l("Anlagen"),
    "audience": _l("Empfängerkreis"),
    "before": _l("vorher"),
    "by_self": _l("von der Person selbst"),
    "category": _l("Kategorie Nr."),
    "changed": _l("geändert"),
    "companies": _l("Unternehmen"),
    "company": _l("Unternehmen Nr."),
    "company_deleted": _l("Unternehmen gelöscht"),
    "conflict": _l("Befangenheit Nr."),
    "counted_sha256": _l("Prüfsumme der gezählten Bögen"),
    "detail": _l("Angabe"),
    "digest": _l("Prüfsumme"),
    "edition": _l("Ausschreibung Nr."),
    "eligible": _l("zugelassen"),
    "ends_at": _l("endet am"),
    "entries": _l("Beiträge"),
    "entry": _l("Beitrag Nr."),
    "entry_id": _l("Beitrag Nr."),
    "frozen": _l("eingefroren"),
    "invited_by": _l("eingeladen von Konto Nr."),
    "job_id": _l("Hintergrundauftrag Nr."),
    "juror": _l("Jurymitglied (Konto Nr.)"),
    "juror_of_running_editions": _l("Jurymitglied in laufenden Ausschreibungen Nr."),
    "key": _l("Vorlage"),
    "kind": _l("Art"),
    "legal_name": _l("Firmenname"),
    "locale": _l("Sprache"),
    "method": _l("Verfahren"),
    "name": _l("Name"),
    "new": _l("neu"),
    "new_version": _l("neue Fassung"),
    "number": _l("Nummer"),
    "old": _l("bisher"),
    "pairs": _l("Paare"),
    "place": _l("Platz"),
    "question_id": _l("Frage Nr."),
    "reason": _l("Begründung"),
    "recipients": _l("Empfänger"),
    "redacted_versions": _l("geschwärzte Fassungen"),
    "removed": _l("entfernt"),
    "roles": _l("Rollen"),
    "round": _l("Bewertungsrunde Nr."),
    "scores": _l("Punkte"),
    "sha256": _l("Prüfsumme"),
    "sheet": _l("Bewertungsbogen Nr."),
    "sheet_status": _l("Status des Bogens"),
    "size_bytes": _l("Größe in Byte"),
    "skipped": _l("übersprungen"),
    "slug": _l("Kurzname"),
    "snapshot": _l("eingefrorener Stand Nr."),
    "source": _l("Herkunft"),
    "status": _l("Status"),
    "to_rank": _l("auf Rang"),
    "total": _l("Gesamtpunktzahl"),
    "until": _l("bis"),
    "user": _l("Konto Nr."),
    "values": _l("Werte"),
    "version": _l("Fassung"),
}

VALUE_LABELS: dict[str, object] = {
    "declared": _l("vom Jurymitglied erklärt"),
    "detected": _l("automatisch erkannt"),
    "draft": _l("Entwurf"),
    "submitted": _l("eingereicht"),
    "preparation": _l("Vorbereitung"),
    "submission": _l("Einreichung"),
    "review": _l("Zulassungsprüfung"),
    "jury": _l("Jurybewertung"),
    "deliberation": _l("Jurysitzung"),
    "published": _l("Veröffentlicht"),
    "applicant": _l("Unternehmen"),
    "winner": _l("Preis"),
    "mention": _l("Anerkennung"),
    "weighted-mean": _l("Gewichteter Mittelwert"),
    "median": _l("Median"),
    "trimmed-mean": _l("Getrimmter Mittelwert"),
    "calibrated": _l("um Strenge bereinigt"),
    "automatic": _l("automatisch"),
    "manual": _l("von Hand"),
    "eligible": _l("zugelassen"),
    "ineligible": _l("nicht zugelassen"),
    "withdrawn": _l("zurückgezogen"),
    "shortlisted": _l("Shortlist"),
    "active": _l("wirksam"),
    "confirmed": _l("bestätigt"),
    "dismissed": _l("verworfen"),
    "applicants": _l("alle Einreichenden"),
    "drafts": _l("Unternehmen mit Entwürfen"),
    "finalists": _l("Finalistinnen und Finalisten"),
    "jurors": _l("alle Jurymitglieder"),
    "jurors_open": _l("Jurymitglieder mit offenen Bewertungen"),
    "de": _l("Deutsch"),
    "en": _l("Englisch"),
    "juror": _l("Jurymitglied"),
    "organiser": _l("Organisationsteam"),
}

# Long hashes are shortened; the full value stays in the CSV export and the database.
_HASH_KEYS = {"sha256", "digest", "counted_sha256"}


def action_label(action: str) -> str:
    """The German label; an unknown key (from an older version) is named as such, never shown bare."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else str(_l("Sonstige Aktion"))


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else str(_l("Objekt"))


@dataclass(frozen=True)
class DetailLine:
    label: str
    value: str


def _is_iso_datetime(value: str) -> datetime | None:
    if len(value) < 16 or value[4] != "-" or ("T" not in value and " " not in value[10:11]):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def format_value(value, *, key: str = "", fmt_datetime=None, fmt_decimal=None) -> str:
    """A detail value in plain German: Ja/Nein, decimal commas, dates, lists joined, small dicts as "a: b"."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return str(_l("Ja")) if value else str(_l("Nein"))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return fmt_decimal(Decimal(str(value))) if fmt_decimal else str(value).replace(".", ",")
    if isinstance(value, list):
        return ", ".join(format_value(v, fmt_datetime=fmt_datetime, fmt_decimal=fmt_decimal) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{DETAIL_LABELS.get(k, k)}: "
                         f"{format_value(v, key=k, fmt_datetime=fmt_datetime, fmt_decimal=fmt_decimal)}"
                         for k, v in value.items())
    text = str(value)
    if key in _HASH_KEYS and len(text) > 16:
        return text[:12] + "…"
    when = _is_iso_datetime(text)
    if when is not None and fmt_datetime is not None:
        return fmt_datetime(when)
    if text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if "." in text and number.is_finite():
        return fmt_decimal(number) if fmt_decimal else text.replace(".", ",")
    return text


def detail_lines(data: Mapping | None, *, fmt_datetime=None, fmt_decimal=None) -> list[DetailLine]:
    """The event's details as (label, value) lines for a small table; unknown keys get a neutral label."""
    lines = []
    for key, value in (data or {}).items():
        label = DETAIL_LABELS.get(key)
        lines.append(DetailLine(label=str(label) if label is not None else str(_l("weitere Angabe")),
                                value=format_value(value, key=key, fmt_datetime=fmt_datetime,
                                                   fmt_decimal=fmt_decimal)))
    return lines

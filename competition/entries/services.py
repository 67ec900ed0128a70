"""Use cases of entries: create, save, submit, withdraw; deadline extensions and eligibility. They flush, never commit;
`by` and `now` are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from ..accounts.models import User
from ..core import audit
from ..core.errors import AlreadyExists, DomainError, Locked, PermissionDenied, ValidationFailed
from ..editions.conditions import NOT_YET, current_conditions
from ..editions.models import Category, Edition
from ..extensions import db
from . import permissions, rules
from .company_services import COMPANY_FIELDS
from .models import (
    Answer,
    Company,
    DeadlineExtension,
    Entry,
    EntryStatus,
    EntryVersion,
    Question,
    QuestionKind,
)
from .queries import CORE_FIELDS, active_questions, entry_gaps
from .receipts import snapshot_sha256
from .text import sanitise, visible_length

RICH_FIELDS = ("description", "implementation", "regional_benefit", "sustainability")


class StaleEdit(DomainError):
    """The entry was saved elsewhere (another tab or colleague) after this form was loaded."""


# --- entries -----------------------------------------------------------------------------------------------------

def create_entry(*, company: Company, category: Category, by: User, now: datetime) -> Entry:
    if not permissions.is_member(by, company):
        raise PermissionDenied(_l("Sie gehören nicht zu diesem Unternehmen."))
    edition = category.edition
    extension = permissions.extension_for(company.id, edition.id)
    if not rules.submissions_open(now=now, phase_is_submission=edition.flags(now).submissions_open,
                                  opens_at=edition.registration_opens_at,
                                  extended_until=extension.extended_until if extension else None):
        raise Locked(_l("Für diese Ausschreibung können derzeit keine Beiträge angelegt werden."))
    clash = db.session.scalar(select(Entry).where(Entry.company_id == company.id, Entry.category_id == category.id))
    if clash is not None:
        raise AlreadyExists(_l("Ihr Unternehmen hat in der Kategorie „%(name)s“ bereits einen Beitrag.",
                               name=category.name), field="category_id")
    entry = Entry(edition_id=edition.id, company_id=company.id, category_id=category.id, created_by_id=by.id,
                  created_at=now, updated_at=now, status=EntryStatus.DRAFT)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor=by, action="entry.created", obj_type="entry", obj_id=entry.id, now=now,
                 category=category.name)
    return entry


def parse_answer(question: Question, raw: Any) -> Any:
    """Turn form input into the stored value; raises ValidationFailed naming the question's field."""
    field = f"q_{question.id}"
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        text = (raw or "").strip()
        text = sanitise(text) if kind is QuestionKind.LONG_TEXT else text
        limit = question.max_length or (300 if kind is QuestionKind.SHORT_TEXT else None)
        if limit and visible_length(text) > limit:
            raise ValidationFailed(_l("Bitte kürzen Sie den Text auf höchstens %(n)s Zeichen.", n=limit), field=field)
        return text or None
    if kind is QuestionKind.NUMBER:
        text = (raw or "").strip().replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationFailed(_l("Bitte geben Sie eine Zahl ein, z. B. 12,5."), field=field) from None
        if not value.is_finite() or abs(value) >= Decimal("1e15"):
            raise ValidationFailed(_l("Bitte geben Sie eine Zahl ein, z. B. 12,5."), field=field)
        return float(value) if value != value.to_integral_value() else int(value)
    if kind is QuestionKind.DATE:
        text = (raw or "").strip()
        if not text:
            return None
        for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d.%m.%Y").date()):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
        raise ValidationFailed(_l("Bitte geben Sie ein Datum an, z. B. 31.03.2026."), field=field)
    if kind is QuestionKind.SINGLE_CHOICE:
        if not raw:
            return None
        if raw not in question.choices:
            raise ValidationFailed(_l("Bitte wählen Sie eine der angebotenen Antworten."), field=field)
        return raw
    if kind is QuestionKind.MULTIPLE_CHOICE:
        values = [v for v in (raw or []) if v]
        if any(v not in question.choices for v in values):
            raise ValidationFailed(_l("Bitte wählen Sie nur angebotene Antworten."), field=field)
        return [c for c in question.choices if c in values] or None
    if kind is QuestionKind.YES_NO:
        if raw in ("yes", "no"):
            return raw == "yes"
        return None
    return None  # file questions are answered with attachments


@dataclass(frozen=True)
class EntryInput:
    category_id: int | None
    core: dict[str, str]
    answers: dict[int, Any]  # raw form values per question id
    publish_summary: bool | None = None  # None: leave as it is (autosave of a form without the box)


def save_draft(
    *, entry: Entry, data: EntryInput, lock_version: int | None, by: User, now: datetime
) -> dict[str, str]:
    """Save the working copy (explicitly or by autosave). Returns the fields that were refused, with the reason
    (over-long text is saved and reported at submit; an invalid answer keeps its old value and stays on screen)."""
    why = permissions.why_not_edit(by, entry, now)
    if why:
        raise Locked(why)
    if lock_version is not None and lock_version != entry.lock_version:
        raise StaleEdit(_l("Dieser Beitrag wurde inzwischen an anderer Stelle gespeichert (anderer Tab oder eine "
                           "Kollegin bzw. ein Kollege). Bitte laden Sie die Seite neu; Ihre Eingaben sehen Sie "
                           "unten zum Kopieren."))
    problems: dict[str, str] = {}
    questions = {q.id: q for q in active_questions(entry.edition_id)}  # read before changing: one UPDATE per save
    existing = {a.question_id: a for a in entry.answers}
    if data.category_id and data.category_id != entry.category_id and entry.status is EntryStatus.DRAFT:
        category = db.session.get(Category, data.category_id)
        taken = category is not None and db.session.scalar(
            select(Entry.id).where(
                Entry.company_id == entry.company_id, Entry.category_id == category.id, Entry.id != entry.id
            )
        )
        if category is None or category.edition_id != entry.edition_id or taken:
            problems["category_id"] = str(_l("In dieser Kategorie hat Ihr Unternehmen bereits einen Beitrag."))
        else:
            entry.category_id = category.id
    for name in CORE_FIELDS:
        value = (data.core.get(name) or "").strip()
        if name in RICH_FIELDS or name == "summary":
            value = sanitise(value)
        if name == "video_url" and value and not value.startswith(("https://", "http://")):
            problems[name] = str(_l("Bitte geben Sie eine vollständige Adresse an, die mit https:// beginnt."))
            continue
        capacity = getattr(Entry.__table__.c[name].type, "length", None)  # title, video_url: VARCHAR(n)
        if capacity is not None and len(value) > capacity:
            # Over-long text is kept and reported at submit, but only up to what the column holds (PostgreSQL
            # refuses more); beyond that the old value stays and the typed one stays on screen.
            problems[name] = str(_l("Dieser Text ist zu lang zum Speichern (höchstens %(limit)s Zeichen). Bitte "
                                    "kürzen Sie ihn.", limit=capacity))
            continue
        setattr(entry, name, value)
    if data.publish_summary is not None:
        entry.publish_summary = data.publish_summary
    for question_id, raw in data.answers.items():
        question = questions.get(question_id)
        if question is None or question.kind is QuestionKind.FILE:
            continue
        try:
            value = parse_answer(question, raw)
        except ValidationFailed as exc:
            problems[f"q_{question_id}"] = str(exc.message)
            continue
        if question_id in existing:
            existing[question_id].value = value
        else:
            entry.answers.append(Answer(question_id=question_id, value=value))
    entry.updated_at = now
    db.session.flush()
    return problems


def snapshot(entry: Entry, *, version: int, by: User, now: datetime) -> dict[str, Any]:
    company = entry.company
    questions = active_questions(entry.edition_id)
    answers = {a.question_id: a.value for a in entry.answers}
    return {
        "entry": {
            "id": entry.id,
            "number": entry.number,
            "edition": entry.edition.name,
            "category": entry.category.name,
            **{name: getattr(entry, name) for name in CORE_FIELDS},
        },
        "company": {name: (getattr(company, name).value if hasattr(getattr(company, name), "value")
                           else getattr(company, name)) for name in COMPANY_FIELDS},
        "answers": [
            {"question_id": q.id, "label": q.label, "kind": q.kind.value, "visibility": q.visibility.value,
             "value": answers.get(q.id)}
            for q in questions
        ],
        "attachments": [
            {"id": a.id, "name": a.original_name, "kind": a.kind, "size_bytes": a.size_bytes, "sha256": a.sha256,
             "question_id": a.question_id}
            for a in entry.attachments
        ],
        "version": version,
        "submitted_at": now.isoformat(),
        "submitted_by": f"{by.full_name} <{by.email}>",
        "terms_version": entry.edition.terms_version,
    }


def _next_number(entry: Entry) -> str:
    """The next free IND-<year>-NNNN; numbers are unique across editions (two editions may share a year)."""
    year = entry.edition.submission_deadline_at.year
    prefix = f"IND-{year}-"
    if db.session.get_bind().dialect.name == "postgresql":
        # Two first submits at once would read the same maximum and one would fail on the unique number (seen in
        # bench/deadline_rush.py): numbers of a year are handed out one at a time, until the transaction ends.
        # (SQLite serialises writers anyway.)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 20_000_000 + year})
    last = db.session.scalar(select(func.max(Entry.number)).where(Entry.number.like(f"{prefix}%")))
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return rules.entry_number(year, sequence)


def submit_entry(*, entry: Entry, consent: bool, lock_version: int | None, by: User, now: datetime) -> EntryVersion:
    """The final check and the submit. The deadline is checked here, with the server clock, in the transaction
    that stores the version: a request that arrives late is refused and the draft stays as it was."""
    why = permissions.why_not_edit(by, entry, now)
    if why:
        raise Locked(why)
    if lock_version is not None and lock_version != entry.lock_version:
        raise StaleEdit(_l("Dieser Beitrag wurde inzwischen geändert. Bitte prüfen Sie ihn und reichen Sie dann "
                           "erneut ein."))
    conditions = current_conditions(entry.edition_id)
    if conditions is None:
        raise Locked(NOT_YET)
    if not consent:
        raise ValidationFailed(_l("Bitte stimmen Sie den Teilnahmebedingungen und den Datenschutzhinweisen zu."),
                               field="consent")
    found = entry_gaps(entry)
    if found:
        raise ValidationFailed(_l("Der Beitrag ist noch nicht vollständig. Bitte ergänzen Sie die markierten "
                                  "Angaben."), field="gaps")
    if entry.number is None:
        entry.number = _next_number(entry)
    number = (entry.latest_version.number + 1) if entry.versions else 1
    content = snapshot(entry, version=number, by=by, now=now)
    version = EntryVersion(
        number=number, submitted_at=now, submitted_by_id=by.id, terms_version=str(conditions.version),
        conditions_id=conditions.id, consent_at=now, content=content, content_sha256=snapshot_sha256(content),
    )
    entry.versions.append(version)
    entry.status = EntryStatus.SUBMITTED
    entry.last_submitted_at = now
    db.session.flush()
    audit.record(actor=by, action="entry.submitted", obj_type="entry", obj_id=entry.id, now=now,
                 number=entry.number, version=number, sha256=version.content_sha256)
    return version


def withdraw_entry(*, entry: Entry, by: User, now: datetime) -> None:
    if not permissions.is_member(by, entry.company):
        raise PermissionDenied(_l("Dieser Beitrag gehört zu einem anderen Unternehmen."))
    if entry.status is EntryStatus.WITHDRAWN:
        raise ValidationFailed(_l("Dieser Beitrag wurde bereits zurückgezogen."))
    if not permissions.submissions_open_for(entry, now):
        raise Locked(_l("Nach Ablauf der Einreichungsfrist kann ein Beitrag nicht mehr zurückgezogen werden. "
                        "Bitte wenden Sie sich an das Organisationsteam."))
    entry.status = EntryStatus.WITHDRAWN
    entry.withdrawn_at = now
    db.session.flush()
    audit.record(actor=by, action="entry.withdrawn", obj_type="entry", obj_id=entry.id, now=now)


# --- deadline extensions and eligibility (organisers) ------------------------------------------------------------

def grant_extension(*, edition: Edition, company: Company, until: datetime, reason: str, by: User,
                    now: datetime) -> DeadlineExtension:
    if not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam kann Fristen verlängern."))
    if not reason.strip():
        raise ValidationFailed(_l("Bitte begründen Sie die Fristverlängerung."), field="reason")
    if until <= edition.submission_deadline_at:
        raise ValidationFailed(_l("Die neue Frist muss nach der regulären Einreichungsfrist liegen."), field="until")
    extension = permissions.extension_for(company.id, edition.id)
    if extension is None:
        extension = DeadlineExtension(edition_id=edition.id, company_id=company.id)
        db.session.add(extension)
    extension.extended_until = until
    extension.reason = reason.strip()
    extension.granted_by_id = by.id
    extension.granted_at = now
    db.session.flush()
    audit.record(actor=by, action="deadline.extended", obj_type="company", obj_id=company.id, now=now,
                 edition=edition.id, until=until.isoformat(), reason=reason.strip())
    return extension


def decide_eligibility(*, entry: Entry, eligible: bool, reason: str, by: User, now: datetime) -> None:
    if not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam entscheidet über die Zulassung."))
    if entry.status not in (EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE):
        raise Locked(_l("Über die Zulassung kann nur bei eingereichten Beiträgen entschieden werden."))
    if not eligible and not reason.strip():
        raise ValidationFailed(_l("Bitte begründen Sie die Ablehnung; das Unternehmen sieht die Begründung."),
                               field="reason")
    entry.status = EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE
    entry.eligibility_reason = reason.strip()
    entry.eligibility_decided_at = now
    entry.eligibility_decided_by_id = by.id
    db.session.flush()
    audit.record(actor=by, action="entry.eligibility", obj_type="entry", obj_id=entry.id, now=now,
                 eligible=eligible, reason=reason.strip())

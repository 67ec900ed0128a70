"""Use cases of companies and entries. They flush, never commit; `by` and `now` are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from ..accounts.models import Role, User
from ..accounts.services import grant_role, normalize_email
from ..core import audit
from ..core.errors import AlreadyExists, DomainError, Locked, PermissionDenied, ValidationFailed
from ..core.permissions import require_organiser
from ..editions.conditions import NOT_YET, current_conditions
from ..editions.models import Category, Edition, ParticipationConditions
from ..editions.services import running_editions
from ..extensions import db
from . import permissions, rules
from .models import (
    Answer,
    Company,
    CompanyInvite,
    CompanyMember,
    DeadlineExtension,
    Entry,
    EntryStatus,
    EntryVersion,
    PastCompanyMembership,
    Question,
    QuestionKind,
    Visibility,
)
from .receipts import snapshot_sha256
from .text import sanitise, visible_length

CORE_FIELDS = ("title", "summary", "description", "implementation", "regional_benefit", "sustainability", "video_url")
RICH_FIELDS = ("description", "implementation", "regional_benefit", "sustainability")
COMPANY_FIELDS = ("legal_name", "legal_form", "street", "postal_code", "city", "district", "employees",
                  "turnover_band", "industry", "website", "contact_name", "contact_email", "contact_phone")


class StaleEdit(DomainError):
    """The entry was saved elsewhere (another tab or colleague) after this form was loaded."""


# --- companies ---------------------------------------------------------------------------------------------------

def create_company(*, data: dict[str, Any], by: User, now: datetime) -> Company:
    if permissions.membership(by) is not None:
        raise AlreadyExists(_l("Sie gehören bereits zu einem Unternehmen."))
    company = Company(created_at=now, updated_at=now, **{k: data[k] for k in COMPANY_FIELDS})
    company.members.append(CompanyMember(user_id=by.id, is_admin=True, joined_at=now))
    db.session.add(company)
    grant_role(user=by, role=Role.APPLICANT, now=now)
    db.session.flush()
    audit.record(actor=by, action="company.created", obj_type="company", obj_id=company.id, now=now,
                 legal_name=company.legal_name)
    if juror_in_running_edition(by, now):
        _record_joining(user=by, company=company, action="company.member_joined", now=now)
    return company


# Changes of these fields are recorded with their values (public business data); of the others only which changed
# (contact details are personal data and stay out of the audit trail).
AUDITED_VALUES = ("legal_name", "legal_form", "city", "district")


def _plain_value(value: Any) -> Any:
    return getattr(value, "value", value)


def update_company(*, company: Company, data: dict[str, Any], by: User, now: datetime) -> None:
    """Change the company profile. What was submitted stays in the entries' versions (and is what is published);
    a change of name is audited as `company.renamed`, other changes as `company.updated`."""
    if not permissions.is_member(by, company):
        raise PermissionDenied(_l("Sie gehören nicht zu diesem Unternehmen."))
    before = {key: _plain_value(getattr(company, key)) for key in COMPANY_FIELDS}
    for key in COMPANY_FIELDS:
        setattr(company, key, data[key])
    company.updated_at = now
    db.session.flush()
    after = {key: _plain_value(getattr(company, key)) for key in COMPANY_FIELDS}
    changed = [key for key in COMPANY_FIELDS if before[key] != after[key]]
    if "legal_name" in changed:
        audit.record(actor=by, action="company.renamed", obj_type="company", obj_id=company.id, now=now,
                     before=before["legal_name"], after=after["legal_name"])
    others = [key for key in changed if key != "legal_name"]
    if others:
        audit.record(actor=by, action="company.updated", obj_type="company", obj_id=company.id, now=now,
                     changed=others, values={key: [before[key], after[key]] for key in others
                                             if key in AUDITED_VALUES})


def invite_colleague(*, company: Company, email: str, by: User, now: datetime) -> CompanyInvite:
    if not permissions.is_company_admin(by, company):
        raise PermissionDenied(_l("Nur die Administration Ihres Unternehmens kann Kolleginnen und Kollegen "
                                  "einladen."))
    email = normalize_email(email)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and permissions.membership(existing) is not None:
        raise AlreadyExists(_l("Diese Person gehört bereits zu einem Unternehmen."), field="email")
    invite = CompanyInvite(company=company, email=email, created_by_id=by.id, created_at=now,
                           expires_at=now + timedelta(days=14))
    db.session.add(invite)
    db.session.flush()
    return invite


def accept_colleague_invite(*, invite: CompanyInvite, user: User, now: datetime) -> None:
    if invite.accepted_at is not None or invite.expires_at <= now:
        raise ValidationFailed(_l("Diese Einladung ist nicht mehr gültig. Bitte lassen Sie sich erneut einladen."))
    if user.email != invite.email:
        raise PermissionDenied(_l("Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dieser Adresse "
                                  "an.", email=invite.email))
    if permissions.membership(user) is not None:
        raise AlreadyExists(_l("Sie gehören bereits zu einem Unternehmen."))
    invite.company.members.append(CompanyMember(user_id=user.id, is_admin=False, joined_at=now))
    grant_role(user=user, role=Role.APPLICANT, now=now)
    invite.accepted_at = now
    db.session.flush()
    _record_joining(user=user, company=invite.company, action="company.member_joined", now=now,
                    invited_by=invite.created_by_id)


def juror_in_running_edition(user: User, now: datetime) -> list[Edition]:
    """The running editions, when this person is a juror: joining a company then makes them conflicted with its
    entries (judging.conflict_check sees that at once), and the organisers must hear of it."""
    return running_editions(now) if user.has_role(Role.JUROR) else []


def _record_joining(*, user: User, company: Company, action: str, now: datetime, **data) -> None:
    editions = juror_in_running_edition(user, now)
    audit.record(actor=user, action=action, obj_type="company", obj_id=company.id, now=now, user=user.id,
                 juror_of_running_editions=[e.id for e in editions], **data)


def end_membership(*, membership: CompanyMember, now: datetime) -> None:
    """Someone leaves a company's account. The membership is kept as a past one: having belonged to the company
    stays a conflict of interest with its entries."""
    db.session.add(PastCompanyMembership(company_id=membership.company_id, user_id=membership.user_id,
                                         joined_at=membership.joined_at, left_at=now))
    membership.company.members.remove(membership)
    db.session.flush()


# --- entries -----------------------------------------------------------------------------------------------------

def open_editions(now: datetime) -> list[Edition]:
    """Editions whose submission phase is running: the effective phase decides (an organiser may open submission
    by hand before the calendar does), so every page agrees with it."""
    editions = db.session.scalars(select(Edition)).all()
    return [e for e in editions if e.flags(now).submissions_open]


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


def active_questions(edition_id: int) -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(Question.edition_id == edition_id, Question.archived_at.is_(None))
        .order_by(Question.position, Question.id)
    ))


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


def entry_gaps(entry: Entry) -> list[rules.Gap]:
    questions = active_questions(entry.edition_id)
    answers = {a.question_id: a.value for a in entry.answers}
    file_questions = {a.question_id for a in entry.attachments if a.question_id}
    draft = rules.EntryDraft(
        core={name: getattr(entry, name) for name in CORE_FIELDS},
        answers=answers,
        file_question_ids=frozenset(file_questions),
        attachment_count=len(entry.attachments),
    )
    specs = [rules.QuestionSpec(q.id, q.label, q.kind.value, q.is_required, q.max_length, tuple(q.choices or ()))
             for q in questions]
    return rules.gaps(draft, specs, visible_length=visible_length)


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


def agreed_conditions(entry: Entry) -> ParticipationConditions | None:
    """The version of the Teilnahmebedingungen the company agreed to with its latest submit (None before)."""
    version = entry.latest_version if entry.versions else None
    if version is None or version.conditions_id is None:
        return None
    return db.session.get(ParticipationConditions, version.conditions_id)


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


def has_unsubmitted_changes(entry: Entry) -> bool:
    version = entry.latest_version
    if version is None:
        return False
    submitted = version.content
    current = {name: getattr(entry, name) for name in CORE_FIELDS}
    if any(submitted["entry"].get(name) != value for name, value in current.items()):
        return True
    if submitted["entry"].get("category") != entry.category.name:
        return True
    answers = {a["question_id"]: a["value"] for a in submitted["answers"]}
    if any(answers.get(a.question_id) != a.value for a in entry.answers):
        return True
    return sorted(a["id"] for a in submitted["attachments"]) != sorted(a.id for a in entry.attachments)


def entries_of(company: Company):
    return select(Entry).where(Entry.company_id == company.id).order_by(Entry.created_at, Entry.id)


# --- questions (organisers) --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionData:
    kind: QuestionKind
    label: str
    help_text: str
    is_required: bool
    max_length: int | None
    choices: list[str]
    visibility: Visibility


def _check_question(data: QuestionData) -> None:
    if data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE) and len(data.choices) < 2:
        raise ValidationFailed(_l("Bitte geben Sie mindestens zwei Antwortmöglichkeiten an, eine pro Zeile."),
                               field="choices")
    if len(set(data.choices)) != len(data.choices):
        raise ValidationFailed(_l("Jede Antwortmöglichkeit darf nur einmal vorkommen."), field="choices")


def _require_organiser(by: User) -> None:
    require_organiser(by, _l("Nur das Organisationsteam kann Fragen festlegen."))


def add_question(*, edition: Edition, data: QuestionData, by: User, now: datetime) -> Question:
    _require_organiser(by)
    _check_question(data)
    position = (db.session.scalar(select(func.max(Question.position)).where(Question.edition_id == edition.id))
                or 0) + 1
    question = Question(edition_id=edition.id, position=position, created_at=now, **_question_values(data))
    db.session.add(question)
    db.session.flush()
    return question


def _question_values(data: QuestionData) -> dict[str, Any]:
    uses_choices = data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    uses_length = data.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
    return {
        "kind": data.kind, "label": data.label.strip(), "help_text": data.help_text.strip(),
        "is_required": data.is_required, "max_length": data.max_length if uses_length else None,
        "choices": data.choices if uses_choices else [], "visibility": data.visibility,
    }


def answer_count(question: Question) -> int:
    answered = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == question.id, Answer.value.is_not(None))
    ) or 0
    from .models import Attachment

    files = db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.question_id == question.id)
    ) or 0
    return answered + files


def update_question(*, question: Question, data: QuestionData, by: User) -> None:
    _require_organiser(by)
    _check_question(data)
    if question.kind is not data.kind and answer_count(question):
        raise Locked(_l("Zu dieser Frage gibt es bereits Antworten; die Art der Frage kann nicht mehr geändert "
                        "werden."), field="kind")
    removed = set(question.choices or []) - set(data.choices)
    if removed and answer_count(question):
        raise Locked(_l("Zu dieser Frage gibt es bereits Antworten; Antwortmöglichkeiten können ergänzt, aber nicht "
                        "entfernt werden."), field="choices")
    for key, value in _question_values(data).items():
        setattr(question, key, value)
    db.session.flush()


def delete_question(*, question: Question, by: User, now: datetime, archive_confirmed: bool) -> str:
    """Delete a question without answers. One with answers is only archived, and only when the organiser
    confirmed it: it disappears from the form, the answers stay in submitted versions and exports."""
    _require_organiser(by)
    count = answer_count(question)
    if count == 0:
        db.session.delete(question)
        db.session.flush()
        return "deleted"
    if not archive_confirmed:
        raise Locked(_l("Zu dieser Frage gibt es bereits %(n)s Antworten. Sie kann nicht gelöscht, nur archiviert "
                        "werden (die Antworten bleiben erhalten). Bitte bestätigen Sie das Archivieren.", n=count))
    question.archived_at = now
    db.session.flush()
    audit.record(actor=by, action="question.archived", obj_type="question", obj_id=question.id, now=now,
                 answers=count)
    return "archived"


def move_question(*, question: Question, direction: int, by: User) -> None:
    _require_organiser(by)
    siblings = active_questions(question.edition_id)
    index = next(i for i, q in enumerate(siblings) if q.id == question.id)
    other = index + direction
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, item in enumerate(siblings, start=1):
            item.position = position
        db.session.flush()


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

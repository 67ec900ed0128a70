"""Reads of entries: those several organiser views share (list, exports, ZIP), each returning a `select(...)`, and
those of an applicant's pages and the use cases (their entries, the questions, what is still missing, what changed
since the last submit)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import Role, User
from ..core.read_memo import remembered
from ..editions.models import Category, Edition, ParticipationConditions
from ..editions.services import running_editions
from ..extensions import db
from . import rules
from .models import Answer, Attachment, Company, District, Entry, EntryStatus, EntryVersion, Question, QuestionKind
from .text import visible_length

CORE_FIELDS = ("title", "summary", "description", "implementation", "regional_benefit", "sustainability", "video_url")


class Proposal(enum.StrEnum):
    """The system's eligibility proposal (rules.eligibility_concerns) as a list filter."""

    CLEAR = "ok"  # ohne Bedenken
    CONCERNS = "concerns"  # mit Bedenken


class Sort(enum.StrEnum):
    NUMBER = "number"
    TITLE = "title"
    COMPANY = "company"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class EntryFilters:
    edition_id: int | None = None
    category_id: int | None = None
    status: EntryStatus | None = None
    district: District | None = None
    proposal: Proposal | None = None
    search: str = ""
    sort: Sort = Sort.NUMBER
    descending: bool = False


SOUTHWEST_SAXONY = [District(value) for value in sorted(rules.SOUTHWEST_SAXONY)]

# Upper-case letters that SQLite's lower() (and PostgreSQL's with a C collation) leave alone: folded by hand so a
# search for "präzision" finds "PRÄZISION" on both databases.
_FOLD = (("Ä", "ä"), ("Ö", "ö"), ("Ü", "ü"), ("ẞ", "ß"), ("É", "é"), ("È", "è"), ("À", "à"))


def _folded(column) -> ColumnElement[str]:
    expression = column
    for upper, lower in _FOLD:
        expression = func.replace(expression, upper, lower)
    return func.lower(expression)


def _fold_text(text: str) -> str:
    for upper, lower in _FOLD:
        text = text.replace(upper, lower)
    return text.lower()


def concerns_clause() -> ColumnElement[bool]:
    """SQL twin of rules.eligibility_concerns: the company is outside Südwestsachsen or larger than allowed."""
    return or_(
        Company.district.not_in(SOUTHWEST_SAXONY),
        and_(Edition.max_employees.is_not(None), Company.employees > Edition.max_employees),
    )


def search_clause(search: str) -> ColumnElement[bool] | None:
    """Case-insensitive substring search in title, company name and entry number (LIKE wildcards escaped)."""
    terms = _fold_text(search).split()
    if not terms:
        return None
    return and_(*(
        or_(
            _folded(Entry.title).contains(term, autoescape=True),
            _folded(Company.legal_name).contains(term, autoescape=True),
            func.lower(func.coalesce(Entry.number, "")).contains(term, autoescape=True),
        )
        for term in terms
    ))


def _order(filters: EntryFilters) -> list:
    def direction(column):
        return column.desc() if filters.descending else column.asc()

    if filters.sort is Sort.TITLE:
        keys = [direction(_folded(Entry.title))]
    elif filters.sort is Sort.COMPANY:
        keys = [direction(_folded(Company.legal_name)), Entry.number.is_(None), Entry.number]
    elif filters.sort is Sort.SUBMITTED:
        # Never submitted (drafts) last in both directions, as NULLS LAST does on PostgreSQL.
        keys = [Entry.last_submitted_at.is_(None), direction(Entry.last_submitted_at)]
    else:
        keys = [Entry.number.is_(None), direction(Entry.number), _folded(Entry.title)]
    return [*keys, Entry.id]


def _matching(filters: EntryFilters) -> Select[tuple[Entry]]:
    """Entries matching the filters, joined to company, category and edition; no loading options, no order."""
    statement = select(Entry).join(Entry.company).join(Entry.category).join(Entry.edition)
    if filters.edition_id is not None:
        statement = statement.where(Entry.edition_id == filters.edition_id)
    if filters.category_id is not None:
        statement = statement.where(Entry.category_id == filters.category_id)
    if filters.status is not None:
        statement = statement.where(Entry.status == filters.status)
    if filters.district is not None:
        statement = statement.where(Company.district == filters.district)
    if filters.proposal is Proposal.CONCERNS:
        statement = statement.where(concerns_clause())
    elif filters.proposal is Proposal.CLEAR:
        statement = statement.where(~concerns_clause())
    clause = search_clause(filters.search)
    if clause is not None:
        statement = statement.where(clause)
    return statement


def entry_list(filters: EntryFilters) -> Select[tuple[Entry]]:
    """All entries matching the filters, sorted, with company, category and edition loaded in the same query."""
    return (
        _matching(filters)
        .options(contains_eager(Entry.company), contains_eager(Entry.category), contains_eager(Entry.edition))
        .order_by(*_order(filters))
    )


def export_rows(filters: EntryFilters) -> Select[tuple[Entry]]:
    """The list's entries for an export, with the working copy's answers and attachments (used for drafts)."""
    return entry_list(filters).options(selectinload(Entry.answers), selectinload(Entry.attachments))


def _newest_versions(entry_ids) -> Select[tuple[EntryVersion]]:
    newest = (
        select(EntryVersion.entry_id, func.max(EntryVersion.number).label("number"))
        .where(EntryVersion.entry_id.in_(entry_ids))
        .group_by(EntryVersion.entry_id)
        .subquery()
    )
    return select(EntryVersion).join(
        newest, and_(EntryVersion.entry_id == newest.c.entry_id, EntryVersion.number == newest.c.number)
    )


def latest_versions(filters: EntryFilters) -> Select[tuple[EntryVersion]]:
    """The last submitted version of each entry matching the filters (one row per entry that has one)."""
    return _newest_versions(_matching(filters).with_only_columns(Entry.id).scalar_subquery())


IN_COMPETITION = [s for s in EntryStatus if s not in (EntryStatus.DRAFT, EntryStatus.WITHDRAWN)]


def submitted_in_category(category_id: int) -> Select[tuple[Entry]]:
    """Entries of a category that are in the competition (submitted at least once, not withdrawn), by number."""
    return (
        select(Entry)
        .where(Entry.category_id == category_id, Entry.status.in_(IN_COMPETITION))
        .order_by(Entry.number, Entry.id)
    )


def latest_versions_in_category(category_id: int) -> Select[tuple[EntryVersion]]:
    ids = submitted_in_category(category_id).with_only_columns(Entry.id).order_by(None).scalar_subquery()
    return _newest_versions(ids)


def attachments_in_category(category_id: int) -> Select[tuple[Attachment]]:
    """Every attachment row (removed ones too: a submitted version may still refer to them) of the entries in the
    competition in this category."""
    ids = submitted_in_category(category_id).with_only_columns(Entry.id).order_by(None).scalar_subquery()
    return select(Attachment).where(Attachment.entry_id.in_(ids))


def filter_choices() -> tuple[Select[tuple[Edition]], Select[tuple[Category]]]:
    """Editions (newest first) and their categories for the filter form."""
    editions = select(Edition).order_by(Edition.submission_deadline_at.desc(), Edition.id.desc())
    categories = (
        select(Category).join(Category.edition)
        .options(contains_eager(Category.edition))
        .order_by(Edition.submission_deadline_at.desc(), Category.position, Category.id)
    )
    return editions, categories


# --- an applicant's entries and the entry form ----------------------------------------------------------------

def juror_in_running_edition(user: User, now: datetime) -> list[Edition]:
    """The running editions, when this person is a juror: joining a company then makes them conflicted with its
    entries (judging.conflict_check sees that at once), and the organisers must hear of it."""
    return running_editions(now) if user.has_role(Role.JUROR) else []


def open_editions(now: datetime) -> list[Edition]:
    """Editions whose submission phase is running: the effective phase decides (an organiser may open submission
    by hand before the calendar does), so every page agrees with it."""
    editions = db.session.scalars(select(Edition)).all()
    return [e for e in editions if e.flags(now).submissions_open]


def active_questions(edition_id: int) -> list[Question]:
    """The edition's questions in their order (asked by the form, the gap check and the save of one request: read
    once until the session writes)."""
    return list(remembered(("active_questions", edition_id), lambda: tuple(db.session.scalars(
        select(Question).where(Question.edition_id == edition_id, Question.archived_at.is_(None))
        .order_by(Question.position, Question.id)
    ))))


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


def agreed_conditions(entry: Entry) -> ParticipationConditions | None:
    """The version of the Teilnahmebedingungen the company agreed to with its latest submit (None before)."""
    version = entry.latest_version if entry.versions else None
    if version is None or version.conditions_id is None:
        return None
    return db.session.get(ParticipationConditions, version.conditions_id)


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


def file_questions(edition_id: int) -> list[Question]:
    """The edition's active questions that take a file (an upload can belong to one of them)."""
    return list(db.session.scalars(
        select(Question)
        .where(Question.edition_id == edition_id, Question.kind == QuestionKind.FILE,
               Question.archived_at.is_(None))
        .order_by(Question.position, Question.id)
    ))


def archived_questions(edition_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.edition_id == edition_id,
                                                          Question.archived_at.is_not(None))))


def submitted_count(edition_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.edition_id == edition_id, Entry.last_submitted_at.is_not(None)))


def answer_count(question: Question) -> int:
    answered = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == question.id, Answer.value.is_not(None))
    ) or 0
    files = db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.question_id == question.id)
    ) or 0
    return answered + files

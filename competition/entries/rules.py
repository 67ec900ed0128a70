"""Submission rules, completeness and eligibility. Pure: no Flask, no database; `now` is a parameter."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

SOUTHWEST_SAXONY = frozenset({"chemnitz", "zwickau", "mittelsachsen", "erzgebirgskreis", "vogtlandkreis"})

# Length limits of the core fields (characters of visible text).
LIMITS = {
    "title": 200,
    "summary": 600,
    "description": 6000,
    "implementation": 3000,
    "regional_benefit": 3000,
    "sustainability": 3000,
    "video_url": 500,
}
REQUIRED_CORE = ("title", "summary", "description", "implementation", "regional_benefit")


def effective_deadline(deadline: datetime, extended_until: datetime | None) -> datetime:
    """The company's deadline: the edition's, or a later one granted to this company."""
    if extended_until is not None and extended_until > deadline:
        return extended_until
    return deadline


def submissions_open(*, now: datetime, phase_is_submission: bool, opens_at: datetime,
                     extended_until: datetime | None) -> bool:
    """Open in the submission phase; after it only for a company with an extension that has not run out."""
    if phase_is_submission:
        return True
    return extended_until is not None and opens_at <= now < extended_until


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    label: str
    kind: str
    is_required: bool
    max_length: int | None = None
    choices: tuple[str, ...] = ()


class Missing(enum.Enum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    NO_ATTACHMENT = "no_attachment"


@dataclass(frozen=True)
class Gap:
    field: str  # a core field name, or "q_<question id>"
    problem: Missing
    label: str = ""
    limit: int | None = None


@dataclass(frozen=True)
class EntryDraft:
    core: dict[str, str]
    answers: dict[int, object] = field(default_factory=dict)
    file_question_ids: frozenset[int] = frozenset()  # questions of kind "file" that have an attachment
    attachment_count: int = 0


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def gaps(draft: EntryDraft, questions: list[QuestionSpec], *, visible_length) -> list[Gap]:
    """What stops a submit. `visible_length(text)` counts the characters a reader sees (formatting excluded)."""
    found: list[Gap] = []
    for name in REQUIRED_CORE:
        if _empty(draft.core.get(name)):
            found.append(Gap(name, Missing.REQUIRED))
    for name, limit in LIMITS.items():
        value = draft.core.get(name) or ""
        if visible_length(value) > limit:
            found.append(Gap(name, Missing.TOO_LONG, limit=limit))
    for question in questions:
        key = f"q_{question.id}"
        if question.kind == "file":
            if question.is_required and question.id not in draft.file_question_ids:
                found.append(Gap(key, Missing.NO_ATTACHMENT, question.label))
            continue
        value = draft.answers.get(question.id)
        unanswered = value is None if question.kind == "yes_no" else _empty(value)
        if question.is_required and unanswered:
            found.append(Gap(key, Missing.REQUIRED, question.label))
        if question.max_length and isinstance(value, str) and visible_length(value) > question.max_length:
            found.append(Gap(key, Missing.TOO_LONG, question.label, question.max_length))
    return found


class EligibilityConcern(enum.Enum):
    OUTSIDE_REGION = "outside_region"
    TOO_LARGE = "too_large"


def eligibility_concerns(*, district: str, employees: int, max_employees: int | None) -> list[EligibilityConcern]:
    """The system's proposal: no concerns means "eligible"; the organiser decides."""
    concerns = []
    if district not in SOUTHWEST_SAXONY:
        concerns.append(EligibilityConcern.OUTSIDE_REGION)
    if max_employees is not None and employees > max_employees:
        concerns.append(EligibilityConcern.TOO_LARGE)
    return concerns


def entry_number(edition_year: int, sequence: int) -> str:
    """IND-2026-0007: the number on the receipt and in every list."""
    return f"IND-{edition_year}-{sequence:04d}"

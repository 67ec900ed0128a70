"""Use cases of an edition's questions (the entry form beyond the core fields), for organisers. They flush, never
commit; `by` and `now` are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..core import audit
from ..core.errors import Locked, ValidationFailed
from ..core.permissions import require_organiser
from ..editions.models import Edition
from ..extensions import db
from .models import Question, QuestionKind, Visibility
from .queries import active_questions, answer_count


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

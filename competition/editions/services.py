"""Use cases for setting up an edition. They flush, never commit; `by` is the acting organiser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..core.errors import AlreadyExists, Locked, ValidationFailed
from ..core.permissions import require_organiser
from ..core.slugs import is_slug, slugify
from ..extensions import db
from .conditions import why_not_open
from .models import Category, Criterion, Edition, JudgingRound
from .phases import Phase, PhaseDates, date_order_problems
from .scales import Scale, ScaleProblem

DATE_LABELS = {
    "registration_opens_at": _l("Beginn der Registrierung"),
    "submission_deadline_at": _l("Einreichungsfrist"),
    "jury_starts_at": _l("Beginn der Jurybewertung"),
    "jury_ends_at": _l("Ende der Jurybewertung"),
    "publication_at": _l("Veröffentlichung der Ergebnisse"),
}

SCALE_MESSAGES = {
    ScaleProblem.MIN_NOT_BELOW_MAX: _l("Der kleinste Wert der Skala muss unter dem größten liegen."),
    ScaleProblem.STEP_NOT_POSITIVE: _l("Die Schrittweite muss größer als 0 sein."),
    ScaleProblem.STEP_DOES_NOT_DIVIDE: _l(
        "Die Skala muss in ganzen Schritten aufgehen, z. B. 0 bis 10 in Schritten von 0,5."
    ),
    ScaleProblem.TOO_MANY_STEPS: _l("Die Skala hat zu viele Stufen (höchstens 200)."),
}


def _require_organiser(by: User) -> None:
    require_organiser(by, _l("Nur das Organisationsteam kann Ausschreibungen einrichten."))


# --- editions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EditionData:
    name: str
    description: str
    dates: PhaseDates
    slug: str = ""  # derived from the name when empty
    max_file_mb: int = 20
    max_entry_mb: int = 50
    max_files: int = 10
    allow_office_files: bool = False
    terms_version: str = "2026-1"
    max_employees: int | None = None
    is_blind: bool = False
    retention_until: datetime | None = None


def _check_edition(data: EditionData, *, edition_id: int | None) -> None:
    if data.max_file_mb > data.max_entry_mb:
        raise ValidationFailed(_l("Eine einzelne Datei darf nicht größer sein als alle Anlagen zusammen."),
                               field="max_file_mb")
    for later, earlier in date_order_problems(data.dates):
        raise ValidationFailed(
            _l("„%(later)s“ muss nach „%(earlier)s“ liegen.", later=DATE_LABELS[later],
               earlier=DATE_LABELS[earlier]),
            field=later,
        )
    if data.retention_until is not None and data.retention_until <= data.dates.publication_at:
        raise ValidationFailed(_l("„Aufbewahrung bis“ muss nach der Veröffentlichung der Ergebnisse liegen."),
                               field="retention_until")
    clash = db.session.scalar(
        select(Edition.id).where(func.lower(Edition.name) == data.name.strip().lower(), Edition.id != (edition_id or 0))
    )
    if clash:
        raise AlreadyExists(_l("Eine Ausschreibung mit diesem Namen gibt es bereits."), field="name")
    slug = _slug(data)
    if not is_slug(slug):
        raise ValidationFailed(_l("Das Kürzel darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten, z. B. "
                                  "„ind-2026“."), field="slug")
    if db.session.scalar(select(Edition.id).where(Edition.slug == slug, Edition.id != (edition_id or 0))):
        raise AlreadyExists(_l("Dieses Kürzel ist schon vergeben."), field="slug")


def _slug(data: EditionData) -> str:
    return (data.slug or "").strip().lower() or slugify(data.name)[:80]


def _apply_edition(edition: Edition, data: EditionData) -> None:
    edition.name = data.name.strip()
    edition.slug = _slug(data)
    edition.description = data.description.strip()
    edition.max_file_mb = data.max_file_mb
    edition.max_entry_mb = data.max_entry_mb
    edition.max_files = data.max_files
    edition.allow_office_files = data.allow_office_files
    edition.terms_version = data.terms_version.strip()
    edition.max_employees = data.max_employees
    edition.is_blind = data.is_blind
    edition.retention_until = data.retention_until
    for field, value in data.dates.boundaries():
        setattr(edition, field, value)


def create_edition(*, data: EditionData, by: User, now: datetime) -> Edition:
    _require_organiser(by)
    _check_edition(data, edition_id=None)
    edition = Edition(created_at=now, updated_at=now)
    _apply_edition(edition, data)
    db.session.add(edition)
    db.session.flush()
    return edition


def update_edition(*, edition: Edition, data: EditionData, by: User, now: datetime) -> None:
    _require_organiser(by)
    _check_edition(data, edition_id=edition.id)
    _apply_edition(edition, data)
    edition.updated_at = now
    db.session.flush()


def set_phase_override(*, edition: Edition, phase: Phase | None, by: User, now: datetime) -> None:
    from ..core import audit

    _require_organiser(by)
    if phase is Phase.SUBMISSION:
        why = why_not_open(edition)
        if why:
            raise ValidationFailed(why)
    old = edition.phase_override.value if edition.phase_override else None
    edition.phase_override = phase
    db.session.flush()
    audit.record(actor=by, action="edition.phase_override", obj_type="edition", obj_id=edition.id,
                 now=now, old=old, new=phase.value if phase else None)


def edition_by_slug(slug: str) -> Edition | None:
    return db.session.scalar(select(Edition).where(Edition.slug == slug))


def list_editions():
    return select(Edition).order_by(Edition.registration_opens_at.desc(), Edition.id.desc())


RUNNING_PHASES = (Phase.SUBMISSION, Phase.REVIEW, Phase.JURY, Phase.DELIBERATION)


def running_editions(now: datetime) -> list[Edition]:
    """Editions under way: registration has opened and the results are not yet published (by the calendar or an
    organiser's phase override)."""
    editions = db.session.scalars(select(Edition).order_by(Edition.registration_opens_at, Edition.id))
    return [edition for edition in editions if edition.phase(now) in RUNNING_PHASES]


def current_edition(now: datetime) -> Edition | None:
    """The edition the public site shows: the latest one whose registration has opened, else the next one."""
    opened = db.session.scalar(
        select(Edition).where(Edition.registration_opens_at <= now).order_by(Edition.registration_opens_at.desc())
    )
    if opened is not None:
        return opened
    return db.session.scalar(select(Edition).order_by(Edition.registration_opens_at).limit(1))


# Which editions have published results, and where: answered by the rankings module (a higher one), which
# registers a provider here, so the home page can link them without this module importing rankings.
_RESULTS_PROVIDERS: list = []


def register_published_results(provider) -> None:
    """``provider(now)`` returns ``[(edition name, URL of its public results), …]``, newest first."""
    if provider not in _RESULTS_PROVIDERS:
        _RESULTS_PROVIDERS.append(provider)


def published_results(now: datetime) -> list[tuple[str, str]]:
    return [item for provider in _RESULTS_PROVIDERS for item in provider(now)]


# --- categories --------------------------------------------------------------------------------------------------

def _check_category_name(edition: Edition, name: str, category_id: int | None) -> None:
    clash = db.session.scalar(
        select(Category.id).where(
            Category.edition_id == edition.id,
            func.lower(Category.name) == name.strip().lower(),
            Category.id != (category_id or 0),
        )
    )
    if clash:
        raise AlreadyExists(_l("Diese Kategorie gibt es in dieser Ausschreibung bereits."), field="name")


def add_category(*, edition: Edition, name: str, description: str, by: User) -> Category:
    _require_organiser(by)
    _check_category_name(edition, name, None)
    position = (db.session.scalar(select(func.max(Category.position)).where(Category.edition_id == edition.id))
                or 0) + 1
    category = Category(edition=edition, name=name.strip(), description=description.strip(), position=position)
    db.session.add(category)
    db.session.flush()
    return category


def update_category(*, category: Category, name: str, description: str, by: User) -> None:
    _require_organiser(by)
    _check_category_name(category.edition, name, category.id)
    category.name = name.strip()
    category.description = description.strip()
    db.session.flush()


def delete_category(*, category: Category, by: User) -> None:
    _require_organiser(by)
    db.session.delete(category)
    db.session.flush()


# --- judging rounds ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundData:
    name: str
    description: str
    scale: Scale
    jurors_per_entry: int
    deadline_at: datetime
    show_scores_after_submit: bool = False


def _check_round(edition: Edition, data: RoundData, judging_round: JudgingRound | None) -> None:
    problems = data.scale.problems()
    if problems:
        raise ValidationFailed(SCALE_MESSAGES[problems[0]], field="scale_max")
    if data.jurors_per_entry < 1:
        raise ValidationFailed(_l("Mindestens ein Jurymitglied pro Beitrag."), field="jurors_per_entry")
    if data.deadline_at <= edition.submission_deadline_at:
        raise ValidationFailed(
            _l("Die Bewertungsfrist muss nach der Einreichungsfrist liegen."), field="deadline_at"
        )
    position = judging_round.position if judging_round else len(edition.rounds) + 1
    previous = next((r for r in edition.rounds if r.position == position - 1), None)
    if previous is not None and data.deadline_at <= previous.deadline_at:
        raise ValidationFailed(
            _l("Die Bewertungsfrist muss nach der Frist der vorherigen Runde „%(name)s“ liegen.", name=previous.name),
            field="deadline_at",
        )
    clash = db.session.scalar(
        select(JudgingRound.id).where(
            JudgingRound.edition_id == edition.id,
            func.lower(JudgingRound.name) == data.name.strip().lower(),
            JudgingRound.id != (judging_round.id if judging_round else 0),
        )
    )
    if clash:
        raise AlreadyExists(_l("Eine Bewertungsrunde mit diesem Namen gibt es bereits."), field="name")


def _locked_message(judging_round: JudgingRound):
    return _l(
        "In der Bewertungsrunde „%(name)s“ wurde bereits bewertet. Kriterien, Gewichtungen und Skala können "
        "deshalb nicht mehr geändert werden.",
        name=judging_round.name,
    )


def add_round(*, edition: Edition, data: RoundData, by: User) -> JudgingRound:
    _require_organiser(by)
    _check_round(edition, data, None)
    judging_round = JudgingRound(edition=edition, position=len(edition.rounds) + 1)
    _apply_round(judging_round, data)
    db.session.add(judging_round)
    db.session.flush()
    return judging_round


def _apply_round(judging_round: JudgingRound, data: RoundData) -> None:
    judging_round.name = data.name.strip()
    judging_round.description = data.description.strip()
    judging_round.scale_min = data.scale.minimum
    judging_round.scale_max = data.scale.maximum
    judging_round.scale_step = data.scale.step
    judging_round.jurors_per_entry = data.jurors_per_entry
    judging_round.deadline_at = data.deadline_at
    judging_round.show_scores_after_submit = data.show_scores_after_submit


def update_round(*, judging_round: JudgingRound, data: RoundData, by: User) -> None:
    _require_organiser(by)
    if judging_round.is_locked and data.scale != judging_round.scale:
        raise Locked(_locked_message(judging_round), field="scale_max")
    _check_round(judging_round.edition, data, judging_round)
    _apply_round(judging_round, data)
    db.session.flush()


def delete_round(*, judging_round: JudgingRound, by: User) -> None:
    _require_organiser(by)
    if judging_round.is_locked:
        raise Locked(_locked_message(judging_round))
    edition = judging_round.edition
    if judging_round.position != len(edition.rounds):
        raise ValidationFailed(_l("Nur die letzte Bewertungsrunde kann gelöscht werden."))
    edition.rounds.remove(judging_round)
    db.session.flush()


def mark_scoring_started(*, judging_round: JudgingRound, now: datetime) -> None:
    """Called by the scoring module with the first saved score: from now on criteria and scale are fixed."""
    if judging_round.scoring_started_at is None:
        judging_round.scoring_started_at = now
        db.session.flush()


# --- criteria ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionData:
    name: str
    description: str
    weight: Decimal
    rubric_low: str
    rubric_mid: str
    rubric_high: str


def _check_criterion(judging_round: JudgingRound, data: CriterionData, criterion_id: int | None) -> None:
    if judging_round.is_locked:
        raise Locked(_locked_message(judging_round))
    if data.weight <= 0:
        raise ValidationFailed(_l("Die Gewichtung muss größer als 0 sein."), field="weight")
    clash = db.session.scalar(
        select(Criterion.id).where(
            Criterion.round_id == judging_round.id,
            func.lower(Criterion.name) == data.name.strip().lower(),
            Criterion.id != (criterion_id or 0),
        )
    )
    if clash:
        raise AlreadyExists(_l("Dieses Kriterium gibt es in dieser Runde bereits."), field="name")


def _apply_criterion(criterion: Criterion, data: CriterionData) -> None:
    criterion.name = data.name.strip()
    criterion.description = data.description.strip()
    criterion.weight = data.weight
    criterion.rubric_low = data.rubric_low.strip()
    criterion.rubric_mid = data.rubric_mid.strip()
    criterion.rubric_high = data.rubric_high.strip()


def add_criterion(*, judging_round: JudgingRound, data: CriterionData, by: User) -> Criterion:
    _require_organiser(by)
    _check_criterion(judging_round, data, None)
    position = max((c.position for c in judging_round.criteria), default=0) + 1
    criterion = Criterion(round=judging_round, position=position)
    _apply_criterion(criterion, data)
    db.session.add(criterion)
    db.session.flush()
    return criterion


def update_criterion(*, criterion: Criterion, data: CriterionData, by: User) -> None:
    _require_organiser(by)
    _check_criterion(criterion.round, data, criterion.id)
    _apply_criterion(criterion, data)
    db.session.flush()


def delete_criterion(*, criterion: Criterion, by: User) -> None:
    _require_organiser(by)
    judging_round = criterion.round
    if judging_round.is_locked:
        raise Locked(_locked_message(judging_round))
    judging_round.criteria.remove(criterion)
    db.session.flush()

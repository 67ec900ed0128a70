from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false as sa_false

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db
from .phases import Phase, PhaseDates, PhaseFlags, current_phase, flags_for
from .scales import Scale, weight_percentages


class Edition(db.Model):
    """A competition edition [Ausschreibung], e.g. "Industrie. Neu. Denken. 2026"."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # for URLs and commands: "ind-2026"
    description: Mapped[str] = mapped_column(Text, default="")
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    jury_starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    jury_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    publication_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Rules for entries (data, not configuration): attachment caps, optional office formats, terms version,
    # and the eligibility limit on company size (None: no limit).
    max_file_mb: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    max_entry_mb: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    max_files: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    allow_office_files: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    terms_version: Mapped[str] = mapped_column(String(40), default="2026-1", server_default="2026-1")
    max_employees: Mapped[int | None] = mapped_column(Integer)
    # Blind judging: jurors never see the company's name, staff or website.
    is_blind: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    phase_override: Mapped[Phase | None] = mapped_column(
        value_enum(Phase, "phase", 20)
    )
    # Retention: after this date `flask ops purge` removes non-winning entries' attachments and personal data.
    retention_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="edition", order_by="Category.position, Category.id", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[JudgingRound]] = relationship(
        back_populates="edition", order_by="JudgingRound.position", cascade="all, delete-orphan"
    )

    @property
    def dates(self) -> PhaseDates:
        return PhaseDates(
            registration_opens_at=self.registration_opens_at,
            submission_deadline_at=self.submission_deadline_at,
            jury_starts_at=self.jury_starts_at,
            jury_ends_at=self.jury_ends_at,
            publication_at=self.publication_at,
        )

    def phase(self, now: datetime) -> Phase:
        return current_phase(self.dates, now, self.phase_override)

    def flags(self, now: datetime) -> PhaseFlags:
        return flags_for(self.phase(now))

    def __repr__(self) -> str:
        return f"<Edition {self.id} {self.name!r}>"


class ParticipationConditions(db.Model):
    """One version of an edition's Teilnahmebedingungen: a Markdown text or a PDF. Never changed once stored; a
    change is a new version. Companies agree to the newest version when they submit (EntryVersion.conditions_id)."""

    __tablename__ = "participation_conditions"
    __table_args__ = (UniqueConstraint("edition_id", "version", name="uq_participation_conditions_edition_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown (empty when the conditions are a PDF)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    edition: Mapped[Edition] = relationship(back_populates="categories")


class JudgingRound(db.Model):
    """A judging round [Bewertungsrunde]: the first takes all eligible entries, each later one the shortlist."""

    __tablename__ = "judging_rounds"
    __table_args__ = (
        UniqueConstraint("edition_id", "position"),
        UniqueConstraint("edition_id", "name"),
        CheckConstraint("scale_min < scale_max", name="scale_range"),
        CheckConstraint("scale_step > 0", name="scale_step_positive"),
        CheckConstraint("jurors_per_entry >= 1", name="jurors_per_entry_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    scale_min: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    scale_max: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    scale_step: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    jurors_per_entry: Mapped[int] = mapped_column(Integer)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Whether a juror may see the other jurors' scores of an entry once their own sheet is submitted.
    show_scores_after_submit: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Set by the scoring module when the first score of this round is saved; criteria and scale are then fixed.
    scoring_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the rankings module when a ranking of this round is frozen; cleared when an organiser reopens the
    # round with a reason. While set, the round's sheets and assignments cannot change (see judging.permissions).
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Counts the writes that could change what a ranking of this round counts (its sheets, scores, assignments,
    # criteria and scale); bumped by judging.revisions in the same flush as the write, never set by hand. A snapshot
    # records it at freeze, so the ranking page knows with one query that nothing changed since (read it with a
    # query: the in-memory attribute is not refreshed by the bump).
    inputs_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    edition: Mapped[Edition] = relationship(back_populates="rounds")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position, Criterion.id", cascade="all, delete-orphan"
    )

    @property
    def scale(self) -> Scale:
        return Scale(Decimal(self.scale_min), Decimal(self.scale_max), Decimal(self.scale_step))

    @property
    def is_first(self) -> bool:
        return self.position == 1

    @property
    def is_locked(self) -> bool:
        return self.scoring_started_at is not None

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def weight_percentages(self) -> list[tuple[Criterion, Decimal]]:
        criteria = list(self.criteria)
        return list(zip(criteria, weight_percentages([Decimal(c.weight) for c in criteria]), strict=True))


class Criterion(db.Model):
    """A weighted criterion [Bewertungskriterium] with a rubric for low, middle and high scores."""

    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "name"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    rubric_low: Mapped[str] = mapped_column(Text, default="")
    rubric_mid: Mapped[str] = mapped_column(Text, default="")
    rubric_high: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[JudgingRound] = relationship(back_populates="criteria")

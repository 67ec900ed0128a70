from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db


def _enum(cls: type[enum.Enum], name: str):
    return value_enum(cls, name, 20)


class JurorProfile(db.Model):
    """What the planner and the conflict check know about a juror [Jurymitglied]."""

    __tablename__ = "juror_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    employer_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    former_employers: Mapped[list[str]] = mapped_column(JSON, default=list)  # of the last three years
    capacity: Mapped[int] = mapped_column(Integer, default=10)  # entries per round the juror can take
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[Any] = relationship("User")


class JurorExpertise(db.Model):
    __tablename__ = "juror_expertise"
    __table_args__ = (UniqueConstraint("user_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"  # by the juror
    ORGANISER = "organiser"  # set by the organising team
    DETECTED = "detected"  # found by the system


class ConflictStatus(enum.StrEnum):
    ACTIVE = "active"  # counts (detected ones count until an organiser dismisses them)
    CONFIRMED = "confirmed"  # a detected conflict an organiser confirmed
    DISMISSED = "dismissed"  # a detected conflict an organiser dismissed: it does not count


class Conflict(db.Model):
    """A conflict of interest [Befangenheit] between a juror and a company (and so all its entries), or - declared
    on a sheet in blind judging, where the juror never learns the company - between a juror and one entry. Exactly
    one of `company_id` and `entry_id` is set. Whether a juror is conflicted *now* is decided by
    `judging.conflict_check`, which adds memberships, addresses and groups to these rows."""

    __tablename__ = "conflicts"
    __table_args__ = (
        UniqueConstraint("user_id", "company_id", "source"),
        UniqueConstraint("user_id", "entry_id", "source"),
        CheckConstraint("(company_id IS NULL) <> (entry_id IS NULL)", name="company_or_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource, "conflict_source"))
    status: Mapped[ConflictStatus] = mapped_column(_enum(ConflictStatus, "conflict_status"),
                                                   default=ConflictStatus.ACTIVE)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Once the juror has assignments in a running edition, only an organiser can lift a declaration: the juror
    # asks (these two fields), the organiser approves (the row goes) or refuses (they are cleared).
    withdrawal_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    user: Mapped[Any] = relationship("User", foreign_keys=[user_id])
    company: Mapped[Any] = relationship("Company")
    entry: Mapped[Any] = relationship("Entry")

    @property
    def counts(self) -> bool:
        return self.status is not ConflictStatus.DISMISSED

    @property
    def is_entry_level(self) -> bool:
        return self.entry_id is not None


class CompanyGroup(db.Model):
    """Companies that belong together (parent and subsidiaries), by names and/or domains, kept by organisers."""

    __tablename__ = "company_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[str]] = mapped_column(JSON, default=list)


class DomainAlias(db.Model):
    __tablename__ = "domain_aliases"
    __table_args__ = (UniqueConstraint("domain", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(200))
    alias: Mapped[str] = mapped_column(String(200))


class RoundJuror(db.Model):
    """A juror taking part in a judging round, with their capacity for that round."""

    __tablename__ = "round_jurors"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)

    user: Mapped[Any] = relationship("User")


class ScoringExtension(db.Model):
    """A later scoring deadline in one round, for one juror (`user_id`) or for all jurors of the round (`user_id`
    NULL), granted by an organiser with a reason the juror sees."""

    __tablename__ = "scoring_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    extended_until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[Any] = relationship("User", foreign_keys=[user_id])
    granted_by: Mapped[Any] = relationship("User", foreign_keys=[granted_by_id])


class AssignmentSource(enum.StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


class Assignment(db.Model):
    """Juror × entry × round [Zuweisung]."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("round_id", "entry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[AssignmentSource] = mapped_column(_enum(AssignmentSource, "assignment_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[Any] = relationship("User", foreign_keys=[user_id])
    entry: Mapped[Any] = relationship("Entry")
    round: Mapped[Any] = relationship("JudgingRound")


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ScoreSheet(db.Model):
    """A juror's score sheet [Bewertungsbogen] for one entry in one round. One per assignment; it outlives a
    removed assignment (assignment_id set to NULL, `is_void`) so no score is ever lost."""

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("round_id", "entry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"),
                                                      unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[SheetStatus] = mapped_column(_enum(SheetStatus, "sheet_status"), default=SheetStatus.DRAFT)
    # Optimistic locking: every UPDATE checks and raises this; a save based on an older value is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    no_conflict_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    is_void: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan",
                                               lazy="selectin")
    events: Mapped[list[ScoreSheetEvent]] = relationship(back_populates="sheet", cascade="all, delete-orphan",
                                                         order_by="ScoreSheetEvent.id")
    user: Mapped[Any] = relationship("User")
    entry: Mapped[Any] = relationship("Entry")
    round: Mapped[Any] = relationship("JudgingRound")

    def values(self) -> dict[int, Any]:
        return {s.criterion_id: s.value for s in self.scores}


class Score(db.Model):
    """One criterion's score and comment on a sheet; at most one per criterion."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="RESTRICT"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    # A draft score exactly as typed when it is not valid on the scale ("7,5" on a whole-number scale): kept so
    # the juror sees it again with its error; empty when `value` holds the score (or nothing was typed).
    typed: Mapped[str] = mapped_column(String(100), default="", server_default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


class ScoreSheetEvent(db.Model):
    """The history of a sheet: every save, submit and reopen with the values before and after."""

    __tablename__ = "score_sheet_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="events")
    actor: Mapped[Any] = relationship("User")


class PreferenceValue(enum.StrEnum):
    """A juror's mark on an entry in a round's preference phase (no row: not marked yet)."""

    GERN = "gern"  # would like to judge it
    NEUTRAL = "neutral"
    LIEBER_NICHT = "lieber_nicht"  # would rather not
    BEFANGEN = "befangen"  # declared a conflict of interest from the list (also recorded as a Conflict)


class Preference(db.Model):
    """A juror's preference for judging an entry in a round [Präferenz], given in the round's preference phase."""

    __tablename__ = "preferences"
    __table_args__ = (UniqueConstraint("round_id", "user_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    value: Mapped[PreferenceValue] = mapped_column(_enum(PreferenceValue, "preference_value"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PreferencePhase(db.Model):
    """When jurors may mark their preferences for a round: opened and closed by organisers, optionally with an end
    announced to the jurors (the phase then ends by itself)."""

    __tablename__ = "preference_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.opened_at <= now and (self.ends_at is None or now < self.ends_at)

    def ended_at(self, now: datetime) -> datetime | None:
        """When the phase ended (closed by hand or by its end), None while open."""
        if self.closed_at is not None:
            return self.closed_at
        if self.ends_at is not None and self.ends_at <= now:
            return self.ends_at
        return None


class ShortlistEntry(db.Model):
    """An entry chosen in a round for the next one (the shortlist, applied in one step). Judging owns the record
    (the next round's entries are read from it); rankings writes it when the jury's shortlist is applied."""

    __tablename__ = "shortlist_entries"
    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db


def _enum(cls: type[enum.Enum], name: str):
    return value_enum(cls, name, 30)


class District(enum.StrEnum):
    """Landkreis or kreisfreie Stadt. The first five make up Südwestsachsen."""

    CHEMNITZ = "chemnitz"
    ZWICKAU = "zwickau"
    MITTELSACHSEN = "mittelsachsen"
    ERZGEBIRGSKREIS = "erzgebirgskreis"
    VOGTLANDKREIS = "vogtlandkreis"
    OTHER_SAXONY = "sachsen_andere"
    OUTSIDE_SAXONY = "ausserhalb"


class TurnoverBand(enum.StrEnum):
    UNDER_2M = "unter_2"
    FROM_2M_TO_10M = "2_bis_10"
    FROM_10M_TO_50M = "10_bis_50"
    OVER_50M = "ueber_50"


class EntryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    IN_REVIEW = "in_review"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"
    WITHDRAWN = "withdrawn"


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    FILE = "file"


class Visibility(enum.StrEnum):
    JURY = "jury"  # jury and organisers
    ORGANISERS = "organisers"  # organisers only
    PUBLIC = "public"  # jury, organisers, and the public if the entry wins


class Company(db.Model):
    """A company [Unternehmen] with one or more applicant users."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(60), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[District] = mapped_column(_enum(District, "district"))
    employees: Mapped[int] = mapped_column(Integer, default=0)
    turnover_band: Mapped[TurnoverBand] = mapped_column(_enum(TurnoverBand, "turnover_band"))
    industry: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    members: Mapped[list[CompanyMember]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="CompanyMember.joined_at"
    )
    entries: Mapped[list[Entry]] = relationship(back_populates="company")


class CompanyMember(db.Model):
    __tablename__ = "company_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company] = relationship(back_populates="members")
    user: Mapped[Any] = relationship("User")


class PastCompanyMembership(db.Model):
    """A membership that has ended (the person left the company's account). Kept because having worked for a company
    is a conflict of interest [Befangenheit] with its entries, whatever happened since."""

    __tablename__ = "past_company_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CompanyInvite(db.Model):
    """A colleague invited by a company's admin; accepted by signing in (or registering) with that address."""

    __tablename__ = "company_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company: Mapped[Company] = relationship()


class Entry(db.Model):
    """An entry [Beitrag] of a company in one category of an edition. The fields here are the working copy;
    what the jury sees is the last submitted EntryVersion."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("company_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str | None] = mapped_column(String(30), unique=True)  # given at the first submit
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus, "entry_status"), default=EntryStatus.DRAFT,
                                                index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(Text, default="")
    regional_benefit: Mapped[str] = mapped_column(Text, default="")
    sustainability: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # The company allows its summary to be published with the results (public page, public PDF).
    publish_summary: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Raised by every save of the working copy: a save based on an older value is refused (two tabs).
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligibility_reason: Mapped[str] = mapped_column(Text, default="")
    eligibility_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligibility_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": lock_version}

    company: Mapped[Company] = relationship(back_populates="entries")
    edition: Mapped[Any] = relationship("Edition")
    category: Mapped[Any] = relationship("Category")
    answers: Mapped[list[Answer]] = relationship(back_populates="entry", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.uploaded_at, Attachment.id",
        primaryjoin="and_(Attachment.entry_id == Entry.id, Attachment.removed_at.is_(None))", viewonly=True,
    )
    versions: Mapped[list[EntryVersion]] = relationship(
        back_populates="entry", order_by="EntryVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> EntryVersion | None:
        return self.versions[-1] if self.versions else None


class EntryVersion(db.Model):
    """An immutable snapshot made at each submit: content, answers, company profile, attachment checksums."""

    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    terms_version: Mapped[str] = mapped_column(String(40))
    # The version of the Teilnahmebedingungen agreed to at this submit (None for versions before they existed).
    conditions_id: Mapped[int | None] = mapped_column(ForeignKey("participation_conditions.id",
                                                                 ondelete="RESTRICT"))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))

    entry: Mapped[Entry] = relationship(back_populates="versions")


class Question(db.Model):
    """A custom question [Frage] of an edition's entry form, defined by organisers."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    is_required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_length: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility, "visibility"), default=Visibility.JURY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # hidden from new forms, answers kept

    edition: Mapped[Any] = relationship("Edition")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("entry_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    value: Mapped[Any] = mapped_column(JSON)  # str, number, ISO date, bool or list[str]

    entry: Mapped[Entry] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Attachment(db.Model):
    """A file of an entry [Anlage], stored under a random key outside static/. Removed ones stay on disk while a
    submitted version refers to them."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # pdf, png, jpeg, xlsx, docx, pptx
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[Entry] = relationship()


class AttachmentBlindCopy(db.Model):
    """The copy of an attachment that jurors of a blind edition get: the same content without document metadata
    (author, company, XMP, EXIF, text chunks, Office properties). Made once, on the first blind download, and stored
    beside the original, which stays untouched for the company and the organisers (its SHA-256 is the receipt's).
    `method` names the stripping rules; a copy made by older rules is made again."""

    __tablename__ = "attachment_blind_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), unique=True)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeadlineExtension(db.Model):
    """A later submission deadline for one company in one edition, granted by an organiser with a reason."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (UniqueConstraint("edition_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    extended_until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

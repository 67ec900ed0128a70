"""Editable mail templates, group mails (campaigns) and the log of every mail a campaign sent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db


class MailTemplate(db.Model):
    """An organiser's version of a mail: overrides the system template file of the same key (``verify_email``,
    ``jury_reminder``, …) in one language, or a template of their own (``key`` not a system one) for group mails."""

    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("key", "locale", name="uq_mail_templates_key_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    locale: Mapped[str] = mapped_column(String(5))  # de | en
    name: Mapped[str] = mapped_column(String(200), default="")  # for custom templates
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # What the conversion of an old template (template code) into placeholders could not do, in German for the
    # organisers; empty when the template is in order. A template with a note is not used until it is saved again.
    conversion_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by: Mapped[Any] = relationship("User")


class Audience(enum.StrEnum):
    APPLICANTS = "applicants"  # members of companies with an entry in the edition
    DRAFTS = "drafts"  # members of companies with an entry not yet submitted (the deadline reminder)
    CATEGORY = "category"  # members of companies with an entry in one category
    FINALISTS = "finalists"  # members of companies with a shortlisted or awarded entry
    JURORS_OPEN = "jurors_open"  # jurors with unsubmitted sheets in the current round
    JURORS = "jurors"  # every juror of the edition


class Campaign(db.Model):
    """A group mail: who it went to, what it said, and the background job that sends it."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    audience: Mapped[Audience] = mapped_column(value_enum(Audience, "campaign_audience", 20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    template_key: Mapped[str | None] = mapped_column(String(80))  # the template it started from, if any
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    edition: Mapped[Any] = relationship("Edition")
    category: Mapped[Any] = relationship("Category")
    job: Mapped[Any] = relationship("Job")
    created_by: Mapped[Any] = relationship("User")
    logs: Mapped[list[MailLog]] = relationship(back_populates="campaign", order_by="MailLog.id")


class MailStatus(enum.StrEnum):
    SENDING = "sending"  # claimed; the send is in progress (a crash here leaves it for the retry to judge)
    SENT = "sent"
    FAILED = "failed"  # the mail server refused or could not be reached: sent again on the job's retry
    UNCERTAIN = "uncertain"  # the worker died during this very send: not repeated, so nobody gets it twice


class MailLog(db.Model):
    """One mail to one person from one campaign. (job_id, user_id) is unique: a retried job finds the row and
    never mails the same person twice."""

    __tablename__ = "mail_logs"
    __table_args__ = (UniqueConstraint("job_id", "user_id", name="uq_mail_logs_job_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    template_key: Mapped[str | None] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MailStatus] = mapped_column(value_enum(MailStatus, "mail_status", 10), default=MailStatus.SENDING)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign | None] = relationship(back_populates="logs")
    user: Mapped[Any] = relationship("User")

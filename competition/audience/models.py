"""The audience vote of an edition, its ballots and the certificates of its award."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime
from ..extensions import db


class AudienceVote(db.Model):
    """The audience vote [Publikumsabstimmung] of one edition: a phase with dates, the entries opened to it and,
    once published, its frozen result with a SHA-256 over the content (like a frozen ranking)."""

    __tablename__ = "audience_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # closed (early or at closes_at) by an organiser
    entry_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # the entries in the gallery
    salt: Mapped[str] = mapped_column(String(64))  # for the voters' address hashes (addresses.address_hash)
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the frozen result, set at publication
    sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    addresses_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    edition: Mapped[Any] = relationship("Edition")

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.published_at is None and self.opens_at <= now < self.closes_at

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or self.published_at is not None or now >= self.closes_at


class Ballot(db.Model):
    """One person's vote in one category: keyed by the salted hash of the normalised address, so an address counts
    once per category. ``entry_id`` is what counts (set by confirming the link); a change waits in
    ``pending_entry_id`` until its own link is confirmed. The address is deleted after the result is final."""

    __tablename__ = "audience_ballots"
    __table_args__ = (
        UniqueConstraint("vote_id", "category_id", "voter_hash", name="uq_audience_ballots_voter"),
        Index("ix_audience_ballots_vote_entry", "vote_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("audience_votes.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    voter_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # as typed (trimmed): where the link goes; purged
    local: Mapped[str | None] = mapped_column(String(64))  # the normalised local part (for patterns); purged
    domain: Mapped[str] = mapped_column(String(253), default="")
    network: Mapped[str] = mapped_column(String(50), default="")  # /24 or /48 of the request, never the address
    locale: Mapped[str] = mapped_column(String(5), default="de")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    pending_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    nonce: Mapped[str | None] = mapped_column(String(32))  # of the link that confirms pending_entry_id
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mail_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    excluded_reason: Mapped[str | None] = mapped_column(Text)
    excluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AudienceCertificate(db.Model):
    """The certificate of the audience award for one entry of a published vote, with its verification code."""

    __tablename__ = "audience_certificates"
    __table_args__ = (UniqueConstraint("vote_id", "entry_id", name="uq_audience_certificates_vote_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("audience_votes.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vote: Mapped[AudienceVote] = relationship()

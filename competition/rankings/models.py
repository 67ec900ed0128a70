from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime, value_enum
from ..extensions import db


class RankingSnapshot(db.Model):
    """A frozen ranking [Rangliste]: every number, the method and the inputs' hash, with a SHA-256 over the content.
    Never changed after it is made; a later change of scores needs a new snapshot."""

    __tablename__ = "ranking_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Names of the people the content refers to by id ({"users": {"8": "Dr. Jana Jury"}}), kept outside the hashed
    # content so that an erasure (Art. 17 GDPR) can remove a person without breaking the published hash.
    people: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    # What was counted, by database identity (queries.counted_inputs: the counted sheets' ids and versions, the
    # round's assignments, its scoring settings) and its SHA-256. Comparing the hash with today's is how the ranking
    # page knows, exactly and with narrow queries, whether the snapshot is out of date (also for voided sheets and
    # removed assignments).
    # NULL for snapshots frozen before it was recorded. Not part of the hashed content (database ids, not results).
    counted: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    counted_sha256: Mapped[str | None] = mapped_column(String(64))
    # The round's `inputs_revision` when the snapshot was made: while it is unchanged nothing counted can have
    # changed, and `freezing.staleness` needs no further query. NULL for older snapshots (then the hash decides).
    inputs_revision: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[Any] = relationship("JudgingRound")


# --- deliberation: decisions the organisers record before freezing -------------------------------------------------

class AwardKind(enum.StrEnum):
    WINNER = "winner"  # a prize (place 1, 2, 3 … in its category)
    MENTION = "mention"  # a special mention [Anerkennung], no place


class Award(db.Model):
    """A winner or special mention of the final round, with the jury's written justification."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AwardKind] = mapped_column(value_enum(AwardKind, "award_kind", 20))
    place: Mapped[int | None] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[Any] = relationship("Entry")


class RankOverride(db.Model):
    """The jury placed an entry at another rank in its category than the computed order; the reason is required."""

    __tablename__ = "rank_overrides"
    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    to_rank: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[Any] = relationship("Entry")
    decided_by: Mapped[Any] = relationship("User")


class Publication(db.Model):
    """The results of an edition, published from one frozen snapshot of its final round."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), unique=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("ranking_snapshots.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    snapshot: Mapped[RankingSnapshot] = relationship()


class Certificate(db.Model):
    """A certificate [Urkunde] of one entry in one frozen ranking, with the code of its public verification page.
    One per (snapshot, entry): printing the certificates again keeps the codes."""

    __tablename__ = "ranking_certificates"
    __table_args__ = (UniqueConstraint("snapshot_id", "entry_id", name="uq_ranking_certificates_snapshot_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # secrets.token_urlsafe(12): 16 characters
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("ranking_snapshots.id", ondelete="RESTRICT"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # winner | mention | finalist | participant
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    snapshot: Mapped[RankingSnapshot] = relationship(RankingSnapshot)


class CertificateDesign(db.Model):
    """What an edition's certificates and jury protocol carry besides the results: up to two logos of the
    organisers, up to three signatories (name, function, optional signature image) and the place they are signed
    at. Images are stored as re-encoded PNG (no metadata), at most a few hundred KB each."""

    __tablename__ = "certificate_designs"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), unique=True)
    place: Mapped[str] = mapped_column(String(120), default="")
    logo_1: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_1_text: Mapped[str] = mapped_column(String(200), default="")
    logo_2: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_2_text: Mapped[str] = mapped_column(String(200), default="")
    signatory_1_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_1_function: Mapped[str] = mapped_column(String(200), default="")
    signatory_1_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signatory_2_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_2_function: Mapped[str] = mapped_column(String(200), default="")
    signatory_2_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signatory_3_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_3_function: Mapped[str] = mapped_column(String(200), default="")
    signatory_3_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ExtraReviewRequest(db.Model):
    """One extra review asked for where a frozen ranking's line is in doubt: a juror, an entry and the assignment
    made for it, from the recommendation of one snapshot (the reliability meter, see `extra_reviews.py`)."""

    __tablename__ = "extra_review_requests"
    __table_args__ = (UniqueConstraint("snapshot_id", "entry_id", name="uq_extra_review_requests_snapshot_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("ranking_snapshots.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[Any] = relationship("Entry")
    user: Mapped[Any] = relationship("User", foreign_keys=[user_id])

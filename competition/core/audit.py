"""A tamper-evident audit trail: each event carries the SHA-256 of its content and of the event before it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .clock import utcnow
from .types import UTCDateTime

GENESIS = "0" * 64
_LOCK_KEY = 7_311_2026  # pg_advisory_xact_lock key that serialises appends to the chain


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def event_digest(*, prev_hash: str, occurred_at: datetime, actor_id: int | None, action: str, object_type: str,
                 object_id: int | None, data: dict) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": occurred_at.isoformat(),
            "actor": actor_id,
            "action": action,
            "object": [object_type, object_id],
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(*, actor, action: str, obj_type: str, obj_id: int | None, now: datetime, **data: Any) -> AuditEvent:
    """Append an event in the caller's transaction (flushes, never commits)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    clean = json.loads(json.dumps(data, default=str))
    actor_id = getattr(actor, "id", actor)
    now = now.replace(microsecond=0)  # SQLite and PostgreSQL store the same instant
    event = AuditEvent(
        occurred_at=now,
        actor_id=actor_id,
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        data=clean,
        prev_hash=prev,
        hash=event_digest(prev_hash=prev, occurred_at=now, actor_id=actor_id, action=action, object_type=obj_type,
                          object_id=obj_id, data=clean),
    )
    db.session.add(event)
    db.session.flush()
    return event


def first_broken_link() -> AuditEvent | None:
    """The first event whose hash or link does not match, or None when the chain is intact."""
    prev = GENESIS
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        expected = event_digest(prev_hash=prev, occurred_at=event.occurred_at, actor_id=event.actor_id,
                                action=event.action, object_type=event.object_type, object_id=event.object_id,
                                data=event.data)
        if event.prev_hash != prev or event.hash != expected:
            return event
        prev = event.hash
    return None

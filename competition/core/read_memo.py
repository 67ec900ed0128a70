"""Reads remembered until the session writes: ``remembered(("membership", user_id), lambda: ...)``.

One page asks the same small questions several times (the company a user belongs to, a company's deadline
extension, the edition's questions), from permission checks, services and templates that do not know of each other.
Each asked the database again: the deadline rush's edit page sent the same extension query four times. The answer is
kept in the SQLAlchemy session's ``info`` and dropped as soon as the session flushes a change, commits or rolls
back, so a read after a write in the same request sees the write, and nothing outlives the transaction (the
scoped session of a request or job ends with it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

T = TypeVar("T")
_KEY = "competition.read_memo"


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """The value `read()` returned for `key` since the session last wrote, or `read()` now."""
    memo: dict[Hashable, Any] = db.session().info.setdefault(_KEY, {})
    if key in memo:
        return memo[key]
    value = memo[key] = read()
    return value


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget)

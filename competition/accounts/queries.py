"""Reads about accounts that several modules share."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import Role, User, UserRole


def active_organisers() -> list[User]:
    """Every active account of the organising team, e.g. to tell them about something that needs a decision."""
    return list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == Role.ORGANISER,
                                                                     User.is_active_account.is_(True))
                                   .order_by(User.id)))


def users_by_id(ids) -> dict[int, User]:
    """The accounts with these ids, by id (none asked, no query)."""
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def count_other_active_organisers(user: User) -> int:
    """How many active accounts of the organising team there are besides this one."""
    return db.session.scalar(
        select(func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ORGANISER, User.is_active_account.is_(True), User.id != user.id)
    )

"""Reads about accounts that several modules share: looking a person up by e-mail address (as stored: trimmed and
in lower case), the organising team, the invitations."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import Invitation, Role, User, UserRole


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


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def list_invitations():
    return select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())


def count_organisers() -> int:
    return db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == Role.ORGANISER))

"""Every module's models, so Alembic and create_all see all tables."""

from .accounts.models import Invitation, Role, User, UserRole
from .editions.models import Category, Criterion, Edition, JudgingRound

__all__ = ["Category", "Criterion", "Edition", "Invitation", "JudgingRound", "Role", "User", "UserRole"]

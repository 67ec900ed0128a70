"""Every module's models, so Alembic and create_all see all tables."""

from .accounts.models import Invitation, Role, User, UserRole
from .core.audit import AuditEvent
from .editions.models import Category, Criterion, Edition, JudgingRound
from .entries.models import (
    Answer,
    Attachment,
    Company,
    CompanyInvite,
    CompanyMember,
    DeadlineExtension,
    Entry,
    EntryVersion,
    Question,
)
from .judging.models import (
    Assignment,
    CompanyGroup,
    Conflict,
    DomainAlias,
    JurorExpertise,
    JurorProfile,
    RoundJuror,
    Score,
    ScoreSheet,
    ScoreSheetEvent,
)
from .rankings.models import RankingSnapshot

__all__ = [
    "Answer",
    "Assignment",
    "Attachment",
    "AuditEvent",
    "Category",
    "Company",
    "CompanyGroup",
    "CompanyInvite",
    "CompanyMember",
    "Conflict",
    "Criterion",
    "DeadlineExtension",
    "DomainAlias",
    "Edition",
    "Entry",
    "EntryVersion",
    "Invitation",
    "JudgingRound",
    "JurorExpertise",
    "JurorProfile",
    "Question",
    "RankingSnapshot",
    "Role",
    "RoundJuror",
    "Score",
    "ScoreSheet",
    "ScoreSheetEvent",
    "User",
    "UserRole",
]

"""Every module's models, so Alembic and create_all see all tables."""

from .accounts.models import Invitation, Role, User, UserRole
from .audience.models import AudienceCertificate, AudienceVote, Ballot
from .communications.models import Campaign, MailLog, MailTemplate
from .core.audit import AuditEvent
from .editions.models import Category, Criterion, Edition, JudgingRound
from .entries.models import (
    Answer,
    Attachment,
    AttachmentBlindCopy,
    Company,
    CompanyInvite,
    CompanyMember,
    DeadlineExtension,
    Entry,
    EntryVersion,
    PastCompanyMembership,
    Question,
)
from .jobs.models import Job
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
    ShortlistEntry,
)
from .privacy.models import Consent, LegalPage
from .rankings.models import (
    Award,
    Certificate,
    ExtraReviewRequest,
    Publication,
    RankingSnapshot,
    RankOverride,
)

__all__ = [
    "Answer",
    "Assignment",
    "Attachment",
    "AttachmentBlindCopy",
    "AudienceCertificate",
    "AudienceVote",
    "AuditEvent",
    "Award",
    "Ballot",
    "Campaign",
    "Category",
    "Certificate",
    "Company",
    "CompanyGroup",
    "CompanyInvite",
    "CompanyMember",
    "Conflict",
    "Consent",
    "Criterion",
    "DeadlineExtension",
    "DomainAlias",
    "Edition",
    "Entry",
    "EntryVersion",
    "ExtraReviewRequest",
    "Invitation",
    "Job",
    "JudgingRound",
    "JurorExpertise",
    "JurorProfile",
    "LegalPage",
    "MailLog",
    "MailTemplate",
    "PastCompanyMembership",
    "Publication",
    "Question",
    "RankOverride",
    "RankingSnapshot",
    "Role",
    "RoundJuror",
    "Score",
    "ScoreSheet",
    "ScoreSheetEvent",
    "ShortlistEntry",
    "User",
    "UserRole",
]

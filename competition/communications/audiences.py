"""Who a group mail goes to, and what each person's placeholders say."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, select

from ..accounts.models import User
from ..editions.models import Category, Edition, JudgingRound
from ..entries.models import Company, CompanyMember, Entry, EntryStatus
from ..extensions import db
from ..judging.models import Assignment, RoundJuror, ScoreSheet, SheetStatus
from .models import Audience

FINALIST_STATUSES = (EntryStatus.SHORTLISTED, EntryStatus.AWARDED)


@dataclass
class Recipient:
    user: User
    kind: str  # "applicant" | "juror": which link and deadline they get
    fields: dict = field(default_factory=dict)  # placeholders, except the link and the formatted deadline
    deadline_at: datetime | None = None


def recipients(*, edition: Edition, audience: Audience, category_id: int | None, now: datetime) -> list[Recipient]:
    if audience in (Audience.APPLICANTS, Audience.DRAFTS, Audience.CATEGORY, Audience.FINALISTS):
        result = _applicants(edition, audience, category_id)
    elif audience == Audience.JURORS_OPEN:
        result = _jurors_with_open_work(edition)
    else:
        result = _all_jurors(edition)
    return sorted(result, key=lambda r: (r.user.full_name.lower(), r.user.id))


def recipient(*, edition: Edition, audience: Audience, category_id: int | None, user_id: int,
              now: datetime) -> Recipient | None:
    return next((r for r in recipients(edition=edition, audience=audience, category_id=category_id, now=now)
                 if r.user.id == user_id), None)


def _base_fields(user: User, edition: Edition) -> dict:
    return {"name": user.full_name, "email": user.email, "edition": edition.name, "company": "", "entry_title": "",
            "entry_number": "", "category": "", "open_count": 0}


def _applicants(edition: Edition, audience: Audience, category_id: int | None) -> list[Recipient]:
    query = (
        select(Entry, Company.legal_name, Category.name)
        .join(Company, Company.id == Entry.company_id)
        .join(Category, Category.id == Entry.category_id)
        .where(Entry.edition_id == edition.id, Entry.status != EntryStatus.WITHDRAWN)
        .order_by(Entry.id)
    )
    if audience == Audience.CATEGORY:
        query = query.where(Entry.category_id == category_id)
    elif audience == Audience.FINALISTS:
        query = query.where(Entry.status.in_(FINALIST_STATUSES))
    elif audience == Audience.DRAFTS:
        query = query.where(Entry.status == EntryStatus.DRAFT)
    by_company: dict[int, list] = defaultdict(list)
    names: dict[int, str] = {}
    for entry, company_name, category_name in db.session.execute(query):
        by_company[entry.company_id].append((entry, category_name))
        names[entry.company_id] = company_name
    if not by_company:
        return []
    members = db.session.execute(
        select(CompanyMember.company_id, User).join(User, User.id == CompanyMember.user_id)
        .where(CompanyMember.company_id.in_(by_company), User.is_active_account.is_(True))
    ).all()
    result = []
    for company_id, user in members:
        entries = by_company[company_id]
        fields = _base_fields(user, edition)
        fields.update(
            company=names[company_id],
            entry_title=", ".join(e.title for e, _ in entries if e.title),
            entry_number=", ".join(e.number for e, _ in entries if e.number),
            category=", ".join(dict.fromkeys(c for _, c in entries)),
        )
        result.append(Recipient(user=user, kind="applicant", fields=fields,
                                deadline_at=edition.submission_deadline_at))
    return result


def current_round(edition: Edition) -> JudgingRound | None:
    """The round jurors work in now: the latest round (by position) that has assignments."""
    return db.session.scalar(
        select(JudgingRound).where(JudgingRound.edition_id == edition.id,
                                   exists().where(Assignment.round_id == JudgingRound.id))
        .order_by(JudgingRound.position.desc()).limit(1)
    )


def _jurors_with_open_work(edition: Edition) -> list[Recipient]:
    judging_round = current_round(edition)
    if judging_round is None:
        return []
    submitted = exists().where(and_(ScoreSheet.assignment_id == Assignment.id,
                                    ScoreSheet.status == SheetStatus.SUBMITTED))
    rows = db.session.execute(
        select(User, Assignment.id).join(User, User.id == Assignment.user_id)
        .where(Assignment.round_id == judging_round.id, ~submitted, User.is_active_account.is_(True))
    ).all()
    counts: dict[int, int] = defaultdict(int)
    users: dict[int, User] = {}
    for user, _ in rows:
        counts[user.id] += 1
        users[user.id] = user
    result = []
    for user_id, user in users.items():
        fields = _base_fields(user, edition)
        fields["open_count"] = counts[user_id]
        result.append(Recipient(user=user, kind="juror", fields=fields, deadline_at=judging_round.deadline_at))
    return result


def _all_jurors(edition: Edition) -> list[Recipient]:
    round_ids = select(JudgingRound.id).where(JudgingRound.edition_id == edition.id)
    user_ids = set(db.session.scalars(select(RoundJuror.user_id).where(RoundJuror.round_id.in_(round_ids))))
    user_ids |= set(db.session.scalars(select(Assignment.user_id).where(Assignment.round_id.in_(round_ids))))
    if not user_ids:
        return []
    judging_round = current_round(edition)
    deadline = judging_round.deadline_at if judging_round else edition.jury_ends_at
    users = db.session.scalars(select(User).where(User.id.in_(user_ids), User.is_active_account.is_(True))).all()
    return [Recipient(user=user, kind="juror", fields=_base_fields(user, edition), deadline_at=deadline)
            for user in users]

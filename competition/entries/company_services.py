"""Use cases of companies: the profile, colleagues joining and leaving. They flush, never commit; `by` and `now`
are explicit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.queries import normalize_email
from ..accounts.services import grant_role
from ..core import audit
from ..core.errors import AlreadyExists, PermissionDenied, ValidationFailed
from ..extensions import db
from . import permissions
from .models import Company, CompanyInvite, CompanyMember, PastCompanyMembership
from .queries import juror_in_running_edition

COMPANY_FIELDS = ("legal_name", "legal_form", "street", "postal_code", "city", "district", "employees",
                  "turnover_band", "industry", "website", "contact_name", "contact_email", "contact_phone")


def create_company(*, data: dict[str, Any], by: User, now: datetime) -> Company:
    if permissions.membership(by) is not None:
        raise AlreadyExists(_l("Sie gehören bereits zu einem Unternehmen."))
    company = Company(created_at=now, updated_at=now, **{k: data[k] for k in COMPANY_FIELDS})
    company.members.append(CompanyMember(user_id=by.id, is_admin=True, joined_at=now))
    db.session.add(company)
    grant_role(user=by, role=Role.APPLICANT, now=now)
    db.session.flush()
    audit.record(actor=by, action="company.created", obj_type="company", obj_id=company.id, now=now,
                 legal_name=company.legal_name)
    if juror_in_running_edition(by, now):
        _record_joining(user=by, company=company, action="company.member_joined", now=now)
    return company


# Changes of these fields are recorded with their values (public business data); of the others only which changed
# (contact details are personal data and stay out of the audit trail).
AUDITED_VALUES = ("legal_name", "legal_form", "city", "district")


def _plain_value(value: Any) -> Any:
    return getattr(value, "value", value)


def update_company(*, company: Company, data: dict[str, Any], by: User, now: datetime) -> None:
    """Change the company profile. What was submitted stays in the entries' versions (and is what is published);
    a change of name is audited as `company.renamed`, other changes as `company.updated`."""
    if not permissions.is_member(by, company):
        raise PermissionDenied(_l("Sie gehören nicht zu diesem Unternehmen."))
    before = {key: _plain_value(getattr(company, key)) for key in COMPANY_FIELDS}
    for key in COMPANY_FIELDS:
        setattr(company, key, data[key])
    company.updated_at = now
    db.session.flush()
    after = {key: _plain_value(getattr(company, key)) for key in COMPANY_FIELDS}
    changed = [key for key in COMPANY_FIELDS if before[key] != after[key]]
    if "legal_name" in changed:
        audit.record(actor=by, action="company.renamed", obj_type="company", obj_id=company.id, now=now,
                     before=before["legal_name"], after=after["legal_name"])
    others = [key for key in changed if key != "legal_name"]
    if others:
        audit.record(actor=by, action="company.updated", obj_type="company", obj_id=company.id, now=now,
                     changed=others, values={key: [before[key], after[key]] for key in others
                                             if key in AUDITED_VALUES})


def invite_colleague(*, company: Company, email: str, by: User, now: datetime) -> CompanyInvite:
    if not permissions.is_company_admin(by, company):
        raise PermissionDenied(_l("Nur die Administration Ihres Unternehmens kann Kolleginnen und Kollegen "
                                  "einladen."))
    email = normalize_email(email)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and permissions.membership(existing) is not None:
        raise AlreadyExists(_l("Diese Person gehört bereits zu einem Unternehmen."), field="email")
    invite = CompanyInvite(company=company, email=email, created_by_id=by.id, created_at=now,
                           expires_at=now + timedelta(days=14))
    db.session.add(invite)
    db.session.flush()
    return invite


def accept_colleague_invite(*, invite: CompanyInvite, user: User, now: datetime) -> None:
    if invite.accepted_at is not None or invite.expires_at <= now:
        raise ValidationFailed(_l("Diese Einladung ist nicht mehr gültig. Bitte lassen Sie sich erneut einladen."))
    if user.email != invite.email:
        raise PermissionDenied(_l("Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dieser Adresse "
                                  "an.", email=invite.email))
    if permissions.membership(user) is not None:
        raise AlreadyExists(_l("Sie gehören bereits zu einem Unternehmen."))
    invite.company.members.append(CompanyMember(user_id=user.id, is_admin=False, joined_at=now))
    grant_role(user=user, role=Role.APPLICANT, now=now)
    invite.accepted_at = now
    db.session.flush()
    _record_joining(user=user, company=invite.company, action="company.member_joined", now=now,
                    invited_by=invite.created_by_id)


def _record_joining(*, user: User, company: Company, action: str, now: datetime, **data) -> None:
    editions = juror_in_running_edition(user, now)
    audit.record(actor=user, action=action, obj_type="company", obj_id=company.id, now=now, user=user.id,
                 juror_of_running_editions=[e.id for e in editions], **data)


def end_membership(*, membership: CompanyMember, now: datetime) -> None:
    """Someone leaves a company's account. The membership is kept as a past one: having belonged to the company
    stays a conflict of interest with its entries."""
    db.session.add(PastCompanyMembership(company_id=membership.company_id, user_id=membership.user_id,
                                         joined_at=membership.joined_at, left_at=now))
    membership.company.members.remove(membership)
    db.session.flush()

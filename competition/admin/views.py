from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..accounts.models import Invitation, Role, User, UserRole
from ..core.clock import utcnow
from ..core.permissions import role_required
from ..editions import services as edition_services
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/organisation")


@bp.get("/")
@role_required(Role.ORGANISER)
def dashboard():
    now = utcnow()
    editions = db.session.scalars(edition_services.list_editions()).all()
    role_counts = dict(
        (role, count) for role, count in db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role))
    )
    open_invitations = db.session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now
        )
    )
    unverified = db.session.scalar(select(func.count()).select_from(User).where(User.email_verified_at.is_(None)))
    return render_template(
        "admin/dashboard.html",
        editions=editions,
        now=now,
        role_counts={role: role_counts.get(role, 0) for role in Role},
        open_invitations=open_invitations,
        unverified=unverified,
    )

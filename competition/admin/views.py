from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.models import Role, User, UserRole
from ..core.clock import utcnow
from ..core.ids import db_int
from ..core.permissions import role_required
from ..editions import services as edition_services
from ..editions.models import Edition
from ..editions.phases import Phase
from ..extensions import db
from . import cockpit

bp = Blueprint("admin", __name__, url_prefix="/organisation")


def split_editions(editions, now):
    """Current editions (not yet published; else the latest one) and the older ones, which live one click away."""
    current = [e for e in editions if e.phase(now) is not Phase.PUBLISHED]
    if not current and editions:
        current = [max(editions, key=lambda e: e.publication_at)]
    older = [e for e in editions if e not in current]
    return current, older


@bp.get("/")
@role_required(Role.ORGANISER)
def dashboard():
    now = utcnow()
    editions = db.session.scalars(edition_services.list_editions()).all()
    current, older = split_editions(editions, now)
    role_counts = dict(db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role)).all())
    unverified = db.session.scalar(select(func.count()).select_from(User).where(User.email_verified_at.is_(None)))
    return render_template(
        "admin/dashboard.html",
        cockpits=[cockpit.cockpit(edition, now) for edition in current],
        older=older,
        invitations=cockpit.invitation_todo(now),
        now=now,
        role_counts={role: role_counts.get(role, 0) for role in Role},
        unverified=unverified,
    )


# --- the organisers' grouped navigation ----------------------------------------------------------------------------

NAV_GROUPS = ("ausschreibung", "beitraege", "jury", "ergebnisse", "kommunikation", "system")
_GROUP_OF_BLUEPRINT = {
    "admin": "ausschreibung", "editions": "ausschreibung", "questions": "ausschreibung",
    "entries_admin": "beitraege", "attachments": "beitraege",
    "jury_admin": "jury", "jury_progress": "jury", "preference_admin": "jury",
    "rankings": "ergebnisse", "jury_decisions": "ergebnisse", "reliability": "ergebnisse",
    "communications": "kommunikation", "mail_templates": "kommunikation",
    "audit": "system", "jobs": "system", "privacy": "system",
}


@bp.app_context_processor
def organiser_navigation():
    """For organisers: the edition the menu links point to (the one in the URL, else the current one) and which
    group the page belongs to. One small query, only on organiser pages."""
    if not getattr(current_user, "is_authenticated", False) or not current_user.is_organiser:
        return {}
    if not request.path.startswith("/organisation"):
        return {"nav_edition": None, "nav_group": None}
    edition_id = (request.view_args or {}).get("edition_id") or request.args.get("edition")
    try:
        edition_id = db_int(edition_id) if edition_id not in (None, "") else None
    except ValueError:  # out of range or not a number (an error page is being shown): the current edition
        edition_id = None
    edition = db.session.get(Edition, edition_id) if edition_id else None
    if edition is None:
        now = utcnow()
        editions = db.session.scalars(edition_services.list_editions()).all()
        current, _older = split_editions(editions, now)
        edition = current[0] if current else None
    if request.endpoint in ("accounts.invitations",):
        group = "jury"
    else:
        group = _GROUP_OF_BLUEPRINT.get(request.blueprint or "")
    return {"nav_edition": edition, "nav_group": group}

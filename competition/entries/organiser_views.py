"""Organiser pages for entries: list, detail, eligibility, deadline extensions, exports."""

from flask import Blueprint

from ..accounts.models import Role
from ..core.permissions import role_required

bp = Blueprint("entries_admin", __name__, url_prefix="/organisation")


@bp.get("/entries")
@role_required(Role.ORGANISER)
def list_entries():
    return "", 204

"""Organiser pages for entries: list, detail, eligibility, deadline extensions, exports."""

from flask import Blueprint

bp = Blueprint("entries_admin", __name__, url_prefix="/organisation")

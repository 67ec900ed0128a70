"""Company-facing pages: profile, colleagues, entries, submission."""

from flask import Blueprint

bp = Blueprint("entries", __name__)

"""Role checks for views. Object-level checks live in each module's permissions.py."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles):
    """Anonymous users go to the login page (with `next`); signed-in users without the role get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_organiser(by, message=None) -> None:
    """Service-level check: only organisers may do this (raises PermissionDenied with `message` or a default)."""
    from flask_babel import lazy_gettext as _l

    from .errors import PermissionDenied

    if not by.is_organiser:
        raise PermissionDenied(message or _l("Nur das Organisationsteam kann das tun."))

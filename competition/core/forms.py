"""Glue between a submitted form and a service call, used by every view that edits something."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm

from ..extensions import db
from .errors import DomainError

T = TypeVar("T")


def run_service(form: FlaskForm, call: Callable[[], T], *, default_field: str | None = None) -> tuple[bool, T | None]:
    """Call a service, then commit; a domain error rolls back and is shown next to its field (or flashed).

    The form keeps what the user typed either way.
    """
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        field = getattr(form, exc.field or default_field or "", None) if (exc.field or default_field) else None
        if field is not None:
            field.errors = [*field.errors, str(exc.message)] if isinstance(field.errors, list) else [str(exc.message)]
        else:
            flash(str(exc.message), "error")
        return False, None
    db.session.commit()
    return True, result

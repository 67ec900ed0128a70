"""What a view does with the outcome of a service call: commit on success; on a domain error roll back and show the
message next to its form field (or as a flash). The one place for this glue, used by every view that edits
something.

- `run_service(form, call)` calls, commits, and reports the error: for the plain case.
- `show_failure(exc, form)` rolls back and reports: for views that catch `DomainError` themselves because the
  success path does more than commit (a mail, a new session, a redirect).

Either way the form keeps what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm

from ..extensions import db
from .errors import DomainError

T = TypeVar("T")


def show_failure(exc: DomainError, form: FlaskForm | None = None, *, field: str | None = None,
                 rollback: bool = True) -> None:
    """Roll back the failed use case and show its message: next to the form field the error names (or `field`
    when it names none), else as a flash."""
    if rollback:
        db.session.rollback()
    name = exc.field or field
    target = getattr(form, name, None) if form is not None and name else None
    if target is not None:
        target.errors = [*target.errors, str(exc.message)] if isinstance(target.errors, list) else [str(exc.message)]
    else:
        flash(str(exc.message), "error")


def run_service(form: FlaskForm, call: Callable[[], T], *, default_field: str | None = None) -> tuple[bool, T | None]:
    """Call a service, then commit; a domain error rolls back and is shown next to its field (or flashed)."""
    try:
        result = call()
    except DomainError as exc:
        show_failure(exc, form, field=default_field)
        return False, None
    db.session.commit()
    return True, result

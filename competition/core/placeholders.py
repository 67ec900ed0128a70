"""The values a mail sees: plain data built for each mail kind, never database rows.

Organisers edit mail templates. Whatever language those templates are written in, what they are rendered over is
data made for them: strings, numbers, dates, and lists and dicts of these. A row handed to a template brings its
methods and relationships along (``{{ juror.role_rows.clear() }}`` once removed a juror's role while reminders
were sent); a plain value cannot change anything.

Each mail kind builds its values in one place, a ``*_values`` function in its module's ``mails.py`` (accounts,
entries, judging, rankings), used both by the code that sends the mail and by the sample data organisers preview
and check templates with, so both always have the same shape. ``send_mail`` passes every context through
``plain_values``, which refuses anything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask_babel.speaklater import LazyString

_SCALARS = (bool, int, float, Decimal, datetime, date, time)


class NotPlain(TypeError):
    """A mail was given a value that is not plain data (a programming error: build the value for the mail)."""


def plain_values(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``context`` with dataclasses turned into dicts and tuples into lists; raises NotPlain for
    anything that is not a string, number, date, ``None``, or a list or dict (with string keys) of these."""
    return {str(key): _plain(value, str(key)) for key, value in context.items()}


def _plain(value: Any, path: str) -> Any:
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, str):
        return str(value)  # Markup, StrEnum and other str subclasses become plain text
    if isinstance(value, LazyString):
        return str(value)  # translated in the current (the recipient's) language
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), f"{path}.{f.name}") for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise NotPlain(f"mail placeholder {path!r}: dict keys must be strings")
        return {key: _plain(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise NotPlain(f"mail placeholder {path!r} is a {type(value).__name__}; mails get plain values only "
                   "(strings, numbers, dates, lists and dicts), built for the mail by its *_values function")


def person(user: Any) -> dict[str, str]:
    """A person as mail templates see them: ``{{ user.full_name }}``, ``{{ user.email }}``."""
    return {"full_name": user.full_name or "", "email": user.email or ""}

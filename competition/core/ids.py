"""Ids and other whole numbers from URLs, query strings and forms, within what the database columns hold.

The id columns are ``INTEGER`` (32-bit signed). PostgreSQL refuses a larger number in a query
(``/entries/9999999999999999999999999`` was a server error there; SQLite simply found nothing), so such a number
never reaches a query:

- in a path, the ``int`` URL converter (registered as the default by ``init_app``) does not match it: 404;
- in a query string or a form, ``db_int`` is the ``type=``/``coerce=`` that refuses it: the parameter counts as
  missing, or the form field shows an error.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # INTEGER on PostgreSQL (and what SQLite stores for our ids)


def db_int(value) -> int:
    """``int(value)`` for a number between 0 and MAX_DB_INT; ValueError otherwise (also for '+1', ' 1', '1e3').

    For ``request.args.get(name, type=db_int)`` (out of range: the default) and ``coerce=db_int`` in forms."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value)
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            raise ValueError("not a whole number in range")
        number = int(text)
    if not 0 <= number <= MAX_DB_INT:
        raise ValueError("out of range")
    return number


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in every route: digits only, at most MAX_DB_INT (anything larger is a 404, never a query)."""

    regex = r"\d{1,10}"  # more digits never match at all

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_DB_INT if max is None else max,
                         signed=signed)


def init_app(app: Flask) -> None:
    """Make DatabaseIntConverter the ``int`` converter (before any route is added)."""
    app.url_map.converters["int"] = DatabaseIntConverter

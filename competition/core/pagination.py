"""Pagination that reads the page and the total in one query (a window count beside each row).

`db.paginate` runs the page's query and then a second ``SELECT count(*)`` over the same filtered, joined query; for
a long list (2 000 entries) that second query costs about as much as the first. Here the total comes with each row
as ``count(*) OVER ()``; only a page past the end (no rows) asks for the count separately.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination


class WindowCountPagination(SelectPagination):
    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"]
        total = sa.func.count().over().label("pagination_total")
        rows = self._query_args["session"].execute(
            statement.add_columns(total).limit(self.per_page).offset(self._query_offset)).all()
        self._window_total = rows[0][-1] if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._window_total is not None:
            return self._window_total
        return super()._query_count()


def paginate(session, statement: sa.Select, *, page: int, per_page: int) -> WindowCountPagination:
    """Like `db.paginate(statement, page=…, per_page=…, error_out=False)`, with one query instead of two."""
    return WindowCountPagination(select=statement, session=session, page=page, per_page=per_page, error_out=False)

"""Loading the object a URL names: 404 when it is missing or does not belong to its parent in the URL."""

from __future__ import annotations

from typing import TypeVar

from flask import abort

from ..extensions import db

T = TypeVar("T")


def get_child_or_404(model: type[T], object_id: int, **parent_ids: int) -> T:
    """`get_child_or_404(JudgingRound, round_id, edition_id=edition.id)`: the row, or 404 if it is missing or its
    parent ids differ (so /editions/1/rounds/7 never shows a round of edition 2)."""
    obj = db.get_or_404(model, object_id)
    if any(getattr(obj, name) != value for name, value in parent_ids.items()):
        abort(404)
    return obj

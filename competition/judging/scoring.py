"""The arithmetic of a score sheet. Pure: no Flask, no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..editions.scales import Scale


@dataclass(frozen=True)
class CriterionWeight:
    id: int
    weight: Decimal


def weighted_total(values: dict[int, Decimal | None], criteria: list[CriterionWeight]) -> Decimal | None:
    """Weighted mean of the scored criteria, on the round's scale, to two decimals.

    Criteria without a score (or with weight 0) do not count; None when nothing counts. With every criterion
    scored this is the sheet's total; before that it is a provisional total of what is there.
    """
    weight_sum = Decimal(0)
    weighted = Decimal(0)
    for criterion in criteria:
        value = values.get(criterion.id)
        if value is None or criterion.weight <= 0:
            continue
        weight_sum += criterion.weight
        weighted += criterion.weight * Decimal(value)
    if weight_sum == 0:
        return None
    return (weighted / weight_sum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class ValueProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_SCALE = "out_of_scale"
    OFF_STEP = "off_step"


def parse_value(raw: str | None, scale: Scale) -> tuple[Decimal | None, ValueProblem | None]:
    """A typed score ("7", "7,5", "") → (value, problem). Empty means "not scored yet"."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, ValueProblem.NOT_A_NUMBER
    if not value.is_finite():
        return None, ValueProblem.NOT_A_NUMBER
    if value < scale.minimum or value > scale.maximum:
        return None, ValueProblem.OUT_OF_SCALE
    if not scale.allows(value):
        return None, ValueProblem.OFF_STEP
    return value, None


def unscored(values: dict[int, Decimal | None], criteria: list[CriterionWeight]) -> list[int]:
    return [c.id for c in criteria if values.get(c.id) is None]


def spread(totals: list[Decimal]) -> Decimal | None:
    """Largest minus smallest total of an entry's sheets."""
    return (max(totals) - min(totals)) if len(totals) >= 2 else None


def outliers(totals: dict[int, Decimal], *, threshold: Decimal) -> set[int]:
    """Sheets whose total is more than `threshold` scale points away from the median of the other sheets."""
    flagged = set()
    for key, total in totals.items():
        others = sorted(v for k, v in totals.items() if k != key)
        if len(others) < 2:
            continue
        middle = len(others) // 2
        median = others[middle] if len(others) % 2 else (others[middle - 1] + others[middle]) / 2
        if abs(total - median) > threshold:
            flagged.add(key)
    return flagged

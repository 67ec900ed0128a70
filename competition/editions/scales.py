"""Score scales and criterion weights. Pure: no Flask, no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

MAX_STEPS = 200


class ScaleProblem(enum.Enum):
    MIN_NOT_BELOW_MAX = "min_not_below_max"
    STEP_NOT_POSITIVE = "step_not_positive"
    STEP_DOES_NOT_DIVIDE = "step_does_not_divide"
    TOO_MANY_STEPS = "too_many_steps"


@dataclass(frozen=True)
class Scale:
    minimum: Decimal
    maximum: Decimal
    step: Decimal

    def problems(self) -> list[ScaleProblem]:
        if self.minimum >= self.maximum:
            return [ScaleProblem.MIN_NOT_BELOW_MAX]
        if self.step <= 0:
            return [ScaleProblem.STEP_NOT_POSITIVE]
        steps = (self.maximum - self.minimum) / self.step
        if steps != steps.to_integral_value():
            return [ScaleProblem.STEP_DOES_NOT_DIVIDE]
        if steps > MAX_STEPS:
            return [ScaleProblem.TOO_MANY_STEPS]
        return []

    def allows(self, value: Decimal) -> bool:
        """Within the scale and on a step."""
        if value < self.minimum or value > self.maximum:
            return False
        offset = (value - self.minimum) / self.step
        return offset == offset.to_integral_value()

    def values(self) -> list[Decimal]:
        count = int((self.maximum - self.minimum) / self.step)
        return [self.minimum + i * self.step for i in range(count + 1)]


def weight_percentages(weights: list[Decimal], places: int = 1) -> list[Decimal]:
    """Relative weights as percentages that add up to exactly 100 (largest-remainder rounding).

    Weights must be positive; an empty list gives an empty list.
    """
    if not weights:
        return []
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    unit = Decimal(1).scaleb(-places)
    total = sum(weights)
    exact = [w * 100 / total for w in weights]
    floored = [e.quantize(unit, rounding=ROUND_FLOOR) for e in exact]
    missing = int(((Decimal(100) - sum(floored)) / unit).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floored[i]), i))
    for i in order[:missing]:
        floored[i] += unit
    return floored

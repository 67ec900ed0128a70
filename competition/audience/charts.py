"""The monitor's chart: confirmed votes per entry over time, as an inline SVG line chart (cumulative).

Built like ``rankings/charts.py``: every text escaped, ``role="img"`` with ``<title>`` and ``<desc>``, presentation
attributes only (the CSP forbids inline styles), a legend, and the page shows the same numbers as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import Markup

from ..core.clock import to_berlin
from ..rankings.charts import INK, MUTED, _clip, _f, _line, _svg, _text

PALETTE = ("#0b5c8a", "#b3541e", "#2e7d32", "#6a1b9a", "#8d6e00", "#c2185b", "#00695c", "#37474f")


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[datetime, int], ...]  # (time, cumulative votes)


def timeline(series: list[Series], *, start: datetime, end: datetime, title: str) -> Markup:
    width, height = 640.0, 260.0 + 14 * ((len(series) + 1) // 2)
    left, right, top, bottom = 44.0, 628.0, 28.0, 210.0
    highest = max([p[1] for s in series for p in s.points] + [1])
    tick = max(1, math.ceil(highest / 4))
    top_value = tick * 4
    span = max((end - start).total_seconds(), 1.0)
    body = [_text(left, 16, title, weight="bold", size=11)]

    def x(moment: datetime) -> float:
        return left + (moment - start).total_seconds() / span * (right - left)

    def y(value: float) -> float:
        return bottom - value / top_value * (bottom - top)

    for i in range(5):  # value axis: whole votes
        value = tick * i
        body.append(_line(left, y(value), right, y(value)))
        body.append(_text(left - 4, y(value) + 3, format_number(value), anchor="end", fill=MUTED, size=8))
    body.append(_line(left, top, left, bottom, stroke=INK))
    body.append(_line(left, bottom, right, bottom, stroke=INK))
    for i in range(5):  # time axis
        moment = start + (end - start) * (i / 4)
        body.append(_line(x(moment), bottom, x(moment), bottom + 3, stroke=INK))
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        body.append(_text(x(moment), bottom + 13, to_berlin(moment).strftime("%d.%m. %H:%M"), anchor=anchor,
                          fill=MUTED, size=8))
    body.append(_text((left + right) / 2, bottom + 26, _("Zeit (Uhrzeit in Deutschland)"), anchor="middle", size=8))
    body.append(f'<text x="12" y="{_f((top + bottom) / 2)}" text-anchor="middle" fill="{INK}" font-size="8" '
                f'transform="rotate(-90 12 {_f((top + bottom) / 2)})">{_("Bestätigte Stimmen")}</text>')
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        steps, previous = [(start, 0)], 0  # a step line: the count rises at the moment of each confirmation
        for moment, value in s.points:
            steps += [(moment, previous), (moment, value)]
            previous = value
        steps.append((end, previous))
        path = " ".join(f"{_f(x(moment))},{_f(y(value))}" for moment, value in steps)
        dash = ' stroke-dasharray="4 2"' if index >= len(PALETTE) else ""
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
        lx = left + (index % 2) * 300
        ly = bottom + 44 + 14 * (index // 2)
        body.append(_line(lx, ly - 3, lx + 16, ly - 3, stroke=colour, width=2.4))
        body.append(_text(lx + 20, ly, _clip(s.label, 48), size=8))
    desc = "; ".join(f"{s.label}: {s.points[-1][1] if s.points else 0}" for s in series)
    return _svg(width, height, title, _("Bestätigte Stimmen je Beitrag im Zeitverlauf. Stand: %(desc)s",
                                        desc=desc), body, "chart-timeline") if series else Markup("")

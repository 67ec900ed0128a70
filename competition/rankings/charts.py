"""Inline SVG charts of a frozen ranking, for PDFs (WeasyPrint) and web pages alike.

Each function returns ``markupsafe.Markup``: the SVG is built here with every text escaped (entry titles and
names are untrusted input), so templates insert it as is. Accessible: ``role="img"``, ``<title>`` and ``<desc>``
(``aria-labelledby``) say what the chart shows, in words; the table beside each chart has the same numbers. No
``style`` attributes (the web pages' CSP forbids inline styles): presentation attributes only. Sizes are in user
units; the SVG scales to the width of its container (``width="100%"`` and a viewBox).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = "DejaVu Sans, sans-serif"
INK = "#1a1a1a"
MUTED = "#5c5c5c"
GRID = "#d5dde3"
BLUE = "#0b5c8a"
LIGHT = "#c9dcea"
ORANGE = "#b3541e"
MAX_DOTS = 80
_ids = itertools.count(1)


def _n(value: float, places: int = 1) -> str:
    return format_decimal(value, format="#,##0." + "#" * places)


def _f(value: float) -> str:
    """A coordinate: short, with a decimal point (never the locale's comma)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


TITLE_H, AXIS_H, LEGEND_H = 18.0, 14.0, 14.0


def _legend_items(items: Sequence[tuple[str, str]], *, x: float, y: float) -> list[str]:
    """A legend row: (SVG swatch, label) pairs side by side."""
    out, cursor = [], x
    for swatch, label in items:
        out.append(f'<g transform="translate({_f(cursor)},{_f(y - 4)})">{swatch}</g>')
        out.append(_text(cursor + 12, y, label, fill=MUTED, size=8))
        cursor += 18 + 4.6 * len(label)
    return out


class Chart(Markup):
    """An SVG chart that also carries its values as rows (label, value) for the table beside it."""

    rows: tuple[tuple[str, str], ...] = ()
    title: str = ""


def _rows(sentences: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(s.split(": ", 1)) if ": " in s else (s, "") for s in sentences)  # type: ignore[misc]


def _svg(width: float, height: float, title: str, desc: str, body: list[str], css_class: str, *,
         x_label: str = "", y_label: str = "", label_w: float = 0.0,
         legend: Sequence[tuple[str, str]] = (), sentences: Sequence[str] = ()) -> Markup:
    """The chart with a visible title on top, the axis labels (the value axis under the ticks, the category axis
    above the row labels) and a legend at the bottom; the plot keeps its own coordinates, shifted down."""
    uid = f"chart{next(_ids)}"
    total = height + TITLE_H + (AXIS_H if x_label else 0) + (LEGEND_H if legend else 0)
    frame = [_text(0, 12, title, size=11, weight="bold").replace("<text ", '<text class="chart-title" ', 1)]
    if y_label and label_w:
        frame.append(_text(label_w - 6, TITLE_H + 4, y_label, anchor="end", fill=MUTED, size=8, weight="bold")
                     .replace("<text ", '<text class="chart-axis-label chart-y-label" ', 1))
    if x_label:
        frame.append(_text(label_w + (width - label_w) / 2, TITLE_H + height + 8, x_label, anchor="middle",
                           fill=MUTED, size=8, weight="bold")
                     .replace("<text ", '<text class="chart-axis-label chart-x-label" ', 1))
    if legend:
        y = total - 4
        frame.append('<g class="chart-legend">' + "".join(_legend_items(legend, x=label_w, y=y)) + "</g>")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" role="img" width="100%" '
        f'viewBox="0 0 {_f(width)} {_f(total)}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONT}" font-size="9">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
        *frame,
        f'<g transform="translate(0,{_f(TITLE_H)})">',
        *body,
        "</g>",
        "</svg>",
    ]
    chart = Chart("".join(parts))  # nosec B704  # built here, every text in it escaped
    chart.rows, chart.title = _rows(sentences), title
    return chart


def _dot(fill: str) -> str:
    return f'<circle cx="4" cy="0" r="3" fill="{fill}"/>'


def _box(fill: str, stroke: str | None = None) -> str:
    line = f' stroke="{stroke}" stroke-width="0.6"' if stroke else ""
    return f'<rect x="0" y="-4" width="9" height="8" fill="{fill}"{line}/>'


def _bar(stroke: str) -> str:
    return f'<line x1="4" y1="-5" x2="4" y2="5" stroke="{stroke}" stroke-width="2"/>'


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, size: float | None = None,
          weight: str | None = None) -> str:
    extra = f' font-size="{_f(size)}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(text)}</text>")


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = GRID, width: float = 0.6,
          dash: str | None = None) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{stroke}" '
            f'stroke-width="{_f(width)}"{extra}/>')


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scale_axis(x0: float, x1: float, y_top: float, y_bottom: float, lo: float, hi: float,
                ticks: Sequence[float]) -> list[str]:
    out = []
    for tick in ticks:
        x = x0 + (tick - lo) / (hi - lo) * (x1 - x0) if hi > lo else x0
        out.append(_line(x, y_top, x, y_bottom))
        out.append(_text(x, y_bottom + 10, _n(tick, 2), anchor="middle", fill=MUTED, size=8))
    return out


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    step = next((s for s in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100) if s >= raw), raw)
    first = round(lo / step) * step
    ticks, value = [], first
    while value <= hi + 1e-9:
        if value >= lo - 1e-9:
            ticks.append(round(value, 6))
        value += step
    return ticks


# --- score distribution per category ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Distribution:
    label: str
    values: Sequence[float]


def quartiles(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    """min, lower quartile, median, upper quartile, max (inclusive method; a single value is all five)."""
    data = sorted(values)
    if len(data) == 1:
        return (data[0],) * 5
    q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return data[0], q1, q2, q3, data[-1]


def score_distribution(groups: Sequence[Distribution], *, scale_min: float, scale_max: float,
                       title: str | None = None, row_label: str | None = None) -> Markup:
    """One row per group (a category, or within one category the total and each criterion): every entry's value as
    a dot, the box from the lower to the upper quartile, the median as a bar, the whiskers from minimum to maximum.
    `row_label` names the row axis (default "Kategorie")."""
    label_w, plot_w, row_h, top = 150.0, 330.0, 26.0, 8.0
    width = label_w + plot_w + 20
    height = top + row_h * max(len(groups), 1) + 18
    x0, x1 = label_w, label_w + plot_w

    def x(v: float) -> float:
        return x0 + (v - scale_min) / (scale_max - scale_min) * plot_w if scale_max > scale_min else x0

    body = _scale_axis(x0, x1, top, height - 16, scale_min, scale_max, _ticks(scale_min, scale_max))
    sentences = []
    for i, group in enumerate(groups):
        cy = top + row_h * i + row_h / 2
        body.append(_text(x0 - 6, cy + 3, _clip(group.label, 28), anchor="end"))
        if not group.values:
            body.append(_text(x0 + 4, cy + 3, _("keine Werte"), fill=MUTED, size=8))
            sentences.append(_("%(label)s: keine Werte", label=group.label))
            continue
        lo, q1, med, q3, hi = quartiles(group.values)
        body.append(_line(x(lo), cy, x(hi), cy, stroke=MUTED, width=0.8))
        body.append(f'<rect x="{_f(x(q1))}" y="{_f(cy - 7)}" width="{_f(max(x(q3) - x(q1), 0.8))}" height="14" '
                    f'fill="{LIGHT}" stroke="{BLUE}" stroke-width="0.6"/>')
        body.append(_line(x(med), cy - 8, x(med), cy + 8, stroke=BLUE, width=2))
        if len(group.values) <= MAX_DOTS:  # beyond that the box says it all (and draws much faster)
            for v in group.values:
                body.append(f'<circle cx="{_f(x(v))}" cy="{_f(cy)}" r="1.8" fill="{INK}" fill-opacity="0.55"/>')
        sentences.append(_("%(label)s: %(n)s Beiträge, Minimum %(lo)s, Median %(med)s, Maximum %(hi)s",
                           label=group.label, n=len(group.values), lo=_n(lo, 2), med=_n(med, 2), hi=_n(hi, 2)))
    return _svg(width, height, title or _("Verteilung der Punktzahlen je Kategorie"), "; ".join(sentences) + ".",
                body, "chart-distribution", sentences=sentences, x_label=_("Punktzahl"),
                y_label=row_label or _("Kategorie"),
                label_w=label_w,
                legend=[(_dot(INK), _("ein Beitrag")), (_box(LIGHT, BLUE), _("mittlere Hälfte")),
                        (_bar(BLUE), _("Median"))])


# --- juror leniency ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leniency:
    label: str
    offset: float
    calibrated: bool


def juror_leniency(jurors: Sequence[Leniency], *, title: str | None = None) -> Markup:
    """A bar per juror from zero to the juror's offset (points above or below the panel); jurors left out of the
    calibration are drawn hatched in grey with the note "nicht kalibriert"."""
    label_w, plot_w, row_h, top = 150.0, 300.0, 16.0, 8.0
    width = label_w + plot_w + 100  # room for the note "±0 (nicht kalibriert)"
    height = top + row_h * max(len(jurors), 1) + 18
    largest = max([abs(j.offset) for j in jurors] + [0.5])
    bound = next((b for b in (0.5, 1, 1.5, 2, 3, 4, 5, 10, 20, 50, 100) if b >= largest), largest)
    x0 = label_w
    mid = x0 + plot_w / 2

    def x(v: float) -> float:
        return mid + v / bound * plot_w / 2

    ticks = [-bound, -bound / 2, 0.0, bound / 2, bound]
    body = _scale_axis(x0, x0 + plot_w, top, height - 16, -bound, bound, ticks)
    body.append(_line(mid, top, mid, height - 16, stroke=INK, width=0.8))
    sentences = []
    for i, juror in enumerate(jurors):
        cy = top + row_h * i + row_h / 2
        body.append(_text(x0 - 6, cy + 3, _clip(juror.label, 28), anchor="end"))
        left, right = sorted((x(0), x(juror.offset)))
        fill = (BLUE if juror.offset >= 0 else ORANGE) if juror.calibrated else GRID
        body.append(f'<rect x="{_f(left)}" y="{_f(cy - 5)}" width="{_f(max(right - left, 0.8))}" height="10" '
                    f'fill="{fill}"/>')
        sign = "+" if juror.offset > 0 else ("−" if juror.offset < 0 else "±")
        note = f"{sign}{_n(abs(juror.offset), 2)}" + ("" if juror.calibrated else " " + _("(nicht kalibriert)"))
        body.append(_text(x0 + plot_w + 4, cy + 3, note, fill=MUTED, size=8))
        sentences.append(f"{juror.label}: {note}")
    desc = _("Abweichung jedes Jurymitglieds vom Panel in Punkten (positiv: milder, negativ: strenger). ")
    return _svg(width, height, title or _("Milde und Strenge der Jury"), desc + "; ".join(sentences) + ".",
                body, "chart-leniency", sentences=sentences, x_label=_("Abweichung von der übrigen Jury in Punkten"),
                y_label=_("Jurymitglied"), label_w=label_w,
                legend=[(_box(BLUE), _("milder")), (_box(ORANGE), _("strenger")), (_box(GRID), _("nicht kalibriert"))])


# --- ranking with rank intervals -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankRow:
    label: str
    rank: int
    interval: tuple[int, int] | None
    tie: bool = False


def ranking_intervals(rows: Sequence[RankRow], *, title: str | None = None, limit: int = 40) -> Markup:
    """Each entry on its own row, in rank order: a dot at its rank and a bar over its rank interval (the ranks it
    took in the resampling). Long rankings show the first `limit` rows (the rest is in the table)."""
    shown = list(rows[:limit])
    total = max([r.rank for r in rows] + [max(r.interval) for r in rows if r.interval] + [1])
    label_w, plot_w, row_h, top = 190.0, 290.0, 13.0, 8.0
    width = label_w + plot_w + 20
    height = top + row_h * max(len(shown), 1) + 18
    x0 = label_w

    def x(rank: float) -> float:
        return x0 + (rank - 1) / max(total - 1, 1) * plot_w

    body = _scale_axis(x0, x0 + plot_w, top, height - 16, 1, max(total, 2),
                       [t for t in _ticks(1, max(total, 2), 6) if float(t).is_integer()] or [1])
    sentences = []
    for i, row in enumerate(shown):
        cy = top + row_h * i + row_h / 2
        body.append(_text(x0 - 6, cy + 3, f"{row.rank}. {_clip(row.label, 30)}", anchor="end", size=8))
        if row.interval:
            lo, hi = row.interval
            body.append(f'<rect x="{_f(x(lo) - 2)}" y="{_f(cy - 3)}" width="{_f(x(hi) - x(lo) + 4)}" height="6" '
                        f'rx="3" fill="{ORANGE if row.tie else LIGHT}"/>')
            sentences.append(_("Rang %(rank)s (%(lo)s–%(hi)s): %(label)s", rank=row.rank, lo=lo, hi=hi,
                               label=row.label))
        else:
            sentences.append(_("Rang %(rank)s: %(label)s", rank=row.rank, label=row.label))
        body.append(f'<circle cx="{_f(x(row.rank))}" cy="{_f(cy)}" r="2.6" fill="{BLUE}"/>')
    desc = _("Rang jedes Beitrags (Punkt) und sein Rangintervall aus der Stichprobenwiederholung (Balken; orange: "
             "statistischer Gleichstand). ") + "; ".join(sentences) + "."
    if len(rows) > len(shown):
        desc += " " + _("Gezeigt sind die ersten %(n)s von %(total)s Beiträgen.", n=len(shown), total=len(rows))
    return _svg(width, height, title or _("Rangliste mit Rangintervallen"), desc, body, "chart-intervals",
                sentences=sentences, x_label=_("Rang"), y_label=_("Beitrag"), label_w=label_w,
                legend=[(_dot(BLUE), _("Rang")), (_box(LIGHT), _("Rangintervall")),
                        (_box(ORANGE), _("statistischer Gleichstand"))])


# --- one entry's criteria against its category -------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionBand:
    label: str
    value: float | None
    low: float
    q1: float
    median: float
    q3: float
    high: float


def criterion_profile(bands: Sequence[CriterionBand], *, scale_min: float, scale_max: float,
                      title: str | None = None) -> Markup:
    """Per criterion: the category's range (whiskers), its middle half (box) and median, and this entry's average
    as a diamond."""
    label_w, plot_w, row_h, top = 150.0, 300.0, 24.0, 8.0
    width = label_w + plot_w + 20
    height = top + row_h * max(len(bands), 1) + 18
    x0 = label_w

    def x(v: float) -> float:
        return x0 + (v - scale_min) / (scale_max - scale_min) * plot_w if scale_max > scale_min else x0

    body = _scale_axis(x0, x0 + plot_w, top, height - 16, scale_min, scale_max, _ticks(scale_min, scale_max))
    sentences = []
    for i, band in enumerate(bands):
        cy = top + row_h * i + row_h / 2
        body.append(_text(x0 - 6, cy + 3, _clip(band.label, 28), anchor="end"))
        body.append(_line(x(band.low), cy, x(band.high), cy, stroke=MUTED, width=0.8))
        body.append(f'<rect x="{_f(x(band.q1))}" y="{_f(cy - 6)}" width="{_f(max(x(band.q3) - x(band.q1), 0.8))}" '
                    f'height="12" fill="{LIGHT}" stroke="{BLUE}" stroke-width="0.5"/>')
        body.append(_line(x(band.median), cy - 7, x(band.median), cy + 7, stroke=BLUE, width=1.6))
        if band.value is not None:
            v = x(band.value)
            body.append(f'<path d="M{_f(v)} {_f(cy - 6)} L{_f(v + 6)} {_f(cy)} L{_f(v)} {_f(cy + 6)} '
                        f'L{_f(v - 6)} {_f(cy)} Z" fill="{ORANGE}" stroke="#ffffff" stroke-width="0.8"/>')
        sentences.append(_("%(label)s: Ihr Wert %(value)s, Kategorie von %(lo)s bis %(hi)s, Median %(med)s",
                           label=band.label, value="–" if band.value is None else _n(band.value, 2),
                           lo=_n(band.low, 2), hi=_n(band.high, 2), med=_n(band.median, 2)))
    desc = _("Ihr Durchschnitt je Kriterium (Raute) vor der Verteilung in Ihrer Kategorie (Linie: Spannweite, "
             "Kasten: mittlere Hälfte, Strich: Median). ") + "; ".join(sentences) + "."
    return _svg(width, height, title or _("Ihre Bewertung je Kriterium im Vergleich"), desc, body, "chart-profile",
                sentences=sentences, x_label=_("Punktzahl"), y_label=_("Kriterium"), label_w=label_w,
                legend=[(_dot(ORANGE), _("Ihr Wert")), (_box(LIGHT, BLUE), _("mittlere Hälfte der Kategorie")),
                        (_bar(BLUE), _("Median"))])

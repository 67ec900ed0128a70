"""The charts made from a snapshot: the panels of the organisers' ranking page (one per category, one for all
together) and the chart pieces the jury ranking PDF shares with them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from . import charts
from . import document_content as doc
from .models import RankingSnapshot
from .snapshot_content import SnapshotContent


def score_groups(content: SnapshotContent) -> list[charts.Distribution]:
    groups = []
    for category in doc.category_refs(content):
        rows = doc.category_ranking(content, category["id"]).ranking
        groups.append(charts.Distribution(category["name"], [r.score for r in rows if r.score is not None]))
    return groups


def interval_chart(rows: list[dict], title: str) -> Any:
    return charts.ranking_intervals(
        [charts.RankRow(f"{r['entry']['number']} {r['entry']['title']}", r["rank"], r["interval"], bool(r.get("tie")))
         for r in rows], title=title)


def category_distribution(content: SnapshotContent, category: dict, rows: list[dict], scale: dict) -> Any:
    """One category's spread: the total score and each criterion's average, one row each."""
    groups = [charts.Distribution(str(_l("Gesamtpunktzahl")),
                                  [r["score"] for r in rows if r.get("score") is not None])]
    for criterion in content.criteria:
        values = [(r.get("criteria") or {}).get(criterion.id) for r in rows]
        groups.append(charts.Distribution(criterion.name, [v for v in values if v is not None]))
    return charts.score_distribution(groups, scale_min=scale["min"], scale_max=scale["max"],
                                     title=str(_l("Verteilung der Punktzahlen: %(name)s", name=category["name"])),
                                     row_label=str(_l("Punktzahl und Kriterien")))


def leniency_chart(jurors: list[dict], title: str | None = None) -> Any:
    return charts.juror_leniency([charts.Leniency(j["name"], j.get("offset") or 0.0, bool(j.get("calibrated")))
                                  for j in jurors], title=title)


@dataclass(frozen=True)
class ChartPanel:
    """The charts of one category (or of all categories together) on the organisers' ranking page."""

    key: str
    name: str
    heading: str
    charts: tuple[Any, ...]


OVERALL_PANEL = "gesamt"


def page_charts(snapshot: RankingSnapshot) -> list[ChartPanel]:
    """The charts of the organisers' ranking page, one panel per category (its ranking with rank intervals, its
    spread, its jury's leniency) and one for all categories together; the same SVGs as in the jury ranking PDF."""
    content = doc.parsed(snapshot)
    scale = doc.scale(content)
    panels = []
    for category in doc.category_refs(content):
        ranking = doc.category_ranking(content, category["id"])
        rows = doc.rows(content, ranking)
        if not rows:
            continue
        name = category["name"]
        jurors = doc.jurors(content, ranking)
        panel_charts = [interval_chart(rows, str(_l("Rangliste %(name)s mit Rangintervallen", name=name))),
                        category_distribution(content, category, rows, scale)]
        if jurors:
            panel_charts.append(leniency_chart(jurors, str(_l("Milde und Strenge der Jury: %(name)s", name=name))))
        panels.append(ChartPanel(category["id"], name, str(_l("Kategorie %(name)s", name=name)),
                                 tuple(panel_charts)))
    overall = content.overall
    jurors = doc.jurors(content, overall)
    panels.append(ChartPanel(OVERALL_PANEL, str(_l("Alle Kategorien")), str(_l("Alle Kategorien im Vergleich")), (
        interval_chart(doc.rows(content, overall), str(_l("Gesamtrangliste mit Rangintervallen"))),
        charts.score_distribution(score_groups(content), scale_min=scale["min"], scale_max=scale["max"]),
        leniency_chart(jurors),
    )))
    return panels

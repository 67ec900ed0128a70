"""Exports of a frozen ranking for organisers: every juror's per-criterion scores and comments beside the entry's
aggregates, so the selection can be defended. CSV (German Excel: UTF-8 with BOM, semicolons, decimal commas) and
XLSX (a second sheet with the aggregates per category). Made from ``snapshot.content`` only; every text cell is
neutralised against formula injection (`core.tabular`)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..core.clock import to_berlin
from ..core.tabular import Cell, Table, to_csv, to_xlsx
from .certificates import when
from .labels import FLAG_LABELS, METHOD_LABELS, TIE_RULE_LABELS
from .models import RankingSnapshot
from .queries import resolved_content


def _flags(row: dict) -> str:
    return ", ".join(str(FLAG_LABELS.get(f, f)) for f in row.get("flags") or [])


def _interval(row: dict) -> str:
    interval = row.get("rank_interval")
    return f"{interval[0]}–{interval[1]}" if interval else ""


def _category_rows(content: dict) -> dict[str, dict[str, Any]]:
    """entry id → its row in its category's ranking (falling back to the overall ranking)."""
    rows: dict[str, dict[str, Any]] = {}
    for ranking in (content.get("by_category") or {}).values():
        for row in ranking.get("ranking") or []:
            rows[row["entry"]] = row
    for row in (content.get("overall") or {}).get("ranking") or []:
        rows.setdefault(row["entry"], row)
    return rows


def sheets_table(snapshot: RankingSnapshot) -> Table:
    """One row per (entry, juror sheet), entries in category order and rank, beside the entry's aggregates."""
    content = resolved_content(snapshot)
    criteria = content.get("criteria") or []
    categories = {c["id"]: c["name"] for c in content.get("categories") or []}
    entries = content.get("entries") or {}
    jurors = content.get("jurors") or {}
    by_entry = _category_rows(content)
    overall = {r["entry"]: r for r in (content.get("overall") or {}).get("ranking") or []}
    headers = [
        _("Kategorie"), _("Rang in der Kategorie"), _("Rang gesamt"), _("Nr."), _("Titel"), _("Unternehmen"),
        _("Wert"), _("Wert roh"), _("Wert kalibriert"), _("Median"), _("Bögen"), _("Spanne"), _("Rangintervall"),
        _("Gleichstand"), _("Entschieden durch"), _("Hinweise"), _("Jurymitglied"), _("Gesamtwertung des Bogens"),
    ]
    for criterion in criteria:
        headers += [_("%(name)s: Punkte", name=criterion["name"]), _("%(name)s: Kommentar", name=criterion["name"])]
    headers += [_("Interner Kommentar"), _("Rückmeldung an das Unternehmen"), _("Eingereicht am")]

    category_order = list(categories)
    sheets = sorted(content.get("sheets") or [], key=lambda s: (
        category_order.index(entries.get(s["entry"], {}).get("category"))
        if entries.get(s["entry"], {}).get("category") in category_order else 99,
        by_entry.get(s["entry"], {}).get("rank", 10**9), s["entry"],
        (jurors.get(s["juror"]) or {}).get("name", s["juror"])))
    rows: list[list[Cell]] = []
    for sheet in sheets:
        entry = entries.get(sheet["entry"]) or {}
        agg = by_entry.get(sheet["entry"]) or {}
        row: list[Cell] = [
            categories.get(entry.get("category"), ""), agg.get("rank"), overall.get(sheet["entry"], {}).get("rank"),
            entry.get("number") or sheet["entry"], entry.get("title"), entry.get("company"),
            agg.get("score"), agg.get("raw_score"), agg.get("calibrated_score"), agg.get("median"), agg.get("sheets"),
            agg.get("spread"), _interval(agg), _("ja") if agg.get("tie") else _("nein"),
            str(TIE_RULE_LABELS.get(agg.get("tie_rule"), "")) if agg.get("tie_rule") else "", _flags(agg),
            (jurors.get(sheet["juror"]) or {}).get("name", sheet["juror"]), sheet.get("total"),
        ]
        scores, comments = sheet.get("scores") or {}, sheet.get("comments") or {}
        for criterion in criteria:
            row += [scores.get(criterion["id"]), comments.get(criterion["id"]) or None]
        row += [sheet.get("overall_comment") or None, sheet.get("feedback") or None, _submitted(sheet)]
        rows.append(row)
    return Table(headers=[str(h) for h in headers], rows=rows)


def _submitted(sheet: dict) -> str | None:
    moment = when(sheet.get("submitted_at"))
    return to_berlin(moment).strftime("%d.%m.%Y %H:%M") if moment else None


def aggregates_table(snapshot: RankingSnapshot) -> Table:
    """One row per entry and category ranking, with the per-criterion averages."""
    content = resolved_content(snapshot)
    criteria = content.get("criteria") or []
    entries = content.get("entries") or {}
    headers = [_("Kategorie"), _("Rang"), _("Nr."), _("Titel"), _("Unternehmen"), _("Wert"), _("Wert roh"),
               _("Wert kalibriert"), _("Median"), _("Bögen"), _("Spanne"), _("Rangintervall"), _("Gleichstand"),
               _("Entschieden durch"), _("Hinweise")]
    headers += [_("Ø %(name)s", name=c["name"]) for c in criteria]
    rows: list[list[Cell]] = []
    groups = [(c["name"], (content.get("by_category") or {}).get(c["id"]) or {})
              for c in content.get("categories") or []]
    groups.append((_("Gesamt"), content.get("overall") or {}))
    for name, ranking in groups:
        for r in ranking.get("ranking") or []:
            entry = entries.get(r["entry"]) or {}
            row: list[Cell] = [name, r.get("rank"), entry.get("number") or r["entry"], entry.get("title"),
                               entry.get("company"), r.get("score"), r.get("raw_score"), r.get("calibrated_score"),
                               r.get("median"), r.get("sheets"), r.get("spread"), _interval(r),
                               _("ja") if r.get("tie") else _("nein"),
                               str(TIE_RULE_LABELS.get(r.get("tie_rule"), "")) if r.get("tie_rule") else "",
                               _flags(r)]
            row += [(r.get("criteria") or {}).get(c["id"]) for c in criteria]
            rows.append(row)
    return Table(headers=[str(h) for h in headers], rows=rows)


def snapshot_csv(snapshot: RankingSnapshot) -> bytes:
    return to_csv(sheets_table(snapshot))


def snapshot_xlsx(snapshot: RankingSnapshot) -> bytes:
    """Sheet 1 "Bewertungsbögen": one row per sheet; sheet 2 "Ergebnisse": the aggregates per category; sheet 3
    "Eingefrorener Stand": method, who froze it when, the hashes."""
    return to_xlsx([(_("Bewertungsbögen"), sheets_table(snapshot)), (_("Ergebnisse"), aggregates_table(snapshot)),
                    (_("Eingefrorener Stand"), _about(snapshot))])


def _about(snapshot: RankingSnapshot) -> Table:
    content = resolved_content(snapshot)
    edition = content.get("edition")
    judging_round = content.get("round")
    return Table(headers=[_("Angabe"), _("Wert")], rows=[
        [_("Wettbewerb"), edition.get("name") if isinstance(edition, dict) else edition],
        [_("Bewertungsrunde"), judging_round.get("name") if isinstance(judging_round, dict) else judging_round],
        [_("Methode"), str(METHOD_LABELS.get(content.get("method"), content.get("method")))],
        [_("Eingefroren am"), content.get("frozen_at")],
        [_("Eingefroren von"), content.get("frozen_by")],
        [_("Eingefrorener Stand"), snapshot.id],
        [_("SHA-256 des eingefrorenen Stands"), snapshot.sha256],
        [_("SHA-256 der Eingaben"), content.get("inputs_sha256")],
    ])

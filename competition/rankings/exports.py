"""Exports of a frozen ranking for organisers: every juror's per-criterion scores and comments beside the entry's
aggregates, so the selection can be defended. CSV (German Excel: UTF-8 with BOM, semicolons, decimal commas) and
XLSX (a second sheet with the aggregates per category). Made from ``snapshot.content`` only; every text cell is
neutralised against formula injection (`core.tabular`)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..core.clock import to_berlin
from ..core.tabular import Cell, Table, to_csv, to_xlsx
from .certificates import when
from .labels import FLAG_LABELS, METHOD_LABELS, TIE_RULE_LABELS
from .models import RankingSnapshot
from .queries import resolved_content
from .snapshot_content import RankedRow, Sheet, SnapshotContent, parse


def _flags(row: RankedRow) -> str:
    return ", ".join(str(FLAG_LABELS.get(f, f)) for f in row.flags)


def _interval(row: RankedRow) -> str:
    interval = row.rank_interval
    return f"{interval[0]}–{interval[1]}" if interval else ""


def _category_rows(content: SnapshotContent) -> dict[str, RankedRow]:
    """entry id → its row in its category's ranking (falling back to the overall ranking)."""
    rows: dict[str, RankedRow] = {}
    for ranking in content.by_category.values():
        for row in ranking.ranking:
            rows[row.entry] = row
    for row in content.overall_rows:
        rows.setdefault(row.entry, row)
    return rows


def _aggregates(row: RankedRow | None) -> list[Cell]:
    """Score, raw, calibrated, median, sheets, spread, interval, tie, tie rule and flags of a ranked row."""
    if row is None:
        return [None, None, None, None, None, None, "", _("nein"), "", ""]
    return [row.score, row.raw_score, row.calibrated_score, row.median, row.sheets, row.spread, _interval(row),
            _("ja") if row.tie else _("nein"), str(TIE_RULE_LABELS.get(row.tie_rule, "")) if row.tie_rule else "",
            _flags(row)]


def sheets_table(snapshot: RankingSnapshot) -> Table:
    """One row per (entry, juror sheet), entries in category order and rank, beside the entry's aggregates."""
    content = parse(resolved_content(snapshot))
    criteria = content.criteria
    categories = content.category_names
    by_entry = _category_rows(content)
    overall = {r.entry: r for r in content.overall_rows}
    headers = [
        _("Kategorie"), _("Rang in der Kategorie"), _("Rang gesamt"), _("Nr."), _("Titel"), _("Unternehmen"),
        _("Wert"), _("Wert roh"), _("Wert kalibriert"), _("Median"), _("Bögen"), _("Spanne"), _("Rangintervall"),
        _("Gleichstand"), _("Entschieden durch"), _("Hinweise"), _("Jurymitglied"), _("Gesamtwertung des Bogens"),
    ]
    for criterion in criteria:
        headers += [_("%(name)s: Punkte", name=criterion.name), _("%(name)s: Kommentar", name=criterion.name)]
    headers += [_("Interner Kommentar"), _("Rückmeldung an das Unternehmen"), _("Eingereicht am")]

    category_order = list(categories)

    def rank_of(entry_id: str) -> int | float:
        row = by_entry.get(entry_id)
        return 10**9 if row is None else row.rank

    sheets = sorted(content.sheets, key=lambda s: (
        category_order.index(content.entry(s.entry).category)
        if content.entry(s.entry).category in category_order else 99,
        rank_of(s.entry), s.entry, content.juror_name(s.juror)))
    rows: list[list[Cell]] = []
    for sheet in sheets:
        entry = content.entry(sheet.entry)
        agg = by_entry.get(sheet.entry)
        in_overall = overall.get(sheet.entry)
        row: list[Cell] = [
            categories.get(entry.category, ""), agg.rank if agg else None, in_overall.rank if in_overall else None,
            entry.number or sheet.entry, entry.title, entry.company, *_aggregates(agg),
            content.juror_name(sheet.juror), sheet.total,
        ]
        for criterion in criteria:
            row += [sheet.scores.get(criterion.id), sheet.comments.get(criterion.id) or None]
        row += [sheet.overall_comment or None, sheet.feedback or None, _submitted(sheet)]
        rows.append(row)
    return Table(headers=[str(h) for h in headers], rows=rows)


def _submitted(sheet: Sheet) -> str | None:
    moment = when(sheet.submitted_at)
    return to_berlin(moment).strftime("%d.%m.%Y %H:%M") if moment else None


def aggregates_table(snapshot: RankingSnapshot) -> Table:
    """One row per entry and category ranking, with the per-criterion averages."""
    content = parse(resolved_content(snapshot))
    criteria = content.criteria
    headers = [_("Kategorie"), _("Rang"), _("Nr."), _("Titel"), _("Unternehmen"), _("Wert"), _("Wert roh"),
               _("Wert kalibriert"), _("Median"), _("Bögen"), _("Spanne"), _("Rangintervall"), _("Gleichstand"),
               _("Entschieden durch"), _("Hinweise")]
    headers += [_("Ø %(name)s", name=c.name) for c in criteria]
    rows: list[list[Cell]] = []
    groups = [(c.name, content.by_category.get(c.id)) for c in content.categories]
    groups.append((_("Gesamt"), content.overall))
    for name, ranking in groups:
        for r in ranking.ranking if ranking else ():
            entry = content.entry(r.entry)
            row: list[Cell] = [name, r.rank, entry.number or r.entry, entry.title, entry.company, *_aggregates(r)]
            row += [r.criteria.get(c.id) for c in criteria]
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
    content = parse(resolved_content(snapshot))
    return Table(headers=[_("Angabe"), _("Wert")], rows=[
        [_("Wettbewerb"), content.edition.name if content.edition else None],
        [_("Bewertungsrunde"), content.round.name if content.round else None],
        [_("Methode"), str(METHOD_LABELS.get(content.method, content.method))],
        [_("Eingefroren am"), content.frozen_at],
        [_("Eingefroren von"), content.frozen_by],
        [_("Eingefrorener Stand"), snapshot.id],
        [_("SHA-256 des eingefrorenen Stands"), snapshot.sha256],
        [_("SHA-256 der Eingaben"), content.inputs_sha256],
    ])

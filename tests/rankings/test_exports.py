"""Exports of a frozen ranking read back: one row per (entry, juror sheet) beside the aggregates, German headers,
formulas neutralised, the CSV for German Excel."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from competition.rankings import exports

from .snapshot_factory import JURORS, MARKUP_TITLE, make_snapshot


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def test_csv_has_a_row_per_sheet_with_scores_comments_and_aggregates(snapshot):
    data = exports.snapshot_csv(snapshot)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 18  # 6 entries × 3 jurors
    for column in ("Kategorie", "Rang in der Kategorie", "Nr.", "Titel", "Unternehmen", "Wert", "Wert roh",
                   "Wert kalibriert", "Spanne", "Rangintervall", "Hinweise", "Jurymitglied",
                   "Innovationsgrad: Punkte", "Innovationsgrad: Kommentar", "Rückmeldung an das Unternehmen"):
        assert column in header
    col = {name: header.index(name) for name in header}
    assert {row[col["Jurymitglied"]] for row in body} == set(JURORS)
    first = body[0]
    assert first[col["Kategorie"]] == "Digitalisierung" and first[col["Rang in der Kategorie"]] == "1"
    content = snapshot.content
    top = content["by_category"][content["categories"][0]["id"]]["ranking"][0]
    assert first[col["Wert"]] == str(top["score"]).replace(".", ",")  # decimal comma
    markup_rows = [row for row in body if row[col["Titel"]] == MARKUP_TITLE]
    assert len(markup_rows) == 3
    assert markup_rows[0][col["Unternehmen"]].startswith("'=HYPERLINK(")  # neutralised
    assert all(row[col["Innovationsgrad: Kommentar"]].startswith("'=SUM(") for row in body)
    sheet = next(s for s in content["sheets"] if s["entry"] == top["entry"] and
                 content["jurors"][s["juror"]]["name"] == first[col["Jurymitglied"]])
    crit = content["criteria"][0]["id"]
    assert first[col["Innovationsgrad: Punkte"]] == str(sheet["scores"][crit]).replace(".", ",")
    assert first[col["Rückmeldung an das Unternehmen"]] == sheet["feedback"]


def test_xlsx_has_sheets_and_aggregates_and_never_a_formula(snapshot):
    workbook = load_workbook(io.BytesIO(exports.snapshot_xlsx(snapshot)))
    assert workbook.sheetnames == ["Bewertungsbögen", "Ergebnisse", "Eingefrorener Stand"]
    sheets = workbook["Bewertungsbögen"]
    header = [c.value for c in sheets[1]]
    assert sheets.max_row == 19 and "Jurymitglied" in header and "Umsetzung: Punkte" in header
    for row in sheets.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@"))
    company = header.index("Unternehmen")
    assert any(str(row[company].value).startswith("'=HYPERLINK(") for row in sheets.iter_rows(min_row=2))
    score = header.index("Wert")
    assert isinstance(sheets.cell(row=2, column=score + 1).value, float)  # numbers stay numbers

    results = workbook["Ergebnisse"]
    header = [c.value for c in results[1]]
    assert "Ø Innovationsgrad" in header and "Rang" in header
    groups = [row[0].value for row in results.iter_rows(min_row=2)]
    assert groups.count("Digitalisierung") == 3 and groups.count("Nachhaltigkeit & Energie") == 3
    assert groups.count("Gesamt") == 6
    about = {row[0].value: row[1].value for row in workbook["Eingefrorener Stand"].iter_rows(min_row=2)}
    assert about["SHA-256 des eingefrorenen Stands"] == snapshot.sha256

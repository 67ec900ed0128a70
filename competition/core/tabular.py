"""Tables for spreadsheets: one `Table` of headers and cells, written as CSV for German Excel or as XLSX.

Every text cell is neutralised against formula injection (OWASP "CSV Injection"): a value that starts with ``=``,
``+``, ``-``, ``@``, a tab, a carriage return or a line feed (or the full-width forms some spreadsheet programs also
accept) gets a leading apostrophe, so Excel and LibreOffice show it as text instead of running it. In XLSX every
text is also stored as a string cell, never a formula, and stripped of the control characters openpyxl refuses.
The writers take rows already made; they never query.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | datetime | None

# OWASP's list, plus the full-width forms some spreadsheet programs also accept, plus a line feed.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
DATETIME_FORMAT = "%d.%m.%Y %H:%M"
XLSX_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]]


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet will never read as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def xlsx_text(value: str) -> str:
    """A text cell for XLSX: neutralised, without the control characters that make openpyxl refuse the file."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


# --- CSV (German Excel: UTF-8 with BOM, semicolons) ---------------------------------------------------------------

def _csv_cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return str(value).replace(".", ",")  # a decimal comma, as German Excel expects
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    return neutralise(str(value))


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX ----------------------------------------------------------------------------------------------------------

def write_sheet(sheet: Worksheet, table: Table) -> None:
    """Fill a worksheet: bold headers, numbers as numbers, dates as dates, every text a string cell (never a
    formula, and neutralised), widths from the content, the header row frozen, a filter."""
    bold = Font(bold=True)
    widths = [len(h) for h in table.headers]
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=xlsx_text(header))
        cell.data_type = "s"
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = XLSX_DATETIME_FORMAT
                width = 16
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
                width = len(str(value))
            else:
                text = xlsx_text(str(value))
                cell.value = text
                cell.data_type = "s"  # a string, never a formula, whatever it starts with
                width = max((len(line) for line in text.splitlines()), default=0)
                if "\n" in text:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
            widths[column - 1] = max(widths[column - 1], width)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions


def to_xlsx(sheets: Iterable[tuple[str, Table]]) -> bytes:
    """A workbook with one worksheet per (title, table), in order (titles cut to Excel's 31 characters)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in sheets:
        write_sheet(workbook.create_sheet(str(title)[:31]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

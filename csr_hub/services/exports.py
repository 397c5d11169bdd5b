"""Spreadsheet exports (CSV and XLSX) that never turn user-supplied text into a formula.

Every CSV and XLSX the app writes goes through this module, so one rule holds everywhere (OWASP "CSV
Injection"): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with ``'``; in XLSX every text cell is also written as a string cell, never a formula.
Numbers, dates and ``None`` pass through unchanged, so figures stay numbers in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: what a spreadsheet reads as the start of a formula (OWASP CSV Injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: number formats by a column's kind (``kinds`` in :func:`xlsx_bytes`)
XLSX_FORMATS = {"money": "#,##0.00", "int": "#,##0", "days": "0.0", "date": "yyyy-mm-dd"}


def safe_cell(value: Any) -> Any:
    """One cell made safe for a spreadsheet: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def csv_cell(value: Any) -> str:
    """A cell as CSV text: ``None`` empty, dates ISO 8601, text made safe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return safe_cell(str(value))


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """A CSV file (CRLF lines, UTF-8 with a BOM so Excel reads Thai) from a header and rows."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([csv_cell(str(h)) for h in header])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_value(value: Any) -> Any:
    """A value openpyxl may store: text made safe, Decimal kept, anything unknown as text."""
    if value is None or isinstance(value, (bool, int, float, Decimal, date, datetime)):
        return value
    return safe_cell(str(value))


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet, every text cell a string cell (never a formula)."""
    ws.append([xlsx_value(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def new_workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def add_sheet(
    wb: Any,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    kinds: Sequence[str] | None = None,
    first: bool = False,
) -> Any:
    """A sheet with a bold frozen header, safe cells, number formats by column kind and fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    append_row(ws, [str(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(str(h)) for h in header]
    for n, row in enumerate(rows):
        row = list(row)
        append_row(ws, row)
        if n < 200:
            for i, v in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], len(str(v if v is not None else "")))
    for i, width in enumerate(widths, start=1):
        letter = get_column_letter(i)
        kind = kinds[i - 1] if kinds and i <= len(kinds) else "text"
        if kind in XLSX_FORMATS:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = XLSX_FORMATS[kind]
        ws.column_dimensions[letter].width = min(60, max(8, width + 2))
    return ws


def add_about(wb: Any, about: Iterable[tuple[Any, Any]], title: str = "about") -> Any:
    """A two-column sheet saying what the export is (report, scope, filters, when)."""
    ws = wb.create_sheet(title[:31])
    for k, v in about:
        append_row(ws, [str(k), str(v)])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    return ws


def workbook_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bytes(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "data",
    kinds: Sequence[str] | None = None,
    about: Iterable[tuple[Any, Any]] | None = None,
) -> bytes:
    """An XLSX file of one data sheet (and an optional "about" sheet)."""
    wb = new_workbook()
    add_sheet(wb, title, header, rows, kinds=kinds, first=True)
    if about is not None:
        add_about(wb, about)
    return workbook_bytes(wb)


def dict_rows(rows: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    """Rows of dicts as lists in the order of ``keys`` (missing keys empty)."""
    return [[r.get(k) for k in keys] for r in rows]

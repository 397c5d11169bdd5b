"""CSV and XLSX for donation records and statements, through the project's one formula-safe exporter
(:mod:`csr_hub.services.exports`): every text cell that could start a formula gets a leading ``'`` and
XLSX text cells are string cells."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from csr_hub.services import exports

#: column kinds of the e-Donation sheet, for number formats
EDONATION_KINDS = ("text", "text", "money", "date", "text", "text", "text", "int")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return exports.csv_bytes(header, rows)


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]], Sequence[str] | None]],
) -> bytes:
    """One sheet per (title, header, rows, kinds)."""
    wb = exports.new_workbook()
    for i, (title, header, rows, kinds) in enumerate(sheets):
        exports.add_sheet(wb, title, header, rows, kinds=kinds, first=i == 0)
    return exports.workbook_bytes(wb)

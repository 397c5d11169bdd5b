"""A report table's shape: its columns, and how its rows are loaded (for a :class:`Scope`) and shaped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session

from csr_hub.services.report_scope import Scope


@dataclass(frozen=True)
class Column:
    key: str
    header: Any
    #: text | int | money | days | date
    kind: str = "text"
    #: (endpoint, {url argument: row key}) to link the cell on the page
    link: tuple[str, dict[str, str]] | None = None
    #: codes and ids go to the exports; the page shows their labels
    on_page: bool = True
    #: a column only the page shows (a shortened name, say)
    in_export: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    title: Any
    columns: tuple[Column, ...]
    load: Callable[[Session, Scope], Any]
    shape: Callable[[Any, str], list[dict[str, Any]]]
    officer_only: bool = False
    #: the columns a page shows when not all (long national tables); the exports always have every column
    page_keys: tuple[str, ...] = ()

    @property
    def page_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.on_page and (not self.page_keys or c.key in self.page_keys))

    @property
    def export_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_export)


__all__ = ["Column", "Scope", "Table"]

"""A report table's shape: its scope, its columns, and how its rows are loaded and shaped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Scope:
    """Whose figures a report shows and how much of them."""

    district_id: int | None = None
    district_code: str = ""
    #: directors, central officers and admins see the waiting matches and every company
    officer: bool = False
    #: a company rep always sees its own company's row, shown publicly or not
    own_company_id: int | None = None
    #: the companies' page may be narrowed to one company
    company_id: int | None = None


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

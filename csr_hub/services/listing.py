"""What every list shares: paging read from the query string, one page of rows, the filters' checks;
and reading one row, which a user who may not see it is told is not there.

Each filter check reads one query-string argument, adds "why not" to ``errors`` under its name when the
value is not one it knows, and returns the value to filter by (None: no filter); the list raises
``ValidationFailed`` with all of them at once, so one request learns every problem it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import analysis
from csr_hub.services.errors import NotFound, ValidationFailed

#: the largest id a row can have (PostgreSQL ``integer``)
MAX_ID = 2**31 - 1


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int


def parse_paging(args: dict[str, Any], default_per_page: int = 20) -> tuple[int, int]:
    errors: dict[str, list[object]] = {}
    out = []
    for name, default in (("page", 1), ("per_page", default_per_page)):
        raw = args.get(name)
        if raw in (None, ""):
            out.append(default)
            continue
        s = str(raw).strip()
        if not (s.isascii() and s.isdigit()) or not s.strip("0"):
            errors[name] = [_l("Give a whole number of at least 1.")]
            out.append(default)
        else:
            out.append(int(s) if len(s) <= 18 else 10**18)  # a page that long is past the end anyway
    if errors:
        raise ValidationFailed(fields=errors)
    page, per_page = out
    return min(page, 10_000_000), min(per_page, 100)


def one(session: Session, model, row_id: int, options=(), visible: Callable[[Any], bool] | None = None):
    """The row with this id, or NotFound; also NotFound when ``visible(row)`` is false (a row the user may not
    see answers as one that is not there)."""
    row = session.scalar(sa.select(model).options(*options).where(model.id == row_id))
    if row is None or (visible is not None and not visible(row)):
        raise NotFound()
    return row


def paginate(session: Session, q, order, page: int, per_page: int, options=()) -> Page:
    total = session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = list(
        session.scalars(
            q.options(*options).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        ).unique()
    )
    return Page(rows, total, page, per_page)


# -- the filters' checks ------------------------------------------------------------------------------
def id_filter(args, name: str, errors: dict) -> int | None:
    """An id to filter by: a whole number from 1 (anything else would match no row, so it is refused)."""
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= MAX_ID:
        return raw
    s = str(raw).strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 10 or not 1 <= int(s) <= MAX_ID:
        errors[name] = [_l("Give a whole number of at least 1.")]
        return None
    return int(s)


def choice_filter(args, name: str, choices: Collection[str], errors: dict) -> str | None:
    """One of ``choices`` (an empty value: no filter)."""
    value = args.get(name) or None
    if value and value not in choices:
        errors[name] = [_l("Choose one of the listed values.")]
    return value


def where_statuses(q, column, args, allowed: Collection[str], errors: dict, everything: str | None = None):
    """``status=a,b``: keep rows in those statuses (none given, or ``everything`` where one is named: all)."""
    raw = args.get("status")
    if not raw or (everything is not None and raw == everything):
        return q
    wanted = [s for s in str(raw).split(",") if s]
    if any(s not in allowed for s in wanted):
        errors["status"] = [_l("Choose one of the listed values.")]
    return q.where(column.in_(wanted))


def where_ids(q, args, columns: dict[str, Any], errors: dict):
    """``need_id=3`` and the like: keep rows whose column has that id (see :func:`id_filter`)."""
    for name, column in columns.items():
        if (value := id_filter(args, name, errors)) is not None:
            q = q.where(column == value)
    return q


def search_terms(q: Any) -> list[str | tuple[str, ...]]:
    """Terms to AND (a tuple: alternatives to OR — an ambiguous word such as "notebook")."""
    if not isinstance(q, str) or not q.strip():
        return []
    return analysis.query_terms(q[:200])[:10]


def like(column, term: str | tuple[str, ...]):
    """``column`` contains ``term`` (any of them, for a tuple), with ``%``, ``_`` and ``\\`` taken literally."""
    if isinstance(term, tuple):
        return sa.or_(*(like(column, t) for t in term))
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")

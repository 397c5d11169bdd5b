"""A report table's export file (CSV, Excel) and the audit record of each export: made one way, whether
the page sends the file at once (routes.py) or a job writes it (export_job.py)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from csr_hub.db_events import write_intent
from csr_hub.domain.reference import BANGKOK
from csr_hub.extensions import db
from csr_hub.services import audit, exports, report_scope
from csr_hub.web.reports import tables as T
from csr_hub.web.security import client_ip

MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to a text type
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filters(scope: T.Scope, **extra: Any) -> dict[str, Any]:
    """The filters a link or an export carries."""
    args: dict[str, Any] = {"district": scope.district_code} if scope.district_code else {}
    if scope.company_id:
        args["company"] = scope.company_id
    args.update({k: v for k, v in extra.items() if v})
    return args


def stem(name: str, scope: T.Scope, now: datetime, stamp: str = "%Y%m%d") -> str:
    """A file name without its suffix: the table, the ESA (or national) and when it was made."""
    return f"csr-hub-{name}-{scope.district_code or 'national'}-{now.astimezone(BANGKOK).strftime(stamp)}"


def about(session: Session, table: T.Table, scope: T.Scope, n_rows: int, now: datetime, lang: str) -> list:
    """The Excel file's "about" sheet: what the table is, whose figures, which filters, how many rows, when."""
    district = report_scope.district_of(session, scope)
    scope_text = (district.name_en if lang == "en" else district.name_th) if district else _("national")
    return [
        (_("Report"), str(table.title)),
        (_("Scope"), scope_text),
        (_("Filters"), ", ".join(f"{k}={v}" for k, v in filters(scope).items()) or "-"),
        (_("Rows"), str(n_rows)),
        (_("Made at"), now.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")),
    ]


def table_file(table: T.Table, rows: list[dict[str, Any]], fmt: str, about: list | None = None) -> bytes:
    """The export's bytes: every export column, numbers as numbers (the same values the page shows)."""
    columns = table.export_columns
    header = [c.header for c in columns]
    cells = ([T.cell_value(c, r) for c in columns] for r in rows)
    if fmt == "csv":
        return exports.csv_bytes(header, cells)
    return exports.xlsx_bytes(header, cells, title=table.name, kinds=[c.kind for c in columns], about=about)


@contextmanager
def audited(scope: T.Scope, name: str, fmt: str, n_rows: int, **extra: Any) -> Iterator[Session]:
    """Record the export in the audit log, in a short write of its own (the rows were read in a plain
    read transaction); what the block adds to the session is committed with the record."""
    db.session.rollback()
    token = write_intent.set(True)
    details = {
        "table": name,
        "format": fmt,
        "district": scope.district_code,
        "company": scope.company_id,
        "rows": n_rows,
        **extra,
    }
    try:
        audit.record(
            db.session,
            "report.export",
            actor_id=current_user.id,
            object_type="report",
            ip=client_ip(),
            **details,
        )
        yield db.session
        db.session.commit()
    finally:
        write_intent.reset(token)

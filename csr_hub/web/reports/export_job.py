"""Report exports of more than ``EXPORT_JOB_ROWS`` rows run as a job (SPEC "Jobs"); the file waits in
``instance/exports`` for its starter, who downloads it from ``/jobs/<id>/download``."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from csr_hub.services import jobs
from csr_hub.web.reports import files
from csr_hub.web.reports import tables as T
from csr_hub.web.reports.files import MIMETYPES
from csr_hub.web.api.schemas.common import JOB

__all__ = ["MIMETYPES", "export_dir", "export_job", "file_of", "start"]


def export_dir() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_of(job) -> Path | None:
    name = (job.result or {}).get("file")
    if not name or os.sep in name or name.startswith("."):
        return None
    path = export_dir() / name
    return path if path.is_file() else None


def start(scope: T.Scope, name: str, fmt: str, lang: str, n_rows: int):
    """Enqueue the export; 202 with the job (JSON), or a page that follows it for a browser."""
    with files.audited(scope, name, fmt, n_rows, job=True) as session:
        job = jobs.enqueue(
            session,
            "export",
            current_user,
            "csr_hub.web.reports.export_job:export_job",
            table=name,
            fmt=fmt,
            lang=lang,
            scope=dataclasses.asdict(scope),
        )
    session.refresh(job)
    body = JOB.dump(job)
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        response = current_app.make_response((render_template("jobs/show.html", job=job), 202))
    else:
        response = jsonify({"job": body})
        response.status_code = 202
    response.headers["Location"] = url_for("ops.show_job", job_id=job.id)
    return response


def export_job(
    session: Session,
    progress: Callable[[float], None],
    table: str,
    fmt: str,
    lang: str,
    scope: dict[str, Any],
) -> dict[str, Any]:
    """The job: the same rows and file as a direct export, written to ``instance/exports``."""
    sc = T.Scope(**scope)
    t = T.TABLES[table]
    now = datetime.now(timezone.utc)
    with force_locale(lang):
        rows = T.rows(table, t.load(session, sc), lang)
        progress(50)
        about = files.about(session, t, sc, len(rows), now, lang) if fmt == "xlsx" else None
        body = files.table_file(t, rows, fmt, about)
    name = f"{files.stem(table, sc, now, '%Y%m%d%H%M%S')}-{os.urandom(4).hex()}.{fmt}"
    (export_dir() / name).write_bytes(body)
    return {"file": name, "rows": len(rows), "format": fmt, "download_url": None}

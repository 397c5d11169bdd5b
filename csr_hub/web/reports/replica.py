"""The session report queries read through: the read replica's (``REPORTS_DATABASE_URL``) when there is
one, else the request's own. Its figures share the primary's cache (see ``register_production``)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from csr_hub.extensions import db


def report_session():
    if "reports" not in (current_app.config.get("SQLALCHEMY_BINDS") or {}):
        return db.session
    session = g.get("_csr_reports_session")
    if session is None:
        session = g._csr_reports_session = Session(db.engines["reports"])
    return session


def close(_exc=None) -> None:
    session = g.pop("_csr_reports_session", None)
    if session is not None:
        session.close()

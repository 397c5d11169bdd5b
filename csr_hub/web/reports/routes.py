"""Reports: the ESA and national dashboards, companies' contributions, exports and certificates of thanks.

Scope rules, the same on every page and export here and in the API: a director sees only their own ESA
(``?district=`` of another → 403); central officers and admins see the nation or any ESA; other signed-in
users see the national figures as the public does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import Role
from csr_hub.db_events import write_intent
from csr_hub.domain import money, policy
from csr_hub.domain.reference import BANGKOK
from csr_hub.extensions import db
from csr_hub.models import Company, District
from csr_hub.services import audit, exports, reports
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.i18n import current_lang
from csr_hub.web.reports import tables as T
from csr_hub.web.reports.replica import report_session
from csr_hub.web.security import client_ip

bp = Blueprint("reports", __name__)

OFFICERS = (Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN)
EXPORT_FORMATS = ("csv", "xlsx")


def current_scope() -> T.Scope:
    """The scope of the report asked for, or 403 / 422 when the caller may not have it."""
    code = (request.args.get("district") or "").strip()
    role = current_user.role
    district: District | None = None
    if role == Role.DISTRICT_DIRECTOR:
        district = current_user.district
        if district is None or (code and code != district.code):
            raise Forbidden()
    elif code:
        if role not in (Role.CENTRAL_OFFICER, Role.ADMIN):
            raise Forbidden()
        district = db.session.scalar(sa.select(District).where(District.code == code))
        if district is None:
            msg = _l("Unknown district (ESA) code.")
            raise ValidationFailed(msg, fields={"district": [msg]})
    company_id = None
    raw = (request.args.get("company") or "").strip()
    if raw:
        if (
            not (raw.isascii() and raw.isdigit())
            or not 1 <= int(raw) < 2**31
            or db.session.get(Company, int(raw)) is None
        ):
            msg = _l("Unknown company: give a company by its number.")
            raise ValidationFailed(msg, fields={"company": [msg]})
        company_id = int(raw)
    return T.Scope(
        district_id=district.id if district else None,
        district_code=district.code if district else "",
        officer=role in OFFICERS,
        own_company_id=(
            current_user.company_id
            if role == Role.COMPANY_REP
            and policy.may_see_tenant(current_user, company_id=current_user.company_id)
            else None
        ),
        company_id=company_id,
    )


def _district(scope: T.Scope) -> District | None:
    return db.session.get(District, scope.district_id) if scope.district_id else None


def _args(scope: T.Scope, **extra: Any) -> dict[str, Any]:
    """The filters a link or an export carries."""
    args = {"district": scope.district_code} if scope.district_code else {}
    if scope.company_id:
        args["company"] = scope.company_id
    args.update({k: v for k, v in extra.items() if v})
    return args


def _fmt(lang: str):
    return lambda v: money.format_baht(v, lang)


def _district_choices(scope: T.Scope) -> list[tuple[str, str]]:
    if current_user.role not in (Role.CENTRAL_OFFICER, Role.ADMIN):
        return []
    lang = current_lang()
    return [
        (d.code, d.name_en if lang == "en" else d.name_th)
        for d in db.session.scalars(sa.select(District).order_by(District.code))
    ]


@bp.get("/reports")
@roles_required(active=False)
def index():
    scope = current_scope()
    lang = current_lang()
    data = reports.dashboard(
        report_session(), scope.district_id, officer=scope.officer, own_company_id=scope.own_company_id
    )
    rows = {
        name: T.rows(name, data[key], lang)
        for name, key in T.DASHBOARD_KEYS.items()
        if scope.officer or not T.TABLES[name].officer_only
    }
    fmt = _fmt(lang)
    per = "school" if scope.district_id else "district"
    charts = {
        "category": T.category_chart(data["summary"], lang, fmt),
        "month": T.month_chart(data["by_month"], lang, fmt),
        "gap": T.gap_chart(
            data["by_school"] if scope.district_id else data["by_district"], lang, fmt, per=per
        ),
    }
    return render_template(
        "reports/index.html",
        scope=scope,
        district=_district(scope),
        summary=data["summary"],
        waiting_stats=data["waiting_stats"],
        rows=rows,
        tables=T.TABLES,
        charts=charts,
        args=_args(scope),
        district_choices=_district_choices(scope),
    )


@bp.get("/reports/companies")
@roles_required(active=False)
def companies():
    scope = current_scope()
    lang = current_lang()
    session = db.session
    rows = {
        name: T.rows(name, T.TABLES[name].load(session, scope), lang)
        for name in ("companies", "companies_by_province", "companies_by_category")
    }
    company = session.get(Company, scope.company_id) if scope.company_id else None
    own = (
        reports.completed_matches(session, current_user.company_id)
        if current_user.role == Role.COMPANY_REP and current_user.company_id
        else []
    )
    return render_template(
        "reports/companies.html",
        scope=scope,
        district=_district(scope),
        company=company,
        rows=rows,
        tables=T.TABLES,
        args=_args(scope),
        own_completed=own,
    )


# --- exports ---------------------------------------------------------------------------------------------
def _csv(table: T.Table, rows: list[dict[str, Any]]) -> bytes:
    columns = table.export_columns
    cells = ([T.cell_value(c, r) for c in columns] for r in rows)
    return exports.csv_bytes([c.header for c in columns], cells)


def _xlsx(table: T.Table, rows: list[dict[str, Any]], about: list[tuple[str, str]]) -> bytes:
    columns = table.export_columns
    return exports.xlsx_bytes(
        [c.header for c in columns],
        ([T.cell_value(c, r) for c in columns] for r in rows),
        title=table.name,
        kinds=[c.kind for c in columns],
        about=about,
    )


@bp.get("/reports/export.<fmt>")
@roles_required(active=False)
def export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise NotFound()
    scope = current_scope()
    name = request.args.get("table", "")
    table = T.TABLES.get(name)
    if table is None:
        msg = _l("Choose a report table: %(names)s.", names=", ".join(T.TABLES))
        raise ValidationFailed(msg, fields={"table": [msg]})
    if table.officer_only and not scope.officer:
        raise Forbidden()
    lang = current_lang()
    rows = T.rows(name, table.load(db.session, scope), lang)
    if len(rows) > int(current_app.config.get("EXPORT_JOB_ROWS", 10_000)):
        from csr_hub.web.reports import export_job

        return export_job.start(scope, name, fmt, lang, len(rows))  # 202: a job makes the file
    district = _district(scope)
    scope_text = (district.name_en if lang == "en" else district.name_th) if district else _("national")
    now = datetime.now(timezone.utc)
    stem = f"csr-hub-{name}-{scope.district_code or 'national'}-{now.astimezone(BANGKOK):%Y%m%d}"
    if fmt == "csv":
        body, mimetype = _csv(table, rows), "text/csv; charset=utf-8"
    else:
        about = [
            (_("Report"), str(table.title)),
            (_("Scope"), scope_text),
            (_("Filters"), ", ".join(f"{k}={v}" for k, v in _args(scope).items()) or "-"),
            (_("Rows"), str(len(rows))),
            (_("Made at"), now.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")),
        ]
        body = _xlsx(table, rows, about)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # The export is read in a plain read transaction; its audit record gets a short write of its own.
    db.session.rollback()
    token = write_intent.set(True)
    try:
        audit.record(
            db.session,
            "report.export",
            actor_id=current_user.id,
            object_type="report",
            ip=client_ip(),
            table=name,
            format=fmt,
            district=scope.district_code,
            company=scope.company_id,
            rows=len(rows),
        )
        db.session.commit()
    finally:
        write_intent.reset(token)
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    )


# --- certificate of thanks ------------------------------------------------------------------------------
@bp.get("/reports/certificate/<int:match_id>")
@roles_required(active=False)
def certificate(match_id: int):
    """A print-ready certificate of thanks, in Thai, for a company rep's completed match (others 403/404)."""
    if current_user.role != Role.COMPANY_REP:
        raise Forbidden()
    cert = reports.certificate(db.session, match_id)
    # a pending rep does not see the company it claims (spec: certificates hidden until verified)
    if cert is None or not policy.may_see_tenant(current_user, company_id=cert["company"].id):
        raise NotFound()
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    with force_locale(lang):
        return render_template("reports/certificate.html", c=cert, lang=lang)

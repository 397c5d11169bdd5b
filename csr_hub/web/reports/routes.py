"""Reports: the ESA and national dashboards, companies' contributions, exports and certificates of thanks.

Scope rules, the same on every page and export here and in the API: a director sees only their own ESA
(``?district=`` of another → 403); central officers and admins see the nation or any ESA; other signed-in
users see the national figures as the public does.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from csr_hub.domain import money, policy
from csr_hub.extensions import db
from csr_hub.services import report_scope, reports
from csr_hub.services.reporting import cache as figure_cache
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.i18n import current_lang
from csr_hub.web.reports import export_job, files
from csr_hub.web.reports import tables as T
from csr_hub.web.reports.replica import report_session

bp = Blueprint("reports", __name__)

EXPORT_FORMATS = tuple(files.MIMETYPES)


def current_scope() -> T.Scope:
    """The scope of the report asked for, or 403 / 422 when the caller may not have it."""
    return report_scope.resolve(
        db.session, current_user, request.args.get("district") or "", request.args.get("company") or ""
    )


def _fmt(lang: str):
    return lambda v: money.format_baht(v, lang)


@bp.get("/reports")
@roles_required(active=False)
def index():
    scope = current_scope()
    lang = current_lang()
    district = report_scope.district_of(db.session, scope)
    return render_template(
        "reports/index.html", scope=scope, district=district, body=_body(scope, lang, district)
    )


def _body(scope, lang: str, district) -> Markup:
    """The figures, tables and charts of ``scope``, rendered once per generation of the report cache: the
    national page is some 300 KB of table rows, and rendering them cost more than the cached figures."""
    cache = figure_cache.cache_for(report_session())
    national = policy.is_national(current_user)
    key = cache.key("reports-body", scope, lang, national) if cache is not None else None
    if key is not None and (hit := cache.lookup(key, stale_ok=cache.allow_stale(cache))) is not None:
        return Markup(hit)
    data = reports.dashboard(
        report_session(), scope.district_id, officer=scope.officer, own_company_id=scope.own_company_id
    )
    rows = {
        name: T.rows(name, data[key_], lang)
        for name, key_ in T.DASHBOARD_KEYS.items()
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
    body = render_template(
        "reports/_body.html",
        scope=scope,
        district=district,
        summary=data["summary"],
        waiting_stats=data["waiting_stats"],
        rows=rows,
        tables=T.TABLES,
        charts=charts,
        args=files.filters(scope),
        district_choices=report_scope.district_choices(db.session, current_user, lang),
    )
    if key is not None:
        cache.store(key, body)
    return Markup(body)


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
    return render_template(
        "reports/companies.html",
        scope=scope,
        district=report_scope.district_of(session, scope),
        company=report_scope.company_of(session, scope),
        rows=rows,
        tables=T.TABLES,
        args=files.filters(scope),
        own_completed=report_scope.completed_for_rep(session, current_user),
    )


# --- exports ---------------------------------------------------------------------------------------------
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
        return export_job.start(scope, name, fmt, lang, len(rows))  # 202: a job makes the file
    now = datetime.now(timezone.utc)
    about = files.about(db.session, table, scope, len(rows), now, lang) if fmt == "xlsx" else None
    body = files.table_file(table, rows, fmt, about)
    with files.audited(scope, name, fmt, len(rows)):
        pass  # nothing to write but the audit record
    return Response(
        body,
        mimetype=files.MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{files.stem(name, scope, now)}.{fmt}"'},
    )


# --- certificate of thanks ------------------------------------------------------------------------------
@bp.get("/reports/certificate/<int:match_id>")
@roles_required(active=False)
def certificate(match_id: int):
    """A print-ready certificate of thanks, in Thai, for a company rep's completed match (others 403/404)."""
    cert = report_scope.certificate(db.session, current_user, match_id)
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    with force_locale(lang):
        return render_template("reports/certificate.html", c=cert, lang=lang)

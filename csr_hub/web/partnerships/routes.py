"""Partnership pages, the donation records of a school or company, and a company's annual statement."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain import money
from csr_hub.domain.policy import PartnershipStatus, Role, can, is_active, register_ability, role_of
from csr_hub import labels
from csr_hub.domain.reference import BANGKOK, today_bangkok
from csr_hub.extensions import db
from csr_hub.models import Company
from csr_hub.services import donations, partnerships, reference_lookup
from csr_hub.services.errors import NotFound, ServiceError, ValidationFailed
from csr_hub.web import page_actions
from csr_hub.web.access import roles_required
from csr_hub.web.api.schemas import partnerships as schema
from csr_hub.web.forms import apply_service_errors, ok, parse_page_date
from csr_hub.web.i18n import current_lang
from csr_hub.web.partnerships import exports
from csr_hub.web.partnerships.forms import PartnershipForm
from csr_hub.web.reports.files import MIMETYPES
from csr_hub.web.security import client_ip

bp = Blueprint("partnerships", __name__)

register_ability("see_donations", lambda u, _o: is_active(u))
register_ability(
    "read_statement",
    lambda u, company_id: company_id is not None and donations.may_read_statement(u, company_id),
)


#: one label per partnership status (the workflow's codes; the pages show these)
STATUS_LABELS = {
    PartnershipStatus.PROPOSED: _l("Proposed, awaiting the ESA"),
    PartnershipStatus.ACTIVE: _l("Active partnership"),
    PartnershipStatus.DECLINED: _l("Declined by the ESA"),
    PartnershipStatus.ENDED: _l("Ended"),
}


@bp.app_template_global()
def partnership_status(status: str) -> str:
    label_ = STATUS_LABELS.get(status)
    return str(label_) if label_ is not None else status


# -- template helpers for other features' pages (dashboard, reports, company page) -------------------------------
@bp.app_template_global()
def esa_partnerships(user: Any) -> list:
    """The ESA's partnerships, for its director's dashboard."""
    if role_of(user) != Role.DISTRICT_DIRECTOR or not is_active(user) or not user.district_id:
        return []
    return partnerships.for_district(db.session, user.district_id)


@bp.app_template_global()
def partnership_figures(district_code: str | None = None) -> list[dict[str, Any]]:
    """Partnership figures per ESA for the reports page (one ESA's when it is given)."""
    district_id = reference_lookup.district_id(db.session, district_code or "")
    if district_code and district_id is None:
        return []
    return partnerships.figures_by_district(db.session, district_id)


@bp.app_template_global()
def company_partnerships(company: Any) -> list:
    """Active partnerships for the public thanks on the company page (if the company agreed to be shown)."""
    if company is None or not getattr(company, "show_publicly", True):
        return []
    return partnerships.public_for_company(db.session, company.id)


# -- partnerships -----------------------------------------------------------------------------------------------
@bp.get("/partnerships")
@roles_required(active=False)
def list_partnerships():
    args = {k: v for k, v in request.args.items() if k in ("status", "school_id", "company_id", "page")}
    try:
        from csr_hub.services.posts import parse_paging

        page_no, per_page = parse_paging(request.args)
        page = partnerships.list_partnerships(db.session, current_user, args, page_no, per_page)
    except ServiceError as exc:
        if exc.status != 422:
            raise
        flash(str(exc.message), "error")
        page = partnerships.list_partnerships(db.session, current_user, {}, 1, 20)
    return render_template(
        "partnerships/list.html",
        page=page,
        status=request.args.get("status", ""),
        statuses=[s.value for s in PartnershipStatus],
    )


def _form_data(form: PartnershipForm) -> dict[str, Any]:
    code = (form.school_code.data or "").strip()
    school_id = reference_lookup.school_id(db.session, code)
    return {
        "school_id": school_id if school_id is not None else (None if not code else -1),
        "starts_on": parse_page_date(form.starts_on.data),
        "ends_on": parse_page_date(form.ends_on.data),
        "plan": form.plan.data or "",
        "yearly_value_thb": (form.yearly_value_thb.data or "").strip() or None,
    }


@bp.route("/partnerships/new", methods=["GET", "POST"])
@roles_required(Role.COMPANY_REP.value)
def new_partnership():
    form = PartnershipForm()
    if request.method == "GET" and request.args.get("school"):
        form.school_code.data = request.args.get("school", "")[:10]
    status = 200
    if form.validate_on_submit():
        try:
            data = _form_data(form)
            if data["school_id"] == -1:
                raise ValidationFailed(fields={"school_code": [_("Unknown school code.")]})
            clean = schema.load(schema.PartnershipInput(), data)
            pid = partnerships.create(db.session, current_user, clean, ip=client_ip()).id
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            if exc.status == 403:
                raise
            if "school_id" in exc.fields:
                exc.fields["school_code"] = exc.fields.pop("school_id")
            apply_service_errors(form, exc)
            status = exc.status
        else:
            ok(_("Partnership proposed. The school's ESA director has been notified."))
            return redirect(url_for("partnerships.show_partnership", partnership_id=pid), 303)
    elif request.method == "POST":
        status = 422
    return render_template("partnerships/form.html", form=form), status


def _render(pid: int, status: int = 200, errors: dict | None = None, values: dict | None = None):
    p = partnerships.get(db.session, current_user, pid)
    return render_template(
        "partnerships/show.html",
        p=p,
        years=partnerships.years(db.session, p),
        needs=partnerships.open_needs(db.session, p.school_id),
        actions=partnerships.allowed_actions(current_user, p),
        **page_actions.form_state(errors, values),
    ), status


@bp.get("/partnerships/<int:partnership_id>")
@roles_required(active=False)
def show_partnership(partnership_id: int):
    return _render(partnership_id)


#: a partnership action form's one-time token is claimed under "<this>:<id>" (web/page_actions.py)
ACT_ROUTE = "page:partnerships.act"


@bp.post("/partnerships/<int:partnership_id>/actions")
@roles_required()
def act(partnership_id: int):
    data = {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    return page_actions.run(
        ACT_ROUTE,
        partnership_id,
        lambda: partnerships.act(db.session, current_user, partnership_id, data, ip=client_ip()),
        lambda status, errors, values: _render(partnership_id, status, errors, values),
        url_for("partnerships.show_partnership", partnership_id=partnership_id),
        data,
    )


# -- donation records -------------------------------------------------------------------------------------------
EDONATION_HEADER = (
    "donor_name",
    "donor_tax_id",
    "value_thb",
    "donation_date",
    "description",
    "school_code",
    "school_name",
    "match_id",
)


def _description(r: donations.Record) -> str:
    return f"{r.title} ({r.received_quantity} {r.unit})".strip()


def _edonation_rows(records: list[donations.Record]) -> list[list[Any]]:
    return [
        [
            r.company_name,
            r.company_tax_id,
            r.value_thb,
            r.received_on,
            _description(r),
            r.school_code,
            r.school_name_th,
            r.match_id,
        ]
        for r in records
    ]


def _donation_args() -> dict[str, Any]:
    return {
        k: v for k, v in request.args.items() if k in ("year", "company_id", "school_id", "district") and v
    }


def _stem(kind: str) -> str:
    return f"csr-hub-{kind}-{datetime.now(timezone.utc).astimezone(BANGKOK):%Y%m%d}"


def _download(body: bytes, fmt: str, stem: str) -> Response:
    return Response(
        body, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    )


@bp.get("/donations")
@roles_required(active=False)
def list_donations():
    from csr_hub.services.posts import parse_paging

    args = _donation_args()
    try:
        page_no, per_page = parse_paging(request.args, 50)
        page = donations.list_records(db.session, current_user, args, page_no, per_page)
    except ServiceError as exc:
        if exc.status != 422:
            raise
        flash(" ".join(str(m) for v in exc.fields.values() for m in v) or str(exc.message), "error")
        args = {}
        page = donations.list_records(db.session, current_user, {}, 1, 50)
    total = sum(
        (r.value_thb for r in donations.all_records(db.session, current_user, args)), money.to_decimal(0)
    )
    return render_template("donations/list.html", page=page, args=args, total_value=total)


@bp.get("/donations/export.<fmt>")
@roles_required(active=False)
def export_donations(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    records = donations.all_records(db.session, current_user, _donation_args())
    header = [str(h) for h in EDONATION_HEADER]
    rows = _edonation_rows(records)
    if fmt == "csv":
        return _download(exports.csv_bytes(header, rows), fmt, _stem("donations"))
    return _download(
        exports.xlsx_bytes([("e-Donation", header, rows, exports.EDONATION_KINDS)]), fmt, _stem("donations")
    )


# -- the annual statement ----------------------------------------------------------------------------------------
def _statement(company_id: int) -> dict[str, Any]:
    if not can(current_user, "read_statement", company_id):
        if db.session.get(Company, company_id) is None:
            abort(404)
        abort(403)
    return donations.statement(db.session, current_user, company_id, request.args.get("year"))


@bp.get("/companies/<int:company_id>/statement")
@roles_required(active=False)
def statement(company_id: int):
    try:
        data = _statement(company_id)
    except ServiceError as exc:
        if exc.status != 422:
            raise
        flash(" ".join(str(m) for v in exc.fields.values() for m in v), "error")
        return redirect(url_for("partnerships.statement", company_id=company_id), 303)
    return render_template(
        "companies/statement.html",
        s=data,
        company=data["company"],
        provinces=reference_lookup.province_names(db.session, current_lang()),
        rule=donations.tax_rule_for(data["year"]),
        rules=donations.tax_rules(),
        years=list(range(today_bangkok().year, 2021, -1)),
    )


@bp.get("/companies/<int:company_id>/statement.<fmt>")
@roles_required(active=False)
def statement_export(company_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    data = _statement(company_id)
    lang = current_lang()
    summary_header = [_("Figure"), _("Key"), _("Donations"), _("Value (baht)")]
    summary = [[_("Total"), str(data["year"]), data["donations_count"], data["value_thb"]]]
    summary.append([_("Schools reached"), "", data["schools_count"], None])
    for key, title, table, name in (
        ("by_category", _("By category"), labels.CATEGORIES, "category"),
        ("by_quality_group", _("Quality group"), labels.QUALITY_GROUPS, "quality_group"),
        ("by_province", _("By province"), None, "province_code"),
    ):
        for g in data[key]:
            shown = labels.label(table, g[name], lang) if table else g[name]
            summary.append([title, shown, g["donations_count"], g["value_thb"]])
    header = [str(h) for h in EDONATION_HEADER]
    rows = _edonation_rows(data["records"])
    stem = f"csr-hub-statement-{company_id}-{data['year']}"
    if fmt == "csv":
        return _download(exports.csv_bytes(header, rows), fmt, stem)
    body = exports.xlsx_bytes(
        [
            (_("Statement"), summary_header, summary, ("text", "text", "int", "money")),
            ("e-Donation", header, rows, exports.EDONATION_KINDS),
        ]
    )
    return _download(body, fmt, stem)

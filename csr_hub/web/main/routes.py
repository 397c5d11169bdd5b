"""Public pages: home with national figures, school and company pages, privacy notice."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload

from csr_hub.extensions import db
from csr_hub.models import Company, School
from csr_hub.services import need_photos, notify, posts, reports
from csr_hub.web import security

bp = Blueprint("main", __name__)


@bp.app_context_processor
def _unread():
    try:
        if current_user.is_authenticated:
            known = g.get(security.UNREAD_KEY)  # read with the user on a page (``security._load_user``)
            if known is not None:
                return {"unread_count": known}
            return {"unread_count": notify.unread_count(db.session, current_user.id)}
    except Exception:  # never break a page (or an error page) over the badge
        db.session.rollback()
    return {"unread_count": 0}


@bp.get("/")
def index():
    """The public home: what the service is for, a call to action for schools and for companies, the
    headline figures and the urgent needs. The full national report is on /reports."""
    summary = reports.summary(db.session)
    urgent = posts.list_needs(db.session, {"sort": "urgency"}, 1, 6).items
    offers = posts.list_offers(db.session, {}, 1, 3)
    counts = {
        "schools": db.session.scalar(sa.select(sa.func.count(School.id))) or 0,
        "companies": db.session.scalar(sa.select(sa.func.count(Company.id)).where(Company.verified.is_(True)))
        or 0,
        "open_offers": offers.total,
    }
    return render_template(
        "main/index.html",
        summary=summary,
        waiting_stats=reports.waiting_stats(db.session, None),
        latest=urgent,
        photos=need_photos.for_needs(db.session, [n.id for n in urgent]),
        offers=offers.items,
        counts=counts,
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: answer with the static icon."""
    return current_app.send_static_file("img/favicon.ico")


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/healthz")
def healthz():
    """Alive and reaching its database: JSON either way (a load balancer reads the status), never a page."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "unavailable", "database": "unavailable"}, 503
    return {"status": "ok"}


@bp.get("/schools/<code>")
def school_page(code: str):
    school = db.session.scalar(
        sa.select(School)
        .options(joinedload(School.district), joinedload(School.province))
        .where(School.code == code)
    )
    if school is None:
        abort(404)
    needs = posts.list_needs(db.session, {"status": "all", "school_id": school.id}, 1, 100).items
    figures = reports.summary(db.session, school_id=school.id)
    return render_template(
        "main/school.html",
        school=school,
        needs=needs,
        figures=figures,
        photos=need_photos.for_needs(db.session, [n.id for n in needs]),
    )


@bp.get("/companies/<int:company_id>")
def company_page(company_id: int):
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    offers = posts.list_offers(db.session, {"status": "all", "company_id": company.id}, 1, 100).items
    contribution = next((c for c in reports.companies(db.session) if c["company_id"] == company.id), None)
    return render_template("main/company.html", company=company, offers=offers, contribution=contribution)


@bp.get("/companies")
def companies_recognition():
    """Public thanks to verified companies that delivered, only those that agreed to be shown."""
    from csr_hub import labels
    from csr_hub.web.i18n import current_lang
    from csr_hub.web.reports.tables import reference_province_names

    lang = current_lang()
    provinces = reference_province_names(lang)
    cats: dict[int, list[str]] = {}
    for r in reports.companies(db.session, public_only=True, by="category"):
        if r["delivered_count"] > 0:
            cats.setdefault(r["company_id"], []).append(labels.label(labels.CATEGORIES, r["category"], lang))
    rows = [
        {
            **c,
            "province_name": provinces.get(c["province_code"] or "", ""),
            "categories": cats.get(c["company_id"], []),
        }
        for c in reports.companies(db.session, public_only=True)
        if c["delivered_count"] > 0
    ]
    return render_template("main/companies.html", rows=rows)

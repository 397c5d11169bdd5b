"""Reports: ESA and national figures (the charts and exports build on the same service)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.models import District
from csr_hub.services import reports
from csr_hub.web.access import roles_required

bp = Blueprint("reports", __name__)


def scope_district() -> District | None:
    """The ESA a report is about: a director's own; others may pick one with ?district=."""
    code = request.args.get("district")
    if current_user.role == "district_director":
        if code and (current_user.district is None or code != current_user.district.code):
            abort(403)
        return current_user.district
    if code:
        d = db.session.scalar(sa.select(District).where(District.code == code))
        if d is None:
            abort(404)
        if current_user.role not in ("central_officer", "admin"):
            abort(403)
        return d
    return None


@bp.get("/reports")
@roles_required(active=False)
def index():
    district = scope_district()
    summary = reports.summary(db.session, district_id=district.id if district else None)
    by_district = reports.by_district(db.session) if district is None else []
    companies = reports.companies(db.session, district_id=district.id if district else None)
    return render_template("reports/index.html", district=district, summary=summary, by_district=by_district,
                           companies=companies)

"""Report figures."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain import policy
from csr_hub.extensions import db
from csr_hub.models import District
from csr_hub.services import reports
from csr_hub.services.errors import Forbidden, ValidationFailed
from csr_hub.web.api import bp
from csr_hub.web.api.schemas.common import SUMMARY
from csr_hub.web.reports.replica import report_session


@bp.get("/reports/summary")
def report_summary():
    code = request.args.get("district")
    if not code:
        return jsonify(SUMMARY.dump(reports.summary(report_session())))
    district = db.session.scalar(sa.select(District).where(District.code == code))
    if not current_user.is_authenticated:
        abort(401)
    if district is None:
        raise ValidationFailed(fields={"district": [_l("Unknown district (ESA) code.")]})
    allowed = policy.is_national(current_user) or (
        policy.role_of(current_user) == policy.Role.DISTRICT_DIRECTOR
        and current_user.district_id == district.id
    )
    if not allowed:
        raise Forbidden()
    return jsonify(SUMMARY.dump(reports.summary(report_session(), district_id=district.id)))

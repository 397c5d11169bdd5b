"""Donation records (one per completed match) and a company's annual statement."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import donations
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import scoped_list
from csr_hub.web.api.schemas.donations import DONATION, STATEMENT


@bp.get("/donations")
@roles_required(active=False)
def list_donations():
    return scoped_list(donations.list_records, DONATION)


@bp.get("/companies/<int:company_id>/statement")
@roles_required(active=False)
def company_statement(company_id: int):
    data = donations.statement(db.session, current_user, company_id, request.args.get("year"))
    return jsonify(STATEMENT.dump(data))

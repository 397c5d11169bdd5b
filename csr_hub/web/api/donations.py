"""Donation records (one per completed match) and a company's annual statement."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import donations
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import list_answer, paging


@bp.get("/donations")
@roles_required(active=False)
def list_donations():
    page, per_page = paging()
    return list_answer(
        donations.list_records(db.session, current_user, request.args, page, per_page), lambda r: r.as_json()
    )


@bp.get("/companies/<int:company_id>/statement")
@roles_required(active=False)
def company_statement(company_id: int):
    data = donations.statement(db.session, current_user, company_id, request.args.get("year"))
    return jsonify(donations.statement_json(data))

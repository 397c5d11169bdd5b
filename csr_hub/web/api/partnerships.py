"""Partnerships: a company rep proposes to adopt a school; the school's ESA director decides."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import partnerships
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body, scoped_list
from csr_hub.web.api.schemas import partnerships as schema
from csr_hub.web.security import client_ip


def render(p) -> dict:
    return schema.dump(p, partnerships.years(db.session, p))


@bp.get("/partnerships")
@roles_required(active=False)
def list_partnerships():
    return scoped_list(partnerships.list_partnerships, render)


@bp.post("/partnerships")
@roles_required(Role.COMPANY_REP.value)
@idempotent
def create_partnership():
    data = schema.load(schema.PartnershipInput(), json_body())
    pid = partnerships.create(db.session, current_user, data, ip=client_ip()).id
    db.session.commit()
    return jsonify(render(partnerships.get(db.session, current_user, pid))), 201


@bp.get("/partnerships/<int:partnership_id>")
@roles_required(active=False)
def get_partnership(partnership_id: int):
    return jsonify(render(partnerships.get(db.session, current_user, partnership_id)))


@bp.post("/partnerships/<int:partnership_id>/actions")
@roles_required()
@idempotent
def partnership_action(partnership_id: int):
    body = json_body()
    partnerships.act(db.session, current_user, partnership_id, body, ip=client_ip())
    db.session.commit()
    return jsonify(render(partnerships.get(db.session, current_user, partnership_id)))

"""Matches and their workflow actions."""

from __future__ import annotations

from csr_hub.domain.policy import Role
from flask import current_app, jsonify
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import matches, notify
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body, scoped_list
from csr_hub.web.api.schemas.matches import MATCH
from csr_hub.web.security import client_ip


@bp.get("/matches")
@roles_required(active=False)
def list_matches():
    return scoped_list(matches.list_matches, MATCH, keep=True)


@bp.post("/matches")
@roles_required(Role.SCHOOL_STAFF, Role.COMPANY_REP)
@idempotent
def create_match():
    match_id = matches.propose(db.session, current_user, json_body(), ip=client_ip()).id
    db.session.commit()
    notify.send_for_match(db.session, match_id)
    return jsonify(MATCH.dump(matches.get_match(db.session, current_user, match_id))), 201


@bp.get("/matches/<int:match_id>")
@roles_required(active=False)
def get_match(match_id: int):
    return jsonify(MATCH.dump(matches.get_match(db.session, current_user, match_id)))


@bp.post("/matches/<int:match_id>/actions")
@roles_required()
@idempotent
def match_action(match_id: int):
    matches.act(
        db.session,
        current_user,
        match_id,
        json_body(),
        current_app.config["CSR_CENTRAL_THRESHOLD_THB"],
        ip=client_ip(),
    )
    db.session.commit()
    notify.send_for_match(db.session, match_id)
    return jsonify(MATCH.dump(matches.get_match(db.session, current_user, match_id)))

"""Needs, offers and their suggestions."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import posts, suggestions
from csr_hub.services.errors import ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp, serialize
from csr_hub.web.api.helpers import idempotent, json_body, list_answer, paging
from csr_hub.web.security import client_ip


def _limit() -> int:
    raw = request.args.get("limit")
    if raw in (None, ""):
        return 10
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:  # "²".isdigit() is True, int("²") fails
        raise ValidationFailed(fields={"limit": [_l("Give a whole number of at least 1.")]})
    return min(int(raw), suggestions.MAX_LIMIT)


def _band() -> str | None:
    raw = request.args.get("band")
    if raw in (None, ""):
        return None
    if raw not in suggestions.BAND_FILTERS:
        raise ValidationFailed(fields={"band": [_l("Choose one of: strong, possible, weak.")]})
    return raw


@bp.get("/needs")
def list_needs():
    page, per_page = paging()
    return list_answer(posts.list_needs(db.session, request.args, page, per_page), serialize.need)


@bp.post("/needs")
@roles_required(Role.SCHOOL_STAFF)
@idempotent
def create_need():
    need = posts.create_need(db.session, current_user, json_body(), ip=client_ip())
    db.session.commit()
    return jsonify(serialize.need(posts.get_need(db.session, need.id))), 201


@bp.get("/needs/<int:need_id>")
def get_need(need_id: int):
    return jsonify(serialize.need(posts.get_need(db.session, need_id)))


@bp.patch("/needs/<int:need_id>")
@roles_required(Role.SCHOOL_STAFF, Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER)
def update_need(need_id: int):
    data = json_body()
    need = posts.get_need(db.session, need_id)
    posts.update_need(db.session, current_user, need, data, ip=client_ip())
    db.session.commit()
    return jsonify(serialize.need(posts.get_need(db.session, need_id)))


@bp.post("/needs/<int:need_id>/cancel")
@roles_required(Role.SCHOOL_STAFF)
@idempotent
def cancel_need(need_id: int):
    need = posts.get_need(db.session, need_id)
    posts.cancel_need(db.session, current_user, need, ip=client_ip())
    db.session.commit()
    return jsonify(serialize.need(posts.get_need(db.session, need_id)))


@bp.get("/needs/<int:need_id>/suggestions")
def need_suggestions(need_id: int):
    limit, band = _limit(), _band()
    need = posts.get_need(db.session, need_id)
    ranked = suggestions.for_need(db.session, need, limit, band=band)
    return jsonify({"items": [{"offer": serialize.offer(o), **suggestions.item_json(s)} for o, s in ranked]})


@bp.get("/offers")
def list_offers():
    page, per_page = paging()
    return list_answer(posts.list_offers(db.session, request.args, page, per_page), serialize.offer)


@bp.post("/offers")
@roles_required(Role.COMPANY_REP)
@idempotent
def create_offer():
    offer = posts.create_offer(db.session, current_user, json_body(), ip=client_ip())
    db.session.commit()
    return jsonify(serialize.offer(posts.get_offer(db.session, offer.id))), 201


@bp.get("/offers/<int:offer_id>")
def get_offer(offer_id: int):
    return jsonify(serialize.offer(posts.get_offer(db.session, offer_id)))


@bp.patch("/offers/<int:offer_id>")
@roles_required(Role.COMPANY_REP)
def update_offer(offer_id: int):
    data = json_body()
    offer = posts.get_offer(db.session, offer_id)
    posts.update_offer(db.session, current_user, offer, data, ip=client_ip())
    db.session.commit()
    return jsonify(serialize.offer(posts.get_offer(db.session, offer_id)))


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required(Role.COMPANY_REP)
@idempotent
def withdraw_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    posts.withdraw_offer(db.session, current_user, offer, ip=client_ip())
    db.session.commit()
    return jsonify(serialize.offer(posts.get_offer(db.session, offer_id)))


@bp.get("/offers/<int:offer_id>/suggestions")
def offer_suggestions(offer_id: int):
    limit, band = _limit(), _band()
    offer = posts.get_offer(db.session, offer_id)
    ranked = suggestions.for_offer(db.session, offer, limit, band=band)
    return jsonify({"items": [{"need": serialize.need(n), **suggestions.item_json(s)} for n, s in ranked]})

"""Needs, offers and their suggestions: the same six routes for each, from one table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import posts, suggestions
from csr_hub.services.errors import ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body, list_answer, no_body, paging
from csr_hub.web.api.schemas.posts import NEED, OFFER, NeedSuggestions, OfferSuggestions
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


def changed(get: Callable, change: Callable, post_id: int, schema: Schema, *args):
    """Apply ``change(session, user, post, *args)`` and answer the post as it now is."""
    change(db.session, current_user, get(db.session, post_id), *args, ip=client_ip())
    db.session.commit()
    return jsonify(schema.dump(get(db.session, post_id)))


@dataclass(frozen=True)
class Kind:
    """One kind of post and the service functions that serve it."""

    one: str  # "need": the name in its paths and endpoints
    schema: Schema
    get: Callable
    list: Callable
    create: Callable
    update: Callable
    close: Callable
    close_name: str  # "cancel" / "withdraw"
    suggest: Callable
    other: str  # the key of the suggested post in each item
    suggestions: Schema
    author: Role
    editors: tuple[Role, ...]


def add_routes(k: Kind) -> None:
    """``/{k}s`` GET, POST; ``/{k}s/<{k}_id>`` GET, PATCH; ``…/cancel|withdraw`` POST; ``…/suggestions`` GET."""
    key = f"{k.one}_id"
    base, item = f"/{k.one}s", f"/{k.one}s/<int:{key}>"

    def listed():
        return list_answer(k.list(db.session, request.args, *paging()), k.schema)

    def create():
        post = k.create(db.session, current_user, json_body(), ip=client_ip())
        db.session.commit()
        return jsonify(k.schema.dump(k.get(db.session, post.id))), 201

    def get(**ids: int):
        return jsonify(k.schema.dump(k.get(db.session, ids[key])))

    def update(**ids: int):
        data = json_body()
        return changed(k.get, k.update, ids[key], k.schema, data)

    def close(**ids: int):
        no_body()
        return changed(k.get, k.close, ids[key], k.schema)

    def suggested(**ids: int):
        limit, band = _limit(), _band()
        ranked = k.suggest(db.session, k.get(db.session, ids[key]), limit, band=band)
        return jsonify(
            k.suggestions.dump({"items": [{k.other: p, **suggestions.item_json(s)} for p, s in ranked]})
        )

    add = bp.add_url_rule
    add(base, f"list_{k.one}s", listed, methods=["GET"])
    add(base, f"create_{k.one}", roles_required(k.author)(idempotent(create)), methods=["POST"])
    add(item, f"get_{k.one}", get, methods=["GET"])
    add(item, f"update_{k.one}", roles_required(*k.editors)(update), methods=["PATCH"])
    closing = roles_required(k.author)(idempotent(close))
    add(f"{item}/{k.close_name}", f"{k.close_name}_{k.one}", closing, methods=["POST"])
    add(f"{item}/suggestions", f"{k.one}_suggestions", suggested, methods=["GET"])


NEEDS = Kind(
    "need", NEED, posts.get_need, posts.list_needs, posts.create_need, posts.update_need, posts.cancel_need,
    "cancel", suggestions.for_need, "offer", OfferSuggestions(), Role.SCHOOL_STAFF,
    (Role.SCHOOL_STAFF, Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER),
)  # fmt: skip
OFFERS = Kind(
    "offer", OFFER, posts.get_offer, posts.list_offers, posts.create_offer, posts.update_offer,
    posts.withdraw_offer, "withdraw", suggestions.for_offer, "need", NeedSuggestions(), Role.COMPANY_REP,
    (Role.COMPANY_REP,),
)  # fmt: skip
add_routes(NEEDS)
add_routes(OFFERS)

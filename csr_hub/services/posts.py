"""Needs and offers: create, update, cancel/withdraw, list with filters, national-scale friendly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.domain.policy import Role
from csr_hub.domain import analysis
from csr_hub.domain.reference import QUALITY_GROUPS, URGENCIES, today_bangkok
from csr_hub.domain.workflow import HOLDING_STATUSES
from csr_hub.models import (
    District,
    Match,
    Need,
    Offer,
    Province,
    School,
    User,
    district_provinces,
    offer_provinces,
)
from csr_hub.services import audit, duplicates
from csr_hub.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from csr_hub.services.validation import Collector, parse_future_date, parse_money, parse_urgency, post_fields

NEED_SORTS = ("newest", "needed_by", "urgency", "value")


def analyse_text(title: str, description: str) -> tuple[str, str]:
    """(search_text, item_kinds) stored with a post; bulk loaders call it too, so rows agree with the app."""
    pa = analysis.analyse_post(title or "", description or "")
    return pa.search, pa.item_kinds


def _require_active(actor: User) -> None:
    if actor.status != "active":
        from csr_hub.services.errors import AccountPending

        raise AccountPending()


#: matches in these statuses still hold quantity that cancelling, withdrawing or editing would silently
#: release; a completed match is settled (its received quantity stays held) and blocks none of them
IN_FLIGHT = tuple(s for s in HOLDING_STATUSES if s != "completed")


def _holds_quantity(session: Session, column, obj_id: int) -> bool:
    q = sa.select(Match.id).where(column == obj_id, Match.status.in_(IN_FLIGHT)).limit(1)
    return session.scalar(q) is not None


def _lock(session: Session, post: Need | Offer) -> None:
    """Re-read the need or offer under its row lock before deciding on it. A concurrent ``accept`` takes
    the same lock in its conditional UPDATE (matches._hold), so cancel / withdraw / edit and accept are
    serialised: whichever comes second sees the other's result and answers 409. (PostgreSQL; on SQLite
    ``BEGIN IMMEDIATE`` already serialises the two write transactions and FOR UPDATE is left out.)"""
    model = type(post)
    session.execute(sa.select(model.id).where(model.id == post.id).with_for_update())
    session.refresh(post)


def holds_quantity(session: Session, post: Need | Offer) -> bool:
    """Whether a match in flight holds quantity on this need or offer (it cannot be edited or closed)."""
    column = Match.need_id if isinstance(post, Need) else Match.offer_id
    return _holds_quantity(session, column, post.id)


# --- needs -----------------------------------------------------------------------------------------
def create_need(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> Need:
    if actor.role != Role.SCHOOL_STAFF or actor.school_id is None:
        raise Forbidden()
    _require_active(actor)
    c = Collector(data)
    post_fields(c, partial=False)
    c.take("estimated_cost_thb", parse_money, required=True, partial=False)
    c.take("needed_by", parse_future_date, required=False, partial=False)
    c.take("urgency", parse_urgency, required=False, partial=False, default="normal")
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    need = Need(school_id=actor.school_id, created_by_id=actor.id, **c.out)
    need.urgency_rank = URGENCIES[need.urgency][2]
    need.search_text, need.item_kinds = analyse_text(need.title, need.description)
    session.add(need)
    session.flush()
    duplicates.flag(session, need)  # stored, so reading the need stays cheap
    audit.record(session, "need.create", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip)
    from csr_hub.services import alerts  # imported late: alerts → suggestions → posts

    alerts.need_saved(session, need, actor_id=actor.id)
    return need


def can_edit_need(actor: User, need: Need) -> bool:
    return actor.role == Role.SCHOOL_STAFF and actor.school_id == need.school_id


def can_set_budget(actor: User, need: Need) -> bool:
    if actor.role == Role.CENTRAL_OFFICER:
        return True
    return actor.role == Role.DISTRICT_DIRECTOR and need.school.district_id == actor.district_id


def update_need(session: Session, actor: User, need: Need, data: dict[str, Any], ip: str = "") -> Need:
    data = dict(data) if isinstance(data, dict) else {}
    editor = can_edit_need(actor, need)
    budgeter = can_set_budget(actor, need)
    if not (editor or budgeter):
        raise Forbidden()
    _require_active(actor)
    c = Collector(data)
    if budgeter:  # from anyone else budget_thb is ignored, like every field a user may not set
        c.take("budget_thb", parse_money, required=True, partial=True)
    if editor:
        post_fields(c, partial=True)
        c.take("estimated_cost_thb", parse_money, required=True, partial=True)
        c.take("needed_by", parse_future_date, required=False, partial=True)
        c.take("urgency", parse_urgency, required=True, partial=True)
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    _lock(session, need)
    if need.cancelled:
        raise Conflict(_l("This need is cancelled."))
    content = {k: v for k, v in c.out.items() if k != "budget_thb"}
    if content and _holds_quantity(session, Match.need_id, need.id):
        raise Conflict(
            _l("A match holds quantity on this need; it cannot be edited until the match is withdrawn.")
        )
    if "quantity" in content and content["quantity"] < need.committed_quantity:
        raise Conflict(_l("The quantity cannot go below what matches already hold."))
    for key, value in c.out.items():
        setattr(need, key, value)
    need.urgency_rank = URGENCIES[need.urgency][2]
    if "title" in content or "description" in content:
        need.search_text, need.item_kinds = analyse_text(need.title, need.description)
    need.updated_at = datetime.now(timezone.utc)
    session.flush()
    audit.record(
        session,
        "need.update",
        actor_id=actor.id,
        object_type="need",
        object_id=need.id,
        ip=ip,
        fields=sorted(c.out),
    )
    return need


def cancel_need(session: Session, actor: User, need: Need, ip: str = "") -> Need:
    if not can_edit_need(actor, need):
        raise Forbidden()
    _require_active(actor)
    _lock(session, need)
    if need.cancelled:
        raise Conflict(_l("This need is already cancelled."))
    if _holds_quantity(session, Match.need_id, need.id):
        raise Conflict(_l("Matches hold quantity on this need: withdraw them before cancelling."))
    need.cancelled = True
    need.cancelled_at = datetime.now(timezone.utc)
    audit.record(session, "need.cancel", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip)
    return need


# --- offers ----------------------------------------------------------------------------------------
def _parse_provinces(session: Session, value: Any) -> list[Province]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(_l("Give a list of province codes (empty for nationwide)."))
    codes = sorted(set(value))
    if not codes:
        return []
    if len(codes) > 77 or not all(re.fullmatch(r"[0-9]{2}", c) for c in codes):
        raise ValueError(_l("Unknown province code."))
    rows = list(session.scalars(sa.select(Province).where(Province.code.in_(codes))))
    if len(rows) != len(codes):
        raise ValueError(_l("Unknown province code."))
    return rows


def create_offer(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> Offer:
    if actor.role != Role.COMPANY_REP or actor.company_id is None:
        raise Forbidden()
    _require_active(actor)
    c = Collector(data)
    post_fields(c, partial=False)
    c.take("value_thb", parse_money, required=True, partial=False)
    c.take("available_until", parse_future_date, required=False, partial=False)
    c.take("provinces", lambda v: _parse_provinces(session, v), required=False, partial=False, default=[])
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    provinces = c.out.pop("provinces") or []
    offer = Offer(company_id=actor.company_id, created_by_id=actor.id, **c.out)
    offer.provinces = provinces
    offer.nationwide = not provinces
    offer.search_text, offer.item_kinds = analyse_text(offer.title, offer.description)
    session.add(offer)
    session.flush()
    audit.record(session, "offer.create", actor_id=actor.id, object_type="offer", object_id=offer.id, ip=ip)
    from csr_hub.services import alerts  # imported late: alerts → suggestions → posts

    alerts.offer_saved(session, offer, actor_id=actor.id)
    return offer


def can_edit_offer(actor: User, offer: Offer) -> bool:
    return actor.role == Role.COMPANY_REP and actor.company_id == offer.company_id


def update_offer(session: Session, actor: User, offer: Offer, data: dict[str, Any], ip: str = "") -> Offer:
    if not can_edit_offer(actor, offer):
        raise Forbidden()
    _require_active(actor)
    c = Collector(data)
    post_fields(c, partial=True)
    c.take("value_thb", parse_money, required=True, partial=True)
    c.take("available_until", parse_future_date, required=False, partial=True)
    c.take("provinces", lambda v: _parse_provinces(session, v), required=False, partial=True, default=[])
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    _lock(session, offer)
    if offer.withdrawn:
        raise Conflict(_l("This offer is withdrawn."))
    if c.out and _holds_quantity(session, Match.offer_id, offer.id):
        raise Conflict(
            _l("A match holds quantity on this offer; it cannot be edited until the match is withdrawn.")
        )
    if "quantity" in c.out and c.out["quantity"] < offer.committed_quantity:
        raise Conflict(_l("The quantity cannot go below what matches already hold."))
    if "provinces" in c.out:
        offer.provinces = c.out.pop("provinces") or []
        offer.nationwide = not offer.provinces
    for key, value in c.out.items():
        setattr(offer, key, value)
    if "title" in c.out or "description" in c.out:
        offer.search_text, offer.item_kinds = analyse_text(offer.title, offer.description)
    offer.updated_at = datetime.now(timezone.utc)
    session.flush()
    audit.record(session, "offer.update", actor_id=actor.id, object_type="offer", object_id=offer.id, ip=ip)
    from csr_hub.services import alerts  # imported late: alerts → suggestions → posts

    alerts.offer_saved(session, offer, actor_id=actor.id)
    return offer


def withdraw_offer(session: Session, actor: User, offer: Offer, ip: str = "") -> Offer:
    if not can_edit_offer(actor, offer):
        raise Forbidden()
    _require_active(actor)
    _lock(session, offer)
    if offer.withdrawn:
        raise Conflict(_l("This offer is already withdrawn."))
    if _holds_quantity(session, Match.offer_id, offer.id):
        raise Conflict(_l("Matches hold quantity on this offer: withdraw them first."))
    offer.withdrawn = True
    offer.withdrawn_at = datetime.now(timezone.utc)
    audit.record(session, "offer.withdraw", actor_id=actor.id, object_type="offer", object_id=offer.id, ip=ip)
    return offer


# --- lists -----------------------------------------------------------------------------------------
@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int


def parse_paging(args: dict[str, Any], default_per_page: int = 20) -> tuple[int, int]:
    errors: dict[str, list[object]] = {}
    out = []
    for name, default in (("page", 1), ("per_page", default_per_page)):
        raw = args.get(name)
        if raw in (None, ""):
            out.append(default)
            continue
        s = str(raw).strip()
        if not (s.isascii() and s.isdigit()) or not s.strip("0"):
            errors[name] = [_l("Give a whole number of at least 1.")]
            out.append(default)
        else:
            out.append(int(s) if len(s) <= 18 else 10**18)  # a page that long is past the end anyway
    if errors:
        raise ValidationFailed(fields=errors)
    page, per_page = out
    return min(page, 10_000_000), min(per_page, 100)


_CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


def _codes_filter(session: Session, args: dict[str, Any], errors: dict) -> tuple[str | None, District | None]:
    """Province and ESA filters; a code that is not even shaped like one never reaches the database."""
    province = args.get("province") or None
    if province and (not _CODE_RE.match(str(province)) or session.get(Province, province) is None):
        errors["province"] = [_l("Unknown province code.")]
    district = None
    dcode = args.get("district") or None
    if dcode:
        if _CODE_RE.match(str(dcode)):
            district = session.scalar(sa.select(District).where(District.code == dcode))
        if district is None:
            errors["district"] = [_l("Unknown district (ESA) code.")]
    return province, district


def _check_choice(args, name, choices, errors):
    value = args.get(name) or None
    if value and value not in choices:
        errors[name] = [_l("Choose one of the listed values.")]
    return value


def _id_filter(args, name: str, errors: dict) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    s = str(raw).strip()
    if not s.isascii() or not s.isdigit() or len(s) > 18:
        errors[name] = [_l("Give a whole number of at least 1.")]
        return None
    return int(s)


def search_terms(q: Any) -> list[str | tuple[str, ...]]:
    """Terms to AND (a tuple: alternatives to OR — an ambiguous word such as "notebook")."""
    if not isinstance(q, str) or not q.strip():
        return []
    return analysis.query_terms(q[:200])[:10]


def _like(column, term: str | tuple[str, ...]):
    if isinstance(term, tuple):
        return sa.or_(*(_like(column, t) for t in term))
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def need_query(session: Session, args: dict[str, Any]):
    """A select of needs for the filters in ``args`` (raises ValidationFailed on unknown values)."""
    from csr_hub.domain.reference import CATEGORIES

    errors: dict[str, list[object]] = {}
    status = args.get("status") or "open"
    if status not in ("open", "fulfilled", "cancelled", "expired", "all"):
        errors["status"] = [_l("Choose one of the listed values.")]
    category = _check_choice(args, "category", CATEGORIES, errors)
    quality = _check_choice(args, "quality_group", QUALITY_GROUPS, errors)
    urgency = _check_choice(args, "urgency", URGENCIES, errors)
    sort = args.get("sort") or "newest"
    if sort not in NEED_SORTS:
        errors["sort"] = [_l("Choose one of the listed values.")]
    province, district = _codes_filter(session, args, errors)
    school_id = _id_filter(args, "school_id", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    q = sa.select(Need)
    if (
        quality or province or district is not None
    ):  # the join costs a hash join over every row: only when filtering
        q = q.join(School, Need.school_id == School.id)
    if status != "all":
        q = q.where(Need.status_clause(status))
    if category:
        q = q.where(Need.category == category)
    if quality:
        q = q.where(School.quality_group == quality)
    if urgency:
        q = q.where(Need.urgency_rank == URGENCIES[urgency][2])  # indexed (ix_needs_list_cover)
    if province:
        q = q.where(School.province_code == province)
    if district is not None:
        q = q.where(School.district_id == district.id)
    if school_id is not None:
        q = q.where(Need.school_id == school_id)
    for term in search_terms(args.get("q")):
        q = q.where(_like(Need.search_text, term))
    order = {
        "newest": (Need.created_at.desc(), Need.id.desc()),
        "needed_by": (Need.needed_by.asc().nulls_last(), Need.id.desc()),
        "urgency": (Need.urgency_rank.desc(), Need.created_at.desc(), Need.id.desc()),
        "value": (Need.estimated_cost_thb.desc(), Need.id.desc()),
    }[sort]
    return q, order


def offer_query(session: Session, args: dict[str, Any]):
    from csr_hub.domain.reference import CATEGORIES

    errors: dict[str, list[object]] = {}
    status = args.get("status") or "open"
    if status not in ("open", "exhausted", "withdrawn", "expired", "all"):
        errors["status"] = [_l("Choose one of the listed values.")]
    category = _check_choice(args, "category", CATEGORIES, errors)
    sort = args.get("sort") or "newest"
    if sort not in NEED_SORTS:
        errors["sort"] = [_l("Choose one of the listed values.")]
    _check_choice(args, "quality_group", QUALITY_GROUPS, errors)
    _check_choice(args, "urgency", URGENCIES, errors)
    province, district = _codes_filter(session, args, errors)
    company_id = _id_filter(args, "company_id", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    today = today_bangkok()
    q = sa.select(Offer)
    if status != "all":
        q = q.where(Offer.status_clause(status, today))
    if category:
        q = q.where(Offer.category == category)
    # "serves": nationwide offers, and offers naming the province (or one the ESA covers)
    served = None
    if district is not None:
        codes = sa.select(district_provinces.c.province_code).where(
            district_provinces.c.district_id == district.id
        )
        if province:
            codes = codes.where(district_provinces.c.province_code == province)
        served = sa.select(offer_provinces.c.offer_id).where(offer_provinces.c.province_code.in_(codes))
    elif province:
        served = sa.select(offer_provinces.c.offer_id).where(offer_provinces.c.province_code == province)
    if served is not None:
        q = q.where(sa.or_(Offer.nationwide.is_(True), Offer.id.in_(served)))
    if company_id is not None:
        q = q.where(Offer.company_id == company_id)
    for term in search_terms(args.get("q")):
        q = q.where(_like(Offer.search_text, term))
    order = {
        "newest": (Offer.created_at.desc(), Offer.id.desc()),
        "needed_by": (Offer.available_until.asc().nulls_last(), Offer.id.desc()),
        "urgency": (Offer.available_until.asc().nulls_last(), Offer.id.desc()),
        "value": (Offer.value_thb.desc(), Offer.id.desc()),
    }[sort]
    return q, order


def paginate(session: Session, q, order, page: int, per_page: int, options=()) -> Page:
    total = session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = list(
        session.scalars(
            q.options(*options).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        ).unique()
    )
    return Page(rows, total, page, per_page)


#: selectin, not joined: a joined load would make the database join (and sort) every matching row before the
#: LIMIT; two small IN queries for the page's schools and ESAs keep the count of statements constant
NEED_LOAD = (selectinload(Need.school).selectinload(School.district),)
OFFER_LOAD = (selectinload(Offer.provinces), joinedload(Offer.company))


def list_needs(session: Session, args: dict[str, Any], page: int, per_page: int) -> Page:
    q, order = need_query(session, args)
    return paginate(session, q, order, page, per_page, NEED_LOAD)


def list_offers(session: Session, args: dict[str, Any], page: int, per_page: int) -> Page:
    q, order = offer_query(session, args)
    return paginate(session, q, order, page, per_page, OFFER_LOAD)


def get_need(session: Session, need_id: int) -> Need:
    need = session.scalar(sa.select(Need).options(*NEED_LOAD).where(Need.id == need_id))
    if need is None:
        raise NotFound()
    return need


def get_offer(session: Session, offer_id: int) -> Offer:
    offer = session.scalar(sa.select(Offer).options(*OFFER_LOAD).where(Offer.id == offer_id))
    if offer is None:
        raise NotFound()
    return offer

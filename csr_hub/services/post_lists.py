"""Needs and offers read: the lists with their filters and sorts, and one need or offer, at national scale.

Both lists read the same query-string filters (:func:`_filters`); each applies them to its own table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS, URGENCIES, URGENCY_RANK, today_bangkok
from csr_hub.models import District, Need, Offer, Province, School, district_provinces, offer_provinces
from csr_hub.services.errors import ValidationFailed
from csr_hub.services.listing import Page, choice_filter, id_filter, like, one, paginate, search_terms

NEED_SORTS = ("newest", "needed_by", "urgency", "value")
NEED_STATUSES = ("open", "fulfilled", "cancelled", "expired", "all")
OFFER_STATUSES = ("open", "exhausted", "withdrawn", "expired", "all")

#: selectin, not joined: a joined load would make the database join (and sort) every matching row before the
#: LIMIT; two small IN queries for the page's schools and ESAs keep the count of statements constant
NEED_LOAD = (selectinload(Need.school).selectinload(School.district),)
OFFER_LOAD = (selectinload(Offer.provinces), joinedload(Offer.company))

NEED_ORDER = {
    "newest": (Need.created_at.desc(), Need.id.desc()),
    "needed_by": (Need.needed_by.asc().nulls_last(), Need.id.desc()),
    "urgency": (Need.urgency_rank.desc(), Need.created_at.desc(), Need.id.desc()),
    "value": (Need.estimated_cost_thb.desc(), Need.id.desc()),
}
#: an offer has no urgency: its "urgency" order is the soonest it stops being available, like "needed_by"
OFFER_ORDER = {
    "newest": (Offer.created_at.desc(), Offer.id.desc()),
    "needed_by": (Offer.available_until.asc().nulls_last(), Offer.id.desc()),
    "urgency": (Offer.available_until.asc().nulls_last(), Offer.id.desc()),
    "value": (Offer.value_thb.desc(), Offer.id.desc()),
}

_CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


@dataclass(frozen=True)
class Filters:
    """What a list of needs or offers was asked for (None: not filtered)."""

    status: str
    sort: str
    category: str | None
    quality_group: str | None
    urgency: str | None
    province: str | None
    district: District | None
    owner_id: int | None
    terms: list


def _filters(session: Session, args: dict[str, Any], statuses: tuple[str, ...], owner: str) -> Filters:
    """Read (and check) the filters both lists take; ``owner``: ``school_id`` or ``company_id``."""
    errors: dict[str, list[object]] = {}
    status = args.get("status") or "open"
    if status not in statuses:
        errors["status"] = [_l("Choose one of the listed values.")]
    sort = args.get("sort") or "newest"
    if sort not in NEED_SORTS:
        errors["sort"] = [_l("Choose one of the listed values.")]
    category = choice_filter(args, "category", CATEGORIES, errors)
    quality = choice_filter(args, "quality_group", QUALITY_GROUPS, errors)
    urgency = choice_filter(args, "urgency", URGENCIES, errors)
    province, district = _codes_filter(session, args, errors)
    owner_id = id_filter(args, owner, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    terms = search_terms(args.get("q"))
    return Filters(status, sort, category, quality, urgency, province, district, owner_id, terms)


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


def need_query(session: Session, args: dict[str, Any]):
    """A select of needs for the filters in ``args`` (raises ValidationFailed on unknown values)."""
    f = _filters(session, args, NEED_STATUSES, "school_id")
    q = sa.select(Need)
    if f.quality_group or f.province:  # the join costs a hash join over every row
        q = q.join(School, Need.school_id == School.id)
    if f.status != "all":
        q = q.where(Need.status_clause(f.status))
    if f.category:
        q = q.where(Need.category == f.category)
    if f.quality_group:
        q = q.where(School.quality_group == f.quality_group)
    if f.urgency:
        q = q.where(Need.urgency_rank == URGENCY_RANK[f.urgency])  # indexed (ix_needs_list_cover)
    if f.province:
        q = q.where(School.province_code == f.province)
    if f.district is not None:
        q = q.where(Need.district_id == f.district.id)  # the need's copy of its school's ESA (indexed)
    if f.owner_id is not None:
        q = q.where(Need.school_id == f.owner_id)
    for term in f.terms:
        q = q.where(like(Need.search_text, term))
    return q, NEED_ORDER[f.sort]


def offer_query(session: Session, args: dict[str, Any]):
    """A select of offers for the filters in ``args`` (a school's quality group and urgency are checked
    but do not narrow offers)."""
    f = _filters(session, args, OFFER_STATUSES, "company_id")
    q = sa.select(Offer)
    if f.status != "all":
        q = q.where(Offer.status_clause(f.status, today_bangkok()))
    if f.category:
        q = q.where(Offer.category == f.category)
    # "serves": nationwide offers, and offers naming the province (or one the ESA covers)
    served = None
    if f.district is not None:
        codes = sa.select(district_provinces.c.province_code).where(
            district_provinces.c.district_id == f.district.id
        )
        if f.province:
            codes = codes.where(district_provinces.c.province_code == f.province)
        served = sa.select(offer_provinces.c.offer_id).where(offer_provinces.c.province_code.in_(codes))
    elif f.province:
        served = sa.select(offer_provinces.c.offer_id).where(offer_provinces.c.province_code == f.province)
    if served is not None:
        q = q.where(sa.or_(Offer.nationwide.is_(True), Offer.id.in_(served)))
    if f.owner_id is not None:
        q = q.where(Offer.company_id == f.owner_id)
    for term in f.terms:
        q = q.where(like(Offer.search_text, term))
    return q, OFFER_ORDER[f.sort]


def list_needs(session: Session, args: dict[str, Any], page: int, per_page: int) -> Page:
    q, order = need_query(session, args)
    return paginate(session, q, order, page, per_page, NEED_LOAD)


def list_offers(session: Session, args: dict[str, Any], page: int, per_page: int) -> Page:
    q, order = offer_query(session, args)
    return paginate(session, q, order, page, per_page, OFFER_LOAD)


def get_need(session: Session, need_id: int) -> Need:
    """One need, its suspected duplicates as they stand now (``duplicates.live``)."""
    from csr_hub.services import duplicates

    need = one(session, Need, need_id, NEED_LOAD)
    need.shown_duplicates = duplicates.live(session, need)
    return need


def get_offer(session: Session, offer_id: int) -> Offer:
    return one(session, Offer, offer_id, OFFER_LOAD)

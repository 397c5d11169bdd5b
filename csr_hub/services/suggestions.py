"""Suggestions: load candidate rows, hand plain views to the domain matcher, return the best first."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need, Offer, Province, School, offer_provinces

MAX_LIMIT = 50


def province_table(session: Session) -> dict[str, Province]:
    return {p.code: p for p in session.scalars(sa.select(Province))}


def need_view(need: Need, provinces: dict[str, Province]):
    from csr_hub.domain import matching
    school = need.school
    p = provinces.get(school.province_code)
    return matching.NeedView(
        id=need.id, category=need.category, title=need.title, description=need.description or "",
        remaining=need.remaining_quantity, needed_by=need.needed_by, urgency=need.urgency,
        province_code=school.province_code, region=p.region if p else "", latitude=p.latitude if p else 0.0,
        longitude=p.longitude if p else 0.0, quality_group=school.quality_group,
        items=frozenset(need.item_kinds.split()), search=need.search_text or "", status=need.status,
    )


def offer_view(offer: Offer, provinces: dict[str, Province], today):
    from csr_hub.domain import matching
    codes = frozenset(p.code for p in offer.provinces)
    home = provinces.get(offer.company.province_code or "") if offer.company else None
    return matching.OfferView(
        id=offer.id, category=offer.category, title=offer.title, description=offer.description or "",
        remaining=offer.remaining_quantity, available_until=offer.available_until,
        value_per_unit=float(offer.value_thb) / offer.quantity if offer.quantity else 0.0,
        provinces=codes, regions=frozenset(provinces[c].region for c in codes if c in provinces),
        latitude=home.latitude if home else None, longitude=home.longitude if home else None,
        items=frozenset(offer.item_kinds.split()), search=offer.search_text or "", status=offer.status_on(today),
    )


def parts_json(score) -> dict[str, Any]:
    return {name: {"score": round(part.score, 1), "weight": part.weight, "reason_th": part.reason_th,
                   "reason_en": part.reason_en} for name, part in score.parts.items()}


def score_pair(session: Session, need: Need, offer: Offer) -> tuple[float, dict[str, Any]]:
    from csr_hub.domain import matching
    provinces = province_table(session)
    s = matching.score(need_view(need, provinces), offer_view(offer, provinces, today_bangkok()), today_bangkok())
    return s.total, parts_json(s)


def for_need(session: Session, need: Need, limit: int = 10) -> list[tuple[Offer, Any]]:
    from csr_hub.domain import matching
    today = today_bangkok()
    if need.status != "open":
        return []
    served = sa.select(offer_provinces.c.offer_id).where(offer_provinces.c.province_code == need.school.province_code)
    rows = list(session.scalars(
        sa.select(Offer).options(selectinload(Offer.provinces), joinedload(Offer.company))
        .where(Offer.status_clause("open", today), sa.or_(Offer.nationwide.is_(True), Offer.id.in_(served)))
    ).unique())
    provinces = province_table(session)
    by_id = {o.id: o for o in rows}
    ranked = matching.suggest_offers(need_view(need, provinces), [offer_view(o, provinces, today) for o in rows],
                                     today, limit=limit)
    return [(by_id[v.id], s) for v, s in ranked]


def for_offer(session: Session, offer: Offer, limit: int = 10) -> list[tuple[Need, Any]]:
    from csr_hub.domain import matching
    today = today_bangkok()
    if offer.status_on(today) != "open":
        return []
    q = (sa.select(Need).join(School, Need.school_id == School.id)
         .options(joinedload(Need.school).joinedload(School.district)).where(Need.status_clause("open")))
    codes = [p.code for p in offer.provinces]
    if codes:
        q = q.where(School.province_code.in_(codes))
    # blocking: a nationwide offer is only scored against needs of its own or related categories
    related = matching.related_categories(offer.category) if hasattr(matching, "related_categories") else None
    if related:
        q = q.where(Need.category.in_(sorted(related | {offer.category})))
    rows = list(session.scalars(q).unique())
    provinces = province_table(session)
    by_id = {n.id: n for n in rows}
    ranked = matching.suggest_needs(offer_view(offer, provinces, today), [need_view(n, provinces) for n in rows],
                                    today, limit=limit)
    return [(by_id[v.id], s) for v, s in ranked]

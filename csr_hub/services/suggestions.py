"""Suggestions: load candidate rows, hand plain views to the domain matcher, return the best first.

Live suggestions (the need and offer pages, ``GET /api/v1/needs/{id}/suggestions`` and
``/offers/{id}/suggestions``) run a fixed number of SQL statements whatever the number of candidates:

1. the province table (77 rows: coordinates and regions for the location part);
2. the candidates as plain columns — open, something left, not ended before today, serving the
   school's province (nationwide included), and for an offer's needs already narrowed to related
   categories or shared item kinds — never as ORM objects, so 5,000 offers cost one light query;
3. the winners only (``limit`` rows) as ORM objects with what the pages and the API show
   (an offer's company and provinces, a need's school and ESA): one or two statements.

The batch (``services/batch.py``) reuses the same loaders over every open need and offer.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import matching, vocabulary
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Company, Need, Offer, Province, School, offer_provinces
from csr_hub.services.posts import NEED_LOAD, OFFER_LOAD

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def province_table(session: Session) -> dict[str, Province]:
    return {p.code: p for p in session.scalars(sa.select(Province))}


def _place(provinces: dict[str, Province], code: str | None) -> tuple[str, float, float] | None:
    p = provinces.get(code or "")
    return (p.region, p.latitude, p.longitude) if p else None


# --- views from ORM objects (one pair: the score stored when a match is proposed) -------------------
def need_view(need: Need, provinces: dict[str, Province]) -> matching.NeedView:
    school = need.school
    region, lat, lon = _place(provinces, school.province_code) or ("", 0.0, 0.0)
    return matching.NeedView(
        id=need.id, category=need.category, title=need.title, description=need.description or "",
        remaining=need.remaining_quantity, needed_by=need.needed_by, urgency=need.urgency,
        province_code=school.province_code, region=region, latitude=lat, longitude=lon,
        quality_group=school.quality_group, items=frozenset((need.item_kinds or "").split()),
        search=need.search_text or "", status=need.status,
    )


def offer_view(offer: Offer, provinces: dict[str, Province], today: date) -> matching.OfferView:
    codes = frozenset(p.code for p in offer.provinces)
    home = _place(provinces, offer.company.province_code if offer.company else None)
    return matching.OfferView(
        id=offer.id, category=offer.category, title=offer.title, description=offer.description or "",
        remaining=offer.remaining_quantity, available_until=offer.available_until,
        value_per_unit=float(offer.value_thb) / offer.quantity if offer.quantity else 0.0,
        provinces=codes, regions=frozenset(provinces[c].region for c in codes if c in provinces),
        latitude=home[1] if home else None, longitude=home[2] if home else None,
        items=frozenset((offer.item_kinds or "").split()), search=offer.search_text or "",
        status=offer.status_on(today),
    )


# --- views from plain rows (candidates: no ORM objects) ---------------------------------------------
def _description_if_needed(model):
    """The description only where no search column was stored (the matcher then analyses the text)."""
    return sa.case((sa.func.coalesce(model.search_text, "") == "", model.description), else_="")


def _offer_columns():
    return (Offer.id, Offer.category, Offer.title, _description_if_needed(Offer).label("description"),
            (Offer.quantity - Offer.committed_quantity).label("remaining"), Offer.available_until,
            Offer.value_thb, Offer.quantity, Offer.nationwide, Offer.item_kinds, Offer.search_text,
            Company.province_code.label("home"))


def _offer_from_row(row, provinces: dict[str, Province], served: Iterable[str]) -> matching.OfferView:
    codes = frozenset(served)
    home = _place(provinces, row.home)
    return matching.OfferView(
        id=row.id, category=row.category, title=row.title, description=row.description or "",
        remaining=row.remaining, available_until=row.available_until,
        value_per_unit=float(row.value_thb or 0) / row.quantity if row.quantity else 0.0,
        provinces=codes, regions=frozenset(provinces[c].region for c in codes if c in provinces),
        latitude=home[1] if home else None, longitude=home[2] if home else None,
        items=frozenset((row.item_kinds or "").split()), search=row.search_text or "", status="open",
    )


def _need_columns():
    return (Need.id, Need.category, Need.title, _description_if_needed(Need).label("description"),
            (Need.quantity - Need.committed_quantity).label("remaining"), Need.needed_by, Need.urgency,
            Need.item_kinds, Need.search_text, School.province_code, School.quality_group)


def _need_from_row(row, provinces: dict[str, Province]) -> matching.NeedView:
    region, lat, lon = _place(provinces, row.province_code) or ("", 0.0, 0.0)
    return matching.NeedView(
        id=row.id, category=row.category, title=row.title, description=row.description or "",
        remaining=row.remaining, needed_by=row.needed_by, urgency=row.urgency, province_code=row.province_code,
        region=region, latitude=lat, longitude=lon, quality_group=row.quality_group,
        items=frozenset((row.item_kinds or "").split()), search=row.search_text or "", status="open",
    )


def _open_offers(today: date):
    return (sa.select(*_offer_columns()).select_from(Offer)
            .outerjoin(Company, Company.id == Offer.company_id)
            .where(Offer.status_clause("open", today)))


def _open_needs():
    return (sa.select(*_need_columns()).select_from(Need).join(School, School.id == Need.school_id)
            .where(Need.status_clause("open")))


def open_need_views(session: Session, provinces: dict[str, Province]) -> list[matching.NeedView]:
    """Every open need, as views (one statement)."""
    return [_need_from_row(r, provinces) for r in session.execute(_open_needs().order_by(Need.id))]


def open_offer_views(session: Session, provinces: dict[str, Province], today: date) -> list[matching.OfferView]:
    """Every open offer with all the provinces it serves, as views (two statements)."""
    q = _open_offers(today).order_by(Offer.id)
    served: dict[int, list[str]] = {}
    open_ids = _open_offers(today).with_only_columns(Offer.id)
    for offer_id, code in session.execute(sa.select(offer_provinces.c.offer_id, offer_provinces.c.province_code)
                                          .where(offer_provinces.c.offer_id.in_(open_ids))):
        served.setdefault(offer_id, []).append(code)
    return [_offer_from_row(r, provinces, served.get(r.id, ())) for r in session.execute(q)]


# --- live suggestions --------------------------------------------------------------------------------
def _clamp(limit: int) -> int:
    return max(0, min(int(limit), MAX_LIMIT))


def for_need(session: Session, need: Need, limit: int = DEFAULT_LIMIT) -> list[tuple[Offer, matching.Score]]:
    """Open offers that can serve ``need``, best first, scored now (at most ``MAX_LIMIT``)."""
    limit = _clamp(limit)
    if need.status != "open" or limit == 0:
        return []
    today = today_bangkok()
    provinces = province_table(session)
    prov = need.school.province_code
    serves = sa.exists().where(offer_provinces.c.offer_id == Offer.id, offer_provinces.c.province_code == prov)
    rows = session.execute(_open_offers(today).where(sa.or_(Offer.nationwide.is_(True), serves)))
    # only whether the school's province is served matters for this need: a listed offer passed the filter
    views = [_offer_from_row(r, provinces, () if r.nationwide else (prov,)) for r in rows]
    ranked = matching.suggest_offers(need_view(need, provinces), views, today, limit=limit)
    if not ranked:
        return []
    loaded = {o.id: o for o in session.scalars(
        sa.select(Offer).options(*OFFER_LOAD).where(Offer.id.in_([v.id for v, _ in ranked]))).unique()}
    return [(loaded[v.id], s) for v, s in ranked if v.id in loaded]


def _kind_codes(items: frozenset[str]) -> list[str]:
    """The offer's item kinds and every kind of the same family (a need sharing one of them is relevant)."""
    fams = {vocabulary.family(c) for c in items} - {None}
    codes = set(items) | {it.code for it in vocabulary.items() if it.family in fams}
    return sorted(codes)


def for_offer(session: Session, offer: Offer, limit: int = DEFAULT_LIMIT) -> list[tuple[Need, matching.Score]]:
    """Open needs ``offer`` can serve, best first, scored now (at most ``MAX_LIMIT``)."""
    limit = _clamp(limit)
    today = today_bangkok()
    if offer.status_on(today) != "open" or limit == 0:
        return []
    provinces = province_table(session)
    ov = offer_view(offer, provinces, today)
    q = _open_needs()
    if ov.provinces:
        q = q.where(School.province_code.in_(sorted(ov.provinces)))
    # relevant needs only (the matcher's own rule): a related category, or a shared item kind or family
    relevant = [Need.category.in_(sorted(vocabulary.related_categories(offer.category)))]
    padded = sa.literal(" ") + sa.func.coalesce(Need.item_kinds, "") + sa.literal(" ")
    relevant += [padded.contains(f" {code} ", autoescape=True) for code in _kind_codes(ov.items)]
    views = [_need_from_row(r, provinces) for r in session.execute(q.where(sa.or_(*relevant)))]
    ranked = matching.suggest_needs(ov, views, today, limit=limit)
    if not ranked:
        return []
    loaded = {n.id: n for n in session.scalars(
        sa.select(Need).options(*NEED_LOAD).where(Need.id.in_([v.id for v, _ in ranked])))}
    return [(loaded[v.id], s) for v, s in ranked if v.id in loaded]


# --- JSON and single pairs ---------------------------------------------------------------------------
def parts_json(score: matching.Score) -> dict[str, Any]:
    """``{name: {score, weight, reason_th, reason_en}}`` for the seven parts, in the matcher's order."""
    return {name: {"score": round(part.score, 1), "weight": part.weight, "reason_th": part.reason_th,
                   "reason_en": part.reason_en} for name, part in score.parts.items()}


def score_pair(session: Session, need: Need, offer: Offer) -> tuple[float, dict[str, Any]]:
    """The score and explained parts of one pair (stored on a match when it is proposed)."""
    provinces = province_table(session)
    today = today_bangkok()
    s = matching.score(need_view(need, provinces), offer_view(offer, provinces, today), today)
    return s.total, parts_json(s)

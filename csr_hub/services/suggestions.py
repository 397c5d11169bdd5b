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
from functools import lru_cache
from typing import Any, Iterable, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import matching, vocabulary
from csr_hub.domain.matching import views as match_views
from csr_hub.domain.policy import Band
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Company, Need, Offer, Province, School, offer_provinces
from csr_hub.services.posts import NEED_LOAD, OFFER_LOAD

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
#: ``?band=`` values: each leaves out the bands below it
BAND_FILTERS = tuple(b.value for b in Band)


class Place(NamedTuple):
    region: str
    latitude: float
    longitude: float


def province_table(session: Session) -> dict[str, Place]:
    """Province code → (region, latitude, longitude), as plain tuples (read thousands of times)."""
    return {
        code: Place(region, lat, lon)
        for code, region, lat, lon in session.connection().execute(
            sa.select(Province.code, Province.region, Province.latitude, Province.longitude)
        )
    }


def _place(provinces: dict[str, Place], code: str | None) -> Place | None:
    return provinces.get(code) if code else None


# --- views from ORM objects (one pair: the score stored when a match is proposed) -------------------
def need_view(need: Need, provinces: dict[str, Place]) -> matching.NeedView:
    school = need.school
    region, lat, lon = _place(provinces, school.province_code) or ("", 0.0, 0.0)
    return matching.NeedView(
        id=need.id,
        category=need.category,
        title=need.title,
        description=need.description or "",
        remaining=need.remaining_quantity,
        needed_by=need.needed_by,
        urgency=need.urgency,
        province_code=school.province_code,
        region=region,
        latitude=lat,
        longitude=lon,
        quality_group=school.quality_group,
        items=frozenset((need.item_kinds or "").split()),
        search=need.search_text or "",
        status=need.status,
        school_id=need.school_id,
    )


def offer_view(offer: Offer, provinces: dict[str, Place], today: date) -> matching.OfferView:
    codes = frozenset(p.code for p in offer.provinces)
    home = _place(provinces, offer.company.province_code if offer.company else None)
    return matching.OfferView(
        id=offer.id,
        category=offer.category,
        title=offer.title,
        description=offer.description or "",
        remaining=offer.remaining_quantity,
        available_until=offer.available_until,
        value_per_unit=float(offer.value_thb) / offer.quantity if offer.quantity else 0.0,
        provinces=codes,
        regions=frozenset(provinces[c].region for c in codes if c in provinces),
        latitude=home[1] if home else None,
        longitude=home[2] if home else None,
        items=frozenset((offer.item_kinds or "").split()),
        search=offer.search_text or "",
        status=offer.status_on(today),
        company_id=offer.company_id,
    )


# --- views from plain rows (candidates: no ORM objects) ---------------------------------------------
def _description_if_needed(model):
    """The description only where no search column was stored (the matcher then analyses the text)."""
    return sa.case((sa.func.coalesce(model.search_text, "") == "", model.description), else_="")


def _offer_columns():
    return (
        Offer.id,
        Offer.category,
        Offer.title,
        _description_if_needed(Offer).label("description"),
        (Offer.quantity - Offer.committed_quantity).label("remaining"),
        Offer.available_until,
        Offer.value_thb,
        Offer.quantity,
        Offer.nationwide,
        Offer.item_kinds,
        Offer.search_text,
        Company.province_code.label("home"),
        Offer.company_id,
    )


@lru_cache(maxsize=4096)
def _kinds(item_kinds: str | None) -> frozenset[str]:
    return frozenset((item_kinds or "").split())


def _offer_from_row(row, provinces: dict[str, Place], served: Iterable[str]) -> matching.OfferView:
    (
        oid,
        category,
        title,
        description,
        remaining,
        until,
        value,
        quantity,
        _nationwide,
        item_kinds,
        search,
        home_code,
        company_id,
    ) = row
    codes = frozenset(served)
    home = _place(provinces, home_code)
    return matching.OfferView(
        id=oid,
        category=category,
        title=title,
        description=description or "",
        remaining=remaining,
        available_until=until,
        value_per_unit=float(value or 0) / quantity if quantity else 0.0,
        provinces=codes,
        regions=frozenset(provinces[c].region for c in codes if c in provinces) if codes else frozenset(),
        latitude=home[1] if home else None,
        longitude=home[2] if home else None,
        items=_kinds(item_kinds),
        search=search or "",
        status="open",
        company_id=company_id,
    )


def _need_columns():
    return (
        Need.id,
        Need.category,
        Need.title,
        _description_if_needed(Need).label("description"),
        (Need.quantity - Need.committed_quantity).label("remaining"),
        Need.needed_by,
        Need.urgency,
        Need.item_kinds,
        Need.search_text,
        School.province_code,
        School.quality_group,
        Need.school_id,
    )


def _need_from_row(row, provinces: dict[str, Place]) -> matching.NeedView:
    (
        nid,
        category,
        title,
        description,
        remaining,
        needed_by,
        urgency,
        item_kinds,
        search,
        province_code,
        quality_group,
        school_id,
    ) = row
    region, lat, lon = _place(provinces, province_code) or ("", 0.0, 0.0)
    return matching.NeedView(
        id=nid,
        category=category,
        title=title,
        description=description or "",
        remaining=remaining,
        needed_by=needed_by,
        urgency=urgency,
        province_code=province_code,
        region=region,
        latitude=lat,
        longitude=lon,
        quality_group=quality_group,
        items=_kinds(item_kinds),
        search=search or "",
        status="open",
        school_id=school_id,
    )


def _open_offers(today: date):
    return (
        sa.select(*_offer_columns())
        .select_from(Offer)
        .outerjoin(Company, Company.id == Offer.company_id)
        .where(Offer.status_clause("open", today))
    )


def _open_needs():
    return (
        sa.select(*_need_columns())
        .select_from(Need)
        .join(School, School.id == Need.school_id)
        .where(Need.status_clause("open"))
    )


def _rows(session: Session, stmt):
    """Plain tuples through the session's connection: no ORM loading for thousands of candidates."""
    return session.connection().execute(stmt).all()  # one fetchall, not a fetchone per row


def open_need_views(session: Session, provinces: dict[str, Place]) -> list[matching.NeedView]:
    """Every open need, as views (one statement)."""
    return [_need_from_row(r, provinces) for r in _rows(session, _open_needs().order_by(Need.id))]


def open_offer_views(session: Session, provinces: dict[str, Place], today: date) -> list[matching.OfferView]:
    """Every open offer with all the provinces it serves, as views (two statements)."""
    served: dict[int, list[str]] = {}
    open_ids = _open_offers(today).with_only_columns(Offer.id)
    links = sa.select(offer_provinces.c.offer_id, offer_provinces.c.province_code)
    for offer_id, code in _rows(session, links.where(offer_provinces.c.offer_id.in_(open_ids))):
        served.setdefault(offer_id, []).append(code)
    return [
        _offer_from_row(r, provinces, served.get(r[0], ()))
        for r in _rows(session, _open_offers(today).order_by(Offer.id))
    ]


# --- live suggestions --------------------------------------------------------------------------------
def _clamp(limit: int) -> int:
    return max(0, min(int(limit), MAX_LIMIT))


def _kind_codes(items: frozenset[str]) -> list[str]:
    """These item kinds and every kind of the same family: a post listing one of them is relevant."""
    fams = {vocabulary.family(c) for c in items} - {None}
    return sorted(set(items) | {it.code for it in vocabulary.items() if it.family in fams})


def _effective_items(view: matching.NeedView | matching.OfferView) -> frozenset[str]:
    """The item kinds the matcher will use: the stored ones, or, for a post saved without its search
    column, the ones it finds in the text itself."""
    return match_views.features(view).items


def _padded_kinds(model):
    return sa.literal(" ") + sa.func.coalesce(model.item_kinds, "") + sa.literal(" ")


def _lists_any(model, codes: Iterable[str]):
    padded = _padded_kinds(model)
    return sa.or_(sa.false(), *(padded.contains(f" {code} ", autoescape=True) for code in codes))


def _not_analysed(model):
    """A row saved without its search column: the matcher analyses its text itself, so SQL cannot judge it."""
    return sa.func.coalesce(model.search_text, "") == ""


def _relevant(model, category: str, items: frozenset[str]):
    """The matcher's relevance rule in SQL (it checks it again): a related category, or a shared item kind
    or item family. Rows that could never be suggested are not read."""
    return sa.or_(
        model.category.in_(sorted(vocabulary.related_categories(category))),
        _lists_any(model, _kind_codes(items)),
        _not_analysed(model),
    )


def partner_companies(session: Session, school_id: int | None) -> frozenset[int]:
    """The companies in an active partnership with this school (their offers rank first in a band)."""
    if school_id is None:
        return frozenset()
    from csr_hub.services import partnerships  # imported late: partnerships imports posts

    return frozenset(partnerships.active_partner_company_ids(session, school_id))


def keep_band(ranked: list, band: str | None) -> list:
    """``?band=strong`` keeps strong suggestions, ``possible`` strong and possible, ``weak`` (or none) all."""
    if not band or band == Band.WEAK:
        return ranked
    allowed = {Band.STRONG.value} if band == Band.STRONG else {Band.STRONG.value, Band.POSSIBLE.value}
    return [(post, s) for post, s in ranked if s.band in allowed]


def for_need(
    session: Session, need: Need, limit: int = DEFAULT_LIMIT, band: str | None = None
) -> list[tuple[Offer, matching.Score]]:
    """Open offers that can serve ``need``, best first, scored now (at most ``MAX_LIMIT``); the school's
    partner companies' offers first within a band; ``band`` leaves out the bands below it."""
    limit = _clamp(limit)
    if need.status != "open" or limit == 0:
        return []
    today = today_bangkok()
    provinces = province_table(session)
    nv = need_view(need, provinces)
    prov = nv.province_code
    serves = sa.exists().where(
        offer_provinces.c.offer_id == Offer.id, offer_provinces.c.province_code == prov
    )
    q = _open_offers(today).where(
        sa.or_(Offer.nationwide.is_(True), serves), _relevant(Offer, nv.category, _effective_items(nv))
    )
    # only whether the school's province is served matters for this need: a listed offer passed the filter
    mine = (prov,)
    views = [_offer_from_row(r, provinces, () if r[8] else mine) for r in _rows(session, q)]
    partners = partner_companies(session, need.school_id)
    ranked = keep_band(matching.suggest_offers(nv, views, today, limit=limit, partners=partners), band)
    if not ranked:
        return []
    loaded = {
        o.id: o
        for o in session.scalars(
            sa.select(Offer).options(*OFFER_LOAD).where(Offer.id.in_([v.id for v, _ in ranked]))
        ).unique()
    }
    return [(loaded[v.id], s) for v, s in ranked if v.id in loaded]


def _need_tiers(offer: matching.OfferView) -> list[tuple[Any, float]]:
    """The relevant needs of an offer in tiers, each with the highest total a need in it can reach.

    Ordered by that bound, highest first. ``for_offer`` reads a tier only while its bound could still beat
    the ``limit``-th best need found so far, so a nationwide offer of laptops reads the laptop needs and
    stops, instead of every need in six related categories (most of them stop after the first tier).
    """
    items = _effective_items(offer)
    shared = sorted(items)
    family = sorted(set(_kind_codes(items)) - items)
    unknown = _not_analysed(Need)
    lists_shared = _lists_any(Need, shared)
    lists_family = _lists_any(Need, family)
    rest = sa.and_(sa.not_(unknown), sa.not_(lists_shared), sa.not_(lists_family))
    bound = matching.ITEM_BOUND
    rest_item = bound["one_side"] if items else max(bound["none"], bound["one_side"])
    others = sorted(vocabulary.related_categories(offer.category) - {offer.category})
    tiers: list[tuple[Any, float]] = []
    # disjoint tiers: a need is read once
    tiers.append((sa.or_(unknown, lists_shared), matching.max_total(100.0, bound["shared"])))
    if family:
        tiers.append(
            (
                sa.and_(sa.not_(unknown), sa.not_(lists_shared), lists_family),
                matching.max_total(100.0, bound["family"]),
            )
        )
    tiers.append((sa.and_(rest, Need.category == offer.category), matching.max_total(100.0, rest_item)))
    tiers.append((sa.and_(rest, Need.category.in_(others)), matching.max_total(50.0, rest_item)))
    return sorted(tiers, key=lambda t: -t[1])


def for_offer(
    session: Session, offer: Offer, limit: int = DEFAULT_LIMIT, band: str | None = None
) -> list[tuple[Need, matching.Score]]:
    """Open needs ``offer`` can serve, best first, scored now (at most ``MAX_LIMIT``); ``band`` leaves out
    the bands below it.

    At most one statement per tier of ``_need_tiers`` (four at most), whatever the number of needs.
    """
    limit = _clamp(limit)
    today = today_bangkok()
    if offer.status_on(today) != "open" or limit == 0:
        return []
    provinces = province_table(session)
    ov = offer_view(offer, provinces, today)
    q = _open_needs()
    if ov.provinces:
        q = q.where(School.province_code.in_(sorted(ov.provinces)))
    tiers = _need_tiers(ov)
    ranked: list[tuple[matching.NeedView, matching.Score]] = []
    for k, (tier, _bound) in enumerate(tiers):
        fresh = [_need_from_row(r, provinces) for r in _rows(session, q.where(tier))]
        if fresh:
            # the best of (the best so far + this tier) is the best of everything read so far
            ranked = matching.suggest_needs(ov, [v for v, _ in ranked] + fresh, today, limit=limit)
        later = tiers[k + 1][1] if k + 1 < len(tiers) else None
        if later is None or (len(ranked) == limit and ranked[-1][1].total > later):
            break
    ranked = keep_band(ranked, band)
    if not ranked:
        return []
    loaded = {
        n.id: n
        for n in session.scalars(
            sa.select(Need).options(*NEED_LOAD).where(Need.id.in_([v.id for v, _ in ranked]))
        )
    }
    return [(loaded[v.id], s) for v, s in ranked if v.id in loaded]


# --- JSON and single pairs ---------------------------------------------------------------------------
def parts_json(score: matching.Score) -> dict[str, Any]:
    """``{name: {score, weight, reason_th, reason_en}}`` for the seven parts, in the matcher's order."""
    return {
        name: {
            "score": round(part.score, 1),
            "weight": part.weight,
            "reason_th": part.reason_th,
            "reason_en": part.reason_en,
        }
        for name, part in score.parts.items()
    }


def item_json(score: matching.Score) -> dict[str, Any]:
    """``score``, ``band`` and ``parts`` of one suggestion item (the API adds the post)."""
    return {"score": score.total, "band": score.band, "parts": parts_json(score)}


def score_pair(session: Session, need: Need, offer: Offer) -> tuple[float, dict[str, Any]]:
    """The score and explained parts of one pair (stored on a match when it is proposed)."""
    provinces = province_table(session)
    today = today_bangkok()
    s = matching.score(need_view(need, provinces), offer_view(offer, provinces, today), today)
    return s.total, parts_json(s)

"""Suggestions: load candidate rows, hand plain views to the domain matcher, return the best first.

Live suggestions (the need and offer pages, ``GET /api/v1/needs/{id}/suggestions`` and
``/offers/{id}/suggestions``) run a fixed number of SQL statements whatever the number of candidates:

1. the province table (77 rows: coordinates and regions for the location part);
2. the candidates as plain columns (``services/suggestion_rows.py``) — open, something left, not ended
   before today, serving the school's province (nationwide included), and for an offer's needs already
   narrowed to related categories or shared item kinds, read in tiers of falling score bounds — never as
   ORM objects, so 5,000 offers cost one light query;
3. the winners only (``limit`` rows) as ORM objects with what the pages and the API show
   (an offer's company and provinces, a need's school and ESA): one or two statements.

Bounded at national scale: on PostgreSQL the item-kind test (``' ' || item_kinds || ' ' LIKE '% code %'``)
is answered by a trigram index on that expression and the rows saved without their analysis by a
partial index (migration ``a19s0000k001``); SQLite reads the same SQL by a scan. A read holds at most
``CANDIDATES`` rows — most urgent, then newest first — so a nationwide offer of a common item scores a
bounded number of needs however many schools ask for it; below that size (any single province, every
test) nothing is left out and the answer is exactly the matcher's over every open post.

The batch (``services/batch.py``) reuses the same loaders over every open need and offer.
"""

from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import matching, vocabulary
from csr_hub.domain.matching import views as match_views
from csr_hub.domain.policy import Band
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need, Offer, School, offer_provinces
from csr_hub.services.posts import NEED_LOAD, OFFER_LOAD
from csr_hub.services.suggestion_rows import (  # noqa: F401 (province_table and the open views: the batch's)
    Place,
    candidate_offers,
    need_from_row,
    need_view,
    offer_snapshot,
    offer_from_row,
    offer_view,
    open_need_views,
    open_needs,
    open_offer_views,
    open_offers,
    province_table,
    rows,
)

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
#: ``?band=`` values: each leaves out the bands below it
BAND_FILTERS = tuple(b.value for b in Band)
#: the most candidate rows one read scores: a read with more keeps the most urgent, then the newest
CANDIDATES = 2000


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


_SPACE, _EMPTY = sa.literal_column("' '"), sa.literal_column("''")


def _padded_kinds(model):
    """`` kinds `` — written as the PostgreSQL trigram index ``ix_<table>_kinds_trgm`` is built on."""
    return _SPACE + sa.func.coalesce(model.item_kinds, _EMPTY) + _SPACE


def _lists_any(model, codes: Iterable[str]):
    padded = _padded_kinds(model)
    return sa.or_(sa.false(), *(padded.contains(f" {code} ", autoescape=True) for code in codes))


def _not_analysed(model):
    """A row saved without its search column: the matcher analyses its text itself, so SQL cannot judge it."""
    return sa.func.coalesce(model.search_text, _EMPTY) == _EMPTY  # as ``ix_needs_unanalysed`` is built


def _relevant(model, category: str, items: frozenset[str]):
    """The matcher's relevance rule in SQL (it checks it again): a related category, or a shared item kind
    or item family. Rows that could never be suggested are not read."""
    return sa.or_(
        model.category.in_(sorted(vocabulary.related_categories(category))),
        _lists_any(model, _kind_codes(items)),
        _not_analysed(model),
    )


def _bounded(q, *order):
    """At most ``CANDIDATES`` rows, in an order an index can give."""
    return q.order_by(*order).limit(CANDIDATES)


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


def _winners(session: Session, model, load, ranked: list) -> list:
    """The ranked views' posts as ORM objects with what the pages show (one or two statements)."""
    if not ranked:
        return []
    stmt = sa.select(model).options(*load).where(model.id.in_([v.id for v, _ in ranked]))
    loaded = {post.id: post for post in session.scalars(stmt).unique()}
    return [(loaded[v.id], s) for v, s in ranked if v.id in loaded]


#: the order candidates are read in (``_bounded`` keeps the first ``CANDIDATES``)
_NEWEST_OFFERS = (Offer.created_at.desc(), Offer.id.desc())


def _candidate_offers(
    session: Session, nv: matching.NeedView, provinces: dict, today
) -> list[matching.OfferView]:
    """The open offers serving the need's province that could be suggested for it (the relevance rule),
    newest first, at most ``CANDIDATES``: from the process's snapshot of every open offer while nothing
    has been written, else read with SQL — the same offers in the same order either way."""
    prov, items = nv.province_code, _effective_items(nv)
    snap = offer_snapshot(session, provinces, today, _NEWEST_OFFERS)
    if snap is not None:
        return snap.candidates(
            vocabulary.related_categories(nv.category), _kind_codes(items), prov, CANDIDATES
        )
    serves = sa.exists().where(
        offer_provinces.c.offer_id == Offer.id, offer_provinces.c.province_code == prov
    )
    q = open_offers(today).where(
        sa.or_(Offer.nationwide.is_(True), serves), _relevant(Offer, nv.category, items)
    )
    q = _bounded(q, *_NEWEST_OFFERS)
    return candidate_offers(session, q, provinces)


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
    views = _candidate_offers(session, nv, provinces, today)
    partners = partner_companies(session, need.school_id)
    ranked = matching.suggest_offers(nv, views, today, limit=limit, partners=partners)
    return _winners(session, Offer, OFFER_LOAD, keep_band(ranked, band))


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
    q = open_needs()
    if ov.provinces:
        q = q.where(School.province_code.in_(sorted(ov.provinces)))
    tiers = _need_tiers(ov)
    ranked: list[tuple[matching.NeedView, matching.Score]] = []
    for k, (tier, _bound) in enumerate(tiers):
        read = _bounded(q.where(tier), Need.urgency_rank.desc(), Need.created_at.desc(), Need.id.desc())
        fresh = [need_from_row(r, provinces) for r in rows(session, read)]
        if fresh:
            # the best of (the best so far + this tier) is the best of everything read so far
            ranked = matching.suggest_needs(ov, [v for v, _ in ranked] + fresh, today, limit=limit)
        later = tiers[k + 1][1] if k + 1 < len(tiers) else None
        if later is None or (len(ranked) == limit and ranked[-1][1].total > later):
            break
    return _winners(session, Need, NEED_LOAD, keep_band(ranked, band))


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

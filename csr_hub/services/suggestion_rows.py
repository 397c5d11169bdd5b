"""Needs and offers as the matcher's plain views: from ORM objects (one pair, the post being shown) and
from plain SQL rows (the candidates, read by the thousand without ORM objects).

One table per kind says where each view field comes from — the SQL column for a candidate row and the
attribute of a loaded object — so both paths build the same view. ``services/suggestions.py`` (live
suggestions) and ``services/batch.py`` (the national run) read through these loaders.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, NamedTuple, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from csr_hub.domain import matching
from csr_hub.domain.kept import Kept
from csr_hub.models import Company, Need, Offer, Province, School, offer_provinces

log = logging.getLogger(__name__)


class Place(NamedTuple):
    region: str
    latitude: float
    longitude: float


NOWHERE = Place("", 0.0, 0.0)


def province_table(session: Session) -> dict[str, Place]:
    """Province code → (region, latitude, longitude), as plain tuples (read thousands of times)."""
    return {
        code: Place(region, lat, lon)
        for code, region, lat, lon in session.connection().execute(
            sa.select(Province.code, Province.region, Province.latitude, Province.longitude)
        )
    }


def _description_if_needed(model):
    """The description only where no search column was stored (the matcher then analyses the text)."""
    return sa.case((sa.func.coalesce(model.search_text, "") == "", model.description), else_="")


def _post_fields(model) -> dict[str, tuple[Any, str]]:
    """View field → (SQL column of a candidate row, attribute of a loaded object): what both kinds share."""
    return {
        "id": (model.id, "id"),
        "category": (model.category, "category"),
        "title": (model.title, "title"),
        "description": (_description_if_needed(model), "description"),
        "remaining": (model.quantity - model.committed_quantity, "remaining_quantity"),
        "items": (model.item_kinds, "item_kinds"),
        "search": (model.search_text, "search_text"),
    }


def _same_names(model, *names: str) -> dict[str, tuple[Any, str]]:
    return {name: (getattr(model, name), name) for name in names}


NEED_FIELDS = {
    **_post_fields(Need),
    **_same_names(Need, "needed_by", "urgency", "school_id"),
    "province_code": (School.province_code, "school.province_code"),
    "quality_group": (School.quality_group, "school.quality_group"),
}
#: ``value_thb``, ``quantity`` and ``home`` (the company's province) make the value per unit and the seat
OFFER_FIELDS = {
    **_post_fields(Offer),
    **_same_names(Offer, "available_until", "value_thb", "quantity", "nationwide", "company_id"),
    "home": (Company.province_code, "company.province_code"),
}


def columns(fields: dict[str, tuple[Any, str]]) -> list:
    return [col.label(name) for name, (col, _path) in fields.items()]


def _attribute(obj, path: str):
    for name in path.split("."):
        obj = getattr(obj, name) if obj is not None else None
    return obj


def _from_object(obj, fields: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    return {name: _attribute(obj, path) for name, (_col, path) in fields.items()}


@lru_cache(maxsize=4096)
def _kinds(item_kinds: str | None) -> frozenset[str]:
    return frozenset(map(sys.intern, (item_kinds or "").split()))


def _texts(f: dict[str, Any]) -> dict[str, Any]:
    f["description"] = f["description"] or ""
    f["search"] = f["search"] or ""
    f["items"] = _kinds(f["items"])
    return f


def _need(f: dict[str, Any], provinces: dict[str, Place], status: str = "open") -> matching.NeedView:
    place = provinces.get(f["province_code"] or "", NOWHERE)
    return matching.NeedView(
        **_texts(f), region=place.region, latitude=place.latitude, longitude=place.longitude, status=status
    )


def _offer(
    f: dict[str, Any], provinces: dict[str, Place], served: Iterable[str], status: str = "open"
) -> matching.OfferView:
    codes = frozenset(served)
    home = provinces.get(f.pop("home") or "")
    value, quantity = f.pop("value_thb"), f.pop("quantity")
    del f["nationwide"]
    return matching.OfferView(
        **_texts(f),
        value_per_unit=float(value or 0) / quantity if quantity else 0.0,
        provinces=codes,
        regions=frozenset(provinces[c].region for c in codes if c in provinces),
        latitude=home.latitude if home else None,
        longitude=home.longitude if home else None,
        status=status,
    )


# --- one post, from its loaded object ------------------------------------------------------------------
def need_view(need: Need, provinces: dict[str, Place]) -> matching.NeedView:
    return _need(_from_object(need, NEED_FIELDS), provinces, need.status)


def offer_view(offer: Offer, provinces: dict[str, Place], today: date) -> matching.OfferView:
    served = [p.code for p in offer.provinces]
    return _offer(_from_object(offer, OFFER_FIELDS), provinces, served, offer.status_on(today))


# --- candidates, from plain rows ------------------------------------------------------------------------
def need_from_row(row, provinces: dict[str, Place]) -> matching.NeedView:
    return _need(row._asdict(), provinces)


def offer_from_row(row, provinces: dict[str, Place], served: Iterable[str]) -> matching.OfferView:
    return _offer(row._asdict(), provinces, served)


def open_offers(today: date):
    return (
        sa.select(*columns(OFFER_FIELDS))
        .select_from(Offer)
        .outerjoin(Company, Company.id == Offer.company_id)
        .where(Offer.status_clause("open", today))
    )


def open_needs():
    return (
        sa.select(*columns(NEED_FIELDS))
        .select_from(Need)
        .join(School, School.id == Need.school_id)
        .where(Need.status_clause("open"))
    )


def rows(session: Session, stmt):
    """Plain tuples through the session's connection: no ORM loading for thousands of candidates."""
    return session.connection().execute(stmt).all()  # one fetchall, not a fetchone per row


# --- candidate offers, built once per version -----------------------------------------------------------
#: how many offer views a process keeps (the whole national list, 5,000 offers, with room)
OFFER_VIEWS_KEPT = 8192


#: what makes a cached offer view stale: any edit or hold moves ``updated_at``; what is left and the
#: company's province are read too; a re-analysis (which keeps ``updated_at``) changes the item kinds or
#: the length of the search column
class served_codes(FunctionElement):
    """The province codes an offer serves, space-separated in one column ('' or NULL: nationwide) — one
    statement reads the candidates with what each serves (an edit of the provinces alone moves no other
    column)."""

    type = sa.String()
    name = "served_codes"
    inherit_cache = True


@compiles(served_codes)
@compiles(served_codes, "sqlite")
def _served_codes_sql(element, compiler, **kw):
    join = "group_concat" if compiler.dialect.name == "sqlite" else "string_agg"
    return (
        f"(SELECT {join}(offer_provinces.province_code, ' ') FROM offer_provinces "
        f"WHERE offer_provinces.offer_id = {compiler.process(element.clauses, **kw)})"
    )


_OFFER_VERSION = (
    Offer.id.label("id"),
    Offer.updated_at.label("v_at"),
    (Offer.quantity - Offer.committed_quantity).label("v_left"),
    Company.province_code.label("v_home"),
    Offer.item_kinds.label("v_kinds"),
    sa.func.length(sa.func.coalesce(Offer.search_text, "")).label("v_len"),
    Offer.nationwide.label("nationwide"),
    served_codes(Offer.id).label("v_served"),
)
_offer_views: Kept[matching.OfferView] = Kept(lambda: OFFER_VIEWS_KEPT)


def forget_offer_views() -> None:
    """After a vocabulary change (``vocabulary_terms``): the posts' analyses change with it."""
    _offer_views.clear()
    _snapshots.clear()


@lru_cache(maxsize=4096)
def _served(codes: str | None) -> tuple[str, ...]:
    return tuple(sorted(set((codes or "").split())))


def _version(row) -> tuple:
    """Id, the five version columns and the provinces served (none: nationwide), as ``_OFFER_VERSION``
    lists them: a view built at this version is the offer's view."""
    return (*row[:6], () if row[6] else _served(row[7]))


def candidate_offers(session: Session, stmt, provinces: dict[str, Place]) -> list[matching.OfferView]:
    """The offers an ``open_offers`` select reads, as views (with every province each serves), in its
    order. A need's page reads about a thousand candidate offers at national size, and reading their texts
    and building their views cost more than scoring them: so each row's id and version come first; views
    already built at that version are reused, and only the others are read whole — one statement, or two
    when some changed or were never seen."""
    wanted = [_version(r) for r in rows(session, stmt.with_only_columns(*_OFFER_VERSION))]
    found = {key[0]: view for key, view in zip(wanted, _offer_views.get_many(wanted))}
    missing = {key[0]: key for key in wanted if found[key[0]] is None}
    if missing:
        whole = stmt.with_only_columns(*columns(OFFER_FIELDS), *_OFFER_VERSION[1:6])
        whole = whole.order_by(None).limit(None)
        built = []
        ids = sorted(missing)
        for part in range(0, len(ids), 1000):  # a bounded IN list whatever the number of offers
            for r in rows(session, whole.where(Offer.id.in_(ids[part : part + 1000]))):
                key = missing[r.id]
                fields = {name: value for name, value in r._asdict().items() if not name.startswith("v_")}
                found[r.id] = view = _offer(fields, provinces, key[-1])
                built.append((key, view))
        _offer_views.put(*built)
    return [found[key[0]] for key in wanted if found.get(key[0]) is not None]


# --- every open offer, kept per process while nothing is written ------------------------------------------
class OfferSnapshot(NamedTuple):
    """Every open offer as a view with all the provinces it serves, newest first (the candidates' order),
    and where each category, item kind and unanalysed row is in that list."""

    key: tuple
    taken: float
    views: list[matching.OfferView]
    by_category: dict[str, list[int]]
    by_kind: dict[str, list[int]]
    unanalysed: list[int]

    def candidates(
        self, categories: Iterable[str], kinds: Iterable[str], province: str, limit: int
    ) -> list[matching.OfferView]:
        """What ``open_offers`` narrowed by the relevance rule, the school's province and ``limit`` reads —
        the same offers in the same order — without a statement."""
        at: set[int] = set(self.unanalysed)
        for code in categories:
            at.update(self.by_category.get(code, ()))
        for code in kinds:
            at.update(self.by_kind.get(code, ()))
        out: list[matching.OfferView] = []
        for k in sorted(at):
            view = self.views[k]
            if view.provinces and province not in view.provinces:
                continue
            out.append(view)
            if len(out) == limit:
                break
        return out


#: per report cache (one per app): the snapshot taken at its generation
_snapshots: dict[int, OfferSnapshot] = {}


def offer_snapshot(
    session: Session, provinces: dict[str, Place], today: date, order: Sequence
) -> OfferSnapshot | None:
    """Every open offer today, read once per generation of the report cache's ``offers`` group
    (``reporting.cache.GROUPS``: any committed write to the offers, the provinces they serve, their
    companies or the vocabulary moves it — in every worker where Redis holds it, in this process otherwise,
    where another process's write shows within ``REPORT_CACHE_SECONDS``, as the figures do; a proposal, a
    need or a notification written meanwhile does not). ``None`` — read the candidates with SQL — where
    there is no cache, the shared store is unreachable, or this session has written (it reads its own
    writes). A new snapshot reads one light statement (each open offer's
    version) and whole rows only for offers not kept at that version (``candidate_offers``)."""
    from csr_hub.services.reporting.cache import cache_for  # imported late: reporting imports models only

    cache = cache_for(session)
    if cache is None:
        return None
    try:
        key = (cache.generation("offers"), today)
    except Exception:  # the shared store unreachable: read with SQL, as the figures are computed
        log.warning("report cache unavailable; candidates read with SQL", exc_info=True)
        return None
    found = _snapshots.get(id(cache))
    if found is not None and found.key == key and time.monotonic() - found.taken < cache.ttl:
        return found
    views = candidate_offers(session, open_offers(today).order_by(*order), provinces)
    by_category: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    unanalysed: list[int] = []
    for k, view in enumerate(views):
        by_category.setdefault(view.category, []).append(k)
        for code in view.items:
            by_kind.setdefault(code, []).append(k)
        if not view.search:
            unanalysed.append(k)
    snap = OfferSnapshot(key, time.monotonic(), views, by_category, by_kind, unanalysed)
    _snapshots[id(cache)] = snap
    return snap


def open_need_views(session: Session, provinces: dict[str, Place]) -> list[matching.NeedView]:
    """Every open need, as views (one statement)."""
    return [need_from_row(r, provinces) for r in rows(session, open_needs().order_by(Need.id))]


def open_offer_views(session: Session, provinces: dict[str, Place], today: date) -> list[matching.OfferView]:
    """Every open offer with all the provinces it serves, as views (two statements)."""
    served: dict[int, list[str]] = {}
    open_ids = open_offers(today).with_only_columns(Offer.id)
    links = sa.select(offer_provinces.c.offer_id, offer_provinces.c.province_code)
    for offer_id, code in rows(session, links.where(offer_provinces.c.offer_id.in_(open_ids))):
        served.setdefault(offer_id, []).append(code)
    return [
        offer_from_row(r, provinces, served.get(r.id, ()))
        for r in rows(session, open_offers(today).order_by(Offer.id))
    ]

"""Need ↔ offer matching: hard filters, an explained 0–100 score, suggestions and the national batch.

The score is a weighted sum of seven parts, each 0–100 and explained in Thai and English:

- ``category`` — same category 100, related category 50 (``RELATED_CATEGORIES``), else 0;
- ``item`` — item kinds from the bilingual vocabulary: a shared kind 50 + 30 × the share of the
  need's kinds covered + 20 × the share of the offer's kinds that are shared (an offer *of* toner
  fits a toner need better than printers that come with toner), a kind of the same family 55
  (desktop for laptop), none recognised on
  either side 40, on one side only 25, different kinds 0. This is what lets a Thai need for
  โน้ตบุ๊ก find an English offer of laptops;
- ``text`` — Dice overlap of content words (newmm tokens, filler words removed) and of
  language-neutral concepts (ซ่อม = repair), 200·|A∩B| / (|A|+|B|);
- ``location`` — the offer names the school's province 100; a nationwide offer 50, or, when the
  company's province is known, 90 from the same province down to 50 at 1,000 km;
- ``quantity`` — share of the need's remaining quantity the offer can cover;
- ``deadline`` — half urgency (low 25 … critical 100), half time to ``needed_by``
  (≤ 30 days 100, ≤ 90 75, ≤ 180 50, later 25, none 50);
- ``equity`` — a ``stand_alone`` school's need 100, others 50 (OBEC asked to close the gap).

Every part is rounded to 0.1 and the total is ``Σ weight × part`` rounded to 0.1, computed in the
same order everywhere, so ``suggest_*``, ``score`` and ``batch_suggest`` give identical numbers.

An offer is suggested only when it is ``eligible`` (the hard filters) and *relevant*: a related
category, or a shared item kind or item family. Among those, best first, ties by id.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

from csr_hub.domain import text as textmod
from csr_hub.domain import vocabulary
from csr_hub.domain.reference import CATEGORIES, URGENCIES, format_date
from csr_hub.domain.vocabulary import CATEGORY_CODES, RELATED_CATEGORIES
from csr_hub.domain.vocabulary import related_categories  # noqa: F401 (re-exported for services)

#: The weights of the parts: one place, summing to 1. Item kind and category carry most of the
#: decision (they work across languages); text breaks ties between offers of the same kind;
#: location, quantity, deadline and equity order otherwise similar candidates.
WEIGHTS: dict[str, float] = {
    "category": 0.20,
    "item": 0.30,
    "text": 0.15,
    "location": 0.12,
    "quantity": 0.08,
    "deadline": 0.07,
    "equity": 0.08,
}
PART_NAMES: tuple[str, ...] = tuple(WEIGHTS)
_W = tuple(WEIGHTS[k] for k in PART_NAMES)

URGENCY_SCORE = {"low": 25.0, "normal": 50.0, "high": 75.0, "critical": 100.0}
EQUITY_SCORE = {"stand_alone": 100.0, "core": 50.0, "merging": 50.0}


@dataclass(frozen=True, slots=True)
class NeedView:
    id: int
    category: str
    title: str
    description: str
    remaining: int
    needed_by: date | None
    urgency: str  # low normal high critical
    province_code: str
    region: str
    latitude: float
    longitude: float
    quality_group: str  # core stand_alone merging
    items: frozenset[str]  # vocabulary.detect_items at save time
    search: str  # text.search_text at save time
    status: str = "open"


@dataclass(frozen=True, slots=True)
class OfferView:
    id: int
    category: str
    title: str
    description: str
    remaining: int
    available_until: date | None
    value_per_unit: float
    provinces: frozenset[str]  # empty = nationwide
    regions: frozenset[str]  # regions of the provinces served (empty = nationwide)
    latitude: float | None  # the company's province seat, if known
    longitude: float | None
    items: frozenset[str]
    search: str
    status: str = "open"


@dataclass(frozen=True, slots=True)
class Part:
    score: float  # 0–100
    weight: float  # a fraction; the weights sum to 1
    reason_th: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class Score:
    total: float  # 0–100, one decimal
    parts: dict[str, Part]  # keys: category item text location quantity deadline equity

    def as_dict(self) -> dict:
        """``{"score", "parts": {name: {score, weight, reason_th, reason_en}}}`` for JSON."""
        return {
            "score": self.total,
            "parts": {
                k: {"score": p.score, "weight": p.weight, "reason_th": p.reason_th, "reason_en": p.reason_en}
                for k, p in self.parts.items()
            },
        }


def _r1(x: float) -> float:
    """Round half up to 0.1 (the same arithmetic as the vectorised batch)."""
    return math.floor(x * 10.0 + 0.5) / 10.0


# --- per-post features (cached by their stored strings) -------------------------------------------
@lru_cache(maxsize=8192)
def _search_for(title: str, description: str) -> str:
    return textmod.search_text(title, description)


def _search(view: NeedView | OfferView) -> str:
    return view.search or _search_for(view.title, view.description)


def _items(view: NeedView | OfferView) -> frozenset[str]:
    if view.items or view.search:
        return view.items
    return vocabulary.detect_items(f"{view.title}\n{view.description}")


def _stem(w: str) -> str:
    if w.isascii() and len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-3] + "y" if w.endswith("ies") and len(w) > 4 else w[:-1]
    return w


@lru_cache(maxsize=32768)
def _bag(search: str) -> frozenset[str]:
    """Content words of a search column: tokens without filler words, plus concept codes."""
    _norm, toks, _items_part, concepts = textmod.search_sections(search)
    stop = vocabulary.stopwords()
    words = {_stem(t) for t in toks.split() if len(t) > 1 and not t.isdigit() and t not in stop}
    words.update(c for c in concepts.split() if c)
    return frozenset(words)


@lru_cache(maxsize=65536)
def _families(items: frozenset[str]) -> frozenset[str]:
    return frozenset(f for f in (vocabulary.family(c) for c in items) if f)


def _relevant(
    n_cat: str, n_items: frozenset[str], n_fams: frozenset[str], o_cat: str, o_items: frozenset[str]
) -> bool:
    if n_cat == o_cat or o_cat in RELATED_CATEGORIES.get(n_cat, ()):
        return True
    return bool(n_items & o_items) or bool(n_fams & _families(o_items))


# --- the part values (shared by score, suggestions and the batch) ---------------------------------
def _category_value(n_cat: str, o_cat: str) -> float:
    if n_cat == o_cat:
        return 100.0
    return 50.0 if o_cat in RELATED_CATEGORIES.get(n_cat, ()) else 0.0


def _item_value(
    n_items: frozenset[str], o_items: frozenset[str], n_fams: frozenset[str], o_fams: frozenset[str]
) -> float:
    shared = len(n_items & o_items)
    if shared:
        return _r1(100.0 * (0.5 + 0.3 * shared / len(n_items) + 0.2 * shared / len(o_items)))
    if n_fams & o_fams:
        return 55.0
    if not n_items and not o_items:
        return 40.0
    if not n_items or not o_items:
        return 25.0
    return 0.0


def _text_value(a: frozenset[str], b: frozenset[str]) -> float:
    den = len(a) + len(b)
    if not den:
        return 0.0
    return _r1(200.0 * len(a & b) / den)


def _known(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and not (lat == 0.0 and lon == 0.0)


@lru_cache(maxsize=65536)
def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _location(need: NeedView, offer: OfferView) -> tuple[float, str, int]:
    """(value, kind, km) — kind one of province, outside, nationwide, home, distance."""
    if offer.provinces:
        return (100.0, "province", 0) if need.province_code in offer.provinces else (0.0, "outside", 0)
    return _nationwide(need.latitude, need.longitude, offer.latitude, offer.longitude)


@lru_cache(maxsize=65536)
def _nationwide(nlat: float, nlon: float, olat: float | None, olon: float | None) -> tuple[float, str, int]:
    if not (_known(olat, olon) and _known(nlat, nlon)):
        return 50.0, "nationwide", 0
    d = _distance_km(nlat, nlon, olat, olon)
    if d < 25.0:
        return 90.0, "home", 0
    return _r1(50.0 + 35.0 * max(0.0, 1.0 - d / 1000.0)), "distance", int(round(d / 10.0)) * 10


def _quantity_value(n_rem: int, o_rem: int) -> float:
    if n_rem <= 0:
        return 0.0
    return _r1(100.0 * min(max(o_rem, 0), n_rem) / n_rem)


def _days_left(needed_by: date | None, today: date) -> int | None:
    return None if needed_by is None else (needed_by - today).days


def _deadline_value(urgency: str, days: int | None) -> float:
    u = URGENCY_SCORE.get(urgency, 50.0)
    if days is None:
        t = 50.0
    elif days <= 30:
        t = 100.0
    elif days <= 90:
        t = 75.0
    elif days <= 180:
        t = 50.0
    else:
        t = 25.0
    return _r1(0.5 * u + 0.5 * t)


def _equity_value(group: str) -> float:
    return EQUITY_SCORE.get(group, 50.0)


def _total(c: float, i: float, t: float, loc: float, q: float, d: float, e: float) -> float:
    s = _W[0] * c
    s += _W[1] * i
    s += _W[2] * t
    s += _W[3] * loc
    s += _W[4] * q
    s += _W[5] * d
    s += _W[6] * e
    return _r1(s)


#: the highest item part for each relation between a need's and an offer's item kinds (``_item_value``)
ITEM_BOUND: dict[str, float] = {
    "shared": 100.0,  # at least one kind in common
    "family": 55.0,  # none in common, one family in common
    "none": 40.0,  # neither side names a kind
    "one_side": 25.0,  # only one side names a kind
    "different": 0.0,  # both name kinds, nothing in common
}


def max_total(category_value: float, item_bound: float) -> float:
    """The highest total a pair can reach with these category and item parts (every other part at 100),
    plus the rounding: a caller holding ``limit`` candidates all above it can skip the rest unread."""
    return _W[0] * category_value + _W[1] * item_bound + 100.0 * sum(_W[2:]) + 0.1


# --- hard filters ---------------------------------------------------------------------------------
def _offer_open(offer: OfferView, today: date) -> bool:
    return (
        offer.status == "open"
        and offer.remaining > 0
        and (offer.available_until is None or offer.available_until >= today)
    )


def _need_open(need: NeedView) -> bool:
    return need.status == "open" and need.remaining > 0


def eligible(need: NeedView, offer: OfferView, today: date) -> bool:
    """Hard filters: both open with something left, the offer not ended before today, and the
    offer serving the school's province (no provinces = nationwide). ``needed_by`` does not filter:
    an offer still open today can deliver before the school's date."""
    return (
        _need_open(need)
        and _offer_open(offer, today)
        and (not offer.provinces or need.province_code in offer.provinces)
    )


# --- reasons (Parts are shared: a batch keeps a million scores in memory) -------------------------
_PARTS: dict[tuple, Part] = {}


def _put(key: tuple, value: float, th: str, en: str) -> Part:
    if len(_PARTS) > 200_000:
        _PARTS.clear()
    p = _PARTS[key] = Part(value, WEIGHTS[key[0]], th, en)
    return p


def _cat_label(code: str) -> tuple[str, str]:
    th, en = CATEGORIES.get(code, (code, code))
    return th, en


def _names(codes: Iterable[str], limit: int = 3) -> tuple[str, str]:
    codes = sorted(codes)[:limit]
    names = [vocabulary.item_names(c) for c in codes]
    return ", ".join(n[0] for n in names), ", ".join(n[1] for n in names)


def _category_part(n_cat: str, o_cat: str) -> Part:
    key = ("category", n_cat, o_cat)
    p = _PARTS.get(key)
    if p is not None:
        return p
    v = _category_value(n_cat, o_cat)
    (nth, nen), (oth, oen) = _cat_label(n_cat), _cat_label(o_cat)
    if v == 100.0:
        return _put(key, v, f"หมวดเดียวกัน: {nth}", f"same category: {nen}")
    if v > 0:
        return _put(key, v, f"หมวดใกล้เคียง: {nth} / {oth}", f"related categories: {nen} / {oen}")
    return _put(key, v, f"ต่างหมวด: {nth} / {oth}", f"different categories: {nen} / {oen}")


def _item_part(n_items: frozenset[str], o_items: frozenset[str]) -> Part:
    key = ("item", n_items, o_items)
    p = _PARTS.get(key)
    if p is not None:
        return p
    nf, of = _families(n_items), _families(o_items)
    v = _item_value(n_items, o_items, nf, of)
    shared = n_items & o_items
    if shared:
        th, en = _names(shared)
        return _put(key, v, f"ของตรงกัน: {th}", f"same item: {en}")
    if nf & of:
        fam = sorted(nf & of)[0]
        nth, nen = _names(c for c in n_items if vocabulary.family(c) == fam)
        oth, oen = _names(c for c in o_items if vocabulary.family(c) == fam)
        return _put(key, v, f"ของใกล้เคียงกัน: {nth} ~ {oth}", f"similar item: {nen} ~ {oen}")
    if not n_items and not o_items:
        return _put(key, v, "ไม่พบชนิดของที่ระบุชัดเจนทั้งสองฝ่าย", "no specific item recognised on either side")
    if not n_items or not o_items:
        th, en = _names(n_items or o_items)
        return _put(key, v, f"ระบุชนิดของเพียงฝ่ายเดียว: {th}", f"item named on one side only: {en}")
    nth, nen = _names(n_items)
    oth, oen = _names(o_items)
    return _put(key, v, f"ของต่างกัน: {nth} กับ {oth}", f"different items: {nen} vs {oen}")


def _word_label(w: str) -> tuple[str, str]:
    if vocabulary.is_concept(w):
        return vocabulary.concept_names(w)
    return w, w


def _word_rank(w: str) -> tuple:
    return (not w.startswith("c_"), -len(w), w)


def _text_part(a: frozenset[str], b: frozenset[str]) -> Part:
    shared = a & b
    if not shared:
        v = 0.0
        key = ("text", v, ())
        p = _PARTS.get(key)
        return p if p is not None else _put(key, v, "ไม่มีคำที่ตรงกัน", "no words in common")
    v = _r1(200.0 * len(shared) / (len(a) + len(b)))
    top = tuple(sorted(shared, key=_word_rank)[:4]) if len(shared) > 1 else tuple(shared)
    key = ("text", v, top)
    p = _PARTS.get(key)
    if p is not None:
        return p
    labels = [_word_label(w) for w in top]
    return _put(
        key,
        v,
        "คำที่ตรงกัน: " + ", ".join(dict.fromkeys(x[0] for x in labels)),
        "shared words: " + ", ".join(dict.fromkeys(x[1] for x in labels)),
    )


def _location_part(value: float, kind: str, km: int) -> Part:
    key = ("location", value, kind, km)
    p = _PARTS.get(key)
    if p is not None:
        return p
    if kind == "province":
        return _put(key, value, "ส่งถึงจังหวัดของคุณ", "serves your province")
    if kind == "outside":
        return _put(key, value, "ไม่ส่งถึงจังหวัดของคุณ", "does not serve your province")
    if kind == "home":
        return _put(
            key,
            value,
            "ให้ได้ทั่วประเทศ และบริษัทอยู่ในจังหวัดของคุณ",
            "nationwide offer from a company in your province",
        )
    if kind == "distance":
        return _put(
            key,
            value,
            f"ให้ได้ทั่วประเทศ บริษัทอยู่ห่างประมาณ {km:,} กม.",
            f"nationwide offer, company about {km:,} km away",
        )
    return _put(key, value, "ให้ได้ทั่วประเทศ", "nationwide offer")


def _quantity_part(n_rem: int, o_rem: int) -> Part:
    cov = min(max(o_rem, 0), max(n_rem, 0))
    key = ("quantity", n_rem, cov)
    p = _PARTS.get(key)
    if p is not None:
        return p
    v = _quantity_value(n_rem, o_rem)
    if n_rem <= 0:
        return _put(key, v, "ไม่มีจำนวนคงเหลือ", "nothing left to cover")
    return _put(key, v, f"ครอบคลุม {cov:,} จาก {n_rem:,}", f"covers {cov:,} of {n_rem:,}")


def _deadline_part(urgency: str, needed_by: date | None, today: date) -> Part:
    days = _days_left(needed_by, today)
    key = ("deadline", urgency, needed_by, days)
    p = _PARTS.get(key)
    if p is not None:
        return p
    v = _deadline_value(urgency, days)
    uth, uen, _ = URGENCIES.get(urgency, (urgency, urgency, 1))
    if needed_by is None:
        return _put(key, v, f"ความเร่งด่วน: {uth} ไม่ระบุวันที่ต้องการ", f"urgency {uen.lower()}, no date given")
    if days < 0:
        return _put(
            key,
            v,
            f"ความเร่งด่วน: {uth} เลยวันที่ต้องการ ({format_date(needed_by, 'th')}) แล้ว",
            f"urgency {uen.lower()}, past the date needed ({format_date(needed_by, 'en')})",
        )
    return _put(
        key,
        v,
        f"ความเร่งด่วน: {uth} ต้องการภายใน {format_date(needed_by, 'th')} (อีก {days} วัน)",
        f"urgency {uen.lower()}, needed by {format_date(needed_by, 'en')} (in {days} days)",
    )


def _equity_part(group: str) -> Part:
    key = ("equity", group)
    p = _PARTS.get(key)
    if p is not None:
        return p
    v = _equity_value(group)
    if group == "stand_alone":
        return _put(key, v, "โรงเรียนที่ต้องคงอยู่ได้รับลำดับสูงขึ้น", "stand-alone school ranks up")
    if group == "core":
        return _put(key, v, "โรงเรียนคุณภาพ (แกนหลัก)", "core quality school")
    if group == "merging":
        return _put(key, v, "โรงเรียนที่พร้อมรวม", "school preparing to merge")
    return _put(key, v, "ไม่ระบุกลุ่มโรงเรียน", "school group not given")


class _NeedSide:
    """What a need contributes to every pair, computed once."""

    __slots__ = ("view", "items", "fams", "bag", "deadline", "equity")

    def __init__(self, need: NeedView, today: date):
        self.view = need
        self.items = _items(need)
        self.fams = _families(self.items)
        self.bag = _bag(_search(need))
        self.deadline = _deadline_part(need.urgency, need.needed_by, today)
        self.equity = _equity_part(need.quality_group)


class _OfferSide:
    __slots__ = ("view", "items", "bag")

    def __init__(self, offer: OfferView):
        self.view = offer
        self.items = _items(offer)
        self.bag = _bag(_search(offer))


def _build(ns: _NeedSide, os_: _OfferSide) -> Score:
    n, o = ns.view, os_.view
    cp = _category_part(n.category, o.category)
    ip = _item_part(ns.items, os_.items)
    tp = _text_part(ns.bag, os_.bag)
    lp = _location_part(*_location(n, o))
    qp = _quantity_part(n.remaining, o.remaining)
    dp, ep = ns.deadline, ns.equity
    total = _total(cp.score, ip.score, tp.score, lp.score, qp.score, dp.score, ep.score)
    return Score(
        total,
        {
            "category": cp,
            "item": ip,
            "text": tp,
            "location": lp,
            "quantity": qp,
            "deadline": dp,
            "equity": ep,
        },
    )


def score(need: NeedView, offer: OfferView, today: date) -> Score:
    """The 0–100 score of a pair with its seven explained parts (hard filters are not applied)."""
    return _build(_NeedSide(need, today), _OfferSide(offer))


# --- suggestions ----------------------------------------------------------------------------------
#: a candidate whose total *without* text is this far below the current last place cannot get in:
#: text adds at most 100 × its weight; the 0.2 covers rounding to 0.1 and ties broken by id
_TEXT_ROOM = _W[2] * 100.0 + 0.2


def _pick(cands: list, limit: int, text_of) -> list:
    """Best ``limit`` of (partial, id, view, parts…) candidates, computing text only where it can matter."""
    cands.sort(key=lambda t: (-t[0], t[1]))
    heap: list[tuple[float, int, int]] = []  # (total, -id, position) — the worst kept on top
    for pos, cand in enumerate(cands):
        partial, vid = cand[0], cand[1]
        if len(heap) == limit and partial + _TEXT_ROOM < heap[0][0]:
            break
        total = text_of(cand)
        entry = (total, -vid, pos)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        elif entry[:2] > heap[0][:2]:
            heapq.heapreplace(heap, entry)
    heap.sort(key=lambda e: (-e[0], -e[1]))
    return [cands[pos][2] for _, _, pos in heap]


def suggest_offers(
    need: NeedView, offers: Sequence[OfferView], today: date, limit: int = 10
) -> list[tuple[OfferView, Score]]:
    """Eligible, relevant offers for a need, best first (ties by offer id)."""
    if not _need_open(need) or limit <= 0:
        return []
    ns = _NeedSide(need, today)
    n_items, n_fams, n_bag = ns.items, ns.fams, ns.bag
    dl, eq = ns.deadline.score, ns.equity.score
    prov, n_cat, n_rem = need.province_code, need.category, need.remaining
    nlat, nlon = need.latitude, need.longitude
    related = RELATED_CATEGORIES.get(n_cat, frozenset()) | {n_cat}
    w0, w1, w3, w4 = _W[0], _W[1], _W[3], _W[4]
    cands = []
    for o in offers:
        if (
            o.status != "open"
            or o.remaining <= 0
            or (o.available_until is not None and o.available_until < today)
            or (o.provinces and prov not in o.provinces)
        ):
            continue
        o_items = o.items if (o.items or o.search) else _items(o)
        o_fams = _families(o_items)
        oc = o.category
        if oc not in related and not (n_items & o_items) and not (n_fams & o_fams):
            continue
        c = _category_value(n_cat, oc)
        i = _item_value(n_items, o_items, n_fams, o_fams)
        loc = 100.0 if o.provinces else _nationwide(nlat, nlon, o.latitude, o.longitude)[0]
        q = _quantity_value(n_rem, o.remaining)
        cands.append((w0 * c + w1 * i + w3 * loc + w4 * q + _W[5] * dl + _W[6] * eq, o.id, o, c, i, loc, q))

    def with_text(t) -> float:
        return _total(t[3], t[4], _text_value(n_bag, _bag(_search(t[2]))), t[5], t[6], dl, eq)

    return [(o, _build(ns, _OfferSide(o))) for o in _pick(cands, limit, with_text)]


def suggest_needs(
    offer: OfferView, needs: Sequence[NeedView], today: date, limit: int = 10
) -> list[tuple[NeedView, Score]]:
    """Eligible, relevant needs for an offer, best first (ties by need id)."""
    if not _offer_open(offer, today) or limit <= 0:
        return []
    os_ = _OfferSide(offer)
    o_items, o_bag = os_.items, os_.bag
    o_fams = _families(o_items)
    o_cat, o_rem, provinces = offer.category, offer.remaining, offer.provinces
    olat, olon = offer.latitude, offer.longitude
    cands = []
    for n in needs:
        if n.status != "open" or n.remaining <= 0 or (provinces and n.province_code not in provinces):
            continue
        n_items = n.items if (n.items or n.search) else _items(n)
        n_fams = _families(n_items)
        if not _relevant(n.category, n_items, n_fams, o_cat, o_items):
            continue
        c = _category_value(n.category, o_cat)
        i = _item_value(n_items, o_items, n_fams, o_fams)
        loc = 100.0 if provinces else _nationwide(n.latitude, n.longitude, olat, olon)[0]
        q = _quantity_value(n.remaining, o_rem)
        d = _deadline_value(n.urgency, _days_left(n.needed_by, today))
        e = _equity_value(n.quality_group)
        partial = _W[0] * c + _W[1] * i + _W[3] * loc + _W[4] * q + _W[5] * d + _W[6] * e
        cands.append((partial, n.id, n, c, i, loc, q, d, e))

    def with_text(t) -> float:
        return _total(t[3], t[4], _text_value(_bag(_search(t[2])), o_bag), t[5], t[6], t[7], t[8])

    return [(n, _build(_NeedSide(n, today), os_)) for n in _pick(cands, limit, with_text)]


# --- the national batch ---------------------------------------------------------------------------
_CAT_INDEX = {c: i for i, c in enumerate(CATEGORY_CODES)}
_CAT_VALUE = np.array([[_category_value(a, b) for b in CATEGORY_CODES] for a in CATEGORY_CODES])
_CAT_REL = _CAT_VALUE > 0
#: cells (needs × offers) scored at once: bounds the batch's working memory to ~100 MB
_CHUNK_CELLS = 1_500_000


class _Index:
    """String features → column numbers, for the sparse need/offer matrices."""

    def __init__(self) -> None:
        self.cols: dict[str, int] = {}

    def row(self, feats: Iterable[str]) -> list[int]:
        cols = self.cols
        return [cols.setdefault(f, len(cols)) for f in feats]


def _csr(rows: list[list[int]], width: int) -> sparse.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _r1v(x: np.ndarray) -> np.ndarray:
    return np.floor(x * 10.0 + 0.5) / 10.0


def batch_suggest(
    needs: Sequence[NeedView],
    offers: Sequence[OfferView],
    today: date,
    per_need: int = 10,
    progress: Callable[[int], None] | None = None,
) -> dict[int, list[tuple[int, Score]]]:
    """Top ``per_need`` (offer id, Score) for every need, exactly as ``suggest_offers`` would give them.

    Needs are blocked by (province, category): a block is scored against the offers serving that
    province whose category is related, or which share an item kind or family with a need of the
    block, as whole numpy/sparse matrices (tokens and item kinds as sparse 0/1 rows: intersections
    are one sparse product). Only the winners get a full ``Score`` with reasons. ``progress`` is
    called with the cumulative number of needs done (for tqdm: ``lambda n: bar.update(n - bar.n)``).
    Every need id is a key; needs that are not open map to an empty list.
    """
    result: dict[int, list[tuple[int, Score]]] = {n.id: [] for n in needs}
    live = [n for n in needs if _need_open(n)]
    done = len(needs) - len(live)
    open_offers = sorted((o for o in offers if _offer_open(o, today)), key=lambda o: o.id)
    if not live or not open_offers or per_need <= 0:
        if progress:
            progress(len(needs))
        return result
    if progress and done:
        progress(done)

    tok_ix, item_ix, fam_ix = _Index(), _Index(), _Index()
    m = len(open_offers)
    sides = [_OfferSide(o) for o in open_offers]
    O_bag = [tok_ix.row(s.bag) for s in sides]
    O_item = [item_ix.row(s.items) for s in sides]
    O_fam = [fam_ix.row(_families(s.items)) for s in sides]
    o_cat = np.array([_CAT_INDEX.get(o.category, _CAT_INDEX["other"]) for o in open_offers])
    o_rem = np.maximum(np.array([o.remaining for o in open_offers], dtype=np.float64), 0.0)
    o_bag_len = np.array([len(r) for r in O_bag], dtype=np.float64)
    o_item_len = np.array([len(r) for r in O_item], dtype=np.float64)
    nationwide = np.array([i for i, o in enumerate(open_offers) if not o.provinces], dtype=np.int64)
    by_prov: dict[str, list[int]] = {}
    for i, o in enumerate(open_offers):
        for p in o.provinces:
            by_prov.setdefault(p, []).append(i)
    homes: dict[tuple, int] = {}
    o_home = np.array([homes.setdefault((o.latitude, o.longitude), len(homes)) for o in open_offers])
    home_list = list(homes)
    loc_rows: dict[tuple, np.ndarray] = {}

    def location_row(n: NeedView) -> np.ndarray:
        """The location part of this school position against every open offer (same function as score)."""
        key = (n.province_code, n.latitude, n.longitude)
        row = loc_rows.get(key)
        if row is None:
            per_home = np.array([_nationwide(n.latitude, n.longitude, h[0], h[1])[0] for h in home_list])
            row = np.zeros(m)
            row[nationwide] = per_home[o_home[nationwide]]
            row[by_prov.get(n.province_code, [])] = 100.0
            loc_rows[key] = row
        return row

    n_items = [_items(n) for n in live]
    n_fams = [_families(s) for s in n_items]
    N_bag = [tok_ix.row(_bag(_search(n))) for n in live]
    N_item = [item_ix.row(s) for s in n_items]
    N_fam = [fam_ix.row(s) for s in n_fams]
    V, I, F = len(tok_ix.cols) or 1, len(item_ix.cols) or 1, len(fam_ix.cols) or 1
    # offers as columns (CSC): a block takes its candidate columns once
    Ob, Oi, Of = _csr(O_bag, V).T.tocsc(), _csr(O_item, I).T.tocsc(), _csr(O_fam, F).T.tocsc()
    Ok = sparse.vstack([Oi, Of]).tocsr()  # item and family rows: the "shares a kind" prefilter

    blocks: dict[tuple[str, str], list[int]] = {}
    for k, n in enumerate(live):
        blocks.setdefault((n.province_code, n.category), []).append(k)

    for (prov, cat), members in sorted(blocks.items()):
        served = np.union1d(nationwide, np.array(by_prov.get(prov, ()), dtype=np.int64))
        ci = _CAT_INDEX.get(cat, _CAT_INDEX["other"])
        cat_ok = _CAT_REL[ci, o_cat[served]]
        keys = sorted(
            {item_ix.cols[c] for k in members for c in n_items[k]}
            | {I + fam_ix.cols[f] for k in members for f in n_fams[k]}
        )
        if keys:
            shares = np.asarray(Ok[keys][:, served].sum(axis=0)).ravel() > 0
            cand = served[cat_ok | shares]
        else:
            cand = served[cat_ok]
        if cand.size:
            cols = _Cols(
                cand,
                Ob[:, cand],
                Oi[:, cand],
                Of[:, cand],
                _CAT_VALUE[ci, o_cat[cand]][None, :],
                _CAT_REL[ci, o_cat[cand]][None, :],
                o_rem[cand][None, :],
                o_bag_len[cand][None, :],
                o_item_len[cand][None, :],
            )
            step = max(1, _CHUNK_CELLS // cand.size)
            for start in range(0, len(members), step):
                rows = members[start : start + step]
                _score_block(
                    [live[k] for k in rows],
                    [N_bag[k] for k in rows],
                    [N_item[k] for k in rows],
                    [N_fam[k] for k in rows],
                    cols,
                    location_row,
                    sides,
                    V,
                    I,
                    F,
                    today,
                    per_need,
                    result,
                )
        done += len(members)
        if progress:
            progress(done)
    return result


class _Cols:
    """A block's candidate offers, as columns."""

    __slots__ = ("idx", "bag", "item", "fam", "cat_v", "cat_rel", "rem", "bag_len", "item_len")

    def __init__(self, idx, bag, item, fam, cat_v, cat_rel, rem, bag_len, item_len):
        self.idx, self.bag, self.item, self.fam = idx, bag, item, fam
        self.cat_v, self.cat_rel, self.rem = cat_v, cat_rel, rem
        self.bag_len, self.item_len = bag_len, item_len


def _score_block(
    needs, nb_rows, ni_rows, nf_rows, cols: _Cols, location_row, sides, V, I, F, today, per_need, result
) -> None:
    """Score a chunk of one block's needs against its candidate columns; keep each need's winners."""
    inter = (_csr(nb_rows, V) @ cols.bag).toarray().astype(np.float64)
    shared = (_csr(ni_rows, I) @ cols.item).toarray().astype(np.float64)
    famov = (_csr(nf_rows, F) @ cols.fam).toarray() > 0
    n_bag_len = np.array([len(r) for r in nb_rows], dtype=np.float64)[:, None]
    n_item_len = np.array([len(r) for r in ni_rows], dtype=np.float64)[:, None]
    oi_len = cols.item_len
    with np.errstate(divide="ignore", invalid="ignore"):
        # the same arithmetic, in the same order, as _item_value / _text_value / _quantity_value
        item_v = np.where(
            shared > 0,
            _r1v(
                100.0
                * (0.5 + 0.3 * shared / np.maximum(n_item_len, 1.0) + 0.2 * shared / np.maximum(oi_len, 1.0))
            ),
            np.where(
                famov,
                55.0,
                np.where(
                    (n_item_len == 0) & (oi_len == 0),
                    40.0,
                    np.where((n_item_len == 0) | (oi_len == 0), 25.0, 0.0),
                ),
            ),
        )
        den = n_bag_len + cols.bag_len
        text_v = np.where(inter > 0, _r1v(200.0 * inter / np.where(den > 0, den, 1.0)), 0.0)
    first = needs[0]
    if all(n.latitude == first.latitude and n.longitude == first.longitude for n in needs):
        loc_v = location_row(first)[cols.idx][None, :]
    else:
        loc_v = np.vstack([location_row(n)[cols.idx] for n in needs])
    n_rem = np.array([n.remaining for n in needs], dtype=np.float64)[:, None]
    qty_v = _r1v(100.0 * np.minimum(cols.rem, n_rem) / n_rem)
    dl_v = np.array([_deadline_value(n.urgency, _days_left(n.needed_by, today)) for n in needs])[:, None]
    eq_v = np.array([_equity_value(n.quality_group) for n in needs])[:, None]

    total = np.broadcast_to(_W[0] * cols.cat_v, item_v.shape).copy()
    total += _W[1] * item_v
    total += _W[2] * text_v
    total += _W[3] * loc_v
    total += _W[4] * qty_v
    total += _W[5] * dl_v
    total += _W[6] * eq_v
    key = np.rint(_r1v(total) * 10.0).astype(np.int64)
    key[~(cols.cat_rel | (shared > 0) | famov)] = -1  # not relevant: never suggested

    mc = len(cols.idx)
    comp = key * (mc + 1) + (mc - np.arange(mc))[None, :]  # higher total first, then lower offer id
    k = min(per_need, mc)
    if k < mc:
        top = np.argpartition(-comp, k - 1, axis=1)[:, :k]
    else:
        top = np.broadcast_to(np.arange(mc), comp.shape)
    top_comp = np.take_along_axis(comp, top, axis=1)
    order = np.argsort(-top_comp, axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_key = np.take_along_axis(key, top, axis=1)
    idx = cols.idx
    for r, n in enumerate(needs):
        out = result[n.id]
        ns = None
        for c, kv in zip(top[r].tolist(), top_key[r].tolist()):
            if kv < 0:
                break
            if ns is None:
                ns = _NeedSide(n, today)
            os_ = sides[idx[c]]
            out.append((os_.view.id, _build(ns, os_)))

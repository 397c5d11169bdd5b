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
        return {"score": self.total, "parts": {k: {"score": p.score, "weight": p.weight, "reason_th": p.reason_th,
                                                   "reason_en": p.reason_en} for k, p in self.parts.items()}}


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


@lru_cache(maxsize=262144)
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


def _relevant(n_cat: str, n_items: frozenset[str], n_fams: frozenset[str], o_cat: str, o_items: frozenset[str]) -> bool:
    if n_cat == o_cat or o_cat in RELATED_CATEGORIES.get(n_cat, ()):
        return True
    return bool(n_items & o_items) or bool(n_fams & _families(o_items))


# --- the part values (shared by score, suggestions and the batch) ---------------------------------
def _category_value(n_cat: str, o_cat: str) -> float:
    if n_cat == o_cat:
        return 100.0
    return 50.0 if o_cat in RELATED_CATEGORIES.get(n_cat, ()) else 0.0


def _item_value(n_items: frozenset[str], o_items: frozenset[str], n_fams: frozenset[str], o_fams: frozenset[str]) -> float:
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
    if not (_known(offer.latitude, offer.longitude) and _known(need.latitude, need.longitude)):
        return 50.0, "nationwide", 0
    d = _distance_km(need.latitude, need.longitude, offer.latitude, offer.longitude)
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


# --- hard filters ---------------------------------------------------------------------------------
def _offer_open(offer: OfferView, today: date) -> bool:
    return (offer.status == "open" and offer.remaining > 0
            and (offer.available_until is None or offer.available_until >= today))


def _need_open(need: NeedView) -> bool:
    return need.status == "open" and need.remaining > 0


def eligible(need: NeedView, offer: OfferView, today: date) -> bool:
    """Hard filters: both open with something left, the offer not ended before today, and the
    offer serving the school's province (no provinces = nationwide). ``needed_by`` does not filter:
    an offer still open today can deliver before the school's date."""
    return (_need_open(need) and _offer_open(offer, today)
            and (not offer.provinces or need.province_code in offer.provinces))


# --- reasons (Parts are shared: a batch keeps a million scores in memory) -------------------------
_PARTS: dict[tuple, Part] = {}


def _part(key: tuple, make: Callable[[], tuple[float, str, str]]) -> Part:
    p = _PARTS.get(key)
    if p is None:
        if len(_PARTS) > 200_000:
            _PARTS.clear()
        value, th, en = make()
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
    def make():
        v = _category_value(n_cat, o_cat)
        (nth, nen), (oth, oen) = _cat_label(n_cat), _cat_label(o_cat)
        if v == 100.0:
            return v, f"หมวดเดียวกัน: {nth}", f"same category: {nen}"
        if v > 0:
            return v, f"หมวดใกล้เคียง: {nth} / {oth}", f"related categories: {nen} / {oen}"
        return v, f"ต่างหมวด: {nth} / {oth}", f"different categories: {nen} / {oen}"
    return _part(("category", n_cat, o_cat), make)


def _item_part(n_items: frozenset[str], o_items: frozenset[str]) -> Part:
    def make():
        nf, of = _families(n_items), _families(o_items)
        v = _item_value(n_items, o_items, nf, of)
        shared = n_items & o_items
        if shared:
            th, en = _names(shared)
            return v, f"ของตรงกัน: {th}", f"same item: {en}"
        if nf & of:
            fam = sorted(nf & of)[0]
            nth, nen = _names(c for c in n_items if vocabulary.family(c) == fam)
            oth, oen = _names(c for c in o_items if vocabulary.family(c) == fam)
            return v, f"ของใกล้เคียงกัน: {nth} ~ {oth}", f"similar item: {nen} ~ {oen}"
        if not n_items and not o_items:
            return v, "ไม่พบชนิดของที่ระบุชัดเจนทั้งสองฝ่าย", "no specific item recognised on either side"
        if not n_items or not o_items:
            th, en = _names(n_items or o_items)
            return v, f"ระบุชนิดของเพียงฝ่ายเดียว: {th}", f"item named on one side only: {en}"
        nth, nen = _names(n_items)
        oth, oen = _names(o_items)
        return v, f"ของต่างกัน: {nth} กับ {oth}", f"different items: {nen} vs {oen}"
    return _part(("item", n_items, o_items), make)


def _word_label(w: str) -> tuple[str, str]:
    if vocabulary.is_concept(w):
        return vocabulary.concept_names(w)
    return w, w


def _text_part(a: frozenset[str], b: frozenset[str]) -> Part:
    v = _text_value(a, b)
    shared = a & b
    if not shared:
        return _part(("text", v, ()), lambda: (v, "ไม่มีคำที่ตรงกัน", "no words in common"))
    top = tuple(sorted(shared, key=lambda w: (not vocabulary.is_concept(w), -len(w), w))[:4])

    def make():
        labels = [_word_label(w) for w in top]
        return v, "คำที่ตรงกัน: " + ", ".join(dict.fromkeys(x[0] for x in labels)), \
            "shared words: " + ", ".join(dict.fromkeys(x[1] for x in labels))
    return _part(("text", v, top), make)


def _location_part(value: float, kind: str, km: int) -> Part:
    def make():
        if kind == "province":
            return value, "ส่งถึงจังหวัดของคุณ", "serves your province"
        if kind == "outside":
            return value, "ไม่ส่งถึงจังหวัดของคุณ", "does not serve your province"
        if kind == "home":
            return value, "ให้ได้ทั่วประเทศ และบริษัทอยู่ในจังหวัดของคุณ", "nationwide offer from a company in your province"
        if kind == "distance":
            return value, f"ให้ได้ทั่วประเทศ บริษัทอยู่ห่างประมาณ {km:,} กม.", f"nationwide offer, company about {km:,} km away"
        return value, "ให้ได้ทั่วประเทศ", "nationwide offer"
    return _part(("location", value, kind, km), make)


def _quantity_part(n_rem: int, o_rem: int) -> Part:
    def make():
        v = _quantity_value(n_rem, o_rem)
        if n_rem <= 0:
            return v, "ไม่มีจำนวนคงเหลือ", "nothing left to cover"
        cov = min(max(o_rem, 0), n_rem)
        return v, f"ครอบคลุม {cov:,} จาก {n_rem:,}", f"covers {cov:,} of {n_rem:,}"
    return _part(("quantity", n_rem, min(max(o_rem, 0), max(n_rem, 0))), make)


def _deadline_part(urgency: str, needed_by: date | None, today: date) -> Part:
    days = _days_left(needed_by, today)

    def make():
        v = _deadline_value(urgency, days)
        uth, uen, _ = URGENCIES.get(urgency, (urgency, urgency, 1))
        if needed_by is None:
            return v, f"ความเร่งด่วน: {uth} ไม่ระบุวันที่ต้องการ", f"urgency {uen.lower()}, no date given"
        if days < 0:
            return v, f"ความเร่งด่วน: {uth} เลยวันที่ต้องการ ({format_date(needed_by, 'th')}) แล้ว", \
                f"urgency {uen.lower()}, past the date needed ({format_date(needed_by, 'en')})"
        return v, f"ความเร่งด่วน: {uth} ต้องการภายใน {format_date(needed_by, 'th')} (อีก {days} วัน)", \
            f"urgency {uen.lower()}, needed by {format_date(needed_by, 'en')} (in {days} days)"
    return _part(("deadline", urgency, needed_by, days), make)


def _equity_part(group: str) -> Part:
    def make():
        v = _equity_value(group)
        if group == "stand_alone":
            return v, "โรงเรียนที่ต้องคงอยู่ได้รับลำดับสูงขึ้น", "stand-alone school ranks up"
        if group == "core":
            return v, "โรงเรียนคุณภาพ (แกนหลัก)", "core quality school"
        if group == "merging":
            return v, "โรงเรียนที่พร้อมรวม", "school preparing to merge"
        return v, "ไม่ระบุกลุ่มโรงเรียน", "school group not given"
    return _part(("equity", group), make)


def score(need: NeedView, offer: OfferView, today: date) -> Score:
    """The 0–100 score of a pair with its seven explained parts (hard filters are not applied)."""
    n_items, o_items = _items(need), _items(offer)
    loc = _location(need, offer)
    parts = {
        "category": _category_part(need.category, offer.category),
        "item": _item_part(n_items, o_items),
        "text": _text_part(_bag(_search(need)), _bag(_search(offer))),
        "location": _location_part(*loc),
        "quantity": _quantity_part(need.remaining, offer.remaining),
        "deadline": _deadline_part(need.urgency, need.needed_by, today),
        "equity": _equity_part(need.quality_group),
    }
    total = _total(*(parts[k].score for k in PART_NAMES))
    return Score(total, parts)


# --- suggestions ----------------------------------------------------------------------------------
def _fast_total(need: NeedView, n_items, n_fams, n_bag, dl: float, eq: float, offer: OfferView) -> float:
    o_items = _items(offer)
    return _total(
        _category_value(need.category, offer.category),
        _item_value(n_items, o_items, n_fams, _families(o_items)),
        _text_value(n_bag, _bag(_search(offer))),
        _location(need, offer)[0],
        _quantity_value(need.remaining, offer.remaining),
        dl, eq)


def suggest_offers(need: NeedView, offers: Sequence[OfferView], today: date, limit: int = 10) -> list[tuple[OfferView, Score]]:
    """Eligible, relevant offers for a need, best first (ties by offer id)."""
    if not _need_open(need) or limit <= 0:
        return []
    n_items = _items(need)
    n_fams = _families(n_items)
    n_bag = _bag(_search(need))
    dl = _deadline_value(need.urgency, _days_left(need.needed_by, today))
    eq = _equity_value(need.quality_group)
    prov, n_cat = need.province_code, need.category
    ranked = []
    for o in offers:
        if (o.status != "open" or o.remaining <= 0 or (o.available_until is not None and o.available_until < today)
                or (o.provinces and prov not in o.provinces)):
            continue
        if not _relevant(n_cat, n_items, n_fams, o.category, _items(o)):
            continue
        ranked.append((-_fast_total(need, n_items, n_fams, n_bag, dl, eq, o), o.id, o))
    best = heapq.nsmallest(limit, ranked, key=lambda t: (t[0], t[1]))
    return [(o, score(need, o, today)) for _, _, o in best]


def suggest_needs(offer: OfferView, needs: Sequence[NeedView], today: date, limit: int = 10) -> list[tuple[NeedView, Score]]:
    """Eligible, relevant needs for an offer, best first (ties by need id)."""
    if not _offer_open(offer, today) or limit <= 0:
        return []
    o_items = _items(offer)
    o_fams = _families(o_items)
    o_bag = _bag(_search(offer))
    ranked = []
    for n in needs:
        if n.status != "open" or n.remaining <= 0 or (offer.provinces and n.province_code not in offer.provinces):
            continue
        n_items = _items(n)
        n_fams = _families(n_items)
        if not _relevant(n.category, n_items, n_fams, offer.category, o_items):
            continue
        total = _total(
            _category_value(n.category, offer.category),
            _item_value(n_items, o_items, n_fams, o_fams),
            _text_value(_bag(_search(n)), o_bag),
            _location(n, offer)[0],
            _quantity_value(n.remaining, offer.remaining),
            _deadline_value(n.urgency, _days_left(n.needed_by, today)),
            _equity_value(n.quality_group))
        ranked.append((-total, n.id, n))
    best = heapq.nsmallest(limit, ranked, key=lambda t: (t[0], t[1]))
    return [(n, score(n, offer, today)) for _, _, n in best]


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
    return sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), width))


def _r1v(x: np.ndarray) -> np.ndarray:
    return np.floor(x * 10.0 + 0.5) / 10.0


def batch_suggest(needs: Sequence[NeedView], offers: Sequence[OfferView], today: date, per_need: int = 10,
                  progress: Callable[[int], None] | None = None) -> dict[int, list[tuple[int, Score]]]:
    """Top ``per_need`` (offer id, Score) for every need, as ``suggest_offers`` would give them.

    Needs are blocked by (province, category): a block is scored against the offers serving that
    province whose category is related, or which share an item kind or family with a need of the
    block, as whole numpy/sparse matrices (tokens and item kinds as sparse 0/1 rows: intersections
    are one sparse product). Only the winners get a full ``Score`` with reasons. ``progress`` is
    called with the cumulative number of needs done (for tqdm: ``lambda n: bar.update(n - bar.n)``).
    Every need id is a key; needs that are not open map to an empty list.
    """
    result: dict[int, list[tuple[int, Score]]] = {n.id: [] for n in needs}
    done = 0
    live = [n for n in needs if _need_open(n)]
    done += len(needs) - len(live)
    open_offers = sorted((o for o in offers if _offer_open(o, today)), key=lambda o: o.id)
    if not live or not open_offers or per_need <= 0:
        if progress:
            progress(len(needs))
        return result
    if progress and done:
        progress(done)

    tok_ix, item_ix, fam_ix = _Index(), _Index(), _Index()
    m = len(open_offers)
    o_items = [_items(o) for o in open_offers]
    O_bag = [tok_ix.row(_bag(_search(o))) for o in open_offers]
    O_item = [item_ix.row(s) for s in o_items]
    O_fam = [fam_ix.row(_families(s)) for s in o_items]
    o_cat = np.array([_CAT_INDEX.get(o.category, _CAT_INDEX["other"]) for o in open_offers])
    o_rem = np.array([o.remaining for o in open_offers], dtype=np.float64)
    o_bag_len = np.array([len(r) for r in O_bag], dtype=np.float64)
    o_item_len = np.array([len(r) for r in O_item], dtype=np.float64)
    nationwide = np.array([i for i, o in enumerate(open_offers) if not o.provinces], dtype=np.int64)
    by_prov: dict[str, list[int]] = {}
    for i, o in enumerate(open_offers):
        for p in o.provinces:
            by_prov.setdefault(p, []).append(i)

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
        keys = sorted({item_ix.cols[c] for k in members for c in n_items[k]}
                      | {I + fam_ix.cols[f] for k in members for f in n_fams[k]})
        if keys:
            shares = np.asarray(Ok[keys][:, served].sum(axis=0)).ravel() > 0
            cand = served[cat_ok | shares]
        else:
            cand = served[cat_ok]
        if cand.size:
            Obc, Oic, Ofc = Ob[:, cand], Oi[:, cand], Of[:, cand]
            step = max(1, _CHUNK_CELLS // cand.size)
            for start in range(0, len(members), step):
                rows = members[start:start + step]
                _score_block([live[k] for k in rows], [N_bag[k] for k in rows], [N_item[k] for k in rows],
                             [N_fam[k] for k in rows], [n_items[k] for k in rows], cand, ci, open_offers,
                             Obc, Oic, Ofc, o_cat, o_rem, o_bag_len, o_item_len, V, I, F, today, per_need, result)
        done += len(members)
        if progress:
            progress(done)
    return result


def _score_block(needs, nb_rows, ni_rows, nf_rows, n_item_sets, cand, ci, open_offers, Obc, Oic, Ofc,
                 o_cat, o_rem, o_bag_len, o_item_len, V, I, F, today, per_need, result) -> None:
    Nb, Ni, Nf = _csr(nb_rows, V), _csr(ni_rows, I), _csr(nf_rows, F)
    inter = (Nb @ Obc).toarray().astype(np.float64)
    shared = (Ni @ Oic).toarray().astype(np.float64)
    famov = (Nf @ Ofc).toarray() > 0
    n_bag_len = np.array([len(r) for r in nb_rows], dtype=np.float64)[:, None]
    n_item_len = np.array([len(r) for r in ni_rows], dtype=np.float64)[:, None]
    ob_len, oi_len = o_bag_len[cand][None, :], o_item_len[cand][None, :]

    cat_v = _CAT_VALUE[ci, o_cat[cand]][None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        item_v = np.where(shared > 0, _r1v(100.0 * (0.5 + 0.3 * shared / np.maximum(n_item_len, 1.0)
                                                    + 0.2 * shared / np.maximum(oi_len, 1.0))),
                          np.where(famov, 55.0,
                                   np.where((n_item_len == 0) & (oi_len == 0), 40.0,
                                            np.where((n_item_len == 0) | (oi_len == 0), 25.0, 0.0))))
        den = n_bag_len + ob_len
        text_v = np.where(den > 0, _r1v(200.0 * inter / np.where(den > 0, den, 1.0)), 0.0)
    # location: one Python call per distinct school position × offer, cached
    loc_v = np.empty((len(needs), len(cand)))
    cand_offers = [open_offers[j] for j in cand]
    by_pos: dict[tuple, list[int]] = {}
    for r, n in enumerate(needs):
        by_pos.setdefault((n.province_code, n.latitude, n.longitude), []).append(r)
    for _pos, rs in by_pos.items():
        row = np.array([_location(needs[rs[0]], o)[0] for o in cand_offers])
        loc_v[rs, :] = row
    n_rem = np.array([n.remaining for n in needs], dtype=np.float64)[:, None]
    qty_v = _r1v(100.0 * np.minimum(np.maximum(o_rem[cand][None, :], 0.0), n_rem) / n_rem)
    dl_v = np.array([_deadline_value(n.urgency, _days_left(n.needed_by, today)) for n in needs])[:, None]
    eq_v = np.array([_equity_value(n.quality_group) for n in needs])[:, None]

    total = np.broadcast_to(_W[0] * cat_v, item_v.shape).copy()
    total += _W[1] * item_v
    total += _W[2] * text_v
    total += _W[3] * loc_v
    total += _W[4] * qty_v
    total += _W[5] * dl_v
    total += _W[6] * eq_v
    total = _r1v(total)
    relevant = _CAT_REL[ci, o_cat[cand]][None, :] | (shared > 0) | famov

    mc = len(cand)
    key = np.where(relevant, np.rint(total * 10.0).astype(np.int64), -1)
    comp = key * (mc + 1) + (mc - np.arange(mc))[None, :]  # higher total first, then lower offer id
    k = min(per_need, mc)
    top = np.argpartition(-comp, k - 1, axis=1)[:, :k] if k < mc else np.broadcast_to(np.arange(mc), comp.shape)
    top_comp = np.take_along_axis(comp, top, axis=1)
    order = np.argsort(-top_comp, axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_key = np.take_along_axis(key, top, axis=1)
    for r, n in enumerate(needs):
        out = result[n.id]
        for c, kv in zip(top[r], top_key[r]):
            if kv < 0:
                break
            o = cand_offers[c]
            out.append((o.id, score(n, o, today)))

"""The score arithmetic, written once: numpy over any number of pairs (one pair is an array of one).

Seven parts, each 0–100; the total is ``Σ weight × part`` rounded half up to 0.1. The weights and the
item-led category value are fitted on a labelled set and read from ``csr_hub/data/calibration.json``
(``bands.py``):

- ``category`` — same category 100; different categories where the two share an item kind and each
  side's category is one that item kind may be filed under (the vocabulary says which) ``item_led``;
  related categories, or a shared item kind filed elsewhere, 50; else 0;
- ``item`` — item kinds, weighted (the head of the request 1, a passing mention 0.3, a fuzzy find its
  similarity): with S = Σ w_need·w_offer over the shared kinds, 100 × (0.5·min(1, S) + 0.3·S/Σw_need
  + 0.2·S/Σw_offer), S lowered where both posts say whom or what size a shared kind is for and they
  differ; no kind in common but one family 55; none recognised on either side 40, on one
  side 25, different kinds 0;
- ``text`` — Dice overlap 200·|A∩B| / (|A|+|B|) of the language-neutral words (concepts such as
  ซ่อม = repair, item kinds, families) — or, when both posts are written mostly in one script, of all
  their content words where that overlap is the higher — so a Thai need is not pushed below a
  same-language wrong answer, nor the reverse;
- ``location`` — the offer names the school's province 100; nationwide 50, or 90 from a company in
  the same province down to 50 at 1,000 km;
- ``quantity`` — the share of the need's remaining quantity the offer covers;
- ``deadline`` — half urgency (low 25 … critical 100), half time to ``needed_by``;
- ``equity`` — a ``stand_alone`` school's need 100, others 50.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

import numpy as np

from csr_hub.domain.matching import bands

PART_NAMES: tuple[str, ...] = ("category", "item", "text", "location", "quantity", "deadline", "equity")
URGENCY_SCORE = {"low": 25.0, "normal": 50.0, "high": 75.0, "critical": 100.0}
EQUITY_SCORE = {"stand_alone": 100.0, "core": 50.0, "merging": 50.0}

#: the highest item part for each relation between a need's and an offer's item kinds
ITEM_BOUND: dict[str, float] = {
    "shared": 100.0,  # at least one kind in common
    "family": 55.0,  # none in common, one family in common
    "none": 40.0,  # neither side names a kind
    "one_side": 25.0,  # only one side names a kind
    "different": 0.0,  # both name kinds, nothing in common
}


#: how much of a shared item kind counts no more when the posts mean it for different people or sizes
#: (teachers' desks against pupils' desks, a small classroom TV against a hall's)
CONFLICT = 0.6


def weights() -> dict[str, float]:
    return bands.current().weights


def weight_vector() -> tuple[float, ...]:
    w = weights()
    return tuple(w[k] for k in PART_NAMES)


def r1(x):
    """Round half up to 0.1 (arrays or numbers)."""
    return np.floor(np.asarray(x, dtype=np.float64) * 10.0 + 0.5) / 10.0


def r1f(x: float) -> float:
    return math.floor(x * 10.0 + 0.5) / 10.0


def text_share(inter, n_len, o_len):
    """The Dice overlap 2·|A∩B| / (|A| + |B|) (arrays or numbers)."""
    k = np.asarray(inter, dtype=np.float64)
    return 2.0 * k / np.maximum(np.asarray(n_len, dtype=np.float64) + o_len, 1.0)


def prefer_words(k_f, n_f, o_f, k_n, n_n, o_n):
    """Whether all content words (counts ``k_f`` shared of ``n_f`` and ``o_f``) give the higher overlap
    than the language-neutral ones (``k_n`` of ``n_n`` and ``o_n``): what a same-script pair compares."""
    return text_share(k_f, n_f, o_f) > text_share(k_n, n_n, o_n)


def prefer_words_one(k_f: int, n_f: int, o_f: int, k_n: int, n_n: int, o_n: int) -> bool:
    """``prefer_words`` for one pair, on plain numbers (the same arithmetic without an array per pair:
    the live scorer asks it once per candidate)."""
    return 2.0 * k_f / max(n_f + o_f, 1) > 2.0 * k_n / max(n_n + o_n, 1)


def values(
    *,
    same_cat,
    related_cat,
    item_led,
    shared_w,
    n_w,
    o_w,
    fam_overlap,
    n_has,
    o_has,
    inter,
    n_bag,
    o_bag,
    loc,
    qty,
    deadline,
    equity,
    conflict=0.0,
) -> dict[str, np.ndarray]:
    """Every part for arrays of pairs (broadcasting). Inputs are the pair features:
    booleans for the category relations (``item_led`` already requires a shared item), the shared item
    weight S and each side's weight sum, whether one family overlaps, whether each side names a kind,
    the count of shared content words and each side's count, and the four order parts precomputed;
    ``conflict``: the weight of the shared kinds the two posts mean for different people or sizes
    (``views.facet_rows``), which counts ``CONFLICT`` less of what they share."""
    item_led_value = bands.current().item_led_category
    shared = np.asarray(shared_w) > 0
    category = np.where(
        same_cat, 100.0, np.where(item_led, item_led_value, np.where(related_cat | shared, 50.0, 0.0))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.maximum(0.0, np.asarray(shared_w, dtype=np.float64) - CONFLICT * np.asarray(conflict))
        cov = 0.5 * np.minimum(1.0, s) + 0.3 * np.minimum(1.0, s / np.maximum(n_w, 1e-9))
        cov = cov + 0.2 * np.minimum(1.0, s / np.maximum(o_w, 1e-9))
        item = np.where(
            shared,
            r1(100.0 * cov),
            np.where(
                fam_overlap,
                ITEM_BOUND["family"],
                np.where(
                    ~(n_has | o_has),
                    ITEM_BOUND["none"],
                    np.where(n_has & o_has, ITEM_BOUND["different"], ITEM_BOUND["one_side"]),
                ),
            ),
        )
        text = np.where(np.asarray(inter) > 0, r1(100.0 * text_share(inter, n_bag, o_bag)), 0.0)
    return {
        "category": np.asarray(category, dtype=np.float64),
        "item": np.asarray(item, dtype=np.float64),
        "text": np.asarray(text, dtype=np.float64),
        "location": np.asarray(loc, dtype=np.float64),
        "quantity": np.asarray(qty, dtype=np.float64),
        "deadline": np.asarray(deadline, dtype=np.float64),
        "equity": np.asarray(equity, dtype=np.float64),
    }


def total(v: dict[str, np.ndarray]) -> np.ndarray:
    """Σ weight × part in the fixed order of ``PART_NAMES``, rounded to 0.1."""
    w = weight_vector()
    t = np.zeros(np.broadcast(*(v[n] for n in PART_NAMES)).shape)
    for k, name in enumerate(PART_NAMES):
        t = t + w[k] * v[name]
    return r1(t)


def max_total(category_value: float, item_bound: float) -> float:
    """The highest total a pair can reach with these category and item parts (every other part at 100),
    plus the rounding: a caller holding ``limit`` candidates all above it can skip the rest unread."""
    w = weight_vector()
    return w[0] * category_value + w[1] * item_bound + 100.0 * sum(w[2:]) + 0.1


# --- the order parts, per post or per pair (scalar, cached) ---------------------------------------
def known(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and not (lat == 0.0 and lon == 0.0)


@lru_cache(maxsize=65536)
def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=65536)
def nationwide(nlat: float, nlon: float, olat: float | None, olon: float | None) -> tuple[float, str, int]:
    """(value, kind, km) of a nationwide offer — kind one of nationwide, home, distance."""
    if not (known(olat, olon) and known(nlat, nlon)):
        return 50.0, "nationwide", 0
    d = distance_km(nlat, nlon, olat, olon)
    if d < 25.0:
        return 90.0, "home", 0
    return r1f(50.0 + 35.0 * max(0.0, 1.0 - d / 1000.0)), "distance", int(round(d / 10.0)) * 10


def location(need, offer) -> tuple[float, str, int]:
    """(value, kind, km) — kind one of province, outside, nationwide, home, distance."""
    if offer.provinces:
        return (100.0, "province", 0) if need.province_code in offer.provinces else (0.0, "outside", 0)
    return nationwide(need.latitude, need.longitude, offer.latitude, offer.longitude)


def quantity_value(n_rem: int, o_rem: int) -> float:
    if n_rem <= 0:
        return 0.0
    return r1f(100.0 * min(max(o_rem, 0), n_rem) / n_rem)


def days_left(needed_by: date | None, today: date) -> int | None:
    return None if needed_by is None else (needed_by - today).days


def deadline_value(urgency: str, days: int | None) -> float:
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
    return r1f(0.5 * u + 0.5 * t)


def equity_value(group: str) -> float:
    return EQUITY_SCORE.get(group, 50.0)

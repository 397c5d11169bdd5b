"""Eligibility (the hard filters, once), live suggestions for one need or one offer, and one pair's score.

An offer is suggested only when it is eligible and *relevant*: a related category, or a shared item
kind or item family. Among those, best first by band, then (for a need, when its school has an active
partner) the partner company's offers first within a band, then total, ties by id.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import numpy as np

from csr_hub.domain.matching import bands, parts, reasons
from csr_hub.domain.matching.views import Features, NeedView, OfferView, Score, features, shared_names
from csr_hub.domain.vocabulary import CATEGORY_INDEX, RELATED_CATEGORIES

_OTHER = CATEGORY_INDEX["other"]


# --- hard filters ---------------------------------------------------------------------------------
def offer_open(offer: OfferView, today: date) -> bool:
    return (
        offer.status == "open"
        and offer.remaining > 0
        and (offer.available_until is None or offer.available_until >= today)
    )


def need_open(need: NeedView) -> bool:
    return need.status == "open" and need.remaining > 0


def serves(offer: OfferView, province_code: str) -> bool:
    return not offer.provinces or province_code in offer.provinces


def eligible(need: NeedView, offer: OfferView, today: date) -> bool:
    """Hard filters: both open with something left, the offer not ended before today, and the
    offer serving the school's province (no provinces = nationwide). ``needed_by`` does not filter:
    an offer still open today can deliver before the school's date."""
    return need_open(need) and offer_open(offer, today) and serves(offer, need.province_code)


def relevant(n_cat: str, nf: Features, o_cat: str, of: Features) -> bool:
    if n_cat == o_cat or o_cat in RELATED_CATEGORIES.get(n_cat, ()):
        return True
    return bool(nf.items & of.items) or bool(nf.fams & of.fams)


# --- the pair features, then the one arithmetic (parts.values) ----------------------------------------
def pair_values(pairs: list[tuple[NeedView, Features, OfferView, Features]], today: date) -> dict:
    """Part values (arrays) for these pairs."""
    same, rel, led, sw, nw, ow, fam, nh, oh = [], [], [], [], [], [], [], [], []
    inter, nb, ob, loc, qty, dl, eq, cf = [], [], [], [], [], [], [], []
    per_need: dict[int, tuple] = {}
    related = RELATED_CATEGORIES
    nationwide = parts.nationwide
    for n, nf, o, of in pairs:
        consts = per_need.get(id(n))
        if consts is None:
            consts = per_need[id(n)] = (
                parts.deadline_value(n.urgency, parts.days_left(n.needed_by, today)),
                parts.equity_value(n.quality_group),
                CATEGORY_INDEX.get(n.category, _OTHER),
            )
        same.append(n.category == o.category)
        rel.append(o.category in related.get(n.category, ()))
        shared = nf.items & of.items
        if shared:
            nwts, owts = nf.weights, of.weights
            sw.append(sum(nwts[c] * owts[c] for c in shared))
            oi = CATEGORY_INDEX.get(o.category, _OTHER)
            led.append(bool((nf.allow >> oi) & 1) and bool((of.allow >> consts[2]) & 1))
            own, contra = nf.facet_own, of.facet_contra
            cf.append(sum(w * contra[t] for t, w in own.items() if t in contra) if own and contra else 0.0)
        else:
            sw.append(0.0)
            led.append(False)
            cf.append(0.0)
        nw.append(nf.weight_sum)
        ow.append(of.weight_sum)
        fam.append(not nf.fams.isdisjoint(of.fams))
        nh.append(bool(nf.items))
        oh.append(bool(of.items))
        # the neutral words for every pair; within one script, all words where their share is higher
        choice = (len(nf.neutral & of.neutral), len(nf.neutral), len(of.neutral))
        if nf.script == of.script:
            words = (len(nf.bag & of.bag), len(nf.bag), len(of.bag))
            if parts.prefer_words_one(*words, *choice):
                choice = words
        elif nf.names or of.names:  # across scripts, with the Latin words both write the same way
            k = len(shared_names(nf, of))
            choice = (choice[0] + k, choice[1] + k, choice[2] + k)
        inter.append(choice[0])
        nb.append(choice[1])
        ob.append(choice[2])
        if o.provinces:
            loc.append(100.0 if n.province_code in o.provinces else 0.0)
        else:
            loc.append(nationwide(n.latitude, n.longitude, o.latitude, o.longitude)[0])
        qty.append(parts.quantity_value(n.remaining, o.remaining))
        dl.append(consts[0])
        eq.append(consts[1])
    led_a = np.array(led, dtype=bool)
    same_a = np.array(same, dtype=bool)
    v = parts.values(
        same_cat=same_a,
        related_cat=np.array(rel, dtype=bool),
        item_led=led_a,
        shared_w=np.array(sw, dtype=np.float64),
        n_w=np.array(nw, dtype=np.float64),
        o_w=np.array(ow, dtype=np.float64),
        fam_overlap=np.array(fam, dtype=bool),
        n_has=np.array(nh, dtype=bool),
        o_has=np.array(oh, dtype=bool),
        inter=np.array(inter, dtype=np.float64),
        n_bag=np.array(nb, dtype=np.float64),
        o_bag=np.array(ob, dtype=np.float64),
        loc=np.array(loc, dtype=np.float64),
        qty=np.array(qty, dtype=np.float64),
        deadline=np.array(dl, dtype=np.float64),
        equity=np.array(eq, dtype=np.float64),
        conflict=np.array(cf, dtype=np.float64),
    )
    v["item_led"] = led_a & ~same_a
    return v


def _bags(nf: Features, of: Features) -> tuple[frozenset[str], frozenset[str]]:
    """What the text part compares (as ``pair_values`` chose): the neutral words, or within one script
    all content words where their overlap is the higher; across scripts the neutral words and the Latin
    words both posts write the same way."""
    if nf.script == of.script:
        words = (len(nf.bag & of.bag), len(nf.bag), len(of.bag))
        if parts.prefer_words_one(*words, len(nf.neutral & of.neutral), len(nf.neutral), len(of.neutral)):
            return nf.bag, of.bag
        return nf.neutral, of.neutral
    names = shared_names(nf, of)
    return nf.neutral | names, of.neutral | names


def explain(
    n: NeedView,
    nf: Features,
    o: OfferView,
    of: Features,
    v: dict,
    i,
    total: float,
    today: date,
    partner: bool = False,
) -> Score:
    """The Score of pair ``i`` of the value arrays ``v`` (``i`` an index, or a tuple of indices into 2-D
    arrays), with its reasons."""
    c = float(v["category"][i])
    item_led = bool(v["item_led"][i])
    lv, kind, km = parts.location(n, o)
    return Score(
        float(total),
        {
            "category": reasons.category(n.category, o.category, c, item_led),
            "item": reasons.item(nf.items, of.items, nf.head, of.head, float(v["item"][i])),
            "text": reasons.text(*_bags(nf, of), float(v["text"][i])),
            "location": reasons.location(lv, kind, km, partner),
            "quantity": reasons.quantity(n.remaining, o.remaining, float(v["quantity"][i])),
            "deadline": reasons.deadline(n.urgency, n.needed_by, today, float(v["deadline"][i])),
            "equity": reasons.equity(n.quality_group, float(v["equity"][i])),
        },
        bands.band_of(float(total)),
        partner,
    )


def score(need: NeedView, offer: OfferView, today: date) -> Score:
    """The 0–100 score of a pair with its seven explained parts (hard filters are not applied)."""
    nf, of = features(need), features(offer)
    v = pair_values([(need, nf, offer, of)], today)
    t = parts.total(v)
    return explain(need, nf, offer, of, v, 0, float(t[0]), today)


def _rank(totals: np.ndarray, ids: list[int], boost: np.ndarray | None, limit: int) -> list[int]:
    """Positions of the best ``limit``: band first, then the boost (partner), total, lower id."""
    band = np.array([bands.band_rank(bands.band_of(float(t))) for t in totals]) if boost is not None else None
    ids_a = np.asarray(ids)
    if boost is None:
        order = np.lexsort((ids_a, -totals))
    else:
        order = np.lexsort((ids_a, -totals, ~boost, band))
    return order[:limit].tolist()


def _scored(pairs: list, today: date, limit: int | None) -> tuple[dict, list]:
    """The part values of the pairs that can reach the best ``limit`` (all of them when ``limit`` is None):
    the pairs sharing an item kind or family are scored; of the others, only those whose highest possible
    total reaches the ``limit``-th best of them. The ranking is the one of all the pairs — a pair left out
    scores below ``limit`` others — on a fraction of the arithmetic (a need's page weighs about a thousand
    candidates at national size, most of them of a related category and no shared kind).

    A pair sharing no kind or family has its category part (same 100, related 50) and its item part (no
    kind on either side, one side's, or different kinds) known, its quantity part is cheap, the need's
    deadline and equity parts are the need's; text and location count at 100, and the rounding on top."""
    if limit is None or len(pairs) <= limit:
        return pair_values(pairs, today), pairs
    first, others = [], []
    for p in pairs:
        shares = not p[1].items.isdisjoint(p[3].items) or not p[1].fams.isdisjoint(p[3].fams)
        (first if shares else others).append(p)
    if len(first) < limit or not others:
        return pair_values(pairs, today), pairs
    v = pair_values(first, today)
    floor = float(np.sort(parts.total(v))[-limit])
    n, nf = pairs[0][0], pairs[0][1]
    w = parts.weight_vector()
    fixed = (
        100.0 * (w[2] + w[3])
        + w[5] * parts.deadline_value(n.urgency, parts.days_left(n.needed_by, today))
        + w[6] * parts.equity_value(n.quality_group)
        + 0.1
    )
    bound = parts.ITEM_BOUND
    item_of = {  # whether the offer names a kind -> the item part of a pair sharing none
        False: w[1] * (bound["one_side"] if nf.items else bound["none"]),
        True: w[1] * (bound["different"] if nf.items else bound["one_side"]),
    }
    same, related, rem = w[0] * 100.0, w[0] * 50.0, n.remaining
    rest = [
        p
        for p in others
        if (same if p[2].category == n.category else related)
        + item_of[bool(p[3].items)]
        + w[4] * parts.quantity_value(rem, p[2].remaining)
        + fixed
        >= floor
    ]
    if not rest:
        return v, first
    more = pair_values(rest, today)
    return {k: np.concatenate((v[k], more[k])) for k in v}, first + rest


def suggest_offers(
    need: NeedView,
    offers: Sequence[OfferView],
    today: date,
    limit: int = 10,
    partners: frozenset[int] = frozenset(),
) -> list[tuple[OfferView, Score]]:
    """Eligible, relevant offers for a need, best first (ties by offer id). ``partners``: company ids of
    the school's active partners — their offers come first within a band."""
    if not need_open(need) or limit <= 0:
        return []
    nf = features(need)
    pairs = []
    prov, n_cat = need.province_code, need.category
    related = RELATED_CATEGORIES.get(n_cat, frozenset()) | {n_cat}
    n_items, n_fams = nf.items, nf.fams
    for o in offers:
        if (
            o.status != "open"
            or o.remaining <= 0
            or (o.available_until is not None and o.available_until < today)
            or (o.provinces and prov not in o.provinces)
        ):
            continue
        of = features(o)
        if o.category in related or not n_items.isdisjoint(of.items) or not n_fams.isdisjoint(of.fams):
            pairs.append((need, nf, o, of))
    if not pairs:
        return []
    v, pairs = _scored(pairs, today, None if partners else limit)
    totals = parts.total(v)
    boost = None
    if partners:
        boost = np.array([p[2].company_id in partners for p in pairs], dtype=bool)
    top = _rank(totals, [p[2].id for p in pairs], boost, limit)
    out = []
    for i in top:
        _n, _nf, o, of = pairs[i]
        partner = bool(boost[i]) if boost is not None else False
        out.append((o, explain(need, nf, o, of, v, i, float(totals[i]), today, partner)))
    return out


def suggest_needs(
    offer: OfferView, needs: Sequence[NeedView], today: date, limit: int = 10
) -> list[tuple[NeedView, Score]]:
    """Eligible, relevant needs for an offer, best first (ties by need id)."""
    if not offer_open(offer, today) or limit <= 0:
        return []
    of = features(offer)
    pairs = []
    for n in needs:
        if not need_open(n) or not serves(offer, n.province_code):
            continue
        nf = features(n)
        if relevant(n.category, nf, offer.category, of):
            pairs.append((n, nf, offer, of))
    if not pairs:
        return []
    v = pair_values(pairs, today)
    totals = parts.total(v)
    top = _rank(totals, [p[0].id for p in pairs], None, limit)
    return [
        (pairs[i][0], explain(pairs[i][0], pairs[i][1], offer, of, v, i, float(totals[i]), today))
        for i in top
    ]

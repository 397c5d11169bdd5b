"""The reasons shown with each part, as a code with parameters and its Thai and English text.

Codes: ``same_category``, ``item_led_category``, ``related_category``, ``different_category``;
``same_item``, ``mentioned_item``, ``similar_item``, ``no_item``, ``one_side_item``, ``different_item``;
``shared_words``, ``no_words``; ``province``, ``outside``, ``home``, ``distance``, ``nationwide``
(each with ``partner`` added when the offer's company is the school's partner); ``covers``,
``nothing_left``; ``deadline``, ``no_date``, ``past_date``; ``stand_alone``, ``core``, ``merging``,
``no_group``. Parts are shared (flyweights): a batch keeps a million scores in memory.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from csr_hub.domain import vocabulary
from csr_hub.domain.matching.parts import days_left, weights
from csr_hub.domain.matching.views import Part
from csr_hub import labels
from csr_hub.domain.reference import format_date

_PARTS: dict[tuple, Part] = {}


def clear() -> None:
    _PARTS.clear()


def _put(key: tuple, value: float, th: str, en: str, code: str, params: tuple = ()) -> Part:
    if len(_PARTS) > 200_000:
        _PARTS.clear()
    p = _PARTS[key] = Part(float(value), weights()[key[0]], th, en, code, params)
    return p


def _cat_label(code: str) -> tuple[str, str]:
    return labels.both(labels.CATEGORIES, code)


def _names(codes: Iterable[str], limit: int = 3) -> tuple[str, str]:
    codes = sorted(codes)[:limit]
    names = [vocabulary.item_names(c) for c in codes]
    return ", ".join(n[0] for n in names), ", ".join(n[1] for n in names)


def category(n_cat: str, o_cat: str, v: float, item_led: bool) -> Part:
    key = ("category", n_cat, o_cat, v, item_led)
    p = _PARTS.get(key)
    if p is not None:
        return p
    (nth, nen), (oth, oen) = _cat_label(n_cat), _cat_label(o_cat)
    if n_cat == o_cat:
        return _put(key, v, f"หมวดเดียวกัน: {nth}", f"same category: {nen}", "same_category", (n_cat,))
    if item_led:
        return _put(
            key,
            v,
            f"ของชนิดเดียวกัน ลงไว้ต่างหมวด: {nth} / {oth}",
            f"same kind of item filed under another category: {nen} / {oen}",
            "item_led_category",
            (n_cat, o_cat),
        )
    if v > 0:
        return _put(
            key,
            v,
            f"หมวดใกล้เคียง: {nth} / {oth}",
            f"related categories: {nen} / {oen}",
            "related_category",
            (n_cat, o_cat),
        )
    return _put(
        key,
        v,
        f"ต่างหมวด: {nth} / {oth}",
        f"different categories: {nen} / {oen}",
        "different_category",
        (n_cat, o_cat),
    )


def item(
    n_items: frozenset[str], o_items: frozenset[str], n_head: frozenset, o_head: frozenset, v: float
) -> Part:
    key = ("item", n_items, o_items, v, n_head, o_head)
    p = _PARTS.get(key)
    if p is not None:
        return p
    shared = n_items & o_items
    head = shared & n_head & o_head
    if head:
        th, en = _names(head)
        return _put(key, v, f"ของตรงกัน: {th}", f"same item: {en}", "same_item", tuple(sorted(head)))
    if shared:
        th, en = _names(shared)
        return _put(
            key,
            v,
            f"กล่าวถึงของชนิดเดียวกันเพียงผ่าน ๆ: {th}",
            f"item mentioned in passing: {en}",
            "mentioned_item",
            tuple(sorted(shared)),
        )
    nf = frozenset(f for f in (vocabulary.family(c) for c in n_items) if f)
    of = frozenset(f for f in (vocabulary.family(c) for c in o_items) if f)
    if nf & of:
        fam = sorted(nf & of)[0]
        nth, nen = _names(c for c in n_items if vocabulary.family(c) == fam)
        oth, oen = _names(c for c in o_items if vocabulary.family(c) == fam)
        return _put(
            key, v, f"ของใกล้เคียงกัน: {nth} ~ {oth}", f"similar item: {nen} ~ {oen}", "similar_item", (fam,)
        )
    if not n_items and not o_items:
        return _put(
            key, v, "ไม่พบชนิดของที่ระบุชัดเจนทั้งสองฝ่าย", "no specific item recognised on either side", "no_item"
        )
    if not n_items or not o_items:
        th, en = _names(n_items or o_items)
        return _put(
            key,
            v,
            f"ระบุชนิดของเพียงฝ่ายเดียว: {th}",
            f"item named on one side only: {en}",
            "one_side_item",
            tuple(sorted(n_items or o_items)),
        )
    nth, nen = _names(n_items)
    oth, oen = _names(o_items)
    return _put(key, v, f"ของต่างกัน: {nth} กับ {oth}", f"different items: {nen} vs {oen}", "different_item")


def _word_label(w: str) -> tuple[str, str]:
    if vocabulary.is_concept(w):
        return vocabulary.concept_names(w)
    return w, w


def _word_rank(w: str) -> tuple:
    return (not w.startswith("c_"), -len(w), w)


def text(a: frozenset[str], b: frozenset[str], v: float) -> Part:
    shared = a & b
    if not shared:
        key = ("text", 0.0, ())
        p = _PARTS.get(key)
        return p if p is not None else _put(key, 0.0, "ไม่มีคำที่ตรงกัน", "no words in common", "no_words")
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
        "shared_words",
        top,
    )


_LOCATION = {
    "province": ("ส่งถึงจังหวัดของคุณ", "serves your province"),
    "outside": ("ไม่ส่งถึงจังหวัดของคุณ", "does not serve your province"),
    "home": ("ให้ได้ทั่วประเทศ และบริษัทอยู่ในจังหวัดของคุณ", "nationwide offer from a company in your province"),
    "nationwide": ("ให้ได้ทั่วประเทศ", "nationwide offer"),
}


def location(value: float, kind: str, km: int, partner: bool = False) -> Part:
    key = ("location", value, kind, km, partner)
    p = _PARTS.get(key)
    if p is not None:
        return p
    if kind == "distance":
        th, en = f"ให้ได้ทั่วประเทศ บริษัทอยู่ห่างประมาณ {km:,} กม.", f"nationwide offer, company about {km:,} km away"
    else:
        th, en = _LOCATION.get(kind, _LOCATION["nationwide"])
    if partner:
        th, en = f"บริษัทคู่พัฒนา (partner) ของโรงเรียน · {th}", f"partner: the school's partner company · {en}"
    return _put(key, value, th, en, kind, (km, partner) if kind == "distance" else (partner,))


def quantity(n_rem: int, o_rem: int, v: float) -> Part:
    cov = min(max(o_rem, 0), max(n_rem, 0))
    key = ("quantity", n_rem, cov)
    p = _PARTS.get(key)
    if p is not None:
        return p
    if n_rem <= 0:
        return _put(key, v, "ไม่มีจำนวนคงเหลือ", "nothing left to cover", "nothing_left")
    return _put(
        key, v, f"ครอบคลุม {cov:,} จาก {n_rem:,}", f"covers {cov:,} of {n_rem:,}", "covers", (cov, n_rem)
    )


def deadline(urgency: str, needed_by: date | None, today: date, v: float) -> Part:
    days = days_left(needed_by, today)
    key = ("deadline", urgency, needed_by, days)
    p = _PARTS.get(key)
    if p is not None:
        return p
    uth, uen = labels.both(labels.URGENCIES, urgency)
    if needed_by is None:
        return _put(
            key,
            v,
            f"ความเร่งด่วน: {uth} ไม่ระบุวันที่ต้องการ",
            f"urgency {uen.lower()}, no date given",
            "no_date",
            (urgency,),
        )
    if days < 0:
        return _put(
            key,
            v,
            f"ความเร่งด่วน: {uth} เลยวันที่ต้องการ ({format_date(needed_by, 'th')}) แล้ว",
            f"urgency {uen.lower()}, past the date needed ({format_date(needed_by, 'en')})",
            "past_date",
            (urgency, needed_by.isoformat()),
        )
    return _put(
        key,
        v,
        f"ความเร่งด่วน: {uth} ต้องการภายใน {format_date(needed_by, 'th')} (อีก {days} วัน)",
        f"urgency {uen.lower()}, needed by {format_date(needed_by, 'en')} (in {days} days)",
        "deadline",
        (urgency, needed_by.isoformat(), days),
    )


_EQUITY = {
    "stand_alone": ("โรงเรียนที่ต้องคงอยู่ได้รับลำดับสูงขึ้น", "stand-alone school ranks up"),
    "core": ("โรงเรียนคุณภาพ (แกนหลัก)", "core quality school"),
    "merging": ("โรงเรียนที่พร้อมรวม", "school preparing to merge"),
}


def equity(group: str, v: float) -> Part:
    key = ("equity", group)
    p = _PARTS.get(key)
    if p is not None:
        return p
    th, en = _EQUITY.get(group, ("ไม่ระบุกลุ่มโรงเรียน", "school group not given"))
    return _put(key, v, th, en, group if group in _EQUITY else "no_group")

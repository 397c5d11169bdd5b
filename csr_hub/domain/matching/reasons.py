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
from csr_hub.labels import _p
from csr_hub.domain.reference import format_date

_PARTS: dict[tuple, Part] = {}


def clear() -> None:
    _PARTS.clear()


def _put(key: tuple, value: float, th: str, en: str, code: str, params: tuple = ()) -> Part:
    if len(_PARTS) > 200_000:
        _PARTS.clear()
    p = _PARTS[key] = Part(float(value), weights()[key[0]], th, en, code, params)
    return p


def _say(key: tuple, value: float, entry: labels.Label, code: str, params: tuple = (), **words) -> Part:
    """A part whose reason is ``entry`` of the catalogue, said in Thai and English with ``words``."""
    th, en = labels.say_both(entry, **words)
    return _put(key, value, th, en, code, params)


def _cat(code: str) -> labels.Param:
    return labels.CATEGORIES.get(code, code)


def _names(codes: Iterable[str], limit: int = 3) -> labels.Param:
    """The item kinds' names (the vocabulary's own Thai and English), in the reason's language."""
    names = [vocabulary.item_names(c) for c in sorted(codes)[:limit]]
    return lambda lang: ", ".join(n[1] if lang == "en" else n[0] for n in names)


_R = {
    "same_category": _p("reason", "same category: {category}"),
    "item_led_category": _p("reason", "same kind of item filed under another category: {need} / {offer}"),
    "related_category": _p("reason", "related categories: {need} / {offer}"),
    "different_category": _p("reason", "different categories: {need} / {offer}"),
    "same_item": _p("reason", "same item: {items}"),
    "mentioned_item": _p("reason", "item mentioned in passing: {items}"),
    "similar_item": _p("reason", "similar item: {need} ~ {offer}"),
    "no_item": _p("reason", "no specific item recognised on either side"),
    "one_side_item": _p("reason", "item named on one side only: {items}"),
    "different_item": _p("reason", "different items: {need} vs {offer}"),
    "no_words": _p("reason", "no words in common"),
    "shared_words": _p("reason", "shared words: {words}"),
    "province": _p("reason", "serves your province"),
    "outside": _p("reason", "does not serve your province"),
    "home": _p("reason", "nationwide offer from a company in your province"),
    "nationwide": _p("reason", "nationwide offer"),
    "distance": _p("reason", "nationwide offer, company about {km:,} km away"),
    "partner": _p("reason", "partner: the school's partner company · {reason}"),
    "nothing_left": _p("reason", "nothing left to cover"),
    "covers": _p("reason", "covers {covered:,} of {remaining:,}"),
    "no_date": _p("reason", "urgency {urgency}, no date given"),
    "past_date": _p("reason", "urgency {urgency}, past the date needed ({date})"),
    "deadline": _p("reason", "urgency {urgency}, needed by {date} (in {days} days)"),
    "stand_alone": _p("reason", "stand-alone school ranks up"),
    "core": _p("reason", "core quality school"),
    "merging": _p("reason", "school preparing to merge"),
    "no_group": _p("reason", "school group not given"),
}


def category(n_cat: str, o_cat: str, v: float, item_led: bool) -> Part:
    key = ("category", n_cat, o_cat, v, item_led)
    p = _PARTS.get(key)
    if p is not None:
        return p
    if n_cat == o_cat:
        return _say(key, v, _R["same_category"], "same_category", (n_cat,), category=_cat(n_cat))
    code = "item_led_category" if item_led else "related_category" if v > 0 else "different_category"
    return _say(key, v, _R[code], code, (n_cat, o_cat), need=_cat(n_cat), offer=_cat(o_cat))


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
        return _say(key, v, _R["same_item"], "same_item", tuple(sorted(head)), items=_names(head))
    if shared:
        return _say(
            key, v, _R["mentioned_item"], "mentioned_item", tuple(sorted(shared)), items=_names(shared)
        )
    nf = frozenset(f for f in (vocabulary.family(c) for c in n_items) if f)
    of = frozenset(f for f in (vocabulary.family(c) for c in o_items) if f)
    if nf & of:
        fam = sorted(nf & of)[0]
        need = _names(c for c in n_items if vocabulary.family(c) == fam)
        offer = _names(c for c in o_items if vocabulary.family(c) == fam)
        return _say(key, v, _R["similar_item"], "similar_item", (fam,), need=need, offer=offer)
    if not n_items and not o_items:
        return _say(key, v, _R["no_item"], "no_item")
    if not n_items or not o_items:
        one = n_items or o_items
        return _say(key, v, _R["one_side_item"], "one_side_item", tuple(sorted(one)), items=_names(one))
    return _say(key, v, _R["different_item"], "different_item", need=_names(n_items), offer=_names(o_items))


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
        return p if p is not None else _say(key, 0.0, _R["no_words"], "no_words")
    top = tuple(sorted(shared, key=_word_rank)[:4]) if len(shared) > 1 else tuple(shared)
    key = ("text", v, top)
    p = _PARTS.get(key)
    if p is not None:
        return p
    names = [_word_label(w) for w in top]
    words = lambda lang: ", ".join(dict.fromkeys(x[1] if lang == "en" else x[0] for x in names))  # noqa: E731
    return _say(key, v, _R["shared_words"], "shared_words", top, words=words)


#: the location kinds that have a reason of their own (any other reads as nationwide)
_PLACES = frozenset({"province", "outside", "home", "nationwide", "distance"})


def location(value: float, kind: str, km: int, partner: bool = False) -> Part:
    key = ("location", value, kind, km, partner)
    p = _PARTS.get(key)
    if p is not None:
        return p
    said = _R[kind] if kind in _PLACES else _R["nationwide"]
    params = (km, partner) if kind == "distance" else (partner,)
    if partner:  # the partner's reason wraps the place's
        return _say(
            key, value, _R["partner"], kind, params, reason=lambda lang: labels.say(said, lang, km=km)
        )
    return _say(key, value, said, kind, params, km=km)


def quantity(n_rem: int, o_rem: int, v: float) -> Part:
    cov = min(max(o_rem, 0), max(n_rem, 0))
    key = ("quantity", n_rem, cov)
    p = _PARTS.get(key)
    if p is not None:
        return p
    if n_rem <= 0:
        return _say(key, v, _R["nothing_left"], "nothing_left")
    return _say(key, v, _R["covers"], "covers", (cov, n_rem), covered=cov, remaining=n_rem)


def deadline(urgency: str, needed_by: date | None, today: date, v: float) -> Part:
    days = days_left(needed_by, today)
    key = ("deadline", urgency, needed_by, days)
    p = _PARTS.get(key)
    if p is not None:
        return p
    said = lambda lang: labels.label(labels.URGENCIES, urgency, lang).lower()  # noqa: E731 (Thai has no case)
    if needed_by is None:
        return _say(key, v, _R["no_date"], "no_date", (urgency,), urgency=said)
    when = lambda lang: format_date(needed_by, lang)  # noqa: E731
    if days < 0:
        return _say(
            key, v, _R["past_date"], "past_date", (urgency, needed_by.isoformat()), urgency=said, date=when
        )
    params = (urgency, needed_by.isoformat(), days)
    return _say(key, v, _R["deadline"], "deadline", params, urgency=said, date=when, days=days)


def equity(group: str, v: float) -> Part:
    key = ("equity", group)
    p = _PARTS.get(key)
    if p is not None:
        return p
    code = group if group in ("stand_alone", "core", "merging") else "no_group"
    return _say(key, v, _R[code], code)

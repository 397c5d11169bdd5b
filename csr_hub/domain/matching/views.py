"""What the matcher reads: plain views of needs and offers, their per-post features (cached by the
stored strings), and the explained score it returns."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from csr_hub.domain import analysis, vocabulary
from csr_hub.domain import text as textmod
from csr_hub.domain.kept import Kept
from csr_hub.domain.vocabulary import category_mask, facets


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
    items: frozenset[str]  # item kinds stored at save time
    search: str  # the search column stored at save time
    status: str = "open"
    school_id: int | None = None


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
    company_id: int | None = None


@dataclass(frozen=True, slots=True)
class Part:
    score: float  # 0–100
    weight: float  # a fraction; the weights sum to 1
    reason_th: str
    reason_en: str
    #: the reason as a code and its parameters (``reasons.py`` lists the codes)
    code: str = ""
    params: tuple = ()


@dataclass(frozen=True, slots=True)
class Score:
    total: float  # 0–100, one decimal
    parts: dict[str, Part]  # keys: category item text location quantity deadline equity
    band: str = "weak"  # strong possible weak (bands.py)
    partner: bool = False  # the offer's company is the school's active partner
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """``{"score", "band", "parts": {name: {score, weight, reason_th, reason_en}}}`` for JSON."""
        return {
            "score": self.total,
            "band": self.band,
            "parts": {
                k: {"score": p.score, "weight": p.weight, "reason_th": p.reason_th, "reason_en": p.reason_en}
                for k, p in self.parts.items()
            },
        }


#: the weight from which an item kind counts as the head of the request (``roles``: 1 for the head, 0.3 for a
#: passing mention, times a fuzzy find's similarity)
HEAD_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Features:
    """What a post contributes to every pair, read once from its stored analysis."""

    items: frozenset[str]
    weights: dict[str, float]
    weight_sum: float
    fams: frozenset[str]
    bag: frozenset[str]
    #: the categories its head items may be filed under, as a bit mask (``vocabulary.category_mask``)
    allow: int
    #: the language-neutral words (concepts, item kinds, families): what text compares across scripts
    neutral: frozenset[str] = frozenset()
    #: "th" when its text is mostly Thai, else "en"
    script: str = "en"
    #: the item kinds that are the head of the request (weight ≥ 0.5)
    head: frozenset[str] = frozenset()
    #: whom or what size its items are for, and what contradicts that (``facet_rows``)
    facet_own: dict[str, float] = field(default_factory=dict)
    facet_contra: dict[str, float] = field(default_factory=dict)
    #: the Latin-script words of a Thai post (brands, models, acronyms: "Epson", "EB", "iPad", "IoT"), which
    #: an English post writes the same way: across scripts the text part counts those the two share
    names: frozenset[str] = frozenset()


def _stem(w: str) -> str:
    if w.isascii() and len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-3] + "y" if w.endswith("ies") and len(w) > 4 else w[:-1]
    return w


def bag(search: str) -> frozenset[str]:
    """Content words of a search column: tokens without filler words, plus concept codes."""
    sections = textmod.search_sections(search)
    toks, concepts = sections[1], sections[3]
    stop = vocabulary.stopwords()
    words = {_stem(t) for t in toks.split() if len(t) > 1 and not t.isdigit() and t not in stop}
    words.update(c for c in concepts.split() if c and "@" not in c)
    # interned: the same few thousand words recur across the cached posts (one copy of each per process)
    return frozenset(map(sys.intern, words))


def latin_names(words: frozenset[str]) -> frozenset[str]:
    """The Latin-script words among a post's content words that the vocabulary does not know (brands, models,
    acronyms): a word it knows ("classroom", "wifi") already counts through its concept or item kind."""
    return frozenset(
        w
        for w in words
        if w.isascii()
        and not w.startswith("c_")
        and not w.isdigit()
        and vocabulary.known_term(w) is None
        and not vocabulary.detect_concepts(w)
    )


def shared_names(a: Features, b: Features) -> frozenset[str]:
    """The words a pair written in two scripts shares as written: the Thai post's Latin words found in
    the other post (``names`` is empty for an English post)."""
    return (a.names & b.bag) | (b.names & a.bag)


def _facet_tokens(search: str) -> frozenset[str]:
    """The qualified item codes (``laptop@teachers``) a post's analysis stored with its concepts."""
    return frozenset(sys.intern(c) for c in textmod.search_sections(search)[3].split() if "@" in c)


def facet_rows(
    tokens: frozenset[str], weights: dict[str, float]
) -> tuple[dict[str, float], dict[str, float]]:
    """(what the post names, what contradicts it), both weighted by the item's weight: a need naming
    ``desks_chairs@teachers`` conflicts with an offer whose row of contradictions holds it (an offer of
    ``desks_chairs@students`` and not ``@teachers``). A need's value weighs 1 / the values it names of
    that dimension, so naming both teachers and students conflicts only half with an offer for one."""
    named: dict[tuple[str, str], set[str]] = {}
    for t in tokens:
        base, value = facets.split(t)
        dim = facets.DIMENSION_OF.get(value)
        if dim and base in weights:
            named.setdefault((base, dim), set()).add(value)
    own: dict[str, float] = {}
    contra: dict[str, float] = {}
    for (base, dim), values in named.items():
        w = weights[base]
        for value in values:
            own[sys.intern(facets.qualified(base, value))] = w / len(values)
        for value in facets.DIMENSIONS[dim]:
            if value not in values:
                contra[sys.intern(facets.qualified(base, value))] = w
    return own, contra


_THAI_CHARS = re.compile("[\u0e00-\u0e7f]")
_LATIN_CHARS = re.compile("[a-z]")


def script(search: str) -> str:
    norm = textmod.search_sections(search)[0]
    thai = len(_THAI_CHARS.findall(norm))
    latin = len(_LATIN_CHARS.findall(norm))
    return "th" if thai >= latin else "en"


@lru_cache(maxsize=65536)
def families(items: frozenset[str]) -> frozenset[str]:
    return frozenset(f for f in (vocabulary.family(c) for c in items) if f)


#: the features of the posts read most recently, keyed by their item kinds and a fingerprint of their
#: search column (its hash, length and ends: two columns alike in all four and different inside are not to
#: be met), so the column itself (1-2 KB a post) is not kept too
_KEPT: Kept[Features] = Kept(analysis.TEXT_CACHE)


def _features(items: frozenset[str], search: str) -> Features:
    key = (items, hash(search), len(search), search[:24], search[-24:])
    found = _KEPT.get(key)
    if found is None:
        found = _features_of(items, search)
        _KEPT.put((key, found))
    return found


def _features_of(items: frozenset[str], search: str) -> Features:
    stored = analysis.weights_of(search) if search else {}
    weights = {c: stored.get(c, 1.0) for c in items}
    head = [c for c, w in weights.items() if w >= HEAD_WEIGHT] or list(items)
    allow = category_mask(cat for c in head for cat in vocabulary.allowed_categories(c))
    b = bag(search)
    # across scripts the words cannot meet, but their concepts and item kinds can (the words of a
    # same-script pair carry the item terms too, so both kinds of pair are compared on the same footing)
    neutral = frozenset(w for w in b if w.startswith("c_")) | items | {f"family:{f}" for f in families(items)}
    own, contra = facet_rows(_facet_tokens(search), weights) if search else ({}, {})
    sc = script(search)
    return Features(
        items,
        weights,
        # what coverage counts: the head of the request (a passing mention does not make a request broader)
        sum(w for w in weights.values() if w >= HEAD_WEIGHT) or sum(weights.values()),
        families(items),
        b,
        allow,
        neutral,
        sc,
        frozenset(head),
        own,
        contra,
        latin_names(b) if sc == "th" else frozenset(),
    )


@lru_cache(maxsize=8192)
def _analysed(title: str, description: str) -> tuple[frozenset[str], str]:
    pa = analysis.analyse_post(title, description)
    return pa.analysis.items, pa.search


#: the features of the offer views scored last, by identity: a process's kept offer views (the snapshot of
#: every open offer) are weighed against need after need, and a view never changes (it is frozen)
_BY_VIEW: dict[int, tuple[OfferView, Features]] = {}
BY_VIEW_SIZE = 8192


def features(view: NeedView | OfferView) -> Features:
    """The features of a view; a post saved without its analysis is analysed here (and cached)."""
    hit = _BY_VIEW.get(id(view))
    if hit is not None and hit[0] is view:
        return hit[1]
    if view.items or view.search:
        found = _features(view.items, view.search)
    else:
        found = _features(*_analysed(view.title, view.description))
    if isinstance(view, OfferView):
        if len(_BY_VIEW) >= BY_VIEW_SIZE:
            _BY_VIEW.clear()
        _BY_VIEW[id(view)] = (view, found)  # the view held here: its id is not reused meanwhile
    return found


def clear_caches() -> None:
    """After a vocabulary change: features read the vocabulary (families, allowed categories)."""
    families.cache_clear()
    _KEPT.clear()
    _BY_VIEW.clear()
    _analysed.cache_clear()

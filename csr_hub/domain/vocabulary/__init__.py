"""The bilingual item vocabulary: data in ``csr_hub/data/vocabulary.json`` plus the terms central
officers add from the app (``install_extras``), and item-kind detection (``core.py``).

The package: ``categories`` (codes and neighbours), ``scan`` (matching form, longest-phrase scanner),
``core`` (the vocabulary and detection on word boundaries), ``roles`` (head of the request, negation),
``fuzzy`` (unseen spellings through rapidfuzz).
"""

from __future__ import annotations

import copy
import json
import threading
from functools import lru_cache
from importlib import resources
from typing import Iterable

from csr_hub.domain.text import normalise
from csr_hub.domain.vocabulary.categories import (
    CATEGORY_CODES,
    CATEGORY_INDEX,
    RELATED_CATEGORIES,
    category_mask,
    related_categories,
)
from csr_hub.domain.vocabulary.core import Analysis, Detection, Item, Vocabulary
from csr_hub.domain.vocabulary.scan import variants as _variants

__all__ = [
    "CATEGORY_CODES",
    "CATEGORY_INDEX",
    "RELATED_CATEGORIES",
    "Analysis",
    "Detection",
    "Item",
    "Vocabulary",
    "analyse",
    "category_mask",
    "detect_items",
    "related_categories",
]

#: the kinds of term an officer may add to an item kind (keys of an item in the data file)
TERM_KINDS = ("th", "en", "loanwords", "misspellings")

_lock = threading.Lock()
_extras: tuple[tuple[str, str, str], ...] = ()  # (item code, kind, term)
_generation = 0


@lru_cache(maxsize=1)
def base_data() -> dict:
    """The package's vocabulary file, parsed (never modified)."""
    text = resources.files("csr_hub").joinpath("data/vocabulary.json").read_text(encoding="utf-8")
    return json.loads(text)


def merged_data(extras: Iterable[tuple[str, str, str]] | None = None) -> dict:
    """The data file with the added terms merged in (what ``vocabulary export`` writes back)."""
    data = copy.deepcopy(base_data())
    by_code = {it["code"]: it for it in data["items"]}
    for code, kind, term in _extras if extras is None else extras:
        it = by_code.get(code)
        if it is None or kind not in TERM_KINDS:
            continue
        bucket = it.setdefault(kind, [])
        if term not in bucket:
            bucket.append(term)
    return data


def install_extras(extras: Iterable[tuple[str, str, str]]) -> bool:
    """Use these added terms from now on (the cached vocabulary and analyses are dropped when they
    change). Returns whether anything changed."""
    global _extras, _generation
    fresh = tuple(sorted(set(extras)))
    with _lock:
        if fresh == _extras:
            return False
        _extras = fresh
        _generation += 1
        invalidate()
    return True


def extras() -> tuple[tuple[str, str, str], ...]:
    return _extras


def invalidate() -> None:
    """Forget the built vocabulary and every cached analysis."""
    _vocab.cache_clear()
    _stopwords.cache_clear()
    _analyse.cache_clear()
    allowed_categories.cache_clear()


@lru_cache(maxsize=1)
def _vocab() -> Vocabulary:
    return Vocabulary(merged_data())


def vocab() -> Vocabulary:
    return _vocab()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = set(_vocab().stopwords)
    try:
        from pythainlp.corpus import thai_stopwords

        words |= {normalise(w) for w in thai_stopwords()}
    except Exception:  # pragma: no cover - the bundled list ships with pythainlp
        pass
    return frozenset(words)


@lru_cache(maxsize=8192)
def _analyse(norm: str, title_end: int | None) -> Analysis:
    return _vocab().analyse_norm(norm, title_end)


def analyse(text: str, title: str | None = None) -> Analysis:
    """Item kinds (with weights), concepts and tokens of a text; ``title`` (its head) goes first."""
    if title is None:
        return _analyse(normalise(text), None)
    nt, nd = normalise(title), normalise(text)
    norm = f"{nt} {nd}".strip() if nd else nt
    return _analyse(norm, len(nt))


def detect_items(text: str) -> frozenset[str]:
    """Item codes recognised in a text (Thai, English or both)."""
    return _analyse(normalise(text), None).items


def detect_concepts(text: str) -> frozenset[str]:
    return _analyse(normalise(text), None).concepts


def item(code: str) -> Item:
    """The item kind with this code (KeyError for an unknown code)."""
    return _vocab().items[code]


def items() -> tuple[Item, ...]:
    return tuple(_vocab().items.values())


def item_names(code: str) -> tuple[str, str]:
    """(Thai, English) name of an item kind; the code itself for one the vocabulary no longer has."""
    it = _vocab().items.get(code)
    return (it.name_th, it.name_en) if it else (code, code)


def family(code: str) -> str | None:
    it = _vocab().items.get(code)
    return it.family if it else None


@lru_cache(maxsize=4096)
def allowed_categories(code: str) -> tuple[str, ...]:
    """The categories a post about this item kind may be filed under: its own, the ones the data
    lists, and their neighbours."""
    it = _vocab().items.get(code)
    if it is None:
        return ()
    out = set(it.categories)
    out.add(it.category)
    out |= RELATED_CATEGORIES.get(it.category, frozenset())
    return tuple(c for c in CATEGORY_CODES if c in out)


def family_names(fam: str) -> tuple[str, str]:
    return _vocab().families.get(fam, (fam, fam))


def concept_names(code: str) -> tuple[str, str]:
    return _vocab().concepts.get(code, (code, code))


def is_concept(word: str) -> bool:
    return word in _vocab().concepts


def item_search_words(code: str) -> list[str]:
    """What the search column carries for an item kind: code, names, and its family's."""
    it = _vocab().items.get(code)
    if it is None:
        return [code]
    words = [code, normalise(it.name_th), normalise(it.name_en)]
    if it.family:
        th, en = family_names(it.family)
        words += [it.family, normalise(th), normalise(en)]
    return words


def is_stopword(token: str) -> bool:
    return token in _stopwords()


def stopwords() -> frozenset[str]:
    return _stopwords()


def query_codes(norm: str) -> tuple[list[str], str, list[tuple[str, ...]]]:
    """(codes of the query's vocabulary phrases, the rest of the text, alternatives of ambiguous words)."""
    d = _vocab().detect(norm)
    codes, rest = d.query_codes()
    return codes, rest, d.alternatives


def known_term(term: str) -> str | None:
    """The item code a term already belongs to (exactly, in matching form), if any."""
    v = _vocab()
    for f in _variants(term):
        for ent in v.item_scanner.entries.get(f, ()):
            if ent[0] == "item":
                return ent[1]
    return None

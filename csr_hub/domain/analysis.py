"""A post's analysis, done once when it is saved: the stored search column and its item kinds.

``search_column`` = ``normalised text | newmm tokens | item kinds (code, Thai and English names,
family) | concepts | item weights``. ``LIKE '%คอม%'`` finds a Thai post by substring, ``laptop`` finds
a Thai post about โน้ตบุ๊ก through its item kind, and the matcher reads tokens, concepts and item
weights back from it (never tokenising per pair). Text is tokenised once, with the vocabulary's
terms in the tokeniser's dictionary, and those tokens serve both detection and the column.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from csr_hub.domain import text as textmod
from csr_hub.domain import vocabulary
from csr_hub.domain.text import SECTION, normalise


@dataclass(frozen=True)
class PostAnalysis:
    search: str  # the search column
    item_kinds: str  # item codes, space-separated, sorted
    analysis: vocabulary.Analysis


def _weights_part(weights: dict[str, float]) -> str:
    return " ".join(f"{c}={w:.2f}" for c, w in sorted(weights.items()) if w < 0.995)


@lru_cache(maxsize=8192)
def analyse_post(title: str, description: str) -> PostAnalysis:
    """The search column and item kinds stored with a post (deterministic)."""
    found = vocabulary.analyse(description or "", title=title or "")
    nt, nd = normalise(title or ""), normalise(description or "")
    norm = f"{nt} {nd}".strip()
    item_words: list[str] = []
    for code in sorted(found.items):
        item_words.extend(vocabulary.item_search_words(code))
    seen: set[str] = set()
    item_part = " ".join(w for w in item_words if not (w in seen or seen.add(w)))
    search = SECTION.join(
        (
            norm,
            " ".join(found.tokens),
            item_part,
            " ".join(sorted(found.concepts)),
            _weights_part(found.weights),
        )
    ).rstrip(" |")
    return PostAnalysis(search, " ".join(sorted(found.items)), found)


def search_text(*texts: str) -> str:
    """The search column of a post (title first, then the description)."""
    texts = tuple(t for t in texts if t is not None)
    title = texts[0] if texts else ""
    rest = "\n".join(t for t in texts[1:] if t)
    return analyse_post(title, rest).search


#: how many posts' features ``matching/views.py`` keeps: every open offer in the country (5,000) and the
#: needs read most recently. Each entry is ~3 KB (their words interned, the search column itself not
#: kept), so the bound holds a worker's cache near 35 MB; at 32,768-65,536 entries the caches reached
#: ~150 MB at national size (48,896 distinct texts), most of a worker's memory past the 300 MB target.
TEXT_CACHE = 12288


def weights_of(search: str) -> dict[str, float]:
    """Item weights stored in a search column (an item not listed weighs 1)."""
    part = textmod.search_sections(search)[4]
    out = {}
    for pair in part.split():
        code, _, w = pair.partition("=")
        try:
            out[sys.intern(code)] = float(w)
        except ValueError:
            continue
    return out


def query_terms(q: str) -> list[str | tuple[str, ...]]:
    """Terms to AND together with ``LIKE`` on the search column, for a user's free-text query.

    Vocabulary phrases become their item-kind or concept code (โน้ตบุ๊ก → ``laptop``, ซ่อม →
    ``c_repair``), so a Thai query finds English posts and the reverse; unseen spellings go through
    the same fuzzy look-up as posts ("labtop" → ``laptop``); an ambiguous word with no context is a
    tuple of alternatives (``notebook`` → laptop, exercise book or the word itself: any matches); the rest is split
    into newmm tokens; filler words, and counts beside a known word, are dropped unless nothing else is left. Order is kept,
    duplicates removed.
    """
    norm = normalise(q)
    if not norm:
        return []
    codes, rest, alternatives = vocabulary.query_codes(norm)
    # the posts' own tokeniser (the vocabulary's dictionary), so a query word splits as the posts' did
    words = [t for t in textmod.tokens(rest, vocabulary.vocab().trie()) if len(t) > 1 or t.isdigit()]
    # beside an item or a concept, a count ("20 เครื่อง", "laptop 20") says how many, not what: no post must
    # contain it (a model number with no known word beside it, "EB-X51", stays)
    content = [w for w in words if not vocabulary.is_stopword(w) and not (codes and w.isdigit())]
    out: list[str | tuple[str, ...]] = []
    for alts in alternatives:
        alts = tuple(a for a in alts if a not in codes)
        if alts and alts not in out:
            out.append(alts)
    for term in codes + (content if (content or codes or alternatives) else words):
        if term not in out:
            out.append(term)
    # a query that is one item word also finds the posts that write it inside a longer kind's name
    # ("อินเทอร์เน็ต" finds "อินเทอร์เน็ตดาวเทียม", a satellite-internet offer; "internet" finds "satellite
    # internet"): the word as typed is an alternative to its kind — a long Thai word anywhere, a Latin one
    # as a whole word (a short or Latin word inside another word is no mention: "นม" in "นักเรียนมี")
    typed = norm.strip()
    if len(out) == 1 and isinstance(out[0], str) and not words and vocabulary.known_term(typed) == out[0]:
        if typed.isascii() and len(typed) >= 4:
            out[0] = (out[0], f" {typed} ")
        elif not typed.isascii() and len(typed) >= 4 and " " not in typed:
            out[0] = (out[0], typed)
    return out

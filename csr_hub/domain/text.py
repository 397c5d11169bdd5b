"""Thai/English text: normalisation, newmm tokens with their offsets, the search column's sections.

Never use ``rapidfuzz.utils.default_process`` on Thai: it deletes vowels and tone marks
(ซ่อมบ้านพักครู → "ซ อมบ านพ กคร"). ``normalise`` keeps the whole Thai block instead.

This module knows no vocabulary (``domain/vocabulary`` imports it, never the reverse); the search
column is written by ``domain/analysis.py``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

#: separates the parts of a search column: text | tokens | item kinds | concepts | weighted items.
#: ``normalise`` never produces it, so a user's query term can never match across parts.
SECTION = " | "
#: the sections of a search column, in order
SECTIONS = 5

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Invisible characters that people paste inside Thai words: delete, never turn into a space.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")


def _keep(ch: str) -> bool:
    o = ord(ch)
    if 0x0E00 <= o <= 0x0E7F:
        return True
    if ch.isascii():
        return ch.isalnum()
    # Latin letters with diacritics (café, naïve) stay; other scripts and symbols go.
    return o < 0x0250 and ch.isalpha()


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFC, case-fold, Thai digits as ASCII, keep Thai/Latin letters and digits, everything else a space.

    Thai vowels and tone marks are kept (ซ่อมบ้านพักครู stays ซ่อมบ้านพักครู). Two common typing
    habits are repaired: เ+เ typed for แ, and nikhahit + sara aa (ํา) typed for sara am (ำ).
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFC", text).translate(_INVISIBLE).casefold()
    s = s.replace("เเ", "แ").replace("\u0e4d\u0e32", "\u0e33").translate(_THAI_DIGITS)
    s = "".join(ch if _keep(ch) else " " for ch in s)
    return _SPACES.sub(" ", s).strip()


def is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def segment(normalised: str, trie: Any = None) -> tuple[str, ...]:
    """newmm tokens of an already normalised text, whitespace tokens kept (they concatenate back to it).

    ``trie`` is the tokeniser's dictionary (a ``WordTrie`` of the default dictionary plus the vocabulary's
    terms, built by ``domain/vocabulary``), so the vocabulary's terms come out as whole words.
    """
    if not normalised:
        return ()
    from pythainlp.tokenize import word_tokenize  # imported late: loading the dictionary takes ~0.5 s

    if trie is None:
        return tuple(word_tokenize(normalised, engine="newmm"))
    return tuple(word_tokenize(normalised, custom_dict=trie, engine="newmm"))


@lru_cache(maxsize=4096)
def _tokens(normalised: str, trie: Any = None) -> tuple[str, ...]:
    return tuple(t for t in (w.strip() for w in segment(normalised, trie)) if t)


def tokens(text: str, trie: Any = None) -> list[str]:
    """PyThaiNLP ``newmm`` tokens of the normalised text, without whitespace; ``trie``: the dictionary
    (PyThaiNLP's default without one — the app passes the vocabulary's, so that the default's own copy,
    ~70 MB per process, is never loaded)."""
    return list(_tokens(normalise(text), trie))


def boundaries(pieces: tuple[str, ...]) -> tuple[frozenset[int], frozenset[int]]:
    """(start offsets, end offsets) of the tokens in the text they concatenate to."""
    starts, ends = set(), set()
    at = 0
    for p in pieces:
        starts.add(at)
        at += len(p)
        ends.add(at)
    return frozenset(starts), frozenset(ends)


def search_sections(search: str) -> tuple[str, ...]:
    """Split a stored search column back into its five parts (missing parts are empty)."""
    parts = search.split(SECTION)
    if len(parts) == 1:  # not written by analysis.search_column: treat it all as plain text and tokens
        return (parts[0], parts[0]) + ("",) * (SECTIONS - 2)
    parts += [""] * (SECTIONS - len(parts))
    return tuple(parts[:SECTIONS])


class WordTrie:
    """The tokeniser's dictionary for ``segment``: the part of PyThaiNLP's ``Trie`` that newmm uses, over
    a MARISA trie.

    PyThaiNLP's own ``Trie`` keeps a Python object per letter (about 65 MB for its 62,000 words, in every
    worker); the MARISA trie holds the same words in about 2 MB and answers newmm's one question (which
    words start at this position, shortest first) in C. Built once: a changed vocabulary builds a new one.
    """

    __slots__ = ("_marisa", "_longest", "_count")

    def __init__(self, words: Any) -> None:
        import marisa_trie

        kept = {w.strip() for w in words} - {""}
        self._marisa = marisa_trie.Trie(kept)
        self._longest = max(map(len, kept), default=0)
        self._count = len(kept)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        return self._marisa.prefixes(text[start : start + self._longest])  # shortest first, as newmm expects

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._marisa

    def __iter__(self):
        return iter(self._marisa.keys())

    def __len__(self) -> int:
        return self._count

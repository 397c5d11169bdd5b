"""TEMPORARY minimal text helpers (the matcher work replaces this file)."""
from __future__ import annotations

import re
import unicodedata

from pythainlp.tokenize import word_tokenize

_KEEP = re.compile(r"[^0-9a-z\u0e00-\u0e7f]+")


def normalise(text: str) -> str:
    return _KEEP.sub(" ", unicodedata.normalize("NFC", text or "").casefold()).strip()


def tokens(text: str) -> list[str]:
    return [t for t in word_tokenize(normalise(text), engine="newmm", keep_whitespace=False) if t.strip()]


def search_text(*texts: str) -> str:
    norm = normalise(" ".join(texts))
    return norm + " " + " ".join(tokens(norm))


def query_terms(q: str) -> list[str]:
    return tokens(q)

"""Thai/English text: normalisation, newmm tokens, the stored search column and search-query terms.

Never use ``rapidfuzz.utils.default_process`` on Thai: it deletes vowels and tone marks
(ซ่อมบ้านพักครู → "ซ อมบ านพ กคร"). ``normalise`` keeps the whole Thai block instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: separates the parts of a search column: text | tokens | item kinds | concepts.
#: ``normalise`` never produces it, so a user's query term can never match across parts.
SECTION = " | "

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


@lru_cache(maxsize=4096)
def _tokens(normalised: str) -> tuple[str, ...]:
    if not normalised:
        return ()
    from pythainlp.tokenize import word_tokenize  # imported late: loading the dictionary takes ~0.5 s

    return tuple(t for t in (w.strip() for w in word_tokenize(normalised, engine="newmm")) if t)


def tokens(text: str) -> list[str]:
    """PyThaiNLP ``newmm`` tokens of the normalised text, without whitespace tokens."""
    return list(_tokens(normalise(text)))


def search_text(*texts: str) -> str:
    """The search column written when a post is saved (deterministic).

    ``normalised text | newmm tokens | item kinds (code, Thai and English names, family) | concepts``:
    ``LIKE '%คอม%'`` finds a Thai post by substring, ``laptop`` finds a Thai post about โน้ตบุ๊ก
    through its item kind, and the matcher reads tokens and concepts back from it.
    """
    from csr_hub.domain import vocabulary

    joined = "\n".join(t for t in texts if t)
    norm = normalise(joined)
    toks = _tokens(norm)
    found = vocabulary.analyse(joined)
    item_words: list[str] = []
    for code in sorted(found.items):
        item_words.extend(vocabulary.item_search_words(code))
    seen: set[str] = set()
    item_part = " ".join(w for w in item_words if not (w in seen or seen.add(w)))
    return SECTION.join((norm, " ".join(toks), item_part, " ".join(sorted(found.concepts)))).rstrip(" |")


def search_sections(search: str) -> tuple[str, str, str, str]:
    """Split a stored search column back into its four parts (missing parts are empty)."""
    parts = search.split(SECTION)
    if len(parts) == 1:  # not written by search_text: treat it all as plain text and tokens
        return parts[0], parts[0], "", ""
    parts += [""] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


def query_terms(q: str) -> list[str]:
    """Terms to AND together with ``LIKE`` on the search column, for a user's free-text query.

    Vocabulary phrases become their item-kind or concept code (โน้ตบุ๊ก → ``laptop``, ซ่อม →
    ``c_repair``), so a Thai query finds English posts and the reverse; the rest is split into
    newmm tokens; filler words are dropped unless nothing else is left. Order is kept, duplicates
    removed.
    """
    from csr_hub.domain import vocabulary

    norm = normalise(q)
    if not norm:
        return []
    codes, rest = vocabulary.query_codes(norm)
    words = [t for t in _tokens(rest) if len(t) > 1 or t.isdigit()]
    content = [w for w in words if not vocabulary.is_stopword(w)]
    out: list[str] = []
    for term in codes + (content if (content or codes) else words):
        if term not in out:
            out.append(term)
    return out

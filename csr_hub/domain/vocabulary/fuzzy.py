"""Unseen spellings: words the scanner did not recognise looked up fuzzily among the vocabulary's terms.

``rapidfuzz.process.extract`` with ``fuzz.ratio`` against the terms' matching forms; both sides are put
in matching form first (``scan.form``: our Thai-safe normalisation — never rapidfuzz's
``default_process``, which deletes Thai vowels), so ``processor=None``. The similarity (0–1) is the
hit's confidence and multiplies the item's weight in the score.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from csr_hub.domain.text import is_thai

#: the lowest similarity (0–100) that counts, by script; short words are never looked up
THAI_CUTOFF = 80.0
#: a phrase made only of dictionary words is more likely meant as written: it must be closer
THAI_KNOWN_CUTOFF = 90.0
LATIN_CUTOFF = 85.0
MIN_LEN = 5
LATIN_MIN_LEN = 6
MAX_WINDOW = 4
#: what the words a phrase does not share whole with a term must reach against the rest of the term
#: (a misspelling edits letters inside a word; it does not swap one word for another)
REST_CUTOFF = 75.0
LATIN_REST_CUTOFF = 84.0

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}


def _adjacent(a: str, b: str) -> bool:
    pa, pb = _KEY.get(a), _KEY.get(b)
    return pa is not None and pb is not None and abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def plausible_typo(query: str, term: str) -> bool:
    """A Latin word is a slip of the keys for a term when it keeps the first letter and any letter it
    swaps for another is a neighbour on the keyboard ("lsptop"); a real word one letter from a term
    ("commuter", "printing", "brought") is meant as written."""
    if not query or not term or query[0] != term[0]:
        return False
    ops = Levenshtein.editops(query, term)
    return not any(op == "replace" and not _adjacent(query[i], term[j]) for op, i, j in ops)


def _singular(w: str) -> str:
    return w[:-1] if w.isascii() and len(w) > 3 and w.endswith("s") else w


def edits_inside_words(query: str, term: str, parts: tuple[str, ...]) -> bool:
    """Whether ``query`` (made of the tokens ``parts``) differs from ``term`` only inside its words:
    the tokens it shares whole with the term taken out of both, what is left of each must still be
    alike. "นักเรียนม" is no misspelling of "เป้นักเรียน", "teachers were" none of "teacher welfare",
    "ห้องเรียนป" none of "แอร์ห้องเรียน"; "fire extinguser" is one of "fire extinguisher"."""
    if len(parts) < 2:
        return not query.isascii() or plausible_typo(query, term)
    if query.isascii():
        rest_t = term.split()
        rest_q = []
        for w in parts:
            for cand in (w, _singular(w)):
                hit = next((k for k, t in enumerate(rest_t) if t == cand or _singular(t) == cand), None)
                if hit is not None:
                    del rest_t[hit]
                    break
            else:
                rest_q.append(w)
        if len(rest_q) == len(parts):
            return True
        a, b = " ".join(rest_q), " ".join(rest_t)
        return bool(a) and bool(b) and fuzz.ratio(a, b) >= LATIN_REST_CUTOFF and plausible_typo(a, b)
    else:
        rest = term
        left = []
        for w in parts:
            if len(w) >= 2 and w in rest:
                rest = rest.replace(w, "", 1)
            else:
                left.append(w)
        if len(left) == len(parts):
            return True
        a, b = "".join(left), rest
    return bool(a) and bool(b) and fuzz.ratio(a, b) >= REST_CUTOFF


class FuzzyIndex:
    def __init__(self, terms: dict[str, str], weak: frozenset[str] = frozenset()):
        """``terms``: matching form → item code; ``weak``: those of them that are generic ("weak") terms."""
        self.thai = [t for t in terms if any(is_thai(c) for c in t)]
        self.latin = [t for t in terms if t.isascii()]
        self.code = terms
        self.weak = weak

    def lookup(
        self, query: str, known: bool = False, parts: tuple[str, ...] = ()
    ) -> tuple[str, float, str] | None:
        """(item code, confidence 0–1, the term it resembles) or None; ``known``: the phrase is made of
        dictionary words only; ``parts``: its tokens (``edits_inside_words``)."""
        thai = any(is_thai(c) for c in query)
        if len(query) < (MIN_LEN if thai else LATIN_MIN_LEN):
            return None
        choices = self.thai if thai else self.latin
        cutoff = (THAI_KNOWN_CUTOFF if known else THAI_CUTOFF) if thai else LATIN_CUTOFF
        found = process.extract(
            query, choices, scorer=fuzz.ratio, processor=None, limit=3, score_cutoff=cutoff
        )
        # a misspelling is an edit of the whole term: a phrase that merely contains the term, or that the
        # term contains ("learning" in "elearning", "wall mounted" in "wall mounted fan"), is not one
        n_words = query.count(" ")
        found = [
            f
            for f in found
            if f[0] not in query
            and query not in f[0]
            and (thai or f[0].count(" ") == n_words)
            and edits_inside_words(query, f[0], parts)
        ]
        if not found:
            return None
        best = max(found, key=lambda f: (f[1], -abs(len(f[0]) - len(query)), f[0]))
        return self.code[best[0]], best[1] / 100.0, best[0]


def windows(
    spans: list[tuple[int, int, str]], covered, skip, stop=lambda f: False
) -> list[tuple[int, int, str, bool, tuple[str, ...]]]:
    """Candidate phrases: 1–3 consecutive uncovered tokens of one script, joined, as (start, end, form,
    whether every token is a known word, the tokens).

    ``spans`` are the tokens (start, end, matching form) in order; ``covered(s, e)`` says a recognised
    term overlaps; ``skip(form)`` says a token is a known word (a lone known word is not a
    misspelling; a phrase of known words only must resemble a term more closely); ``stop(form)`` says a
    token is a filler word, which no phrase starts at or crosses ("สนามโรงเรียน" is not "นมโรงเรียน")."""
    out = []
    n = len(spans)
    for i in range(n):
        s0, e0, f0 = spans[i]
        if not f0 or covered(s0, e0) or stop(f0):
            continue
        script = is_thai(f0[0])
        text = f0
        end = e0
        known = skip(f0)
        parts = [f0]
        for j in range(i, min(n, i + MAX_WINDOW)):
            if j > i:
                s, e, f = spans[j]
                if (
                    not f
                    or covered(s, e)
                    or stop(f)
                    or is_thai(f[0]) != script
                    or s != end + (0 if script else 1)
                ):
                    break
                text = text + ("" if script else " ") + f
                parts.append(f)
                end = e
                known = known and skip(f)
            if j == i and known:
                continue
            if len(text) >= MIN_LEN:
                out.append((s0, end, text, known, tuple(parts)))
    return out

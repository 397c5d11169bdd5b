"""The matching form of a text and the longest-phrase scanner (Latin word boundaries; Thai word
boundaries are checked by the caller against the newmm tokens)."""

from __future__ import annotations

import re
from typing import Iterable

from csr_hub.domain.text import normalise

_FOLD = {
    ord("\u0e47"): None,
    ord("\u0e4c"): None,
    ord("\u0e4b"): None,
    ord("\u0e3a"): None,
    ord("\u0e4a"): "\u0e49",
}  # ็ ์ ๋ ฺ dropped, ๊ read as ้: loanwords are spelt every way
_LATIN = re.compile(r"[a-z]")
#: words Thai posts write short (รร. / ร.ร. for โรงเรียน, นร. for นักเรียน): a term holding one also
#: matches with the short form
THAI_SHORT = (("โรงเรียน", "รร"), ("นักเรียน", "นร"))
_ALNUM = re.compile(r"[a-z0-9]")


def match_form(norm: str) -> tuple[str, list[int]]:
    """Drop spaces except between two Latin letters/digits, fold diacritics; keep an index map."""
    out: list[str] = []
    where: list[int] = []
    n = len(norm)
    for i, ch in enumerate(norm):
        if ch == " ":
            if 0 < i < n - 1 and _ALNUM.match(norm[i - 1]) and _ALNUM.match(norm[i + 1]):
                out.append(" ")
                where.append(i)
            continue
        f = _FOLD.get(ord(ch), ch)
        if f is None:
            continue
        out.append(f)
        where.append(i)
    return "".join(out), where


def form(term: str) -> str:
    """The matching form of a vocabulary term."""
    return match_form(normalise(term))[0]


def variants(term: str) -> set[str]:
    """The matching forms of a data term: plural s/es/ies of a Latin last word, closed compounds."""
    f = form(term)
    if not f:
        return set()
    out = {f}
    for word, short in THAI_SHORT:  # "เว็บไซต์รร." for เว็บไซต์โรงเรียน (normalising drops the dots)
        if word in f:
            out.add(f.replace(word, short))
    if re.fullmatch(r"[a-z0-9 ]+", f) and _LATIN.match(f[-1]) and len(f) > 2:
        if f.endswith("y") and len(f) > 3 and f[-2] not in "aeiou":
            out.add(f[:-1] + "ies")
        elif f.endswith(("s", "x", "ch", "sh")):
            out.add(f + "es")
        else:
            out.add(f + "s")
        words = f.split(" ")
        if len(words) > 1 and len(f) >= 7:
            out |= {v.replace(" ", "") for v in list(out)}
    return out


_TONES = "\u0e48\u0e49\u0e4a\u0e4b"
#: the shortest matching form whose slips of a tone mark are read as the word ("ญี่ปุน" for ญี่ปุ่น)
TONE_SLIP_MIN = 5


def tone_slips(f: str) -> set[str]:
    """A Thai form with one of its tone marks left out, the commonest slip in typed Thai."""
    if len(f) < TONE_SLIP_MIN or not any(ch in _TONES for ch in f):
        return set()
    return {f[:i] + f[i + 1 :] for i, ch in enumerate(f) if ch in _TONES}


def trie_regex(words: Iterable[str]) -> str:
    """A regex that matches the longest of ``words`` at a position (greedy optional tails)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?" if len(alts) > 1 or len(alts[0]) > 1 else body + "?"
        return body

    return build(trie)


def bounded(mt: str, s: int, e: int) -> bool:
    """Latin letters and digits may not continue a match on either side."""
    first, last = mt[s], mt[e - 1]
    if s > 0:
        prev = mt[s - 1]
        if first.isascii() and first.isalpha() and prev.isascii() and prev.isalpha():
            return False
        if first.isdigit() and prev.isascii() and prev.isalnum():
            return False
    if e < len(mt):
        nxt = mt[e]
        if last.isascii() and last.isalpha() and nxt.isascii() and nxt.isalpha():
            return False
        if last.isdigit() and nxt.isascii() and nxt.isdigit():
            return False
    return True


class Scanner:
    """Longest, non-overlapping phrase matches that pass ``ok(start, end)`` (word boundaries)."""

    def __init__(self, entries: dict[str, list[tuple]]):
        self.entries = entries
        words = sorted(entries)
        self.rx = re.compile("(?=(" + trie_regex(words) + "))") if words else None

    def scan(self, mt: str, ok=None) -> list[tuple[int, int, str]]:
        if self.rx is None or not mt:
            return []
        cands = []
        for m in self.rx.finditer(mt):
            word = m.group(1)
            if not word:
                continue
            s = m.start()
            # the longest form at s may cross a word boundary, or lose to a longer one that overlaps it
            # ("cpr training for teachers": "training for teachers" takes "training"): the shorter forms
            # it contains are candidates too, each taken only where nothing longer was
            for e in range(s + len(word), s, -1):
                w = mt[s:e]
                if w in self.entries and bounded(mt, s, e) and (ok is None or ok(s, e)):
                    cands.append((s, e, w))
        cands.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken: list[tuple[int, int, str]] = []
        used = bytearray(len(mt))
        for s, e, w in cands:
            if any(used[s:e]):
                continue
            used[s:e] = b"\x01" * (e - s)
            taken.append((s, e, w))
        taken.sort()
        return taken


def context_rx(words: Iterable[str]) -> re.Pattern:
    parts = []
    for w in sorted({form(w) for w in words} - {""}):
        if re.fullmatch(r"[a-z0-9 ]+", w):
            parts.append(r"(?<![a-z])" + re.escape(w) + r"s?(?![a-z])")
        else:
            parts.append(re.escape(w))
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")

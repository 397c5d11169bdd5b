"""The bilingual item vocabulary (data in ``csr_hub/data/vocabulary.json``) and item-kind detection.

Detection works on the normalised text with Thai spacing removed and loanword diacritics folded,
takes the longest phrase at each place (จอโปรเจกเตอร์ is a screen, not a projector), checks word
boundaries for Latin terms, and then:

- resolves ambiguous words from context ("notebook" is a laptop next to "RAM", a สมุด next to "pencils");
- builds items from concepts found close together, in either language ("repair" + "teachers'
  quarters" → ``teacher_house_repair``);
- keeps a *weak* (generic) match only when nothing more specific explains it: "คอมพิวเตอร์" alone
  is a computer, but in "โต๊ะคอมพิวเตอร์" or "router for internet access" it only describes the
  thing next to it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

from csr_hub.domain.text import normalise

#: Categories a post may be filed under by one side while the other side chose the neighbour
#: (a school files air-conditioning under facilities, a company under devices). Symmetric;
#: ``other`` is related to every category.
_RELATED_PAIRS = (
    ("devices", "internet"),
    ("devices", "learning_materials"),
    ("devices", "facilities"),
    ("devices", "teaching_support"),
    ("internet", "facilities"),
    ("internet", "learning_materials"),
    ("teacher_housing", "facilities"),
    ("teacher_housing", "teacher_welfare"),
    ("teacher_welfare", "teaching_support"),
    ("teaching_support", "learning_materials"),
    ("learning_materials", "student_welfare"),
    ("facilities", "student_welfare"),
    ("facilities", "safety"),
    ("student_welfare", "safety"),
    ("student_welfare", "teacher_welfare"),
)
CATEGORY_CODES = (
    "devices",
    "internet",
    "teacher_housing",
    "teacher_welfare",
    "teaching_support",
    "learning_materials",
    "facilities",
    "student_welfare",
    "safety",
    "other",
)


def _related() -> dict[str, frozenset[str]]:
    rel: dict[str, set[str]] = {c: set() for c in CATEGORY_CODES}
    for a, b in _RELATED_PAIRS:
        rel[a].add(b)
        rel[b].add(a)
    for c in CATEGORY_CODES:
        if c != "other":
            rel[c].add("other")
            rel["other"].add(c)
    return {c: frozenset(v) for c, v in rel.items()}


RELATED_CATEGORIES: dict[str, frozenset[str]] = _related()


def related_categories(category: str) -> frozenset[str]:
    """The category itself and its related ones (what a blocking query should include)."""
    return RELATED_CATEGORIES.get(category, frozenset({"other"})) | {category}


@dataclass(frozen=True)
class Item:
    code: str
    category: str
    name_th: str
    name_en: str
    family: str | None = None
    #: every surface form in the data (synonyms, loanwords, misspellings, weak terms)
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    items: frozenset[str]
    concepts: frozenset[str]


# --- matching form -----------------------------------------------------------------------------
_FOLD = {
    ord("\u0e47"): None,
    ord("\u0e4c"): None,
    ord("\u0e4b"): None,
    ord("\u0e3a"): None,
    ord("\u0e4a"): "\u0e49",
}  # ็ ์ ๋ ฺ dropped, ๊ read as ้: loanwords are spelt every way
_LATIN = re.compile(r"[a-z]")
_ALNUM = re.compile(r"[a-z0-9]")


def _match_form(norm: str) -> tuple[str, list[int]]:
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


def _form(term: str) -> str:
    return _match_form(normalise(term))[0]


def _variants(term: str) -> set[str]:
    """The matching forms of a data term: plural s/es/ies of a Latin last word, closed compounds."""
    f = _form(term)
    if not f:
        return set()
    out = {f}
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


def _trie_regex(words: Iterable[str]) -> str:
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


class _Scanner:
    """Longest, non-overlapping phrase matches with Latin word boundaries."""

    def __init__(self, entries: dict[str, list[tuple]]):
        self.entries = entries
        words = sorted(entries)
        self.rx = re.compile("(?=(" + _trie_regex(words) + "))") if words else None

    def scan(self, mt: str) -> list[tuple[int, int, str]]:
        if self.rx is None or not mt:
            return []
        cands = []
        for m in self.rx.finditer(mt):
            word = m.group(1)
            if not word:
                continue
            s, e = m.start(), m.start() + len(word)
            if not _bounded(mt, s, e):
                continue
            cands.append((s, e, word))
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


def _bounded(mt: str, s: int, e: int) -> bool:
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


def _context_rx(words: Iterable[str]) -> re.Pattern:
    parts = []
    for w in sorted({_form(w) for w in words} - {""}):
        if re.fullmatch(r"[a-z0-9 ]+", w):
            parts.append(r"(?<![a-z])" + re.escape(w) + r"s?(?![a-z])")
        else:
            parts.append(re.escape(w))
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


#: words that, between a specific item and a generic word, make the generic word a modifier
#: ("router for internet", "โต๊ะสำหรับคอมพิวเตอร์")
_LINKERS = frozenset(
    _form(w) for w in ("สำหรับ", "ใช้กับ", "ของ", "เพื่อ", "ต่อ", "ที่ใช้กับ", "for", "to", "with", "in")
)
_FILLERS = frozenset(("the", "a", "an", "our", "your", "their", "its", "this", "these", "school", "schools"))
#: concepts close enough to form a rule-built item (characters of matching form, ~5 words)
RULE_GAP = 30


class Vocabulary:
    def __init__(self, data: dict):
        self.families: dict[str, tuple[str, str]] = {
            k: (v["name_th"], v["name_en"]) for k, v in data["families"].items()
        }
        self.items: dict[str, Item] = {}
        self.generic: set[str] = set()
        self.rules: list[tuple[str, list[list[str]]]] = []
        self.suppresses: dict[str, frozenset[str]] = {}
        item_entries: dict[str, list[tuple]] = {}
        for raw in data["items"]:
            code = raw["code"]
            weak = list(raw.get("weak", []))
            weak_forms = {_form(w) for w in weak}
            strong = [t for key in ("th", "en", "loanwords", "misspellings") for t in raw.get(key, [])]
            strong += [n for n in (raw["name_th"], raw["name_en"]) if _form(n) not in weak_forms]
            terms = tuple(dict.fromkeys([*strong, *weak]))
            self.items[code] = Item(
                code, raw["category"], raw["name_th"], raw["name_en"], raw.get("family"), terms
            )
            if raw.get("generic"):
                self.generic.add(code)
            for t in strong:
                for v in _variants(t):
                    item_entries.setdefault(v, []).append(("item", code, False))
            for t in weak:
                for v in _variants(t):
                    item_entries.setdefault(v, []).append(("item", code, True))
            for rule in raw.get("rules", []):
                self.rules.append((code, rule))
            if raw.get("suppresses"):
                self.suppresses[code] = frozenset(raw["suppresses"])
        # a word listed both strong and weak for one item counts as strong
        for v, ents in item_entries.items():
            codes = {e[1] for e in ents if not e[2]}
            item_entries[v] = list(
                dict.fromkeys(e if not e[2] or e[1] not in codes else ("item", e[1], False) for e in ents)
            )
        self.ambiguous: list[tuple[list[tuple[str | None, re.Pattern]], str | None]] = []
        for i, amb in enumerate(data.get("ambiguous", [])):
            choices = [(c["item"], _context_rx(c["context"])) for c in amb["choices"]]
            self.ambiguous.append((choices, amb.get("default")))
            for t in amb["terms"]:
                for v in _variants(t):
                    item_entries[v] = [("amb", i)]
        for t in data.get("stop_phrases", []):
            for v in _variants(t):
                item_entries.setdefault(v, []).insert(0, ("stop",))
        self.item_scanner = _Scanner(item_entries)

        self.concepts: dict[str, tuple[str, str]] = {}
        concept_entries: dict[str, list[tuple]] = {}
        for c in data["concepts"]:
            code = c["code"]
            if code is not None:
                self.concepts[code] = (c["th"], c["en"])
            for t in c["terms"]:
                for v in _variants(t):
                    concept_entries.setdefault(v, []).append(("concept", code) if code else ("stop",))
        self.concept_scanner = _Scanner(concept_entries)
        sw = data.get("stopwords", {})
        self.stopwords = frozenset(normalise(w) for w in [*sw.get("th", []), *sw.get("en", [])]) - {""}

    # ------------------------------------------------------------------------------------------
    def _resolve(self, i: int, mt: str) -> str | None:
        choices, default = self.ambiguous[i]
        for code, rx in choices:
            if rx.search(mt):
                return code
        return default

    def _apply_rules(self, concept_hits: list[tuple[int, int, str]]) -> dict[str, list[int]]:
        """Rule-built items and the concept hits each one used (all within RULE_GAP of the first)."""
        found: dict[str, list[int]] = {}
        if not concept_hits:
            return found
        by_code: dict[str, list[int]] = {}
        for k, (_, _, code) in enumerate(concept_hits):
            by_code.setdefault(code, []).append(k)
        for item_code, groups in self.rules:
            options = [[k for c in g for k in by_code.get(c, ())] for g in groups]
            if not all(options):
                continue
            for anchor in options[0]:
                a_s, a_e, _ = concept_hits[anchor]
                picked = [anchor]
                for opts in options[1:]:
                    near = [
                        k
                        for k in opts
                        if k != anchor
                        and max(a_s, concept_hits[k][0]) - min(a_e, concept_hits[k][1]) <= RULE_GAP
                    ]
                    if not near:
                        break
                    picked.append(min(near, key=lambda k: abs(concept_hits[k][0] - a_s)))
                else:
                    found[item_code] = picked
                    break
        return found

    def detect(self, norm: str):
        """(matching form, index map, kept item hits (start, end, code), concept hits, rule items
        with the concept hits they used, final item codes)."""
        mt, where = _match_form(norm)
        item_hits: list[tuple[int, int, str, bool]] = []
        for s, e, w in self.item_scanner.scan(mt):
            for ent in self.item_scanner.entries[w]:
                if ent[0] == "item":
                    item_hits.append((s, e, ent[1], ent[2]))
                elif ent[0] == "amb":
                    code = self._resolve(ent[1], mt)
                    if code:
                        item_hits.append((s, e, code, False))
        concept_hits = [
            (s, e, ent[1])
            for s, e, w in self.concept_scanner.scan(mt)
            for ent in self.concept_scanner.entries[w]
            if ent[0] == "concept"
        ]
        strong_hits = [h for h in item_hits if not h[3]]
        strong = {h[2] for h in strong_hits}
        ruled = self._apply_rules(concept_hits)
        strong |= set(ruled)
        used_spans = [concept_hits[k][:2] for ks in ruled.values() for k in ks]
        kept: list[tuple[int, int, str]] = [(s, e, c) for s, e, c, w in item_hits if not w]
        for s, e, code, is_weak in item_hits:
            if not is_weak:
                continue
            if code in strong:
                kept.append((s, e, code))
                continue
            if code in self.generic and strong:
                continue
            fam = self.items[code].family
            if fam and any(self.items[c].family == fam for c in strong):
                continue
            if any(s < ue and us < e for us, ue in used_spans):
                continue
            if self._modifies(mt, s, e, strong_hits):
                continue
            kept.append((s, e, code))
        found = {c for _, _, c in kept} | set(ruled)
        for code in list(found):
            found -= self.suppresses.get(code, frozenset())
        kept = [h for h in kept if h[2] in found]
        return mt, where, kept, concept_hits, ruled, frozenset(found)

    def analyse_norm(self, norm: str) -> Analysis:
        _mt, _where, _kept, concept_hits, _ruled, found = self.detect(norm)
        return Analysis(found, frozenset(c for _, _, c in concept_hits))

    @staticmethod
    def _modifies(mt: str, s: int, e: int, strong_hits) -> bool:
        """Is the generic word at s..e part of a specific item's phrase (touching it, or "X for it")?"""
        for hs, he, _code, _w in strong_hits:
            if he <= s:
                gap = [w for w in mt[he:s].split() if w not in _FILLERS]
                if not gap or (len(gap) == 1 and gap[0] in _LINKERS):
                    return True
            elif e <= hs and not mt[e:hs].strip():
                return True
        return False

    def query_codes(self, norm: str) -> tuple[list[str], str]:
        """Codes for the vocabulary phrases of a query, and the query text with them blanked out."""
        _mt, where, kept, concept_hits, ruled, found = self.detect(norm)
        spans: list[tuple[int, int, str | None]] = list(kept)
        for code, ks in ruled.items():
            if code in found:
                first = min(concept_hits[k][0] for k in ks)
                spans.append((first, first, code))
            for k in ks:
                spans.append((concept_hits[k][0], concept_hits[k][1], None))
        for s, e, code in concept_hits:
            if not any(s < pe and ps < e for ps, pe, _ in spans):
                spans.append((s, e, code))
        spans.sort(key=lambda t: (t[0], t[1]))
        codes = list(dict.fromkeys(c for _, _, c in spans if c))
        chars = list(norm)
        for s, e, _c in spans:
            if e > s:
                for i in range(where[s], where[e - 1] + 1):
                    chars[i] = " "
        return codes, " ".join("".join(chars).split())


@lru_cache(maxsize=1)
def _vocab() -> Vocabulary:
    data = json.loads(resources.files("csr_hub").joinpath("data/vocabulary.json").read_text(encoding="utf-8"))
    return Vocabulary(data)


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
def _analyse(norm: str) -> Analysis:
    return _vocab().analyse_norm(norm)


def analyse(text: str) -> Analysis:
    """Item kinds and concepts found in a text."""
    return _analyse(normalise(text))


def detect_items(text: str) -> frozenset[str]:
    """Item codes recognised in a text (Thai, English or both)."""
    return _analyse(normalise(text)).items


def detect_concepts(text: str) -> frozenset[str]:
    return _analyse(normalise(text)).concepts


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


def query_codes(norm: str) -> tuple[list[str], str]:
    return _vocab().query_codes(norm)

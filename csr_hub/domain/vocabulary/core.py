"""The vocabulary built from its data, and item-kind detection on word boundaries.

Detection works on the matching form (``scan.match_form``: Thai spacing removed, loanword marks
folded), takes the longest phrase at each place, and accepts a phrase only where it starts and ends
on newmm word boundaries (the tokeniser's dictionary holds every Thai term, so a term comes out as a
word) — "นม" (milk) is never found inside "ร้อนมาก". Then it:

- resolves ambiguous words from context ("notebook" is a laptop next to "RAM" or "เครื่อง", a สมุด
  next to "pencils" or "เล่ม");
- builds items from concepts found close together, in either language ("repair" + "teachers'
  quarters" → ``teacher_house_repair``);
- keeps a *weak* (generic) match only when nothing more specific explains it;
- looks up the words it did not recognise fuzzily (``fuzzy.py``);
- weighs the head of the request above passing mentions and drops negated items (``roles.py``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from csr_hub.domain.text import boundaries, is_thai, segment
from csr_hub.domain.vocabulary import roles
from csr_hub.domain.vocabulary.categories import CATEGORY_CODES, RELATED_CATEGORIES
from csr_hub.domain.vocabulary.fuzzy import FuzzyIndex, windows
from csr_hub.domain.vocabulary.scan import Scanner, context_rx, form, match_form, variants

_FOLDED_OUT = frozenset("\u0e47\u0e4c\u0e4b\u0e3a")
#: concepts close enough to form a rule-built item (characters of matching form, ~5 words)
RULE_GAP = 30
_LINKERS = frozenset(
    form(w) for w in ("สำหรับ", "ใช้กับ", "ของ", "เพื่อ", "ต่อ", "ที่ใช้กับ", "for", "to", "with", "in")
)
_FILLERS = frozenset(("the", "a", "an", "our", "your", "their", "its", "this", "these", "school", "schools"))


@dataclass(frozen=True)
class Item:
    code: str
    category: str
    name_th: str
    name_en: str
    family: str | None = None
    #: every surface form in the data (synonyms, loanwords, misspellings, weak terms)
    terms: tuple[str, ...] = ()
    #: the categories a post about this item may be filed under (its own first)
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    items: frozenset[str]
    concepts: frozenset[str]
    #: item code → weight: 1 for the head of the request, less for a passing mention or a fuzzy find
    weights: dict[str, float] = field(default_factory=dict)
    #: newmm tokens (with the vocabulary's terms in the dictionary), whitespace left out
    tokens: tuple[str, ...] = ()


def _allowed(raw: dict) -> tuple[str, ...]:
    own = raw["category"]
    extra = [c for c in raw.get("categories", []) if c in CATEGORY_CODES and c != own]
    return (own, *extra)


class Vocabulary:
    def __init__(self, data: dict):
        self.families: dict[str, tuple[str, str]] = {
            k: (v["name_th"], v["name_en"]) for k, v in data["families"].items()
        }
        self.items: dict[str, Item] = {}
        self.generic: set[str] = set()
        self.rules: list[tuple[str, list[list[str]]]] = []
        self.suppresses: dict[str, frozenset[str]] = {}
        thai_terms: set[str] = set()
        item_thai: set[str] = set()
        item_entries: dict[str, list[tuple]] = {}
        fuzzy_terms: dict[str, str] = {}
        for raw in data["items"]:
            code = raw["code"]
            weak = list(raw.get("weak", []))
            weak_forms = {form(w) for w in weak}
            strong = [t for key in ("th", "en", "loanwords", "misspellings") for t in raw.get(key, [])]
            strong += [n for n in (raw["name_th"], raw["name_en"]) if form(n) not in weak_forms]
            terms = tuple(dict.fromkeys([*strong, *weak]))
            self.items[code] = Item(
                code, raw["category"], raw["name_th"], raw["name_en"], raw.get("family"), terms, _allowed(raw)
            )
            thai_terms.update(terms)
            item_thai.update(terms)
            if raw.get("generic"):
                self.generic.add(code)
            for t in strong:
                for v in variants(t):
                    item_entries.setdefault(v, []).append(("item", code, False))
                fuzzy_terms.setdefault(form(t), code)
            for t in weak:
                for v in variants(t):
                    item_entries.setdefault(v, []).append(("item", code, True))
            for rule in raw.get("rules", []):
                self.rules.append((code, rule))
            if raw.get("suppresses"):
                self.suppresses[code] = frozenset(raw["suppresses"])
        for v, ents in item_entries.items():  # a word listed both strong and weak for one item is strong
            codes = {e[1] for e in ents if not e[2]}
            item_entries[v] = list(
                dict.fromkeys(e if not e[2] or e[1] not in codes else ("item", e[1], False) for e in ents)
            )
        self.ambiguous: list[tuple[list[tuple[str | None, Any]], str | None]] = []
        for i, amb in enumerate(data.get("ambiguous", [])):
            choices = [(c["item"], context_rx(c["context"])) for c in amb["choices"]]
            self.ambiguous.append((choices, amb.get("default")))
            for t in amb["terms"]:
                thai_terms.add(t)
                for v in variants(t):
                    item_entries[v] = [("amb", i)]
                fuzzy_terms.pop(form(t), None)
        for t in data.get("stop_phrases", []):
            thai_terms.add(t)
            for v in variants(t):
                item_entries.setdefault(v, []).insert(0, ("stop",))
            fuzzy_terms.pop(form(t), None)
        self.item_scanner = Scanner(item_entries)
        self.concepts: dict[str, tuple[str, str]] = {}
        concept_entries: dict[str, list[tuple]] = {}
        for c in data["concepts"]:
            code = c["code"]
            if code is not None:
                self.concepts[code] = (c["th"], c["en"])
            for t in c["terms"]:
                thai_terms.add(t)
                for v in variants(t):
                    concept_entries.setdefault(v, []).append(("concept", code) if code else ("stop",))
        self.concept_scanner = Scanner(concept_entries)
        marker_entries: dict[str, list[tuple]] = {}
        for kind, words in roles.MARKERS.items():
            for w in words:
                thai_terms.add(w)
                marker_entries.setdefault(form(w), []).append((kind,))
        self.marker_scanner = Scanner(marker_entries)
        self.fuzzy = FuzzyIndex(fuzzy_terms)
        sw = data.get("stopwords", {})
        from csr_hub.domain.text import normalise

        self.stopwords = frozenset(normalise(w) for w in [*sw.get("th", []), *sw.get("en", [])]) - {""}
        self.thai_terms = frozenset(
            n for n in (normalise(t) for t in thai_terms) if n and any(is_thai(ch) for ch in n)
        )
        self.item_thai_terms = frozenset(
            n for n in (normalise(t) for t in item_thai) if n and any(is_thai(ch) for ch in n)
        )
        self._trie = None
        self._words: frozenset[str] | None = None

    # --- the tokeniser's dictionary ---------------------------------------------------------------
    def trie(self):
        """PyThaiNLP's default word list plus every Thai term, as a ``Trie`` for ``custom_dict``."""
        if self._trie is None:
            from pythainlp.corpus import thai_words
            from pythainlp.util import dict_trie

            terms = self.thai_terms
            items = self.item_thai_terms
            # a dictionary compound that starts or ends with a term (ห้องคอมพิวเตอร์, ติดแอร์) would hide
            # the term inside one token: such words leave the dictionary unless they are terms themselves
            words = {w for w in thai_words() if w in terms or not _wraps_term(w, items)}
            self._trie = dict_trie(dict_source=words | set(terms))
        return self._trie

    def words(self) -> frozenset[str]:
        if self._words is None:
            from pythainlp.corpus import thai_words

            self._words = frozenset(thai_words())
        return self._words

    # --- detection ---------------------------------------------------------------------------------
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

    @staticmethod
    def _modifies(mt: str, s: int, e: int, strong_hits) -> bool:
        """Is the generic word at s..e part of a specific item's phrase (touching it, or "X for it")?"""
        for hs, he, _code, _w, _cf in strong_hits:
            if he <= s:
                gap = [w for w in mt[he:s].split() if w not in _FILLERS]
                if not gap or (len(gap) == 1 and gap[0] in _LINKERS):
                    return True
            elif e <= hs and not mt[e:hs].strip():
                return True
        return False

    def detect(self, norm: str, title_end: int | None = None, pieces: tuple[str, ...] | None = None):
        """Everything found in a normalised text: a ``Detection``."""
        return Detection(self, norm, len(norm) if title_end is None else title_end, pieces)

    def analyse_norm(self, norm: str, title_end: int | None = None) -> Analysis:
        d = self.detect(norm, title_end)
        return Analysis(d.found, d.concepts, d.weights, d.tokens)


def _wraps_term(word: str, terms: frozenset[str]) -> bool:
    n = len(word)
    for k in range(3, n - 1):
        if word[:k] in terms or word[n - k :] in terms:
            return True
    return False


class Detection:
    """One text's hits: items (kept, with weights), concepts, rule-built items, and the tokens."""

    def __init__(self, v: Vocabulary, norm: str, title_end: int, pieces: tuple[str, ...] | None):
        self.norm = norm
        mt, where = match_form(norm)
        self.mt, self.where = mt, where
        pieces = segment(norm, v.trie()) if pieces is None else pieces
        self.tokens = tuple(t for t in (p.strip() for p in pieces) if t)
        starts, ends = boundaries(pieces)
        n = len(norm)

        def ok(s: int, e: int) -> bool:
            ns = where[s]
            if is_thai(norm[ns]) and ns not in starts:
                return False
            last = where[e - 1]
            ne = last + 1
            while ne < n and norm[ne] in _FOLDED_OUT:
                ne += 1
            return not (is_thai(norm[last]) and ne != n and ne not in ends)

        item_hits: list[tuple[int, int, str, bool, float]] = []
        #: ambiguous words without context: the items they may mean (a search query expands to all)
        self.alternatives: list[tuple[str, ...]] = []
        self.alt_spans: list[tuple[int, int]] = []
        covered: list[tuple[int, int]] = []
        for s, e, w in v.item_scanner.scan(mt, ok):
            covered.append((s, e))
            for ent in v.item_scanner.entries[w]:
                if ent[0] == "item":
                    item_hits.append((s, e, ent[1], ent[2], 1.0))
                elif ent[0] == "amb":
                    code = v._resolve(ent[1], mt)
                    if code:
                        item_hits.append((s, e, code, False, 1.0))
                    choices, default = v.ambiguous[ent[1]]
                    if not any(rx.search(mt) for _c, rx in choices):  # no context: any of them
                        alts = [c for c, _rx in choices if c] + ([default] if default else [])
                        self.alternatives.append(tuple(dict.fromkeys([*alts, norm[where[s] : where[e - 1] + 1]])))
                        self.alt_spans.append((s, e))
        item_spans = list(covered)

        def concept_ok(s: int, e: int) -> bool:
            """On word boundaries, or at the start or end of an item term it lies in (ครู in ครูอาสา)."""
            if ok(s, e):
                return True
            return any(hs <= s and e <= he and (s == hs or e == he) for hs, he in item_spans)

        concept_hits = [
            (s, e, ent[1])
            for s, e, w in v.concept_scanner.scan(mt, concept_ok)
            for ent in v.concept_scanner.entries[w]
            if ent[0] == "concept"
        ]
        covered += [(s, e) for s, e, _ in concept_hits]
        markers = [(s, e, v.marker_scanner.entries[w][0][0]) for s, e, w in v.marker_scanner.scan(mt, ok)]
        covered_markers = covered + [(s, e) for s, e, _ in markers]
        # fuzzy look-up of what nothing recognised
        spans = self._token_spans(pieces)

        def is_covered(s: int, e: int) -> bool:
            return any(s < ce and cs < e for cs, ce in covered_markers)

        def skip(f: str) -> bool:
            return f in v.stopwords or (is_thai(f[0]) and f in v.words()) or f.isdigit()

        def stop(f: str) -> bool:
            return f in v.stopwords

        for s, e, text, known in windows(spans, is_covered, skip, stop):
            if is_covered(s, e):
                continue
            found = v.fuzzy.lookup(text, known)
            if found:
                code, conf, _term = found
                item_hits.append((s, e, code, False, conf))
                covered_markers.append((s, e))
        strong_hits = [h for h in item_hits if not h[3]]
        strong = {h[2] for h in strong_hits}
        ruled = v._apply_rules(concept_hits)
        strong |= set(ruled)
        used_spans = [concept_hits[k][:2] for ks in ruled.values() for k in ks]
        kept: list[tuple[int, int, str, float]] = [(s, e, c, cf) for s, e, c, w, cf in item_hits if not w]
        for s, e, code, is_weak, cf in item_hits:
            if not is_weak:
                continue
            if code in strong:
                kept.append((s, e, code, cf))
                continue
            if code in v.generic and strong:
                continue
            fam = v.items[code].family
            if fam and any(v.items[c].family == fam for c in strong):
                continue
            if any(s < ue and us < e for us, ue in used_spans):
                continue
            if Vocabulary._modifies(mt, s, e, strong_hits):
                continue
            kept.append((s, e, code, cf))
        found = {h[2] for h in kept} | set(ruled)
        for code in list(found):
            found -= v.suppresses.get(code, frozenset())
        kept = [h for h in kept if h[2] in found]
        hits = [roles.Hit(s, e, c, cf) for s, e, c, cf in kept]
        for code, ks in ruled.items():
            if code in found:
                hits.append(
                    roles.Hit(min(concept_hits[k][0] for k in ks), max(concept_hits[k][1] for k in ks), code)
                )
        title_mt = bisect.bisect_left(where, title_end)
        item_spans = [(h.start, h.end) for h in hits]
        free_markers = [m for m in markers if not any(m[0] < he and hs < m[1] for hs, he in item_spans)]
        self.weights = roles.weigh(hits, free_markers, title_mt, mt)
        self.found = frozenset(self.weights)
        self.concepts = frozenset(c for _, _, c in concept_hits)
        self.kept = [(h[0], h[1], h[2]) for h in kept if h[2] in self.found]
        self.concept_hits = concept_hits
        self.ruled = {c: ks for c, ks in ruled.items() if c in self.found}

    def _token_spans(self, pieces: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """Tokens as (start, end, matching form) in matching-form coordinates."""
        out = []
        at = 0
        where = self.where
        for p in pieces:
            a, b = at, at + len(p)
            at = b
            if not p.strip():
                continue
            i = bisect.bisect_left(where, a)
            j = bisect.bisect_left(where, b)
            if i < j:
                out.append((i, j, self.mt[i:j]))
        return out

    def query_codes(self) -> tuple[list[str], str]:
        """Codes for the vocabulary phrases of a query, and the query text with them blanked out."""
        where, concept_hits = self.where, self.concept_hits
        spans: list[tuple[int, int, str | None]] = list(self.kept)
        for code, ks in self.ruled.items():
            first = min(concept_hits[k][0] for k in ks)
            spans.append((first, first, code))
            for k in ks:
                spans.append((concept_hits[k][0], concept_hits[k][1], None))
        for s, e, code in concept_hits:
            if not any(s < pe and ps < e for ps, pe, _ in spans):
                spans.append((s, e, code))
        spans.sort(key=lambda t: (t[0], t[1]))
        codes = list(dict.fromkeys(c for _, _, c in spans if c))
        codes += [c for c in self.found if c not in codes]
        chars = list(self.norm)
        for s, e, _c in [*spans, *((a, b, None) for a, b in self.alt_spans)]:
            if e > s:
                for i in range(where[s], where[e - 1] + 1):
                    chars[i] = " "
        return codes, " ".join("".join(chars).split())


RELATED = RELATED_CATEGORIES

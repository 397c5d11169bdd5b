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
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from csr_hub.domain.text import is_thai
from csr_hub.domain.vocabulary import facets, roles
from csr_hub.domain.vocabulary.categories import CATEGORY_CODES, RELATED_CATEGORIES
from csr_hub.domain.vocabulary.detect import Detection, wraps_term
from csr_hub.domain.vocabulary.fuzzy import FuzzyIndex
from csr_hub.domain.vocabulary.scan import Scanner, context_rx, form, tone_slips, variants

#: a Thai word cut short by ฯ (not ฯลฯ, "etc."); the run before it may hold other words too
_CUT_WORD = re.compile("([\u0e01-\u0e2e\u0e30-\u0e7f]+)\u0e2f(?!\u0e25)")

#: the kinds beside devices a school may ask to have mended (``Vocabulary.can_be_mended``): the appliances
#: and equipment filed under facilities and safety (a new CCTV set is not the repair of one); a building's
#: wiring or toilets are works either way
MENDABLE = frozenset(
    ("air_conditioner", "fan", "water_filter", "generator", "solar_water_pump", "ups", "water_heater")
    + ("cctv", "fire_alarm", "aed", "air_purifier", "warning_siren")
)

#: words in an item kind's English name that make it a service of teaching (``Vocabulary.is_service``)
SERVICE_WORDS = ("training", "lessons", "course", "delivery")

#: a company's registered name ("บริษัท ไทยขนส่ง จำกัด", "Pracha Logistics Co., Ltd." once normalised): the
#: words of a name say what the company is called, not what a post asks for or gives
_COMPANY_NAMES = re.compile(
    r"(?<=บริษัท)( ?[^ ].{0,38}? ?)(?=จำกัด)"
    r"|(?<![a-z0-9])((?:[a-z0-9&]+ ){1,4})(?=(?:co ltd|company limited|public company|plc|ltd|inc)(?![a-z]))"
)


def blank_company_names(norm: str) -> str:
    """The normalised text with the words inside company names blanked (same length: positions hold)."""
    if (
        "บริษัท" not in norm
        and "ltd" not in norm
        and "plc" not in norm
        and "inc" not in norm
        and "limited" not in norm
    ):
        return norm
    return _COMPANY_NAMES.sub(lambda m: " " * len(m.group(0)), norm)


#: concepts close enough to form a rule-built item (characters of matching form, ~5 words)
RULE_GAP = 30
#: "already": the tokeniser's dictionary keeps no compound that starts with it (see ``Vocabulary.trie``)
DONE = "แล้ว"


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
        #: item code → {facet value: the item kind it becomes} ("scholarship" for teachers is another kind)
        self.remap: dict[str, dict[str, str]] = {}
        #: item code → the devices it is an accessory, consumable or repair of (a case, ink, a screen)
        self.accessory_of: dict[str, frozenset[str]] = {}
        thai_terms: set[str] = set()
        item_thai: set[str] = set()
        item_entries: dict[str, list[tuple]] = {}
        fuzzy_terms: dict[str, str] = {}
        weak_fuzzy: set[str] = set()
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
                f = form(t)
                if f not in fuzzy_terms or f in weak_fuzzy:  # the first strong term wins, and over any weak
                    weak_fuzzy.discard(f)
                    fuzzy_terms[f] = code
            for t in weak:
                for v in variants(t):
                    item_entries.setdefault(v, []).append(("item", code, True))
                # a misspelt generic word ("compters") is still that generic word: weak, like the word
                if form(t) not in fuzzy_terms:
                    weak_fuzzy.add(form(t))
                    fuzzy_terms[form(t)] = code
            for rule in raw.get("rules", []):
                self.rules.append((code, rule))
            if raw.get("suppresses"):
                self.suppresses[code] = frozenset(raw["suppresses"])
            if raw.get("for"):
                self.remap[code] = dict(raw["for"])
            if raw.get("accessory_of"):
                self.accessory_of[code] = frozenset(raw["accessory_of"])
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
                for v in variants(t) | tone_slips(form(t)):
                    concept_entries.setdefault(v, []).append(("concept", code) if code else ("stop",))
        self.concept_scanner = Scanner(concept_entries)
        marker_entries: dict[str, list[tuple]] = {}
        for kind, words in roles.MARKERS.items():
            for w in words:
                thai_terms.add(w)
                marker_entries.setdefault(form(w), []).append((kind,))
        self.marker_scanner = Scanner(marker_entries)
        facet_entries: dict[str, list[tuple]] = {}
        for value, words in facets.WORDS.items():
            for w in words:
                thai_terms.add(w)
                for f in variants(w) | tone_slips(form(w)):
                    facet_entries.setdefault(f, []).append(("facet", value))
        self.facet_scanner = Scanner(facet_entries)
        self.facet_between = frozenset(form(w) for w in facets.BETWEEN)
        self.fuzzy = FuzzyIndex(fuzzy_terms, frozenset(weak_fuzzy & fuzzy_terms.keys()))
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
        self._known_forms: frozenset[str] | None = None

    # --- the tokeniser's dictionary ---------------------------------------------------------------
    def trie(self):
        """PyThaiNLP's default word list plus every Thai term, as the tokeniser's dictionary (``custom_dict``)."""
        if self._trie is None:
            from pythainlp.corpus import thai_words

            from csr_hub.domain.text import WordTrie

            terms = self.thai_terms
            items = self.item_thai_terms
            # a dictionary compound that starts or ends with a term (ห้องคอมพิวเตอร์, ติดแอร์) would hide
            # the term inside one token: such words leave the dictionary unless they are terms themselves
            words = {w for w in thai_words() if w in terms or not wraps_term(w, items)}
            # so do compounds that swallow "แล้ว" (already) with what follows it: แล้วแต่ ("it depends")
            # would hide "มีพัดลมแล้ว | แต่ไม่ช่วย" (we have fans already, but …), แล้วก็ the same
            words = {w for w in words if not (w.startswith(DONE) and w != DONE)}
            self._trie = WordTrie(words | set(terms))
        return self._trie

    def words(self) -> frozenset[str]:
        if self._words is None:
            from pythainlp.corpus import thai_words

            self._words = frozenset(thai_words())
        return self._words

    def is_service(self, code: str) -> bool:
        """Whether an item kind is itself a course, lessons or a teacher (what a "workshop" or "สอน" word asks
        for, rather than the subject of one)."""
        it = self.items.get(code)
        if it is None:
            return False
        name = it.name_en.lower()
        return it.category == "teaching_support" or any(w in name for w in SERVICE_WORDS)

    def can_be_mended(self, code: str) -> bool:
        """Whether a kind is a thing a school could have mended rather than given (``facets`` "work"): devices
        and appliances, not a kind that is itself a repair, a service or a course."""
        it = self.items.get(code)
        if it is None or self.is_service(code) or not (it.category == "devices" or code in MENDABLE):
            return False
        return not any(w in code for w in ("repair", "service", "renovation", "maintenance", "cleaning"))

    def known_forms(self) -> frozenset[str]:
        """The matching forms of the dictionary's words and of every Thai term of the vocabulary (concepts,
        markers, facets): a token that is one of them is a word as written, not a misspelling."""
        if self._known_forms is None:
            self._known_forms = frozenset(form(w) for w in self.words() | self.thai_terms)
        return self._known_forms

    # --- detection ---------------------------------------------------------------------------------
    def _resolve(self, i: int, mt: str) -> str | None:
        choices, default = self.ambiguous[i]
        for code, rx in choices:
            if rx.search(mt):
                return code
        return default

    def _apply_rules(self, concept_hits: list[tuple[int, int, str]], barrier=None) -> dict[str, list[int]]:
        """Rule-built items and the concept hits each one used (all within RULE_GAP of the first, and no
        request marker between them: "ครูเสียดาย อยากได้ทุน…" is no scholarship for teachers)."""
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
                        and (
                            barrier is None
                            or not barrier(min(a_e, concept_hits[k][1]), max(a_s, concept_hits[k][0]))
                        )
                    ]
                    if not near:
                        break
                    picked.append(min(near, key=lambda k: abs(concept_hits[k][0] - a_s)))
                else:
                    found[item_code] = picked
                    break
        return found

    def detect(self, norm: str, title_end: int | None = None, pieces: tuple[str, ...] | None = None):
        """Everything found in a normalised text: a ``Detection``."""
        return Detection(self, norm, len(norm) if title_end is None else title_end, pieces)

    def analyse_norm(self, norm: str, title_end: int | None = None) -> Analysis:
        norm = blank_company_names(norm)
        if "ฯ" in norm:
            norm, title_end = self.expand_abbreviations(norm, title_end)
        d = self.detect(norm, title_end)
        return Analysis(d.found, d.concepts | d.facets, d.weights, d.tokens)

    # --- Thai abbreviations with ฯ (ไปยาลน้อย): "คอมฯ", "โปรเจคฯ", "ถังดับฯ" -----------------------------------
    @functools.cached_property
    def _thai_strong(self) -> list[str]:
        """The normalised Thai item terms, sorted: what a word cut short by ฯ may stand for."""
        from csr_hub.domain.text import normalise

        out = set()
        for item in self.items.values():
            out.update(t for t in (normalise(term) for term in item.terms) if t and is_thai(t[0]))
        return sorted(out)

    def _expansion(self, run: str) -> tuple[int, str] | None:
        """For the Thai run before a ฯ: (where the cut word starts, what it stands for).

        The cut word is the longest ending of the run (three letters or more) that begins some item term and
        is at least half of the shortest such term; it stands for that term. A run that ends in a dictionary
        word no term begins with ("กรุงเทพฯ") is a name, not a cut."""
        from pythainlp.corpus import thai_words

        words, terms = thai_words(), self._thai_strong
        for i in range(max(0, len(run) - 20), len(run) - 2):
            stem = run[i:]
            k = bisect.bisect_left(terms, stem)
            found = []
            while k < len(terms) and terms[k].startswith(stem):
                found.append(terms[k])
                k += 1
            full = min(found, key=len) if found else ""
            if found and 2 * len(stem) >= len(full):  # the cut keeps at least half the word
                return i, full
            if stem in words:
                return None
        return None

    def expand_abbreviations(self, norm: str, title_end: int | None) -> tuple[str, int | None]:
        """Write each word cut short by ฯ out as far as the vocabulary's terms agree ("ถังดับฯ" → "ถังดับเพลิง",
        "คอมฯ ตั้งโต๊ะ" → "คอม ตั้งโต๊ะ", which the term "คอมตั้งโต๊ะ" then finds); ฯลฯ ("etc.") is left."""
        out, at, shift = [], 0, 0
        for m in _CUT_WORD.finditer(norm):
            found = self._expansion(m.group(1))
            if found is None:
                continue
            start, full = m.start(1) + found[0], found[1]
            out += [norm[at:start], full + " "]
            if title_end is not None and m.end() <= title_end:  # the title grows by what was written out
                shift += len(full) + 1 - (m.end() - start)
            at = m.end()
        if not out:
            return norm, title_end
        out.append(norm[at:])
        return "".join(out), (None if title_end is None else title_end + shift)


RELATED = RELATED_CATEGORIES

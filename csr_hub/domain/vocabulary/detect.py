"""Detection of one text: scan terms, concepts and markers on word boundaries, look up the rest
fuzzily, keep generic words only where nothing specific explains them, then weigh the hits
(``roles.weigh``)."""

from __future__ import annotations

import bisect
from typing import Any

from csr_hub.domain.text import boundaries, is_thai, segment
from csr_hub.domain.vocabulary import facets, roles
from csr_hub.domain.vocabulary import levels as school_levels
from csr_hub.domain.vocabulary.fuzzy import windows
from csr_hub.domain.vocabulary.scan import form, match_form

_FOLDED_OUT = frozenset("\u0e47\u0e4c\u0e4b\u0e3a")
_LINKERS = frozenset(
    form(w) for w in ("สำหรับ", "ใช้กับ", "ของ", "เพื่อ", "ต่อ", "ที่ใช้กับ", "for", "to", "with", "in")
)
#: characters of matching form between a kind and the kind it suppresses for the suppression to hold
SUPPRESS_GAP = 2
#: the roles whose words the text part leaves out
TEXT_DROP = frozenset(("negated",))
_FILLERS = frozenset(("the", "a", "an", "our", "your", "their", "its", "this", "these", "school", "schools"))


def wraps_term(word: str, terms: frozenset[str]) -> bool:
    n = len(word)
    for k in range(3, n - 1):
        if word[:k] in terms or word[n - k :] in terms:
            return True
    return False


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


def _accessories(v: Any, hits: list, hit_roles: list[str], between_ok) -> list[str]:
    """A device named as what an accessory, a consumable or a repair is for is a passing mention:
    "เคสกันกระแทกสำหรับแท็บเล็ต", "ตลับหมึกเครื่องพิมพ์", "tablet cases", "printer ink"; and so is an
    accessory that comes with the device asked for ("ทีวีพร้อมขาแขวน", a TV with its wall mount)."""
    out = list(hit_roles)
    for j, a in enumerate(hits):
        if out[j] != "head" or not v.accessory_of.get(a.code):
            continue
        for k, h in enumerate(hits):
            if (
                k < j
                and out[k] == "head"
                and h.code in v.accessory_of[a.code]
                and a.start - h.end <= facets.AFTER_REACH
                and between_ok(h.end, a.start, facets.BUNDLE)
                and not between_ok(h.end, a.start)
            ):
                out[j] = "context"
                break
    for k, h in enumerate(hits):
        if out[k] not in ("head", "plain"):
            continue
        for j, a in enumerate(hits):
            if j == k or hit_roles[j] == "negated" or h.code not in v.accessory_of.get(a.code, ()):
                continue
            before = a.end <= h.start and h.start - a.end <= facets.AFTER_REACH and between_ok(a.end, h.start)
            after = h.end <= a.start and a.start - h.end <= 1
            if before or after:
                out[k] = "context"
                break
    return out


class Detection:
    """One text's hits: items (kept, with weights), concepts, rule-built items, and the tokens."""

    def __init__(self, v: Any, norm: str, title_end: int, pieces: tuple[str, ...] | None):
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
                        self.alternatives.append(
                            tuple(dict.fromkeys([*alts, norm[where[s] : where[e - 1] + 1]]))
                        )
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
        # fuzzy look-up of what no term recognised. A concept word does not block it: a typo can make a
        # real word of another meaning ("ถังดับเพลง" — เพลง is "song" — for ถังดับเพลิง); a phrase the
        # fuzzy look-up explains loses the concepts inside it.
        covered_markers = item_spans + [(s, e) for s, e, _ in markers]
        spans = self._token_spans(pieces)

        def is_covered(s: int, e: int) -> bool:
            return any(s < ce and cs < e for cs, ce in covered_markers)

        def skip(f: str) -> bool:
            return f in v.stopwords or (is_thai(f[0]) and f in v.known_forms()) or f.isdigit()

        def stop(f: str) -> bool:
            return f in v.stopwords

        for s, e, text, known, parts in windows(spans, is_covered, skip, stop):
            if is_covered(s, e):
                continue
            found = v.fuzzy.lookup(text, known, parts)
            if found:
                code, conf, term = found
                item_hits.append((s, e, code, term in v.fuzzy.weak, conf))
                covered_markers.append((s, e))
                concept_hits = [c for c in concept_hits if not (s <= c[0] and c[1] <= e)]
        strong_hits = [h for h in item_hits if not h[3]]
        strong = {h[2] for h in strong_hits}
        requests = [(s, e) for s, e, kind in markers if kind in ("head", "neg_pre")]
        # a room between two concepts: the one after it names the room ("ครู … ห้องเรียนคณิตศาสตร์", the
        # teacher … the maths classroom), so the two make no item together (no maths teacher was asked for)
        walls = requests + [(s, e) for s, e, c in concept_hits if c == "c_classroom"]
        walls += [(s, e) for s, e, kind in markers if kind == "link" and mt[s:e] == "ห้อง"]
        # a specific item between two concepts takes the one before it: "ซ่อมพัดลมในห้องเรียน" mends the fans,
        # it builds no classroom repair
        walls += [(s, e) for s, e, _c, is_weak, _cf in item_hits if not is_weak]

        def barrier(a: int, b: int) -> bool:
            return any(a <= s and e <= b for s, e in walls)

        # a person concept opening a clause of its own ("… ๘ ทุน (ครูไม่ต้องการทุน)") is that clause's
        # subject: it builds no item with the concepts before it
        subjects = {(fs, fe) for fs, fe, _v, _l in facets.subject_hits(mt, concept_hits, item_spans)}
        # a work refused ("ซ่อมบ้านพักครู ไม่ต้องสร้างใหม่") or past doing ("ซ่อมไม่ได้แล้ว", "beyond repair")
        # builds nothing either
        title_mt = bisect.bisect_left(where, title_end)
        refused_concepts = {
            (s, e) for s, e, c in concept_hits if c in facets.WORK_CONCEPTS and facets.refused_work(mt, s, e)
        }
        rule_hits = [
            (
                s,
                e,
                ""
                if (s, e) in subjects
                or (s, e) in refused_concepts
                or (s >= title_mt and roles.self_told(s, markers))
                else c,
            )
            for s, e, c in concept_hits
        ]
        ruled = v._apply_rules(rule_hits, barrier)
        strong |= set(ruled)
        used_spans = [concept_hits[k][:2] for ks in ruled.values() for k in ks]
        kept: list[tuple[int, int, str, float]] = [(s, e, c, cf) for s, e, c, w, cf in item_hits if not w]
        weak_only: set[tuple[int, int, str]] = set()
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
            if _modifies(mt, s, e, strong_hits):
                continue
            kept.append((s, e, code, cf))
            weak_only.add((s, e, code))
        # a kind that suppresses another (a teachers' scholarship, the generic scholarship inside it) does so
        # where they meet, not across the post: "ปรับปรุงห้องสมุด" last year leaves the library books asked for
        rule_span = {
            code: (min(concept_hits[k][0] for k in ks), max(concept_hits[k][1] for k in ks))
            for code, ks in ruled.items()
        }
        spans_of: dict[str, list[tuple[int, int]]] = {}
        for hs, he, code, _cf in kept:
            spans_of.setdefault(code, []).append((hs, he))
        for code, span in rule_span.items():
            spans_of.setdefault(code, []).append(span)

        def suppressed(code: str, hs: int, he: int) -> bool:
            return any(
                code in v.suppresses.get(other, ())
                and any(ss - SUPPRESS_GAP <= he and hs <= se + SUPPRESS_GAP for ss, se in spans)
                for other, spans in spans_of.items()
                if other != code
            )

        kept = [h for h in kept if not suppressed(h[2], h[0], h[1])]
        ruled = {c: ks for c, ks in ruled.items() if not suppressed(c, *rule_span[c])}
        found = {h[2] for h in kept} | set(ruled)
        hits = [roles.Hit(s, e, c, cf, (s, e, c) in weak_only) for s, e, c, cf in kept]
        for code, ks in ruled.items():
            if code in found:
                hits.append(
                    roles.Hit(min(concept_hits[k][0] for k in ks), max(concept_hits[k][1] for k in ks), code)
                )
        hits = sorted(hits, key=lambda h: (h.start, h.end))
        item_spans = [(h.start, h.end) for h in hits]
        free_markers = [m for m in markers if not any(m[0] < he and hs < m[1] for hs, he in item_spans)]
        # whom or what size each hit is for; a kind the data turns into another for that beneficiary
        facet_hits = [
            (s, e, value, w.isascii() or value in facets.BEFORE_ANY)
            for s, e, w in v.facet_scanner.scan(mt, concept_ok)
            for value in (v.facet_scanner.entries[w][0][1],)
        ] + facets.inch_hits(mt)
        facet_hits = facets.drop_subjects(mt, facet_hits, item_spans)
        walls = [(s, e) for s, e, kind in free_markers if kind in ("head", "neg_pre", "neg_post")]

        def between_ok(a: int, b: int, extra: frozenset[str] = frozenset()) -> bool:
            return all(
                a <= ts
                and te <= b
                and (f in v.facet_between or f in extra or f.isascii() or f in v.facet_scanner.entries)
                for ts, te, f in spans
                if ts < b and te > a
            )

        hit_facets = (
            facets.attach(item_spans, facet_hits, walls, between_ok) if facet_hits else [set() for _ in hits]
        )
        for k, values in enumerate(hit_facets):
            remap = v.remap.get(hits[k].code, {})
            for value in sorted(values):
                if value in remap:
                    h = hits[k]
                    hits[k] = roles.Hit(h.start, h.end, remap[value], h.confidence, h.weak)
                    values.discard(value)
                    break
        # item words that made no hit (a generic word beside a specific one, a suppressed kind) still end
        # the reach of a "have enough" before them
        stops = tuple(
            sorted({s for s, e, _c, _w, _cf in item_hits if not any(hs <= s < he for hs, he in item_spans)})
        )
        # a work refused before what it would be done to ("we do not repair phones, tablets …",
        # "ไม่รับซ่อมพัดลมเดิม") refuses those things as a negation would
        refused_works = facets.refused_work_marks(mt, facet_hits)
        hits, hit_roles = roles.assign(
            hits,
            sorted(free_markers + refused_works) if refused_works else free_markers,
            title_mt,
            mt,
            lambda c: v.items[c].family if c in v.items else None,
            stops,
            v.is_service,
        )
        hit_roles = _accessories(v, hits, hit_roles, between_ok)
        self.weights = roles.weights_of(hits, hit_roles)
        self.tokens = self._text_tokens(pieces, hits, hit_roles)
        # a kind the post never says it wants mended is wanted (or given) itself; one mention of mending it
        # says what the post is about ("ซ่อมแอร์ … แอร์เสีย"); a refused one says the other work is wanted
        # ("we are not asking for new projectors", "ไม่ต้องการโปรเจคเตอร์ใหม่": its own, mended)
        said: dict[str, set[str]] = {}
        refused: dict[str, set[str]] = {}
        for h, r, values in zip(hits, hit_roles, hit_facets):
            work = {x for x in values if facets.DIMENSION_OF.get(x) == "work"}
            (refused if r == "negated" else said).setdefault(h.code, set()).update(work)
            said.setdefault(h.code, set())
        whole = facets.post_work(mt, facet_hits, markers, title_mt)
        for h, values in zip(hits, hit_facets):
            if v.can_be_mended(h.code):
                values.update(said[h.code] or facets.other_work(refused.get(h.code, set()), whole))
            else:  # a roof repair's "new roof", a building's renovation: the kind says what work it is
                values.difference_update(said[h.code])
        # a post for some school levels is for them with every kind it names (one spanning all restricts none)
        levels = school_levels.post_level(norm)
        if levels:
            for values in hit_facets:
                values.update(levels)
        self.facets = frozenset(
            facets.qualified(h.code, value)
            for h, r, values in zip(hits, hit_roles, hit_facets)
            if r != "negated"
            for value in values
        )
        self.found = frozenset(self.weights)
        dropped = [(h.start, h.end) for h, r in zip(hits, hit_roles) if r in TEXT_DROP]
        # a work refused ("we do not repair existing toilets", "ไม่จำเป็นต้องสร้างใหม่") is no concept of the post
        self.concepts = frozenset(
            c
            for cs, ce, c in concept_hits
            if not any(cs < he and hs < ce for hs, he in dropped) and (cs, ce) not in refused_concepts
        )
        self.kept = [(h[0], h[1], h[2]) for h in kept if h[2] in self.found]
        self.concept_hits = concept_hits
        self.ruled = {c: ks for c, ks in ruled.items() if c in self.found}

    def _text_tokens(self, pieces, hits, hit_roles) -> tuple[str, ...]:
        """The tokens the text part compares: without the words of negated items (and of the other
        roles in ``TEXT_DROP``)."""
        drop = [(h.start, h.end) for h, r in zip(hits, hit_roles) if r in TEXT_DROP]
        if not drop:
            return self.tokens
        return tuple(
            t for i, j, t in self._pieces_at(pieces) if not any(i < he and hs < j for hs, he in drop)
        )

    def _pieces_at(self, pieces: tuple[str, ...]):
        """Each non-blank piece, stripped, with its (start, end) in matching-form coordinates."""
        at = 0
        where = self.where
        for p in pieces:
            a, b = at, at + len(p)
            at = b
            t = p.strip()
            if t:
                yield bisect.bisect_left(where, a), bisect.bisect_left(where, b), t

    def _token_spans(self, pieces: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """Tokens as (start, end, matching form) in matching-form coordinates."""
        return [(i, j, self.mt[i:j]) for i, j, _t in self._pieces_at(pieces) if i < j]

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

"""What a post asks for: the head of the request above its passing mentions, and negated items dropped.

Markers are found in the matching form on word boundaries, like terms. An item hit is

- *negated* when the nearest request marker before it is a negation ("ไม่ต้องการ…", "no need for…",
  "we already have…"), or a "have enough" marker follows it closely ("…มีพอแล้ว", "…not needed");
- *context* when it describes where another item goes or what it is for: after a linker that follows
  another item ("แอร์ห้องคอมพิวเตอร์", "cameras for the canteen"), after a purpose word that follows
  another item ("แท็บเล็ต … ใช้ทำแบบฝึกหัด", "กระดานเขียนแบบแท็บเล็ต"), or before an English place noun
  ("computer room");
- *head* when it is in the title, or the object of a request marker (ต้องการ / ขอ / need …);
  when nothing is marked as head, every item hit that is not negated or context is — unless the title
  names no item and a request marker's object is no known item: then what was asked for is not
  recognised, and the items mentioned are passing mentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import markers
from .facets import LIST

#: weight of an item that is only mentioned in passing (the head of the request weighs 1)
CONTEXT_WEIGHT = 0.3
#: characters of matching form (≈ words × 5) a marker reaches
HEAD_REACH = 60
NEG_REACH = 40
POST_NEG_REACH = 25
LINK_GAP = 16
#: characters of matching form from the item before a connection marker ("… เชื่อมต่อ …") to it
ATTACH_REACH = 40

MARKERS = markers.MARKERS
LOCATIVE = markers.LOCATIVE

#: characters of matching form a purpose marker reaches back to the item it follows, and on to the next
PURPOSE_REACH = 40

#: characters of matching form from a person marker to the subject it names
PERSON_REACH = 24


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    code: str
    confidence: float = 1.0
    #: found only through a generic ("weak") term: a passing mention when something specific is named
    weak: bool = False


#: characters of matching form a bare "not" reaches ("need hearing aids, not glasses")
NEAR_NEG_REACH = 10
#: characters of matching form from a time in the past to the giving it dates ("เมื่อปีที่แล้วมีมูลนิธิบริจาค…")
PAST_REACH = 24


def _past_requests(markers):
    """A giving dated in the past ("last year a foundation donated …") is what the school already has:
    the request marker it uses counts as a negation."""
    past = [m for m in markers if m[2] == "past"]
    if not past:
        return markers
    out = []
    for m in markers:
        if m[2] == "head" and any(p[1] <= m[0] and m[0] - p[1] <= PAST_REACH for p in past):
            m = (m[0], m[1], "neg_pre")
        out.append(m)
    return out


#: Thai negation words that turn the request verb right after them into a refusal ("ไม่ขอรับทีวี": newmm
#: cuts ไม่|ขอรับ, so the marker ไม่ขอ is not on a word boundary and ขอรับ alone would read as a request)
_THAI_NOT = ("ไม่ได้", "ไม่")


def _negated_requests(markers, mt: str):
    """A Thai request marker right after ไม่ / ไม่ได้ counts as a negation."""
    out = []
    for m in markers:
        if m[2] == "head" and mt[max(0, m[0] - 8) : m[0]].rstrip().endswith(_THAI_NOT):
            m = (m[0], m[1], "neg_pre")
        out.append(m)
    return out


def _nearest_before(markers, pos: int, reach: int):
    best = None
    for s, e, kind in markers:
        if e <= pos and pos - e <= reach and (best is None or e > best[1]):
            best = (s, e, kind)
    return best


#: characters of matching form from a locative linker to the places it names ("in classrooms and …")
PLACE_REACH = 24


def _is_a_place(h: Hit, prev: Hit | None, markers, mt: str) -> bool:
    """Whether the hit follows a locative linker with no item between them and none just before it
    (an item just before is handled as the thing that goes there: the link rule)."""
    for s, e, kind in markers:
        if kind == "link" and e <= h.start and h.start - e <= PLACE_REACH and mt[s:e] in LOCATIVE:
            if prev is None or (prev.end <= s and s - prev.end > LINK_GAP):
                return True
    return False


def _marked_between(markers, kind: str, p: Hit, h: Hit, after_p: int, before_h: int) -> bool:
    """A ``kind`` marker between hits ``p`` and ``h``: at most ``after_p`` characters after ``p`` and at most
    ``before_h`` before ``h``."""
    return any(
        m[2] == kind and p.end <= m[0] <= p.end + after_p and m[1] <= h.start <= m[1] + before_h
        for m in markers
    )


#: characters of matching form from the writer's introduction ("I'm a volunteer …") to what it names
SELF_REACH = 40


def self_told(start: int, markers, requests=None) -> bool:
    """Whether the word at ``start`` names who writes ("I'm a volunteer English teacher at …"): shortly
    after an introduction, with no request between."""
    if requests is None:
        requests = [m for m in markers if m[2] in ("head", "neg_pre")]
    return any(
        m[2] == "self"
        and m[1] <= start <= m[1] + SELF_REACH
        and not any(m[1] <= r[0] < start for r in requests)
        for m in markers
    )


def _same_family(a: str, b: str, family_of: Callable[[str], str | None]) -> bool:
    fa = family_of(a)
    return fa is not None and fa == family_of(b)


def _names_a_person(
    h: Hit, prev: Hit | None, nxt: Hit | None, markers, service: Callable[[str], bool], mt: str
) -> bool:
    """Whether the hit is the subject or trade of a person or a course asked for: after a Thai person marker
    (with no other item between), or just before an English one ("robotics workshop"); likewise just after
    a Thai course or just before an English one that is itself an item kind ("อบรมครูหุ่นยนต์", "robotics
    workshop for teachers"). A kind that is itself a course or a teacher ("coding training", "STEM
    teacher") is what is asked for, not its subject."""
    if service(h.code):
        return False
    if nxt is not None and 0 <= nxt.start - h.end <= 2 and service(nxt.code) and mt[nxt.start].isascii():
        return True
    if (
        prev is not None
        and 0 <= h.start - prev.end <= 2
        and service(prev.code)
        and not mt[prev.start].isascii()
    ):
        return True
    for s, e, kind in markers:
        if kind == "person_pre" and e <= h.start and h.start - e <= PERSON_REACH:
            if prev is None or prev.end <= s:
                return True
        elif kind == "person_post" and s >= h.end and s - h.end <= 2:
            return True
    return False


def weigh(
    hits: list[Hit],
    markers: list[tuple[int, int, str]],
    title_end: int,
    mt: str,
    family_of: Callable[[str], str | None] = lambda code: None,
) -> dict[str, float]:
    """Item code → weight (head 1 × confidence, context ``CONTEXT_WEIGHT`` × confidence); negated
    items left out. ``markers`` are (start, end, kind) in the matching form, not overlapping hits.
    ``family_of`` gives an item's family: after a purpose word an item of the same family refines the
    one before it ("อินเทอร์เน็ตแบบดาวเทียม", internet of the satellite kind) rather than naming what
    it is for ("กระดานเขียนแบบแท็บเล็ต", a board like a tablet)."""
    return weights_of(*assign(hits, markers, title_end, mt, family_of))


def weights_of(hits: list[Hit], roles: list[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for h, role in zip(hits, roles):
        if role == "negated":
            continue
        w = (1.0 if role == "head" else CONTEXT_WEIGHT) * h.confidence  # "subject" weighs as context
        weights[h.code] = max(weights.get(h.code, 0.0), w)
    return weights


#: characters of matching form from a bare "no" to the item it refuses, and from the item to the word that
#: makes it a refusal ("no laptops please", "no computers needed"; "we have no projector" is a lack)
NO_REACH = 6
NO_TAIL_REACH = 12


def _no_refusal(h: Hit, prev: Hit | None, markers) -> bool:
    return any(
        m[2] == "no" and m[1] <= h.start <= m[1] + NO_REACH and (prev is None or prev.end <= m[0])
        for m in markers
    ) and any(m[2] == "no_tail" and h.end <= m[0] <= h.end + NO_TAIL_REACH for m in markers)


#: characters of matching form from มี ("have") to the item it has, and from the item to แล้ว ("already")
HAVE_REACH = 4
HAVE_DONE_REACH = 30


def _had(h: Hit, prev: Hit | None, nxt: int, markers, end: int | None = None) -> bool:
    """ "มีทีวีทุกห้องแล้ว", "มีคอมพิวเตอร์ ๒๐ เครื่องอยู่แล้ว": what the school says it has already (มี … แล้ว,
    with no other item between but the list ``h`` leads, which ends at ``end``; ไม่มี, "has none", is
    another marker)."""
    end = h.end if end is None else end
    return any(
        m[2] == "have" and m[1] <= h.start <= m[1] + HAVE_REACH and (prev is None or prev.end <= m[0])
        for m in markers
    ) and any(
        m[2] in ("done", "neg_post") and end <= m[0] <= min(end + HAVE_DONE_REACH, nxt) for m in markers
    )  # "มี X ครบแล้ว", "มี X เพียงพอ": a have-enough phrase closes it as well as แล้ว


def _listed(hits: list[Hit], k: int, mt: str) -> tuple[int, int]:
    """The first and last index of the list hits[k] is in: hits joined by nothing but list words
    ("ชั้นวางและโต๊ะอ่าน", "tables, chairs and cupboards"), so "มี X และ Y ครบแล้ว" has both."""

    def joined(a: Hit, b: Hit) -> bool:
        gap = mt[a.end : b.start].replace(",", " ").split()
        return all(w in LIST for w in gap)

    first = last = k
    while first > 0 and joined(hits[first - 1], hits[first]):
        first -= 1
    while last + 1 < len(hits) and joined(hits[last], hits[last + 1]):
        last += 1
    return first, last


def assign(
    hits: list[Hit],
    markers: list[tuple[int, int, str]],
    title_end: int,
    mt: str,
    family_of: Callable[[str], str | None] = lambda code: None,
    stops: tuple[int, ...] = (),
    service: Callable[[str], bool] = lambda code: False,
) -> tuple[list[Hit], list[str]]:
    """The hits in text order and the role of each: head, context, place, subject or negated (``weigh``).
    ``stops``: where other item words start that are no hits (a generic word beside a specific one):
    a "have enough" after one of them is about it, not about the hit before it."""
    hits = sorted(hits, key=lambda h: (h.start, h.end))
    markers = _negated_requests(_past_requests(markers), mt)
    requests = [m for m in markers if m[2] in ("head", "neg_pre")]
    # a description's items are the object of the description's own markers, not the title's
    desc_requests = [m for m in requests if m[0] >= title_end]
    roles: list[str] = []
    for k, h in enumerate(hits):
        # a request or negation in the title reaches no further than the title
        near = _nearest_before(desc_requests if h.start >= title_end else requests, h.start, NEG_REACH)
        negated = near is not None and near[2] == "neg_pre"
        if not negated:
            negated = any(
                m[2] == "neg_near"
                and m[1] <= h.start <= m[1] + NEAR_NEG_REACH
                and (k == 0 or hits[k - 1].end <= m[0])
                for m in markers
            )
        if not negated:
            negated = _no_refusal(h, hits[k - 1] if k > 0 else None, markers)
        if not negated:
            first, last = _listed(hits, k, mt)
            nxt_hit = hits[last + 1].start if last + 1 < len(hits) else len(mt)
            lead = hits[first]  # "มี X และ Y แล้ว": the have-marker stands before the list
            negated = _had(lead, hits[first - 1] if first > 0 else None, nxt_hit, markers, end=hits[last].end)
        if not negated:
            # "ทีวีจอใหญ่ในหอประชุมมีแล้ว": a "have it" after the place an item is in covers the item too
            j = k + 1
            while j < len(hits) and _marked_between(
                markers, "link", hits[j - 1], hits[j], LINK_GAP, LINK_GAP
            ):
                j += 1
            nxt = hits[j].start if j < len(hits) else len(mt)
            nxt = min([nxt, *(p for p in stops if p >= h.end)])
            # a "have enough" in the description is about what it describes, never about the title's request
            last = title_end if h.start < title_end else len(mt)
            negated = any(
                m[2] == "neg_post"
                and m[0] >= h.end
                and m[0] - h.end <= POST_NEG_REACH
                and m[0] <= nxt
                and m[0] < last
                for m in markers
            )
        if negated:
            roles.append("negated")
            continue
        if h.start >= title_end and self_told(h.start, markers, requests):
            roles.append("context")
            continue
        p = hits[k - 1] if k > 0 else None
        # after a linker that follows the item before ("แอร์ห้องคอมพิวเตอร์"), or after a connection
        # marker however far after it ("… เชื่อมต่อโน้ตบุ๊กของครูได้"): where it goes, what it works with
        context = p is not None and (
            (0 <= h.start - p.end <= LINK_GAP and _marked_between(markers, "link", p, h, LINK_GAP, LINK_GAP))
            or _marked_between(markers, "attach", p, h, ATTACH_REACH, LINK_GAP)
        )
        if not context and k + 1 < len(hits):
            q = hits[k + 1]
            context = (
                any(
                    m[2] == "place_after"
                    and m[0] >= h.end
                    and m[0] - h.end <= 2
                    and m[1] <= q.start + LINK_GAP
                    for m in markers
                )
                and q.start - h.end <= LINK_GAP + 8
            )
        if not context and p is not None and not _same_family(p.code, h.code, family_of):
            context = _marked_between(markers, "purpose", p, h, PURPOSE_REACH, PURPOSE_REACH)
        if not context and _is_a_place(h, hits[k - 1] if k > 0 else None, markers, mt):
            roles.append("place")  # where the unnamed thing goes or is done: never the head
            continue
        if not context and _names_a_person(
            h, p, hits[k + 1] if k + 1 < len(hits) else None, markers, service, mt
        ):
            roles.append("subject")  # the person is what is asked for, never promoted to the head
            continue
        if context:
            roles.append("context")
            continue
        in_title = h.start < title_end
        head_near = _nearest_before(requests if in_title else desc_requests, h.start, HEAD_REACH)
        roles.append("head" if in_title or (head_near is not None and head_near[2] == "head") else "plain")
    # the object of a request marker in the description refines a title that names several things
    title_heads = {h.code for h, r in zip(hits, roles) if r == "head" and h.start < title_end}
    marked = {h.code for h, r in zip(hits, roles) if r == "head" and h.start >= title_end}
    if title_heads and marked and title_heads & marked and title_heads - marked:
        keep = title_heads & marked
        roles = [
            "plain" if r == "head" and h.code not in keep and h.start < title_end else r
            for h, r in zip(hits, roles)
        ]
    if "head" not in roles:
        # a request marker whose object is no known item (ขอลาดยาง…): what was asked for is unrecognised,
        # so the items mentioned elsewhere are passing mentions, not the request
        starts = [h.start for h in hits]
        unknown_object = not any(h.start < title_end for h in hits) and any(
            m[2] == "head" and m[1] >= title_end and not any(0 <= s - m[1] <= HEAD_REACH for s in starts)
            for m in requests
        )
        roles = [("context" if unknown_object else "head") if r == "plain" else r for r in roles]
        if "head" not in roles and not unknown_object:
            roles = ["head" if r == "context" else r for r in roles]
    if any(r == "head" and not h.weak for h, r in zip(hits, roles)):
        roles = ["context" if h.weak and r == "head" else r for h, r in zip(hits, roles)]
    return hits, roles

"""Whom an item is for and what size it is, read from the words next to it: "โต๊ะครู" (a teacher's desk)
against "โต๊ะเก้าอี้นักเรียน" (pupils' desks), "tablets for students", "ทีวีเล็ก" against "a 65-inch TV for
halls".

A facet word belongs to the item hit it lies in (at the start or end of its term), follows closely
(Thai puts the modifier after the noun: "โน้ตบุ๊กสำหรับครู"), or — a Latin word — stands just before
("teacher laptops", "small TV"); nothing but linkers, numbers and classifiers may come between. A hit
with a facet yields a qualified code ``base@value``, stored with the post's concepts; the matcher lowers
the item part where both posts name a value of one dimension for the same item kind and the values
differ (``matching.views``). An item kind may instead name the kind a beneficiary turns it into
(``"for": {"teachers": "teacher_scholarship"}`` in the data file).

The work asked for (mended or given) is a facet too, and may also be read from the whole post: a word of
work asked for apart from any item (``post_work``), and refused or impossible work (``refused_work``),
which builds no rule item either.
"""

from __future__ import annotations

import re
from functools import lru_cache

from csr_hub.domain.vocabulary.levels import LEVELS
from csr_hub.domain.vocabulary.scan import form

#: dimension → its values; values of one dimension exclude each other
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "for": ("teachers", "students"),
    "size": ("small", "large"),
    #: the school subject: maths textbooks are not English workbooks, a Chinese volunteer no English one
    "subject": (
        "thai",
        "english",
        "chinese",
        "japanese",
        "korean",
        "french",
        "german",
        "maths",
        "science",
        "social",
        "computing",
        "music",
        "art",
    ),
    #: mending what the school has, or the thing itself: "ซ่อมแอร์" (an air-conditioner repaired) is not "แอร์"
    #: (one given). Unlike the others, a mention of a kind that can be mended says "supply" when no word says
    #: which (``SUPPLY``): a post about air-conditioners that never says "repair" offers or asks for them
    "work": ("repair", "supply"),
    #: the school level a post is for, read from the whole post (``post_level``), not from beside an item:
    #: SIM cards for Prathom 5 pupils are not SIM cards for Mathayom pupils
    "level": LEVELS,
}
SUPPLY = "supply"
DIMENSION_OF = {v: d for d, vs in DIMENSIONS.items() for v in vs}

WORDS: dict[str, tuple[str, ...]] = {
    "teachers": (
        "ครู",
        "คุณครู",
        "ครูผู้สอน",
        "ข้าราชการครู",
        "บุคลากร",
        "บุคลากรครู",
        "อาจารย์",
        "teacher",
        "teachers",
        "teaching staff",
        "staff",
        "educator",
    ),
    "students": (
        "นักเรียน",
        "เด็กนักเรียน",
        "เด็ก",
        "เด็กๆ",
        "เด็กเล็ก",
        "ผู้เรียน",
        "student",
        "pupil",
        "children",
        "child",
        "kid",
        "learner",
        "schoolchildren",
    ),
    "small": ("เล็ก", "ขนาดเล็ก", "จอเล็ก", "small", "mini", "compact"),
    "large": ("ใหญ่", "ขนาดใหญ่", "จอใหญ่", "หอประชุม", "large", "big", "jumbo", "hall", "auditorium"),
    "thai": ("ภาษาไทย", "วิชาภาษาไทย", "thai language", "thai reading"),
    "english": ("ภาษาอังกฤษ", "อังกฤษ", "english", "english language"),
    "chinese": ("ภาษาจีน", "จีน", "chinese", "mandarin"),
    "japanese": ("ภาษาญี่ปุ่น", "ญี่ปุ่น", "japanese", "japanese language"),
    "korean": ("ภาษาเกาหลี", "เกาหลี", "korean", "korean language"),
    "french": ("ภาษาฝรั่งเศส", "ฝรั่งเศส", "french", "french language"),
    "german": ("ภาษาเยอรมัน", "เยอรมัน", "german", "german language"),
    "maths": ("คณิตศาสตร์", "คณิต", "math", "maths", "mathematics"),
    "science": (
        "วิทยาศาสตร์",
        "วิทย์",
        "ฟิสิกส์",
        "เคมี",
        "ชีววิทยา",
        "science",
        "sciences",
        "physics",
        "chemistry",
        "biology",
    ),
    "social": ("สังคมศึกษา", "สังคม", "ประวัติศาสตร์", "ภูมิศาสตร์", "social studies", "history", "geography"),
    "computing": ("วิทยาการคำนวณ", "โค้ดดิ้ง", "coding", "programming", "computing", "computer science"),
    "music": ("ดนตรี", "ดนตรีไทย", "ดนตรีสากล", "music"),
    "art": ("ศิลปะ", "ทัศนศิลป์", "art", "arts"),
    "repair": (
        "ซ่อม",
        "ซ่อมแซม",
        "ซ่อมบำรุง",
        "บำรุงรักษา",
        "การซ่อม",
        "ล้าง",
        "ปรับปรุง",
        "เปลี่ยนอะไหล่",
        "repair",
        "repairs",
        "repairing",
        "repaired",
        "fix",
        "fixing",
        "fixed",
        "mend",
        "mending",
        "mended",
        "serviced",
        "maintenance",
        "servicing",
        "renovate",
        "renovation",
        "renovating",
        "overhaul",
    ),
    "supply": ("ใหม่", "ซื้อใหม่", "ของใหม่", "เครื่องใหม่", "ติดตั้งใหม่", "new", "brand new"),
}
#: facet values whose Thai words stand before their item (verbs: "ซ่อมแอร์", "ปรับปรุงโรงอาหาร")
BEFORE_ANY = frozenset(("repair", "supply"))

#: what may stand between an item and its facet word (besides numbers)
BETWEEN = frozenset(
    (
        "สำหรับ",
        "ให้",
        "ของ",
        "แก่",
        "ใช้",
        "ที่ใช้",
        "ประจำ",
        "ไว้",
        "จอ",
        "เครื่อง",
        "ชุด",
        "ตัว",
        "อัน",
        "ใบ",
        "คัน",
        "ขนาด",
        "นิ้ว",
        "for",
        "the",
        "our",
        "use",
        "of",
        "by",
        "inch",
        "inches",
        "units",
        "sets",
        "pcs",
        "smart",
        "ใหม่",
        "มือสอง",
        "สภาพดี",
        "วิชา",
        "สาระ",
        "กลุ่มสาระ",
        "เสริม",
        "ทักษะ",
        "เสริมทักษะ",
        "การ",
        "เรื่อง",
    )
)
#: what joins facet values into a list ("ภาษาไทย คณิตศาสตร์ และภาษาอังกฤษ", "teachers and pupils"): each
#: value of the list belongs to the item the first one belongs to
LIST = frozenset(("และ", "หรือ", "กับ", "and", "or", "&"))
LIST_REACH = 12
#: what joins an accessory to the device it comes with ("ทีวีพร้อมขาแขวน", a TV with its wall mount)
BUNDLE = frozenset(("พร้อม", "พร้อมด้วย", "และ", "with", "and", "including", "plus"))
#: characters of matching form from the end of an item to a facet word after it, and from a Latin facet
#: word before it to the item
AFTER_REACH = 16
BEFORE_REACH = 8
#: a Latin word of the work done stands further before its item, across what the item is ("repair of
#: twelve old Epson projectors", "new ultra-short-throw projectors"), as long as no other item lies between
WORK_BEFORE_REACH = 28

#: a screen size: up to 50 inches is small, 60 and over large
_INCHES = re.compile(r"(?<![0-9])([1-9][0-9])(?: ?(?:นิ้ว|inch|inches|in)(?![a-z]))")


#: words that open a clause: a Thai person word just before one is its subject, not whom the item
#: before it is for ("ขอทุน ๘ ทุน (ครูไม่ต้องการทุน)", "ขอโปรเจคเตอร์ ครูจะได้สอนสะดวก")
CLAUSE = ("ไม่", "จะ", "ได้", "ก็", "ต้อง", "สามารถ", "ยัง", "เคย", "อยาก", "กำลัง", "ควร", "มัก", "ชอบ", "มี")
#: what makes a Thai person word after an item whom the item is for, whatever follows it
FOR_LINKERS = ("สำหรับ", "ให้", "แก่", "ของ", "ประจำ", "ที่ใช้", "ใช้")


@lru_cache(maxsize=1)
def _clause_forms() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(form(w) for w in CLAUSE), tuple(form(w) for w in FOR_LINKERS)


def _opens_clause(mt: str, fs: int, fe: int, item_spans: list[tuple[int, int]]) -> bool:
    """A Thai word at fs..fe with a clause word right after it and no linker right before it, outside
    any item's own term."""
    clause, linkers = _clause_forms()
    if any(hs <= fs and fe <= he for hs, he in item_spans):
        return False
    return mt[fe:].lstrip().startswith(clause) and not mt[:fs].rstrip().endswith(linkers)


def subject_hits(mt: str, concept_hits: list[tuple[int, int, str]], item_spans: list[tuple[int, int]]):
    """The person concepts (ครู, นักเรียน …) that are the subject of the clause they open."""
    persons = {form(w) for value in ("teachers", "students") for w in WORDS[value]}
    return [
        (s, e, c, False)
        for s, e, c in concept_hits
        if mt[s:e] in persons and _opens_clause(mt, s, e, item_spans)
    ]


def drop_subjects(
    mt: str, facet_hits: list[tuple[int, int, str, bool]], item_spans: list[tuple[int, int]]
) -> list[tuple[int, int, str, bool]]:
    """Leave out the Thai person words that are the subject of the clause they open (a clause word
    right after them, no linker right before them), unless they lie inside an item's own term."""
    return [
        (fs, fe, value, latin)
        for fs, fe, value, latin in facet_hits
        if latin or DIMENSION_OF.get(value) != "for" or not _opens_clause(mt, fs, fe, item_spans)
    ]


def qualified(code: str, value: str) -> str:
    return f"{code}@{value}"


def split(token: str) -> tuple[str, str]:
    base, _, value = token.partition("@")
    return base, value


def inch_hits(mt: str) -> list[tuple[int, int, str, bool]]:
    out = []
    for m in _INCHES.finditer(mt):
        size = int(m.group(1))
        if size <= 50 or size >= 60:
            out.append((m.start(), m.end(), "small" if size <= 50 else "large", True))
    return out


def other_work(refused: set[str], whole: str | None = None) -> set[str]:
    """The work a post wants of a kind it never says it wants mended or given: the other one where it
    refuses one ("not new ones": a repair), else — where it refuses none — the work the whole post asks for
    (``post_work``), else the thing itself."""
    if len(refused) == 1:
        return set(DIMENSIONS["work"]) - refused
    return {SUPPLY} if refused else {whole or SUPPLY}


#: a short refusal just before a word of work or a verb concept ("ไม่ต้องสร้างใหม่", "not a new system",
#: "no need to build"): the word says what is not wanted
_REFUSED_BEFORE = re.compile(
    r"(?:ไม่ต้องการ|ไม่ได้ต้องการ|ไม่ต้อง|ไม่ได้ขอ|ไม่ขอ|ไม่ใช่|ไม่เอา|ไม่รับ|ไม่รวม|ไม่ครอบคลุม"
    r"|(?<![a-z])(?:not|cannot|can t|beyond|no need to|no need for|no|nor|without|except|excluding))"
    # the refusal reaches along a list: "cannot replace lamps or repair", "ไม่รับเปลี่ยนหรือซ่อม"
    r"\s*(?:a |an |any |the )?(?:[^\sa-z]{1,12}\s*หรือ\s*|(?:[a-z]+ ){1,3}(?:or|nor) )?$"
)
#: the concepts of the work done, which rule-built items start from ("ซ่อม" + "บ้านพักครู")
WORK_CONCEPTS = frozenset(("c_build", "c_repair", "c_install"))
#: what follows a word of mending when the thing cannot be mended ("ซ่อมไม่ได้แล้ว", "ซ่อมไม่คุ้ม")
_UNMENDABLE_AFTER = re.compile(r"\s*(?:ไม่ได้|ไม่คุ้ม|ไม่ไหว)")
#: characters of matching form from a request to the word of work it asks for
ASK_REACH = 12


def refused_before(mt: str, s: int) -> bool:
    """Whether a short refusal ends just before position ``s`` of the matching form."""
    return _REFUSED_BEFORE.search(mt, max(0, s - 40), s) is not None


def refused_work(mt: str, s: int, e: int) -> bool:
    """Whether the word of work at s..e is refused, or says the thing is past mending."""
    return refused_before(mt, s) or _UNMENDABLE_AFTER.match(mt, e) is not None


def refused_work_marks(mt: str, facet_hits) -> list[tuple[int, int, str]]:
    """The words of work a post refuses, as negation markers for what follows them."""
    return [
        (fs, fe, "neg_pre")
        for fs, fe, value, _latin in facet_hits
        if DIMENSION_OF.get(value) == "work"
        and (refused_work(mt, fs, fe) if value == "repair" else refused_before(mt, fs))
    ]


def post_work(mt: str, facet_hits, markers, title_end: int) -> str | None:
    """The work a whole post asks for where its words of work stand apart from any item ("Our CCTV is
    broken. We need repair, not a new system."): repair where mending is the only work it asks for, else
    None. A word of work counts where it is asked for — in the title or just after a request ("ขอ",
    "need") —, not where the post tells what happened ("ส่งซ่อมแล้วร้านบอกไม่คุ้ม"), nor where it is
    refused ("not a new system"; "ไม่ใช่เครื่องใหม่" may say a used one, not a mended one)."""
    said: set[str] = set()
    inside = [(s, e) for s, e, _k in markers]
    asks = [e for s, e, k in markers if k == "head"]
    for fs, fe, value, _latin in facet_hits:
        if DIMENSION_OF.get(value) != "work" or any(s <= fs and fe <= e for s, e in inside):
            continue
        if refused_work(mt, fs, fe) if value == "repair" else refused_before(mt, fs):
            continue
        if fs < title_end or any(e <= fs <= e + ASK_REACH for e in asks):
            said.add(value)
    return "repair" if said == {"repair"} else None


def before_reach(value: str) -> int:
    return WORK_BEFORE_REACH if DIMENSION_OF.get(value) == "work" else BEFORE_REACH


def attach(
    hits: list[tuple[int, int]],
    facet_hits: list[tuple[int, int, str, bool]],
    walls: list[tuple[int, int]],
    between_ok,
) -> list[set[str]]:
    """For each item hit (start, end), the facet values that belong to it. ``facet_hits``: (start, end,
    value, whether the word is Latin — only a Latin word may stand before its item). ``walls`` (request and
    negation markers) stop a facet word reaching an item; ``between_ok(a, b)`` says whether the text
    from a to b holds only linkers, numbers and classifiers."""
    out: list[set[str]] = [set() for _ in hits]
    attached: list[tuple[int, int, int, str | None]] = []
    starts = sorted(s for s, _ in hits)

    def clear(a: int, b: int) -> bool:
        if any(a <= s < b for s in starts) or any(a <= ws and we <= b for ws, we in walls):
            return False
        return between_ok(a, b)

    for fs, fe, value, latin in facet_hits:
        best, best_gap = None, None
        for k, (hs, he) in enumerate(hits):
            if hs <= fs and fe <= he:
                best, best_gap = k, -1
                break
            if he <= fs and fs - he <= AFTER_REACH and clear(he, fs):
                gap = fs - he
            elif fe <= hs and hs - fe <= before_reach(value) and latin and clear(fe, hs):
                gap = hs - fe + 0.5
            else:
                continue
            if best_gap is None or gap < best_gap:
                best, best_gap = k, gap
        if best is not None:
            out[best].add(value)
            attached.append((fs, fe, best, DIMENSION_OF.get(value)))
    # a list of values of one dimension after an attached one: "แบบฝึกหัดภาษาไทย คณิตศาสตร์ ภาษาอังกฤษ"
    for fs, fe, value, _latin in facet_hits:
        dim = DIMENSION_OF.get(value)
        for _as, ae, k, adim in attached:
            if (
                adim == dim
                and ae <= fs
                and fs - ae <= LIST_REACH
                and not any(ae <= ws and we <= fs for ws, we in walls)
                and between_ok(ae, fs, LIST)
            ):
                out[k].add(value)
                break
    return out

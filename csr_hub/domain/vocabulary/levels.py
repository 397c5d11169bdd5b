"""The school level a post is for — pre-school, primary, lower or upper secondary — read from its whole text
(``post_level``): a facet of every kind the post names (``facets.DIMENSIONS["level"]``), so SIM cards for
Prathom 5 pupils share less with SIM cards for Mathayom pupils."""

from __future__ import annotations

import re

#: the school levels in order: a post naming two of them spans those between ("อนุบาล–ม.3")
LEVELS = ("preschool", "primary", "lower_secondary", "upper_secondary")
_SECONDARY = ("lower_secondary", "upper_secondary")
#: the words and grade marks of the school levels in the normalised text (dots are spaces there, Thai
#: digits Latin): "อนุบาล", "ป.5", "ประถมศึกษา", "Grade 4", "M.2", "มัธยม", "ม.ต้น", "ม.ปลาย". A Thai grade
#: mark stands apart from the word before it, and "ม.4" in an address ("ม.4 ต.บ้านไร่", village 4) is no grade
_LEVEL_MARK = re.compile(
    r"(?P<pre>อนุบาล|(?<![ก-๙])อ [1-3](?![0-9])|kindergarten|pre ?school|nursery)"
    r"|(?P<pri>ประถม|(?<![0-9] )(?<![ก-๙])ป [1-6](?![0-9])|(?<![a-z])(?:primary|elementary|prathom|p ?[1-6](?![0-9])))"
    r"|(?P<thm>มัธยม(?:ศึกษา)?(?: ?ตอน)?(?P<thpart> ?(?:ต้น|ปลาย))?(?: ?ปีที่ ?(?P<thyear>[1-6]))?)"
    r"|(?<![0-9] )(?<![ก-๙])ม (?:(?P<thgrade>[1-6])(?![0-9])(?! ?(?:ต |ตำบล|ถ |ซ |บ้าน))|(?P<thshort>ต้น|ปลาย))"
    r"|(?<![a-z])(?:(?P<lower>lower secondary|junior high|junior secondary)|(?P<upper>upper secondary|senior high"
    r"|senior secondary)|(?P<sec>secondary|high school|mathayom)|m ?(?P<mgrade>[1-6])(?![0-9])"
    r"|(?:grades?|years?) (?P<g1>[1-9]|1[0-2])(?: (?:to |and |through )?(?P<g2>[1-9]|1[0-2]))?(?![0-9]))"
)
#: a refusal just before a mention ("ไม่มีขนาดสำหรับนักเรียนมัธยม", "not for secondary"): it names no level
_LEVEL_REFUSED = re.compile(
    r"(?:ไม่มี|ไม่ใช่|ไม่รับ|ไม่เหมาะ|ยกเว้น|(?<![a-z])(?:not|no|except|excluding) )[^.]{0,24}$"
)


def _grade_level(g: int) -> str:
    return "primary" if g <= 6 else "lower_secondary" if g <= 9 else "upper_secondary"


def _mention_levels(m: re.Match) -> tuple[str, ...]:
    d = m.groupdict()
    if d["pre"]:
        return ("preschool",)
    if d["pri"]:
        return ("primary",)
    part = (d["thpart"] or d["thshort"] or "").strip()
    year = d["thyear"] or d["thgrade"] or d["mgrade"]
    if part:
        return ("lower_secondary",) if part == "ต้น" else ("upper_secondary",)
    if year:
        return ("lower_secondary",) if int(year) <= 3 else ("upper_secondary",)
    if d["lower"]:
        return ("lower_secondary",)
    if d["upper"]:
        return ("upper_secondary",)
    if d["thm"] or d["sec"]:
        return _SECONDARY
    if d["g1"]:
        low = int(d["g1"])
        high = int(d["g2"]) if d["g2"] and int(d["g2"]) > low else low
        return tuple({_grade_level(low), _grade_level(high)})
    return ()


def post_level(norm: str) -> frozenset[str]:
    """The school levels a post is for, from every mention in its normalised text that no refusal just
    before takes back: one level, or secondary school as a whole ("มัธยม"). A post spanning more (a
    school teaching "อนุบาล–ม.3", a pupil "ป.6 going on to ม.1") is for no level in particular."""
    named: set[str] = set()
    for m in _LEVEL_MARK.finditer(norm):
        if _LEVEL_REFUSED.search(norm, max(0, m.start() - 40), m.start()):
            continue
        named.update(_mention_levels(m))
    if not named:
        return frozenset()
    ranks = [LEVELS.index(x) for x in named]
    spanned = frozenset(LEVELS[min(ranks) : max(ranks) + 1])
    return spanned if len(spanned) == 1 or spanned == frozenset(_SECONDARY) else frozenset()

"""The ten category codes and which of them are neighbours (one side files a thing under one, the other
side under the next)."""

from __future__ import annotations

from csr_hub.domain.reference import CATEGORIES

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
CATEGORY_CODES = CATEGORIES  # the codes are written once, in domain/reference.py
CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORY_CODES)}


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


def category_mask(categories) -> int:
    """A bit per category code (for the vectorised item-led category rule)."""
    m = 0
    for c in categories:
        m |= 1 << CATEGORY_INDEX.get(c, CATEGORY_INDEX["other"])
    return m

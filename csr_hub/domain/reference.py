"""Categories, urgencies, quality groups, regions, Thai tax ids, dates: small facts every layer shares."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from pythainlp.util import thai_strftime

BANGKOK = ZoneInfo("Asia/Bangkok")

#: the codes of each fixed list, in the order the pages show them (their labels: ``csr_hub/labels.py``)
CATEGORIES: tuple[str, ...] = (
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
URGENCIES: tuple[str, ...] = ("low", "normal", "high", "critical")
#: the order the lists sort urgencies in (stored as ``needs.urgency_rank``)
URGENCY_RANK: dict[str, int] = {code: rank for rank, code in enumerate(URGENCIES)}
QUALITY_GROUPS: tuple[str, ...] = ("core", "stand_alone", "merging")
REGIONS: tuple[str, ...] = ("north", "northeast", "central", "east", "west", "south")

TAX_ID_RE = re.compile(r"^\d{13}$")
SCHOOL_CODE_RE = re.compile(r"^\d{10}$")


def valid_tax_id(tax_id: str) -> bool:
    """Thai 13-digit tax id: the last digit is (11 − Σ dᵢ·(13−i) mod 11) mod 10."""
    if not isinstance(tax_id, str) or not TAX_ID_RE.match(tax_id):
        return False
    total = sum(int(tax_id[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(tax_id[12])


def make_tax_id(first12: str) -> str:
    """Complete 12 digits with their check digit (demo data and tests)."""
    total = sum(int(first12[i]) * (13 - i) for i in range(12))
    return first12 + str((11 - total % 11) % 10)


def today_bangkok() -> date:
    return datetime.now(BANGKOK).date()


def format_date(value: date | datetime | None, lang: str = "th") -> str:
    """Thai: ``25 พ.ย. 2569`` (Buddhist Era, PyThaiNLP); English: ``25 Nov 2026`` (Babel's CLDR data)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BANGKOK)
    if lang == "th":
        return thai_strftime(datetime(value.year, value.month, value.day), "%-d %b %Y")
    return babel_dates.format_date(value, "d MMM y", locale="en")


def format_month(year: int, month: int, lang: str = "th") -> str:
    """Thai: ``พ.ย. 69`` (Buddhist Era); English: ``Nov 2026``."""
    if lang == "th":
        return thai_strftime(datetime(year, month, 1), "%b %y")
    return babel_dates.format_date(date(year, month, 1), "MMM y", locale="en")

"""What each code is called: every label of a category, urgency, quality group, region, role or status goes
through the one Babel catalogue (``translations/th/LC_MESSAGES/messages.po``), as page text does.

The domain keeps the codes (``domain/reference.py``, ``domain/policy.py``); this module names them. Each
label is an English message with a context (``_p(context, message)``, extracted by ``make translations``
with ``-k _p:1c,2``), looked up in the reader's language by :func:`label`. It needs no request or app
context, so services (notifications, exports) and the matcher's reasons name codes the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

from babel.support import NullTranslations, Translations

from csr_hub.domain.policy import Role

TRANSLATIONS = Path(__file__).parent / "translations"
LANGS = ("th", "en")


class Label(NamedTuple):
    """A message of the catalogue: its context and its English text (the msgid)."""

    context: str
    message: str


def _p(context: str, message: str) -> Label:
    """Marks a label or message for extraction (``-k _p:1c,2``)."""
    return Label(context, message)


CATEGORIES: dict[str, Label] = {
    "devices": _p("category", "Devices"),
    "internet": _p("category", "Internet"),
    "teacher_housing": _p("category", "Teacher housing"),
    "teacher_welfare": _p("category", "Teacher welfare"),
    "teaching_support": _p("category", "Teaching support"),
    "learning_materials": _p("category", "Learning materials"),
    "facilities": _p("category", "Facilities"),
    "student_welfare": _p("category", "Student welfare"),
    "safety": _p("category", "Safety"),
    "other": _p("category", "Other"),
}

URGENCIES: dict[str, Label] = {
    "low": _p("urgency", "Low"),
    "normal": _p("urgency", "Normal"),
    "high": _p("urgency", "High"),
    "critical": _p("urgency", "Critical"),
}

QUALITY_GROUPS: dict[str, Label] = {
    "core": _p("quality group", "Core quality school"),
    "stand_alone": _p("quality group", "Stand-alone school"),
    "merging": _p("quality group", "Merging school"),
}

REGIONS: dict[str, Label] = {
    "north": _p("region", "North"),
    "northeast": _p("region", "Northeast"),
    "central": _p("region", "Central"),
    "east": _p("region", "East"),
    "west": _p("region", "West"),
    "south": _p("region", "South"),
}

ROLES: dict[str, Label] = {
    Role.SCHOOL_STAFF: _p("role", "School staff"),
    Role.COMPANY_REP: _p("role", "Company representative"),
    Role.DISTRICT_DIRECTOR: _p("role", "District (ESA) director"),
    Role.CENTRAL_OFFICER: _p("role", "OBEC central officer"),
    Role.ADMIN: _p("role", "Administrator"),
}

STATUSES: dict[str, Label] = {
    "open": _p("status", "Open"),
    "fulfilled": _p("status", "Fully pledged"),
    "cancelled": _p("status", "Cancelled"),
    "exhausted": _p("status", "Exhausted"),
    "withdrawn": _p("status", "Withdrawn"),
    "expired": _p("status", "Expired"),
    "proposed": _p("status", "Proposed"),
    "pledged": _p("status", "Pledged"),
    "district_approved": _p("status", "District approved"),
    "approved": _p("status", "Approved"),
    "delivered": _p("status", "Delivered"),
    "completed": _p("status", "Completed"),
    "declined": _p("status", "Declined"),
    "rejected": _p("status", "Rejected"),
    "pending": _p("status", "Pending"),
    "active": _p("status", "Active"),
    "disabled": _p("status", "Disabled"),
}

NOTIFICATION_KINDS: dict[str, Label] = {
    "match_changed": _p("notification kind", "A match changed"),
    "new_strong_match": _p("notification kind", "A strong new match"),
    "reminder": _p("notification kind", "Reminders"),
    "escalated": _p("notification kind", "Escalations"),
    "partnership_changed": _p("notification kind", "A partnership changed"),
}


def _directory() -> str:
    """Where the compiled catalogues are: the app's (``BABEL_TRANSLATION_DIRECTORIES``, which start-up sets,
    possibly under ``instance/`` when the package is read-only), else the package's own."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES") or TRANSLATIONS)
    return str(TRANSLATIONS)


@lru_cache(maxsize=8)
def catalogue(lang: str, directory: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English is the messages themselves)."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(directory, [lang], domain="messages")


def translate(entry: Label, lang: str) -> str:
    """One (context, message) in ``lang``."""
    return catalogue(lang, _directory()).pgettext(*entry)


def label(table: dict[str, Label], code: str | None, lang: str) -> str:
    """The label of ``code`` in ``lang``; the code itself when the table does not know it."""
    entry = table.get(code or "")
    if entry is None:
        return code or ""
    return translate(entry, lang)


def choices(table: dict[str, Label], lang: str) -> list[tuple[str, str]]:
    """(code, label) for a select box, in the table's order."""
    return [(code, label(table, code, lang)) for code in table]


#: a message's parameter: text as it is, a label (said in the message's language), or ``lang -> text``
Param = Any | Label | Callable[[str], Any]


def say(entry: Label, lang: str, **params: Param) -> str:
    """The message in ``lang`` with its ``{placeholders}`` filled, each parameter in the same language."""
    values = {
        k: translate(v, lang) if isinstance(v, Label) else v(lang) if callable(v) else v
        for k, v in params.items()
    }
    return translate(entry, lang).format(**values)


def say_both(entry: Label, **params: Param) -> tuple[str, str]:
    """The message in Thai and in English (a notification stores both; each reader gets theirs)."""
    return say(entry, "th", **params), say(entry, "en", **params)

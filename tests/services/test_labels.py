"""The one translation path for codes, notifications and reasons (csr_hub/labels.py)."""

from __future__ import annotations

import importlib
import pkgutil
import string

import pytest

import csr_hub
from csr_hub import labels
from csr_hub.labels import Label


def _all_labels() -> dict[tuple[str, str], str]:
    """Every Label the package defines at module level (alone, or as the values of a dict), by where."""
    found: dict[tuple[str, str], str] = {}
    for info in pkgutil.walk_packages(csr_hub.__path__, "csr_hub."):
        if ".cli" in info.name or info.name.endswith("worker"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else [value]
            for v in values:
                if isinstance(v, Label):
                    found[(v.context, v.message)] = f"{info.name}.{name}"
    return found


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


ALL = _all_labels()


def test_the_package_names_its_codes_and_messages_through_labels():
    contexts = {context for context, _message in ALL}
    assert {"category", "status", "role", "notification", "reason", "match action"} <= contexts
    assert len(ALL) >= 100


@pytest.mark.parametrize("entry", sorted(ALL), ids=lambda e: f"{e[0]}:{e[1][:40]}")
def test_every_label_has_its_thai_with_the_same_placeholders(entry):
    label = Label(*entry)
    thai = labels.translate(label, "th")
    assert thai and thai != label.message or label.message.startswith("{"), (ALL[entry], thai)
    assert _fields(thai) == _fields(label.message), (ALL[entry], thai)


def test_a_label_is_said_in_the_language_asked_and_an_unknown_code_is_itself():
    assert labels.label(labels.CATEGORIES, "devices", "en") == "Devices"
    assert labels.label(labels.CATEGORIES, "devices", "th") == "อุปกรณ์คอมพิวเตอร์และดิจิทัล"
    assert labels.label(labels.STATUSES, "no_such_status", "th") == "no_such_status"
    assert labels.label(labels.STATUSES, None, "th") == ""
    assert labels.label(labels.URGENCIES, "high", "th") == "เร่งด่วน"
    assert labels.choices(labels.QUALITY_GROUPS, "en")[0] == ("core", "Core quality school")


def test_a_message_says_each_parameter_in_its_own_language():
    from csr_hub.services.notify import ACTION_WORDS, MATCH_CHANGED

    th, en = labels.say_both(
        MATCH_CHANGED,
        actor="Somchai",
        action=ACTION_WORDS["approve"],
        id=7,
        title="Laptops",
        quantity=3,
        unit="sets",
        value=lambda lang: f"<{lang}>",
        status=labels.STATUSES["approved"],
    )
    assert en == "Somchai approved the match #7 “Laptops” (3 sets, <en>) — status: Approved"
    assert th == "Somchai อนุมัติการจับคู่ #7 «Laptops» (3 sets, <th>) — สถานะ: อนุมัติแล้ว"

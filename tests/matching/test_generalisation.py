"""Mechanisms meant to carry to text nobody tuned on, each on examples written for this test (never
the evaluation sets' texts): fuzzy look-ups that edit inside words only, the text part leaving out
what a post refuses, negation phrasings, an offer's prerequisites."""

from __future__ import annotations

import pytest

from csr_hub.domain import analysis, vocabulary
from csr_hub.domain.vocabulary import fuzzy


def weights(title: str, description: str = "") -> dict[str, float]:
    return dict(analysis.analyse_post(title, description).analysis.weights)


def tokens(title: str, description: str = "") -> tuple[str, ...]:
    return analysis.analyse_post(title, description).analysis.tokens


# fuzzy: a misspelling edits letters inside a word ---------------------------------------------------
@pytest.mark.parametrize(
    "query, term, parts, ok",
    [
        ("fire extinguser", "fire extinguisher", ("fire", "extinguser"), True),
        ("teachers were", "teacher welfare", ("teachers", "were"), False),
        ("hearing loss", "learning loss", ("hearing", "loss"), False),
        ("นักเรียนม", "เป้นักเรียน", ("นักเรียน", "ม"), False),
        ("ถังดับเพลง", "ถังดับเพลีง", ("ถัง", "ดับ", "เพลง"), True),
        ("ซ่อมเสรจ", "ซ่อมเสริม", ("ซ่อม", "เสรจ"), False),
    ],
)
def test_a_fuzzy_phrase_may_differ_only_inside_its_words(query, term, parts, ok):
    assert fuzzy.edits_inside_words(query, term, parts) is ok


@pytest.mark.parametrize(
    "query, term, ok",
    [("compter", "computer", True), ("lsptop", "laptop", True), ("commuter", "computer", False),
     ("printing", "painting", False), ("brought", "drought", False)],
)
def test_a_latin_word_is_a_typo_only_by_neighbouring_keys(query, term, ok):
    assert fuzzy.plausible_typo(query, term) is ok


def test_a_compound_the_dictionary_knows_is_not_a_misspelling():
    # ห้องคอมพิวเตอร์ (a computer room) is a word of its own, not a misspelt จอคอมพิวเตอร์ (a monitor)
    assert "monitor" not in weights("เดินสายแลนห้องคอมพิวเตอร์", "")
    assert "computer" not in weights("Toyota Commuter van", "")


# the text part compares what is asked for, not what is refused ---------------------------------------
def test_the_words_of_a_refused_item_leave_the_text_part():
    toks = tokens("ขอโปรเจคเตอร์", "ไม่ต้องการคอมพิวเตอร์ ขอแค่โปรเจคเตอร์")
    assert "คอมพิวเตอร์" not in toks and "โปรเจคเตอร์" in toks
    assert "c_computer" not in analysis.analyse_post("Projector", "We don't need laptops.").analysis.concepts
    assert vocabulary.analyse("x").tokens == ("x",)

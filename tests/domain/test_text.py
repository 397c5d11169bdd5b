"""Thai/English normalisation, tokens, the search column and query terms."""

from __future__ import annotations

import pytest

from pathlib import Path

from csr_hub.domain import analysis, text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ซ่อมบ้านพักครู", "ซ่อมบ้านพักครู"),  # vowels and tone marks stay (default_process would break it)
        ("โน้ตบุ๊ก", "โน้ตบุ๊ก"),
        ("ครูภาษาอังกฤษ (ชาวต่างชาติ)!", "ครูภาษาอังกฤษ ชาวต่างชาติ"),
        ("50 Refurbished LAPTOPS, Core-i5", "50 refurbished laptops core i5"),
        ("ป.๑-ป.๖", "ป 1 ป 6"),  # Thai digits read as digits
        ("เเล็ปท็อป", "แล็ปท็อป"),  # เ+เ typed for แ
        ("น\u0e4d\u0e32ดื่ม", "น้ำดื่ม".replace("\u0e49", "")[:0] + "นำดื่ม"),  # nikhahit + aa → sara am
        ("ห้อง\u200bน้ำ", "ห้องน้ำ"),  # zero-width space inside a Thai word is deleted
        ("Café  ๆ  ฯ", "café ๆ ฯ"),
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert text.normalise(raw) == expected


def test_normalise_keeps_every_thai_mark():
    s = "กิ่งก้านไม้ใบ้ ซ่อมแซม ครู๋ ก็ ศักดิ์สิทธิ์ ฤๅษี"
    out = text.normalise(s)
    assert out == s
    assert all(0x0E00 <= ord(ch) <= 0x0E7F or ch == " " for ch in out)


def test_normalise_is_not_rapidfuzz_default_process():
    from rapidfuzz.utils import default_process

    assert default_process("ซ่อมบ้านพักครู") != "ซ่อมบ้านพักครู"  # the trap this module avoids
    assert text.normalise("ซ่อมบ้านพักครู") == "ซ่อมบ้านพักครู"


def test_tokens_split_thai_without_spaces():
    toks = text.tokens("ซ่อมแซมหลังคาอาคารเรียนที่รั่ว")
    assert "หลังคา" in toks and "ซ่อมแซม" in toks
    assert all(t.strip() == t and t for t in toks)
    assert text.tokens("  ") == []


def test_tokens_mixed_language():
    toks = text.tokens("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง for Grade 6")
    assert "คอมพิวเตอร์" in toks and "โน้ตบุ๊ก" in toks and "grade" in toks and "20" in toks


def test_search_text_is_deterministic_and_carries_item_kinds():
    a = analysis.search_text("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", "สำหรับห้องเรียน")
    assert a == analysis.search_text("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", "สำหรับห้องเรียน")
    assert "คอม" in a and "laptop" in a and "โน้ตบุ๊ก" in a
    english = analysis.search_text("50 refurbished laptops")
    assert "laptop" in english and "โน้ตบุ๊ก" in english  # a Thai LIKE query finds the English post
    assert "computer" in english  # the family: a query for "computer" finds laptops


def test_search_sections_round_trip():
    s = analysis.search_text("ซ่อมหลังคา", "roof leaking")
    norm, toks, items, concepts, weights = text.search_sections(s)
    assert norm == "ซ่อมหลังคา roof leaking"
    assert "ซ่อมหลังคา" in toks.split()  # a vocabulary term comes out as one word
    assert "roof_repair" in items.split()
    assert "c_repair" in concepts.split()
    assert weights == ""  # every item kind of this post is the head of the request
    assert text.search_sections("plain old text") == ("plain old text", "plain old text", "", "", "")


def test_query_terms_expand_vocabulary_to_codes():
    # one item word: its kind, or the word as typed (a long Thai word anywhere, a Latin one as a word)
    assert analysis.query_terms("โน้ตบุ๊ก") == [("laptop", "โน้ตบุ๊ก")]
    assert analysis.query_terms("laptops") == [("laptop", " laptops ")]
    assert analysis.query_terms("ขอโน้ตบุ๊ก") == ["laptop"]  # filler words dropped
    assert analysis.query_terms("laptop เชียงใหม่") == ["laptop", "เชียงใหม่"]
    assert analysis.query_terms("ซ่อม บ้านพักครู") == ["teacher_house_repair"]
    # ambiguous alone: either meaning, or the word itself
    assert analysis.query_terms("notebook") == [("laptop", "exercise_book", "notebook")]
    assert analysis.query_terms("lapptop") == ["laptop"]  # an unseen spelling, looked up fuzzily
    assert analysis.query_terms("") == [] and analysis.query_terms("!!!") == []


def test_query_terms_find_what_search_text_stored():
    """Every term of a query about a post must be a substring of that post's search column."""
    posts = {
        "โน้ตบุ๊ก": "50 refurbished laptops (Core i5)",
        "laptop": "ขอคอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง",
        "คอม": "Refurbished laptops for schools",
        "ซ่อมหลังคา": "Roof repair for rural schools",
        "เครื่องกรองน้ำ": "Water purifiers with RO membranes",
        "water filter": "ขอเครื่องกรองน้ำดื่มสำหรับนักเรียน",
        "ครูอาสาภาษาอังกฤษ": "Volunteer native English teachers",
        "ขนม": "ขนมและนมสำหรับเด็ก",
    }
    for q, post in posts.items():
        stored = analysis.search_text(post)
        terms = analysis.query_terms(q)
        assert terms, q
        assert all(any(a in stored for a in (t if isinstance(t, tuple) else (t,))) for t in terms), (
            q,
            terms,
            stored,
        )


def test_text_knows_no_vocabulary():
    """domain/text is imported by domain/vocabulary, never the reverse (the old cycle)."""
    source = (Path(text.__file__)).read_text(encoding="utf-8")
    assert "vocabulary" not in "".join(
        line for line in source.splitlines() if line.startswith(("import", "from")) or " import " in line
    )


def test_the_search_column_holds_the_tokens_detection_used():
    pa = analysis.analyse_post("ติดแอร์ห้องคอมพิวเตอร์", "อากาศร้อนมาก")
    _norm, toks, _items, _concepts, _weights = text.search_sections(pa.search)
    assert tuple(toks.split()) == pa.analysis.tokens
    assert "แอร์" in toks.split()  # the tokeniser's dictionary holds the vocabulary's terms


def test_query_terms_of_an_ambiguous_word_are_alternatives():
    terms = analysis.query_terms("notebook")
    assert isinstance(terms[0], tuple) and set(terms[0]) == {"laptop", "exercise_book", "notebook"}
    assert analysis.search_text("ขอโน้ตบุ๊ก 10 เครื่อง").count("laptop") >= 1


def test_the_compact_dictionary_segments_as_pythainlps_own_trie():
    """``WordTrie`` (MARISA) stands in for PyThaiNLP's ``Trie``: the same words, the same newmm tokens."""
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import Trie

    from csr_hub.domain.vocabulary import vocab

    compact = vocab().trie()
    assert isinstance(compact, text.WordTrie)
    own = Trie(compact)
    assert len(own) == len(compact) > 60_000
    samples = [
        "ติดแอร์ห้องคอมพิวเตอร์ อากาศร้อนมาก นักเรียนมีไม่พอ",
        "โรงเรียนบ้านหนองบัวขอโน้ตบุ๊ก10เครื่องและโปรเจคเตอร์สำหรับห้องเรียนอัจฉริยะ",
        "ซ่อมหลังคาอาคารเรียนที่รั่วซึมช่วงฤดูฝน ปูนมาแล้วแต่ยังขาดช่าง",
        "Need 20 laptops for the ICT room / ต้องการแล็ปท็อป",
    ]
    for s in samples:
        n = text.normalise(s)
        assert word_tokenize(n, custom_dict=compact, engine="newmm") == word_tokenize(
            n, custom_dict=own, engine="newmm"
        ), s
    assert compact.prefixes("คอมพิวเตอร์") == own.prefixes("คอมพิวเตอร์")
    assert "คอมพิวเตอร์" in compact and "คอมพิวเตอร์x" not in compact and 3 not in compact


def test_one_item_word_finds_the_posts_that_write_it_inside_a_longer_kind():
    satellite = analysis.search_text("อินเทอร์เน็ตดาวเทียมฟรี 1 ปี")
    for q in ("อินเทอร์เน็ต", "internet"):
        (terms,) = analysis.query_terms(q)
        assert isinstance(terms, tuple) and any(t in satellite for t in terms), (q, terms)
    # a short Thai word stays its kind only: "นม" is no mention inside "นักเรียนมี"
    assert analysis.query_terms("นม") == ["milk"]
    assert not any(t in analysis.search_text("นักเรียนมีความสุข") for t in analysis.query_terms("นม"))

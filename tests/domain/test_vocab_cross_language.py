"""Cross-language coverage: the item kinds of ordinary CSR-brochure English and of everyday, informal Thai are
recognised on both sides, so a Thai need and an English offer of the same thing (or the reverse) share the
item and the concepts the text part compares across scripts. Every phrase here was written for this test
(never an evaluation set's text)."""

from __future__ import annotations

import pytest

from csr_hub.domain import analysis
from csr_hub.domain.matching import labelled, score


def items(title: str, description: str = "") -> frozenset[str]:
    return analysis.analyse_post(title, description).analysis.items


def concepts(text: str) -> frozenset[str]:
    return analysis.analyse_post(text, "").analysis.concepts


@pytest.mark.parametrize(
    "code, phrase",
    [
        # brochure English: umbrella and plural phrasings
        ("computer", "IT equipment"),
        ("computer", "ICT equipment for rural schools"),
        ("internet_service", "Broadband connectivity for schools"),
        ("toilet", "WASH facilities"),
        ("school_lunch", "Nutrition programme"),
        ("school_lunch", "School feeding"),
        ("teacher_house", "staff accommodation"),
        ("teacher_house_repair", "Staff accommodation refurbishment"),
        ("fire_safety", "Firefighting equipment"),
        ("sports_equipment", "sporting goods"),
        ("solar_panel", "rooftop solar"),
        ("hygiene_kit", "toiletries"),
        ("television", "TVs for classrooms"),
        ("scholarship", "education bursaries"),
        ("cctv", "surveillance cameras"),
        ("eyeglasses", "free spectacles"),
        ("desks_chairs", "classroom furniture"),
        # everyday and informal Thai, loanword spellings
        ("computer", "อุปกรณ์ไอที"),
        ("internet_service", "สัญญาณเน็ตไม่ดี"),
        ("school_lunch", "ข้าวเที่ยงเด็ก"),
        ("roof_repair", "หลังคาสังกะสีผุ"),
        ("roof_repair", "new roof sheets"),
        ("fire_safety", "ถังดับไฟ"),
        ("sports_equipment", "ไม้แบด"),
        ("science_lab", "อุปกรณ์แล็บ"),
        ("printer", "เครื่องปรินท์"),
        ("laptop", "โน๊ตบุ๊ค"),
        ("tablet", "ไอแพด"),
        ("water_tank", "แท้งน้ำ"),
    ],
)
def test_brochure_and_everyday_phrasings_name_the_item(code, phrase):
    assert code in items(phrase), (phrase, sorted(items(phrase)))


def test_staff_accommodation_is_teacher_housing_for_the_repair_rule():
    assert "c_teacher_house" in concepts("staff accommodation")
    assert "teacher_house_repair" in items("Repairs to staff accommodation")


def test_a_place_or_a_generic_word_in_passing_is_no_item():
    # "farming" in passing (what jobs pupils know) is no school garden; "speakers" at a career talk no PA system
    assert "school_garden" not in items("Career talk", "They know nothing beyond farming and factory work.")
    assert "sound_system" not in items("Career day", "Guest speakers from five companies.")
    # the roof solar panels go on is a place, not a roof repair; a building painted anew is no new building
    assert "roof_repair" not in items("ขอติดโซลาร์เซลล์", "ติดแผงโซลาร์บนหลังคาอาคารเรียน")
    assert "new_building" not in items("ทาสีอาคารเรียน", "ทาสีอาคารเรียนใหม่ทั้งหลัง")


@pytest.mark.parametrize(
    "need, offer",
    [
        (
            ("ขอโปรเจคเตอร์ห้องเรียน", "ห้อง ป.5 ไม่มีเครื่องฉาย ครูต้องสอนจากกระดานอย่างเดียว"),
            ("Classroom projectors", "We supply LCD projectors with ceiling mounts for classrooms."),
        ),
        (
            ("ซ่อมบ้านพักครู", "บ้านพักครูทรุดโทรม หลังคารั่ว พื้นผุ"),
            ("Staff accommodation refurbishment", "We refurbish staff accommodation at rural schools."),
        ),
        (
            ("ค่าอาหารกลางวันไม่พอ", "งบอาหารกลางวันเด็กไม่พอ ขอสนับสนุนวัตถุดิบทำอาหาร"),
            ("Nutrition programme", "Our school nutrition programme funds healthy meals for children."),
        ),
        (
            ("Scholarships for poor students", "20 students at risk of dropping out need support."),
            ("ทุนการศึกษาเด็กยากจน", "มอบทุนการศึกษาปีละ 5,000 บาทต่อคน"),
        ),
    ],
)
def test_a_thai_need_and_an_english_offer_of_one_thing_score_strong(need, offer):
    data = {
        "offers": [{"id": 1, "category": "x", "title": offer[0], "description": offer[1], "quantity": 10}],
        "needs": [],
    }
    n = {"id": 9, "category": "x", "title": need[0], "description": need[1], "quantity": 5}
    s = score(labelled.need_view(n), labelled.offer_views(data)[0], labelled.TODAY)
    assert s.band == "strong", (s.total, {k: p.score for k, p in s.parts.items()})

"""The bilingual item vocabulary: coverage, data hygiene and detection of near misses."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from csr_hub.domain import vocabulary
from csr_hub.domain.reference import CATEGORIES
from csr_hub.domain.vocabulary import RELATED_CATEGORIES, detect_items, item


def _data() -> dict:
    return json.loads(resources.files("csr_hub").joinpath("data/vocabulary.json").read_text(encoding="utf-8"))


def test_at_least_60_items_covering_every_category():
    items = vocabulary.items()
    assert len(items) >= 60
    assert {i.category for i in items} == set(CATEGORIES)
    assert set(vocabulary.CATEGORY_CODES) == set(CATEGORIES)


def test_every_item_is_complete():
    data = _data()
    for raw in data["items"]:
        it = item(raw["code"])
        assert it.name_th and it.name_en and it.category in CATEGORIES
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in it.name_th), it.code
        for key in ("th", "en", "loanwords", "misspellings"):
            assert isinstance(raw.get(key), list), (it.code, key)
        thai = [t for t in it.terms if any("\u0e00" <= ch <= "\u0e7f" for ch in t)]
        latin = [t for t in it.terms if t.isascii()]
        assert thai and latin, f"{it.code} needs Thai and English terms"
        if it.family:
            assert it.family in data["families"]
    assert sum(bool(r["misspellings"]) for r in data["items"]) >= 60


def test_no_surface_form_belongs_to_two_items():
    owner: dict[str, str] = {}
    for it in vocabulary.items():
        for t in it.terms:
            for form in vocabulary._variants(t):
                assert owner.setdefault(form, it.code) == it.code, (t, owner[form], it.code)


def test_rules_and_suppressions_name_real_codes():
    data = _data()
    codes = {i.code for i in vocabulary.items()}
    concepts = {c["code"] for c in data["concepts"] if c["code"]}
    for raw in data["items"]:
        for rule in raw.get("rules", []):
            assert all(c in concepts for group in rule for c in group), raw["code"]
        assert set(raw.get("suppresses", [])) <= codes
    for amb in data["ambiguous"]:
        assert all(c["item"] is None or c["item"] in codes for c in amb["choices"])


def test_item_lookup():
    it = item("laptop")
    assert (it.code, it.category, it.name_th, it.name_en) == ("laptop", "devices", "โน้ตบุ๊ก", "laptop")
    with pytest.raises(KeyError):
        item("no_such_item")


def test_related_categories_symmetric_and_other_is_related_to_all():
    for a, rel in RELATED_CATEGORIES.items():
        assert a not in rel
        for b in rel:
            assert a in RELATED_CATEGORIES[b]
    assert "devices" in RELATED_CATEGORIES["facilities"]  # air-conditioning filed either way
    assert "facilities" in RELATED_CATEGORIES["teacher_housing"]
    assert RELATED_CATEGORIES["other"] == frozenset(CATEGORIES) - {"other"}
    assert vocabulary.related_categories("devices") >= {"devices", "facilities"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", {"laptop"}),
        ("50 refurbished laptops", {"laptop"}),
        ("โน๊ตบุ๊ค มือสอง", {"laptop"}),
        ("แลปท็อปสำหรับครู", {"laptop"}),
        ("Acer notebook, Core i5, 8GB RAM", {"laptop"}),
        ("notebooks and pencils for grade 1", {"exercise_book", "stationery"}),
        ("สมุดปกอ่อน 500 เล่ม", {"exercise_book"}),
        ("จอโปรเจคเตอร์ขนาด 100 นิ้ว", {"projector_screen"}),
        ("โปรเจ็กเตอร์ 3 เครื่อง", {"projector"}),
        ("projector screens, tripod type", {"projector_screen"}),
        ("LCD projector 4000 lumens", {"projector"}),
        ("ซิมอินเทอร์เน็ตสำหรับนักเรียน", {"sim_card"}),
        ("WiFi router for internet access", {"wifi_network"}),
        ("เราเตอร์กระจายสัญญาณอินเทอร์เน็ต", {"wifi_network"}),
        ("อินเทอร์เน็ตความเร็วสูงไฟเบอร์ออปติก", {"internet_service"}),
        ("ชุดนักเรียน 100 ชุด", {"student_uniform"}),
        ("ชุดพละสำหรับนักเรียน", {"sportswear"}),
        ("sports kit for the football team", {"sportswear"}),
        ("ลูกฟุตบอลและตาข่ายวอลเลย์บอล", {"sports_equipment"}),
        ("ซ่อมบ้านพักครู", {"teacher_house_repair"}),
        ("Renovating the teachers' quarters", {"teacher_house_repair"}),
        ("ซ่อมแซมหลังคาอาคารเรียนที่รั่ว", {"roof_repair", "classroom_repair"}),
        ("Laptop bags and chargers", {"peripherals"}),  # accessories of a laptop are not a laptop
        ("เครื่องกรองน้ำดื่ม RO", {"water_filter"}),
        ("แผงโซล่าเซลล์", {"solar_panel"}),
        ("ครูอาสาสอนภาษาอังกฤษ", {"english_teacher", "volunteer_teacher"}),
        ("ทุนการศึกษาสำหรับนักเรียนยากจน", {"scholarship"}),
        ("ทุนการศึกษาต่อปริญญาโทสำหรับครู", {"teacher_scholarship"}),
        ("กล้องวงจรปิดรอบโรงเรียน", {"cctv"}),
        ("ขนมและนมโรงเรียน", {"milk"}),
        ("ขอคอมพิวเตอร์และเครื่องพิมพ์", {"computer", "printer"}),
        ("โต๊ะคอมพิวเตอร์ 10 ตัว", {"computer_desk"}),  # furniture (its own kind since the split), not a computer
        ("อบรมการใช้คอมพิวเตอร์สำหรับครู", {"digital_skills_training", "teacher_training"}),
        ("สอนซ่อมเสริมคณิตศาสตร์ในห้องเรียน", {"tutoring", "stem_teacher"}),  # tutor + maths, not a repair
        ("แทบไม่มีอะไรเลย", set()),
        ("ขอความอนุเคราะห์", set()),
    ],
)
def test_detect_items(text, expected):
    assert detect_items(text) == expected


def test_detection_is_fast_enough_for_save_time():
    import time

    long = "ขอรับบริจาคคอมพิวเตอร์โน้ตบุ๊ก เครื่องพิมพ์ และโปรเจคเตอร์ สำหรับห้องเรียน " * 40
    t0 = time.perf_counter()
    vocabulary._vocab().analyse_norm(vocabulary.normalise(long))
    assert time.perf_counter() - t0 < 0.5

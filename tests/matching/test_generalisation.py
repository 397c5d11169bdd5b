"""Mechanisms meant to carry to text nobody tuned on, each on examples written for this test (never
the evaluation sets' texts): fuzzy look-ups that edit inside words only, the text part leaving out
what a post refuses, negation phrasings, an offer's prerequisites."""

from __future__ import annotations

import pytest

from csr_hub.domain import analysis, vocabulary
from csr_hub.domain.matching import labelled, score
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
    [
        ("compter", "computer", True),
        ("lsptop", "laptop", True),
        ("commuter", "computer", False),
        ("printing", "painting", False),
        ("brought", "drought", False),
    ],
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


# negation: a "have enough" in the description is about what it describes ---------------------------
@pytest.mark.parametrize(
    "description",
    [
        "คอมพิวเตอร์ยังใช้ได้ดีอยู่",
        "คอมพิวเตอร์มีเพียงพอ",
        "คอมพิวเตอร์ครบแล้ว",
        "ส่วนคอมพิวเตอร์ ผู้ปกครองบริจาคมาแล้ว",
        "Computers were donated already.",
        "We are fine for computers.",
        "No computers needed.",
        "No computers, please.",
        "We have no shortage of computers.",
    ],
)
def test_what_the_description_already_has_never_cancels_the_title(description):
    w = weights("ขอโต๊ะเก้าอี้นักเรียน" if not description.isascii() else "Student desks", description)
    assert w.get("desks_chairs") == 1.0 and w.get("computer", 0) < 1.0, w


def test_a_bare_no_is_a_lack_unless_a_word_of_refusal_follows():
    assert weights("Projector", "We have no projector and no screen.").get("projector") == 1.0
    assert "laptop" not in weights("Projector", "We need a projector. No laptops please.")


# whom, what size and which subject -------------------------------------------------------------------
def concepts(title: str, description: str = "") -> frozenset[str]:
    return analysis.analyse_post(title, description).analysis.concepts


def test_the_subject_of_a_book_or_a_teacher_is_a_facet():
    assert "textbook@maths" in concepts("หนังสือเรียนวิชาคณิตศาสตร์ ป.๑-๖")
    assert "textbook@english" in concepts("English workbooks for Grade 4")
    # a list of subjects after the item: each of them is what the item is for
    listed = concepts("แบบฝึกหัดภาษาไทย คณิตศาสตร์ และภาษาอังกฤษ")
    assert {"textbook@thai", "textbook@maths", "textbook@english"} <= listed, listed


def test_maths_textbooks_are_no_strong_match_for_english_workbooks():
    n = labelled.need_view(
        {"id": 1, "category": "learning_materials", "title": "ขอหนังสือเรียนคณิตศาสตร์ 90 เล่ม", "quantity": 90}
    )
    offers = labelled.offer_views(
        {
            "offers": [
                {"id": 1, "category": "learning_materials", "title": "Maths textbooks for primary schools"},
                {"id": 2, "category": "learning_materials", "title": "English workbooks for primary schools"},
            ]
        }
    )
    same, other = (score(n, o, labelled.TODAY) for o in offers)
    assert other.parts["item"].score < same.parts["item"].score


# a kind suppresses another only where they meet ----------------------------------------------------------
def test_a_library_renovation_mentioned_in_passing_leaves_the_books_asked_for():
    w = weights("ขอหนังสือห้องสมุดสำหรับเด็กประถม", "ได้จากโครงการปรับปรุงห้องสมุดปีที่แล้ว")
    assert w.get("library_books") == 1.0, w


# kinds that schools ask for apart ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title, code",
    [
        ("ขอเครื่อง AED 1 เครื่อง", "aed"),
        ("อบรม CPR ให้ครู", "first_aid_training"),
        ("หน่วยทันตกรรมเคลื่อนที่", "dental_care"),
        ("วัคซีนไข้หวัดใหญ่ให้ครู", "vaccination"),
        ("ชุดลูกเสือเนตรนารี 30 ชุด", "scout_uniform"),
        ("ขอกล้องจุลทรรศน์ 10 ตัว", "microscope"),
        ("Mattresses and mosquito nets for the dormitory", "bedding"),
        ("หลังคาทางเดินเชื่อมอาคาร", "covered_walkway"),
        ("โต๊ะปิงปอง 2 ตัว", "sports_fixtures"),
        ("ขอระนาด ขิม ซอ ให้วงดนตรีไทย", "thai_instruments"),
        ("Drum set and trumpets for a marching band", "western_instruments"),
        ("ขอสร้างสระว่ายน้ำ", "swimming_pool"),
        ("ค่าน้ำมันรถรับส่งนักเรียน", "vehicle_running_costs"),
        ("Replacement cartridges for our water filter", "filter_cartridges"),
        ("ต้องการโต๊ะคอมพิวเตอร์ 15 ตัว", "computer_desk"),
        ("New windows and doors for classrooms", "doors_windows"),
        ("ปูกระเบื้องพื้นห้องเรียนใหม่", "flooring"),
        ("ฝ้าเพดานห้องเรียนพัง", "ceiling"),
        ("ขอเครื่องทำน้ำร้อนสำหรับโรงอาหาร", "water_heater"),
    ],
)
def test_a_kind_of_its_own(title, code):
    assert weights(title).get(code) == 1.0, weights(title)


def test_what_a_course_is_about_is_its_subject_not_the_request():
    assert weights("ขออบรมครูเรื่องการใช้ smart board").get("interactive_board", 0) <= 0.3
    # a kind that is itself a course stays what is asked for
    assert weights("CPR workshop for staff").get("first_aid_training") == 1.0


@pytest.mark.parametrize("title", ["Robotics workshop for teachers", "อบรมครูหุ่นยนต์"])
def test_what_a_course_item_is_about_is_its_subject(title):
    """Beside a course that is itself an item kind (teacher training), the thing named is what it teaches:
    before it in English, after it in Thai."""
    w = weights(title)
    assert w.get("teacher_training") == 1.0 and 0 < w.get("robotics_kit", 0) <= 0.3, w


@pytest.mark.parametrize("title", ["Robotics kits and teacher training", "ชุดหุ่นยนต์และอบรมครู"])
def test_a_thing_and_a_course_side_by_side_are_both_asked_for(title):
    w = weights(title)
    assert w.get("teacher_training") == 1.0 and w.get("robotics_kit") == 1.0, w


def test_what_the_school_received_is_not_asked_for():
    w = weights("Training for teachers", "We received two interactive boards from a company last term.")
    assert "interactive_board" not in w and w.get("teacher_training") == 1.0


def test_a_dormitory_for_teachers_is_teacher_housing():
    w = weights("ขอสร้างหอพักสำหรับครู")
    assert "teacher_house" in w and "dormitory" not in w, w


def test_what_the_school_has_that_cannot_cope_is_not_asked_for():
    w = weights("ขอเครื่องถ่ายเอกสาร", "เครื่องปริ้นเล็กๆ ทำไม่ไหว")
    assert w.get("photocopier") == 1.0 and "printer" not in w, w


def test_a_passing_mention_does_not_make_a_request_broader():
    # the item part's coverage counts the head of the request: the room a projector goes in costs nothing
    n = labelled.need_view({"id": 1, "category": "devices", "title": "ขอโปรเจคเตอร์ห้องคอมพิวเตอร์"})
    plain = labelled.need_view({"id": 2, "category": "devices", "title": "ขอโปรเจคเตอร์"})
    (o,) = labelled.offer_views({"offers": [{"id": 1, "category": "devices", "title": "Projectors"}]})
    item = [score(x, o, labelled.TODAY).parts["item"].score for x in (n, plain)]
    assert item[0] == item[1], item


# mending against giving ----------------------------------------------------------------------------------
def test_a_device_to_mend_is_no_strong_match_for_a_new_one():
    n = labelled.need_view(
        {"id": 1, "category": "facilities", "title": "ซ่อมแอร์ 4 เครื่อง", "description": "แอร์เสีย ไม่เย็น"}
    )
    new, mend = labelled.offer_views(
        {
            "offers": [
                {"id": 1, "category": "facilities", "title": "เครื่องปรับอากาศพร้อมติดตั้ง"},
                {"id": 2, "category": "facilities", "title": "บริการล้างแอร์และซ่อมแอร์ฟรี"},
            ]
        }
    )
    item = [score(n, o, labelled.TODAY).parts["item"].score for o in (new, mend)]
    assert item[0] < item[1], item
    # a building's works are works either way: no "repair" against "supply" for a roof
    assert not any(c.endswith(("@repair", "@supply")) for c in concepts("เปลี่ยนหลังคาอาคารเรียน มุงหลังคาใหม่"))


def test_a_concept_does_not_reach_over_an_item_to_build_another():
    assert weights("ซ่อมพัดลมในห้องเรียน") == {"fan": 1.0}


@pytest.mark.parametrize(
    "description",
    ["ห้องเรียนทุกห้องมีทีวีแล้ว", "มีทีวี 10 เครื่องอยู่แล้ว", "There is a TV in every classroom already."],
)
def test_what_the_school_says_it_has_already_is_not_asked_for(description):
    w = weights("ขอโปรเจคเตอร์" if not description.isascii() else "Projector", description)
    assert w == {"projector": 1.0}, w
    # ไม่มี is a lack, not a having
    assert weights("ขอโปรเจคเตอร์", "โรงเรียนไม่มีทีวีแล้วก็ไม่มีจอ").get("projector") == 1.0


def test_an_offer_s_warranty_and_operating_system_are_no_item():
    assert weights("Laptops with Windows 11", "1 year warranty") == {"laptop": 1.0}


@pytest.mark.parametrize(
    "title, code",
    [("เว็บไซต์รร.", "school_website"), ("ขอรั้ว ร.ร.", "fence_gate"), ("ชุดนร. 30 ชุด", "student_uniform")],
)
def test_a_school_or_a_pupil_written_short_is_still_one(title, code):
    assert weights(title).get(code) == 1.0, weights(title)


@pytest.mark.parametrize(
    "title, description, code",
    [
        ("A/C units for classrooms", "", "air_conditioner"),
        ("1st aid kit", "", "first_aid"),
        ("Refurbished PCs", "Core i5, 8GB RAM", "desktop_computer"),
    ],
)
def test_english_shorthand(title, description, code):
    assert weights(title, description).get(code) == 1.0


def test_pieces_are_no_computers():
    assert "desktop_computer" not in weights("Exercise books 200 pcs")


def work_facets(title: str, description: str = "") -> set[str]:
    search = analysis.analyse_post(title, description).search
    return {c for c in search.split() if c.endswith(("@repair", "@supply"))}


@pytest.mark.parametrize(
    "title, description, facet",
    [
        # a refused "new one" says the school wants its own mended
        ("โปรเจคเตอร์ห้องเรียน", "ไม่ต้องการโปรเจคเตอร์ใหม่", "projector@repair"),
        ("Projectors for two classrooms", "We are not asking for new projectors.", "projector@repair"),
        # English words of mending after the thing, and further before it across what it is
        ("Laptops fixed and serviced", "", "laptop@repair"),
        ("Projectors serviced and cleaned", "", "projector@repair"),
        ("Repair of twelve old Epson projectors", "", "projector@repair"),
        # and a post that says nothing of mending still wants (or gives) the thing itself
        ("New projectors", "", "projector@supply"),
        ("Projectors for two classrooms", "", "projector@supply"),
    ],
)
def test_the_work_wanted_is_read_from_the_whole_post(title, description, facet):
    assert work_facets(title, description) == {facet}


def test_a_word_clipped_as_people_say_it_is_still_the_thing():
    assert weights("เด็กมองกระดานไม่ชัด อยากได้แว่น") == {"eyeglasses": 1.0}
    # on word boundaries: the dictionary's longer word is another thing
    assert "eyeglasses" not in weights("ขอแว่นขยายสำหรับวิชาวิทยาศาสตร์")


def test_kept_features_are_bounded_and_do_not_hold_the_search_column(monkeypatch):
    from csr_hub.domain.kept import Kept
    from csr_hub.domain.matching import views

    kept = Kept(3)
    monkeypatch.setattr(views, "_KEPT", kept)
    posts = [
        analysis.analyse_post(f"Laptops for {n} pupils", "Grade 5") for n in ("ten", "six", "nine", "four")
    ]
    got = [views._features(p.analysis.items, p.search) for p in posts]
    assert len(kept) == 3  # the oldest went first
    assert views._features(posts[-1].analysis.items, posts[-1].search) is got[-1]  # kept
    assert got[-1] == views._features_of(posts[-1].analysis.items, posts[-1].search)
    assert not [p for p in posts for key in kept._rows if p.search in key]  # the column is not kept
    other = analysis.analyse_post("Laptops for four pupils", "Grade 5 in Nan")  # the same kinds, other words
    assert other.analysis.items == posts[-1].analysis.items
    assert "nan" in views._features(other.analysis.items, other.search).bag and "nan" not in got[-1].bag
    views.clear_caches()
    assert not len(kept)


# "already, but …": แล้วแต่ is a dictionary word ("it depends") that would swallow the "already" ---------------
@pytest.mark.parametrize(
    "title, gone, kept",
    [
        ("ขอจอรับภาพสำหรับห้องประชุม มีโปรเจคเตอร์แล้วแต่ฉายบนผนังภาพไม่ชัด", "projector", "projector_screen"),
        ("ต้องการเครื่องปรับอากาศห้องสมุด มีพัดลมแล้วแต่อากาศร้อนเกินไป", "fan", "air_conditioner"),
    ],
)
def test_what_a_school_has_already_but_is_not_the_ask(title, gone, kept):
    from csr_hub.domain.vocabulary.core import DONE

    w = weights(title)
    assert kept in w and gone not in w, w
    assert DONE + "แต่" not in tokens(title)  # split into แล้ว | แต่


# "มี X และ Y ครบแล้ว": everything the school lists as had is had ------------------------------------------
@pytest.mark.parametrize(
    "title, description, gone, kept",
    [
        ("ขอพัดลมติดผนังห้องเรียน", "ห้องเรียนมีโต๊ะและเก้าอี้ครบแล้ว ขาดเพียงพัดลม", "desks_chairs", "fan"),
        ("ขอจอรับภาพ", "มีโปรเจคเตอร์ เครื่องเสียงพร้อมแล้ว", "projector", "projector_screen"),
    ],
)
def test_a_list_of_what_the_school_has_is_all_had(title, description, gone, kept):
    w = weights(title, description)
    assert kept in w and gone not in w, w


# the vocabulary says where an item may be filed: a library's renovation under learning materials ------
def test_an_item_filed_under_a_category_its_kind_allows_costs_little():
    n = labelled.need_view(
        {"id": 1, "category": "learning_materials", "title": "ขอปรับปรุงห้องสมุดโรงเรียนให้น่าอ่าน"}
    )
    (o,) = labelled.offer_views(
        {"offers": [{"id": 1, "category": "facilities", "title": "Library makeover for rural schools"}]}
    )
    assert score(n, o, labelled.TODAY).parts["category"].score >= 90


# brand and model wording, and the things people name by what they do -------------------------------
@pytest.mark.parametrize(
    "title, code",
    [
        ("Two 24,000 BTU units for the science room", "air_conditioner"),
        ("ขอไดกิ้นสำหรับห้องประชุม ๒ เครื่อง", "air_conditioner"),
        ("Epson EB series for Grade 5 classrooms", "projector"),
        ("Raspberry Pi boards for the coding club", "robotics_kit"),
        ("ขอไฟโซล่าเซลล์ติดรอบสนาม ๑๐ ต้น", "lighting"),
        ("Land filling for the flooded football field", "paving"),
        ("ขอค่าสมัครสอบเข้ามหาวิทยาลัยให้นักเรียนยากจน", "exam_fees"),
        ("Scholarship fund for children of teachers", "teacher_children_scholarship"),
    ],
)
def test_wording_by_brand_or_by_use_names_the_item(title, code):
    w = weights(title)
    assert w.get(code) == 1.0, w


def test_still_having_enough_of_something_is_not_asking_for_it():
    w = weights("ขอกระดาษถ่ายเอกสาร ๓๐ รีม", "ส่วนเครื่องถ่ายเอกสารยังมีพอ")
    assert "office_paper" in w and "photocopier" not in w, w


# equipment filed outside devices is mended or given too --------------------------------------------------
@pytest.mark.parametrize(
    "title, description, facet",
    [
        ("ขอกล้องวงจรปิด 6 ตัว", "ยังไม่มีกล้องเลย ไม่ต้องซ่อม", "cctv@supply"),
        ("Repair of our school's CCTV system", "", "cctv@repair"),
        # the work asked for apart from the item: "need repair", not the story of a repair that failed
        ("Our old projector is broken", "We need repair, not a new one.", "projector@repair"),
        ("ขอโปรเจคเตอร์ 1 เครื่อง", "เครื่องเดิมส่งซ่อมแล้วร้านบอกไม่คุ้ม", "projector@supply"),
    ],
)
def test_the_work_asked_for_apart_from_the_item_counts(title, description, facet):
    assert work_facets(title, description) == {facet}


def test_new_cctv_and_a_cctv_repair_are_different_asks():
    data = {
        "offers": [
            {"id": 1, "category": "safety", "title": "บริการซ่อมบำรุงกล้องวงจรปิดให้โรงเรียน", "quantity": 20},
            {"id": 2, "category": "safety", "title": "กล้องวงจรปิดชุดใหม่พร้อมเครื่องบันทึก", "quantity": 20},
        ]
    }
    mend, new = labelled.offer_views(data)
    today = labelled.TODAY
    wants_new = labelled.need_view({"id": 1, "category": "safety", "title": "ขอติดกล้อง CCTV รอบอาคาร"})
    wants_mended = labelled.need_view(
        {"id": 2, "category": "safety", "title": "กล้องวงจรปิดเสีย 4 ตัว", "description": "ขอช่างมาซ่อมให้ด้วยค่ะ"}
    )
    # the same kind of thing: the work wanted (a new one, or its own mended) lowers the item part
    assert (
        score(wants_new, mend, today).parts["item"].score < score(wants_new, new, today).parts["item"].score
    )
    assert (
        score(wants_mended, new, today).parts["item"].score
        < score(wants_mended, mend, today).parts["item"].score
    )
    assert score(wants_new, mend, today).band != "strong" and score(wants_mended, new, today).band != "strong"


def test_a_refused_work_builds_no_item():
    got = weights("ซ่อมบ้านพักครูที่ชำรุด", "ไม่ต้องสร้างใหม่ ขอแค่ซ่อมหลังคา")
    assert "teacher_house_repair" in got and "teacher_house_construction" not in got
    assert "teacher_house_construction" in weights("สร้างบ้านพักครูหลังใหม่")


@pytest.mark.parametrize(
    "title, description",
    [
        ("Request new computers for the lab", "The old ones are beyond repair."),
        ("ขอคอมพิวเตอร์ใหม่", "เครื่องเดิมซ่อมไม่ได้แล้ว"),
        ("Our lab PCs cannot be repaired", ""),
    ],
)
def test_a_thing_past_mending_asks_for_no_repair(title, description):
    assert not any(code.endswith("_repair") for code in weights(title, description))
    assert "computer_repair" in weights("ซ่อมคอมพิวเตอร์ห้องคอม")


def test_the_language_taught_is_a_subject():
    assert "volunteer_teacher@japanese" in concepts("อาสาสมัครสอนภาษาญี่ปุ่น")
    assert "volunteer_teacher@korean" in concepts("Korean language volunteer teachers")


@pytest.mark.parametrize(
    "thai, english, concept",
    [
        ("อยากได้เน็ตไฟเบอร์", "Free fibre broadband for schools", "c_fiber"),
        ("ช่วยค่าบริการอินเทอร์เน็ตรายเดือน", "Monthly internet bill support", "c_bill"),
        ("ขอค่าน้ำมันรถรับส่งนักเรียน", "Fuel for school vans", "c_fuel"),
        ("กล้องวงจรปิดหลังถูกขโมย", "CCTV after a break-in", "c_theft"),
        ("อบรมดูแลสุขภาพจิตครู", "Mental health workshops for teachers", "c_mind"),
    ],
)
def test_common_words_are_shared_across_the_two_languages(thai, english, concept):
    # the language-neutral words the text part compares across scripts
    assert concept in concepts(thai) and concept in concepts(english)


@pytest.mark.parametrize(
    "text", ["ไทยเน็ต เทเลคอม ร่วมลดความเหลื่อมล้ำ", "บริษัท สยาม คอมพานี จำกัด", "กลุ่มอีคอมเมิร์ซภาคใต้"]
)
def test_a_company_name_s_loanword_is_no_computer(text):
    # "คอม" (a computer) stands inside telecom, company and e-commerce as Thai spells them
    assert "computer" not in weights(text)
    assert "computer" in weights("ขอคอม 5 เครื่อง")


# across scripts, the Latin words a Thai post writes (brands, models, acronyms) meet the English post's ----
def test_a_thai_post_s_latin_names_meet_an_english_post_s_words():
    from csr_hub.domain.matching import batch_suggest, suggest_offers

    need = labelled.need_view(
        {
            "id": 1,
            "category": "learning_materials",
            "title": "อยากได้ Raspberry Pi 4 สำหรับชุมนุม IoT",
            "description": "ครูคอมจะสอนเด็กทำเซนเซอร์วัดความชื้นแปลงผัก 15 ชุด",
            "quantity": 15,
        }
    )
    offers = labelled.offer_views(
        {
            "offers": [
                {
                    "id": 1,
                    "category": "learning_materials",
                    "title": "Micro:bit starter kits for school clubs",
                },
                {
                    "id": 2,
                    "category": "learning_materials",
                    "title": "Raspberry Pi starter kits for school clubs",
                },
            ]
        }
    )
    today = labelled.TODAY
    # the same kind of kit either way: only the name the Thai post writes in Latin letters tells them apart
    other, pi = score(need, offers[0], today), score(need, offers[1], today)
    assert pi.parts["item"].score == other.parts["item"].score
    assert pi.parts["text"].score > other.parts["text"].score and pi.total > other.total
    # the batch scores the pair the same way
    live = suggest_offers(need, offers, today, limit=5)
    stored = batch_suggest([need], offers, today, per_need=5)[need.id]
    assert [(o.id, s.total) for o, s in live] == [(i, s.total) for i, s in stored]
    assert live[0][0].id == 2

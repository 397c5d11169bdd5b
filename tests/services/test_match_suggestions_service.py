"""The suggestion service reads fewer rows than the matcher would score (SQL relevance filter, tiers with
score bounds) and must still give exactly the matcher's answer over every open post."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from csr_hub.domain import matching, vocabulary
from csr_hub.domain.reference import today_bangkok
from csr_hub.extensions import db
from csr_hub.models import Need
from csr_hub.services import posts, suggestions

NEEDS = [  # (title, category, quantity, quality group, district)
    ("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", "devices", 20, "core", "p50-1"),
    ("ขอโน้ตบุ๊กให้นักเรียน 10 เครื่อง", "devices", 10, "stand_alone", "p50-1"),
    ("Laptops for our computer room", "devices", 30, "merging", "p10-1"),
    ("แท็บเล็ตสำหรับนักเรียน 30 เครื่อง", "devices", 30, "stand_alone", "p50-1"),
    ("Desktop computers for the library", "facilities", 5, "core", "p50-1"),
    ("คอมพิวเตอร์ตั้งโต๊ะ 15 ชุด", "devices", 15, "core", "p10-1"),
    ("โปรเจกเตอร์สำหรับห้องเรียน", "devices", 2, "core", "p50-1"),
    ("Something for the pupils", "devices", 3, "stand_alone", "p50-1"),  # no item kind
    ("ของใช้สำหรับนักเรียน", "learning_materials", 40, "core", "p50-1"),  # no item kind, related category
    ("หนังสือเรียน 300 เล่ม", "learning_materials", 300, "merging", "p50-1"),
    ("Laptop bags and chargers", "student_welfare", 20, "core", "p50-1"),
    (
        "Notebook computers for grade 6",
        "safety",
        12,
        "stand_alone",
        "p50-1",
    ),  # unrelated category, shared kind
    ("ซ่อมหลังคาบ้านพักครู", "teacher_housing", 1, "core", "p50-1"),
    ("เครื่องกรองน้ำดื่ม", "facilities", 2, "stand_alone", "p10-1"),
    ("Wi-Fi for the whole school", "internet", 10, "core", "p50-1"),
    ("ชุดนักเรียน 100 ชุด", "student_welfare", 100, "merging", "p10-1"),
]
OFFERS = [  # (title, category, quantity, provinces)
    ("50 refurbished laptops", "devices", 50, []),
    ("Android tablets for pupils", "devices", 40, ["50"]),
    ("Hot air balloon rides", "other", 5, []),  # no item kind
    ("Roof repairs for teacher houses", "teacher_housing", 3, ["50", "10"]),
    ("Desktop PCs with monitors", "learning_materials", 10, []),
    ("School uniforms", "student_welfare", 500, ["10"]),
]


@pytest.fixture
def world(session, make_user, make_school, make_need, make_offer):
    staff = {}
    needs = []
    for i, (title, cat, qty, group, district) in enumerate(NEEDS):
        key = (group, district)
        if key not in staff:
            staff[key] = make_user("school_staff", school=make_school(district, group))
        needed_by = (today_bangkok() + timedelta(days=10 + 40 * (i % 5))).isoformat()
        needs.append(
            make_need(
                staff[key],
                title=title,
                category=cat,
                quantity=qty,
                needed_by=needed_by,
                urgency=("low", "normal", "high", "critical")[i % 4],
            )
        )
    rep = make_user("company_rep")
    offers = [
        make_offer(rep, title=t, description="", category=c, quantity=q, provinces=p) for t, c, q, p in OFFERS
    ]
    # one need saved without its search column: the matcher analyses its text itself, SQL cannot judge it
    session.execute(sa.update(Need).where(Need.id == needs[11].id).values(search_text="", item_kinds=""))
    session.commit()
    return needs, offers


def _everything(session):
    provinces = suggestions.province_table(session)
    return (
        suggestions.open_need_views(session, provinces),
        suggestions.open_offer_views(session, provinces, today_bangkok()),
    )


@pytest.mark.parametrize("limit", [1, 3, 10, 50])
def test_for_offer_and_for_need_equal_the_matcher_over_every_open_post(session, world, limit):
    needs, offers = world
    all_needs, all_offers = _everything(session)
    today = today_bangkok()
    by_id = {v.id: v for v in all_offers}
    for offer in offers:
        expected = [
            (v.id, s.total) for v, s in matching.suggest_needs(by_id[offer.id], all_needs, today, limit)
        ]
        got = [
            (n.id, s.total)
            for n, s in suggestions.for_offer(session, posts.get_offer(session, offer.id), limit)
        ]
        assert got == expected, offer.title
    need_views = {v.id: v for v in all_needs}
    for need in needs:
        expected = [
            (v.id, s.total) for v, s in matching.suggest_offers(need_views[need.id], all_offers, today, limit)
        ]
        got = [
            (o.id, s.total) for o, s in suggestions.for_need(session, posts.get_need(session, need.id), limit)
        ]
        assert got == expected, need.title


def test_the_unanalysed_need_is_still_found_by_item(session, world):
    needs, offers = world
    got = [n.id for n, _ in suggestions.for_offer(session, posts.get_offer(session, offers[0].id), 50)]
    assert needs[11].id in got  # "Notebook computers" filed under safety, no search column stored


def test_tiers_stop_early_when_the_best_are_out_of_reach(
    session, make_user, make_school, make_need, make_offer
):
    """Twelve laptop needs beat anything a need without laptops could reach: the later tiers are not read."""
    school = make_user("school_staff", school=make_school("p50-1", "stand_alone"))
    soon = (today_bangkok() + timedelta(days=5)).isoformat()
    for _ in range(12):
        make_need(
            school,
            title="โน้ตบุ๊ก 10 เครื่อง",
            description="laptops notebook computers refurbished",
            quantity=10,
            urgency="critical",
            needed_by=soon,
        )
    filler = make_need(school, title="Something for the pupils", quantity=5)
    offer = make_offer(
        make_user("company_rep", company=None),
        title="10 refurbished laptops notebook computers",
        quantity=10,
        provinces=["50"],
    )
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        top = suggestions.for_offer(session, posts.get_offer(session, offer.id), 10)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(top) == 10 and all(s.total > matching.max_total(100.0, 25.0) for _, s in top)
    assert filler.id not in [n.id for n, _ in top]
    reads = [s for s in seen if "FROM needs" in s and " LIKE " in s]  # tier reads, not the final load
    assert len(reads) == 1  # the first tier only
    # with room for everyone, every tier is read and the filler is there
    everyone = [n.id for n, _ in suggestions.for_offer(session, posts.get_offer(session, offer.id), 50)]
    assert filler.id in everyone and len(everyone) == 13


def test_bounds_hold_for_every_pair(session, world):
    """No pair scores above the bound the tiers assume for its category and item relation."""
    all_needs, all_offers = _everything(session)
    today = today_bangkok()
    fams = lambda items: {vocabulary.family(c) for c in items} - {None}  # noqa: E731
    for o in all_offers:
        oi = suggestions._effective_items(o)
        for n in all_needs:
            ni = suggestions._effective_items(n)
            rel = (
                "shared"
                if ni & oi
                else "family"
                if fams(ni) & fams(oi)
                else "none"
                if not (ni or oi)
                else "one_side"
                if not (ni and oi)
                else "different"
            )
            s = matching.score(n, o, today)
            assert s.parts["item"].score <= matching.ITEM_BOUND[rel], (n.title, o.title)
            assert s.total <= matching.max_total(s.parts["category"].score, matching.ITEM_BOUND[rel])

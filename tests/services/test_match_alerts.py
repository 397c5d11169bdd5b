"""new_strong_match alerts, partner ranking and partner alerts, and search through the vocabulary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from csr_hub.domain.policy import PartnershipStatus
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Notification, Partnership
from csr_hub.services import alerts, posts, suggestions

KIND = "new_strong_match"


def _alerts(session, user=None):
    q = sa.select(Notification).where(Notification.kind == KIND).order_by(Notification.id)
    if user is not None:
        q = q.where(Notification.user_id == user.id)
    return list(session.scalars(q))


def test_a_strong_offer_tells_the_school_once_per_pair(session, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    other_staff = make_user("school_staff", school=staff.school)
    unrelated = make_user("school_staff")
    need = make_need(staff)
    make_need(unrelated, title="ซ่อมหลังคาบ้านพักครู", category="teacher_housing", quantity=1)
    rep = make_user("company_rep")
    offer = make_offer(rep)  # "50 refurbished laptops": strong for the laptop need
    got = _alerts(session)
    assert {n.user_id for n in got} == {staff.id, other_staff.id}
    assert all(n.need_id == need.id and n.offer_id == offer.id for n in got)
    assert "refurbished laptops" in got[0].message_en and got[0].message_th
    # an edit of the same offer does not repeat the alert for the same pair
    posts.update_offer(session, rep, offer, {"description": "Core i5 laptops, 8 GB RAM, tested"})
    session.commit()
    assert len(_alerts(session)) == 2
    assert _alerts(session, unrelated) == []


def test_a_weak_offer_tells_nobody(session, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    make_need(staff)
    make_offer(
        make_user("company_rep"),
        title="Exercise notebooks and pencils",
        category="learning_materials",
        description="A4 notebooks, 2B pencils and erasers",
    )
    assert _alerts(session) == []


def test_a_new_need_tells_the_companies_of_strong_offers(session, make_user, make_need, make_offer):
    rep = make_user("company_rep")
    offer = make_offer(rep)
    other_rep = make_user("company_rep")
    make_offer(other_rep, title="School uniforms", description="White shirts", category="student_welfare")
    staff = make_user("school_staff")
    need = make_need(staff)
    got = _alerts(session)
    assert [(n.user_id, n.need_id, n.offer_id) for n in got] == [(rep.id, need.id, offer.id)]


def test_at_most_the_20_best_pairs_of_one_post(session, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    needs = [make_need(staff, title=f"คอมพิวเตอร์โน้ตบุ๊ก {i + 2} เครื่อง", quantity=i + 2) for i in range(23)]
    make_offer(make_user("company_rep"))
    got = _alerts(session, staff)
    assert len(got) == alerts.MAX_PAIRS == 20
    assert {n.need_id for n in got} <= {n.id for n in needs}


def _partnership(session, school, company, proposer):
    p = Partnership(
        company_id=company.id,
        school_id=school.id,
        district_id=school.district_id,
        starts_on=today_bangkok() - timedelta(days=10),
        ends_on=today_bangkok() + timedelta(days=300),
        plan="Adopt a school",
        yearly_value_thb=Decimal("100000"),
        status=PartnershipStatus.ACTIVE.value,
        proposed_by_user_id=proposer.id,
    )
    session.add(p)
    session.commit()
    return p


def test_partner_offers_rank_first_in_their_band_and_partner_reps_hear_of_every_new_need(
    session, make_user, make_need, make_offer
):
    staff = make_user("school_staff")
    stranger = make_user("company_rep")
    partner = make_user("company_rep")
    # two laptop offers of the same band: the stranger's scores at least as high (posted first, lower id)
    first = make_offer(stranger, title="50 refurbished laptops", description="Core i5 laptops")
    mine = make_offer(partner, title="40 refurbished laptops", description="Core i5 laptops", quantity=40)
    _partnership(session, staff.school, partner.company, partner)
    need = make_need(staff, title="ซ่อมหลังคาห้องสมุด", category="facilities", quantity=1)  # nothing fits
    got = {n.user_id: n for n in _alerts(session)}
    assert partner.id in got and stranger.id not in got  # whatever the band, the partner hears
    assert got[partner.id].need_id == need.id
    laptops = make_need(staff, title="คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง")
    ranked = suggestions.for_need(session, laptops)
    ids = [o.id for o, _ in ranked]
    bands = {o.id: s.band for o, s in ranked}
    assert bands[mine.id] == bands[first.id]
    assert ids.index(mine.id) < ids.index(first.id)
    s = dict(ranked)[next(o for o, _ in ranked if o.id == mine.id)]
    assert s.partner and s.parts["location"].reason_en.startswith("partner")
    assert not dict(ranked)[next(o for o, _ in ranked if o.id == first.id)].partner


def test_search_finds_thai_posts_through_the_vocabulary(session, make_user, make_need):
    staff = make_user("school_staff")
    laptop = make_need(staff)  # คอมพิวเตอร์โน้ตบุ๊ก
    roof = make_need(staff, title="ซ่อมหลังคาอาคารเรียน", category="facilities", quantity=1)
    for q in ("notebook", "laptop", "lapptop", "โน้ตบุ๊ค"):
        found = [n.id for n in posts.list_needs(session, {"q": q}, 1, 20).items]
        assert found == [laptop.id], q
    assert [n.id for n in posts.list_needs(session, {"q": "roof"}, 1, 20).items] == [roof.id]

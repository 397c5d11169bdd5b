"""Offer pages: post through the form, errors next to fields, edit, withdraw, expiry, browse and "serves" filters."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Offer
from csr_hub.services import matches as match_service

from conftest import csrf_token, snapshot

THRESHOLD = 500_000


def future(days: int = 30) -> str:
    return (today_bangkok() + timedelta(days=days)).isoformat()


def text(r) -> str:
    return r.get_data(as_text=True)


def form(client, **change):
    data = {
        "category": "devices",
        "title": "Refurbished laptops",
        "description": "Core i5, 8 GB RAM",
        "quantity": "50",
        "unit": "units",
        "value_thb": "500000",
        "available_until": future(60),
        "provinces": ["50", "57"],
        "csrf_token": csrf_token(client),
    }
    data.update(change)
    return data


def field_error(html: str, field: str) -> str:
    m = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    assert m, f"no error shown next to {field}"
    return m.group(1)


def test_company_rep_posts_an_offer_through_the_form(page_login, make_user, make_company, session, client):
    rep = make_user("company_rep")
    c = page_login(rep)
    r = c.get("/offers/new")
    assert r.status_code == 200
    for name in (
        "category",
        "title",
        "description",
        "quantity",
        "unit",
        "value_thb",
        "available_until",
    ):
        assert f'for="{name}"' in text(r), name
    # provinces: checkboxes grouped by region, not a 77-line multi-select
    assert 'id="provinces"' in text(r) and "<select multiple" not in text(r)
    assert text(r).count('name="provinces"') == 77 and text(r).count('class="region"') == 6
    other = make_company()
    r = c.post("/offers/new", data=form(c, company_id=str(other.id), withdrawn="y", status="exhausted"))
    assert r.status_code == 302, text(r)[:3000]
    offer = session.scalar(sa.select(Offer))
    assert offer.company_id == rep.company_id and offer.withdrawn is False
    assert offer.province_codes == ["50", "57"] and offer.nationwide is False
    html = text(client.get(f"/offers/{offer.id}?lang=en"))
    assert "Refurbished laptops" in html and 'id="remaining">50' in html and "Open" in html
    assert "Refurbished laptops" in text(client.get("/offers"))
    assert "Refurbished laptops" in text(client.get(f"/companies/{rep.company_id}"))
    assert "Refurbished laptops" in text(c.get("/dashboard"))


def test_no_province_chosen_means_nationwide(page_login, make_user, session):
    c = page_login(make_user("company_rep"))
    data = form(c)
    del data["provinces"]
    assert c.post("/offers/new", data=data).status_code == 302
    offer = session.scalar(sa.select(Offer))
    assert offer.nationwide is True and offer.provinces == []
    assert "Nationwide" in text(c.get(f"/offers/{offer.id}?lang=en"))


BAD_FORM = [
    ("quantity", "0"),
    ("quantity", "-1"),
    ("quantity", "lots"),
    ("quantity", ""),
    ("value_thb", "-100"),
    ("value_thb", "99999999999"),
    ("value_thb", "free"),
    ("value_thb", ""),
    ("available_until", (today_bangkok() - timedelta(days=3)).isoformat()),
    ("available_until", "soon"),
    ("provinces", ["99"]),
    ("provinces", ["50", "xx"]),
    ("category", "gold"),
    ("title", ""),
    ("title", "t" * 201),
    ("description", "d" * 5001),
    ("unit", "u" * 51),
]


def test_every_bad_field_shows_its_message_next_to_the_field_and_saves_nothing(
    page_login, make_user, session
):
    c = page_login(make_user("company_rep"))
    for field, value in BAD_FORM:
        before = snapshot(session)
        r = c.post("/offers/new?lang=en", data=form(c, **{field: value}))
        assert r.status_code == 422, (field, value)
        assert field_error(text(r), field).strip(), (field, value)
        assert snapshot(session) == before, (field, value)
    assert session.scalar(sa.select(sa.func.count(Offer.id))) == 0


def test_other_roles_cannot_post_an_offer(page_login, make_user, session):
    clients = [
        page_login(make_user(role))
        for role in ("school_staff", "district_director", "central_officer", "admin")
    ]
    before = snapshot(session)
    for c in clients:
        assert c.get("/offers/new").status_code == 403
        assert c.post("/offers/new", data=form(c)).status_code == 403
    assert snapshot(session) == before


def test_another_company_cannot_edit_or_withdraw(page_login, make_user, make_offer, session):
    rep = make_user("company_rep")
    offer = make_offer(rep, provinces=["50"])
    stranger = page_login(make_user("company_rep"))
    school = page_login(make_user("school_staff"))
    before = snapshot(session)
    assert stranger.get(f"/offers/{offer.id}/edit").status_code == 403
    assert stranger.post(f"/offers/{offer.id}/edit", data=form(stranger, title="Ours")).status_code == 403
    assert (
        stranger.post(f"/offers/{offer.id}/withdraw", data={"csrf_token": csrf_token(stranger)}).status_code
        == 403
    )
    assert (
        school.post(f"/offers/{offer.id}/withdraw", data={"csrf_token": csrf_token(school)}).status_code
        == 403
    )
    assert snapshot(session) == before
    assert "/edit" not in text(stranger.get(f"/offers/{offer.id}"))


def test_own_company_edits_and_withdraws(page_login, make_user, make_offer, session):
    rep = make_user("company_rep")
    offer = make_offer(rep, provinces=["50"])
    c = page_login(make_user("company_rep", company=rep.company))
    html = text(c.get(f"/offers/{offer.id}/edit?lang=en"))
    assert re.search(r'<input type="checkbox" id="province-50" name="provinces" value="50" checked>', html)
    r = c.post(
        f"/offers/{offer.id}/edit", data=form(c, title="Laptops (updated)", provinces=[], quantity="40")
    )
    assert r.status_code == 302
    session.expire_all()
    row = session.get(Offer, offer.id)
    assert row.title == "Laptops (updated)" and row.nationwide and row.quantity == 40
    r = c.post(f"/offers/{offer.id}/edit", data=form(c, value_thb="-1"))
    assert r.status_code == 422 and field_error(text(r), "value_thb")
    r = c.post(f"/offers/{offer.id}/withdraw", data={"csrf_token": csrf_token(c)}, follow_redirects=True)
    assert "The offer is withdrawn." in text(r)
    session.expire_all()
    assert session.get(Offer, offer.id).withdrawn is True


def test_a_held_offer_cannot_be_edited_or_withdrawn(page_login, make_user, make_need, make_offer, session):
    rep = make_user("company_rep")
    staff = make_user("school_staff")
    offer = make_offer(rep, quantity=5)
    need = make_need(staff, quantity=5)
    m = match_service.propose(session, staff, {"need_id": need.id, "offer_id": offer.id, "quantity": 5})
    session.commit()
    match_service.act(session, rep, m.id, {"action": "accept"}, THRESHOLD)
    session.commit()
    c = page_login(rep)
    html = text(c.get(f"/offers/{offer.id}?lang=en"))
    assert 'id="held-notice"' in html and "Exhausted" in html and 'id="remaining">0' in html
    before = snapshot(session)
    assert c.post(f"/offers/{offer.id}/edit", data=form(c)).status_code == 409
    r = c.post(f"/offers/{offer.id}/withdraw", data={"csrf_token": csrf_token(c)}, follow_redirects=True)
    assert "withdraw them first" in text(r)
    assert snapshot(session) == before


def test_expired_offer_shows_expired_and_drops_out_of_the_open_list(client, make_user, make_offer, session):
    rep = make_user("company_rep")
    old = make_offer(rep, title="Last year's uniforms")
    live = make_offer(rep, title="School bags")
    session.execute(
        sa.update(Offer).where(Offer.id == old.id).values(available_until=today_bangkok() - timedelta(days=2))
    )
    session.commit()
    html = text(client.get("/offers?lang=en"))
    assert live.title in html and "Last year&#39;s uniforms" not in html
    html = text(client.get("/offers?status=expired&lang=en"))
    assert "Last year&#39;s uniforms" in html and live.title not in html
    assert "status-expired" in text(client.get(f"/offers/{old.id}?lang=en"))
    assert "Expired" in text(client.get(f"/offers/{old.id}?lang=en"))


def test_list_page_serves_filter_search_and_errors(client, make_user, make_offer):
    rep = make_user("company_rep")
    everywhere = make_offer(
        rep, title="Nationwide e-learning licences", provinces=[], category="learning_materials"
    )
    north = make_offer(rep, title="เครื่องกรองน้ำดื่มสำหรับโรงเรียน", provinces=["50"], category="student_welfare")
    south = make_offer(rep, title="Generators for Yala schools", provinces=["95"], category="facilities")
    html = text(client.get("/offers?province=50"))
    assert everywhere.title in html and north.title in html and south.title not in html
    html = text(client.get("/offers?district=p95-1"))
    assert everywhere.title in html and south.title in html and north.title not in html
    html = text(client.get("/offers?q=กรองน้ำ"))
    assert north.title in html and everywhere.title not in html
    html = text(client.get("/offers?q=GENERATORS"))
    assert south.title in html and north.title not in html
    for bad, field in (
        ("province=99", "province"),
        ("district=zz-9", "district"),
        ("category=gold", "category"),
        ("status=lost", "status"),
    ):
        r = client.get(f"/offers?{bad}&lang=en")
        assert r.status_code == 422 and re.search(rf'id="f-{field}-error">\s*\S', text(r)), bad


def test_html_in_an_offer_is_shown_escaped(client, make_user, make_offer):
    rep = make_user("company_rep")
    offer = make_offer(
        rep, title="<script>alert('o')</script>Laptops", description="<iframe src=//evil></iframe>"
    )
    for url in (f"/offers/{offer.id}", "/offers", f"/companies/{rep.company_id}"):
        html = text(client.get(url))
        assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html, url
        assert "<iframe src=//evil>" not in html, url

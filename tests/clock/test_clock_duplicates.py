"""Suspected duplicate needs: flagged on create and on GET, not flagged for another school or another item;
the posting page warns and offers "post anyway"; the same form sent twice makes one need; directors see
their ESA's suspected duplicates."""

from __future__ import annotations

import re

import sqlalchemy as sa

from csr_hub.models import Need

from conftest import csrf_token


def post(api_client, **body):
    data = {
        "category": "devices",
        "title": "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง",
        "description": "สำหรับห้องเรียนคอมพิวเตอร์",
        "quantity": 20,
        "unit": "เครื่อง",
        "estimated_cost_thb": 300000,
    }
    data.update(body)
    r = api_client.post("/api/v1/needs", json=data)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_same_title_or_same_items_and_similar_text_are_flagged(app, api, session, make_school, make_user):
    school = make_school("p50-1")
    staff = api(make_user("school_staff", school=school))
    first = post(staff)
    assert first["possible_duplicates"] == []
    again = post(staff, description="")  # the same title
    assert again["possible_duplicates"] == [first["id"]]
    assert api().get(f"/api/v1/needs/{again['id']}").get_json()["possible_duplicates"] == [first["id"]]
    # the same item kinds and similar text, another title
    similar = post(staff, title="โน้ตบุ๊ก 20 เครื่อง สำหรับห้องเรียนคอมพิวเตอร์", description="")
    assert set(similar["possible_duplicates"]) >= {first["id"]}
    # another item at the same school: not a duplicate
    other_item = post(staff, title="โต๊ะเรียนนักเรียน 40 ชุด", category="facilities", description="", unit="ชุด")
    assert other_item["possible_duplicates"] == []
    # another school's identical need: not a duplicate
    elsewhere = api(make_user("school_staff", school=make_school("p50-1")))
    assert post(elsewhere)["possible_duplicates"] == []


def test_a_cancelled_need_is_not_a_duplicate(app, api, session, make_user):
    staff = api(make_user("school_staff"))
    first = post(staff)
    assert staff.post(f"/api/v1/needs/{first['id']}/cancel").status_code == 200
    assert post(staff)["possible_duplicates"] == []


def test_the_posting_page_warns_and_post_anyway_saves_once(app, session, make_user, make_need, page_login):
    user = make_user("school_staff")
    existing = make_need(user, title="โปรเจคเตอร์ห้องเรียน 2 เครื่อง", category="devices", quantity=2)
    c = page_login(user)
    html = c.get("/needs/new").get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="form_token"', html
    )
    assert token, "the form carries a one-time token"
    form = {
        "csrf_token": csrf_token(c),
        "form_token": token.group(1),
        "category": "devices",
        "title": "โปรเจคเตอร์ห้องเรียน 2 เครื่อง",
        "description": "",
        "quantity": "2",
        "unit": "เครื่อง",
        "estimated_cost_thb": "40000",
        "urgency": "normal",
    }
    r = c.post("/needs/new", data=form)
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    page = r.get_data(as_text=True)
    assert 'id="duplicate-warning"' in page and f"#{existing.id}" in page and 'id="post-anyway"' in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 1  # nothing saved before the choice
    r = c.post("/needs/new", data={**form, "post_anyway": "1"})
    assert r.status_code in (302, 303), (r.status_code, r.headers.get("Location"))
    r2 = c.post("/needs/new", data={**form, "post_anyway": "1"})  # the same form again (back, double click)
    assert r2.status_code in (302, 303) and r2.headers["Location"] == r.headers["Location"]
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 2
    new = session.scalar(sa.select(Need).order_by(Need.id.desc()))
    assert new.possible_duplicates == [existing.id]


def test_directors_see_their_esas_suspected_duplicates(
    app, session, make_school, make_user, make_need, page_login
):
    here = make_user("school_staff", school=make_school("p50-1"))
    there = make_user("school_staff", school=make_school("p10-1"))
    make_need(here, title="เครื่องพิมพ์ 1 เครื่อง", quantity=1)
    dup = make_need(here, title="เครื่องพิมพ์ 1 เครื่อง", quantity=1)
    make_need(there, title="กระดานไวท์บอร์ด 3 แผ่น", quantity=3)
    far = make_need(there, title="กระดานไวท์บอร์ด 3 แผ่น", quantity=3)
    director = make_user("district_director", district_code="p50-1")
    html = page_login(director).get("/dashboard").get_data(as_text=True)
    section = html.split('id="suspected-duplicates"', 1)[1].split("</section>", 1)[0]
    assert f"#{dup.id}" in section and f"#{far.id}" not in section


def test_reading_a_need_shows_its_duplicates_as_they_stand_now(app, api, session, make_user):
    staff = api(make_user("school_staff"))
    first = post(staff)
    again = post(staff, description="")
    assert again["possible_duplicates"] == [first["id"]]
    # the need it duplicated is cancelled: reading the later one no longer lists it
    assert staff.post(f"/api/v1/needs/{first['id']}/cancel").status_code == 200
    assert api().get(f"/api/v1/needs/{again['id']}").get_json()["possible_duplicates"] == []


def test_an_edit_that_makes_a_need_a_duplicate_flags_it(app, api, session, make_user):
    staff = api(make_user("school_staff"))
    first = post(staff)
    other = post(staff, title="โต๊ะเรียนนักเรียน 40 ชุด", category="facilities", description="", unit="ชุด")
    assert other["possible_duplicates"] == []
    r = staff.patch(
        f"/api/v1/needs/{other['id']}",
        json={"title": first["title"], "category": "devices", "description": first["description"]},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["possible_duplicates"] == [first["id"]]
    assert api().get(f"/api/v1/needs/{other['id']}").get_json()["possible_duplicates"] == [first["id"]]

"""/admin/schools: central officers and admins search, add and update schools; the API shares the rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from csr_hub.models import AuditEvent, School

from conftest import csrf_token, snapshot

NEW = {
    "code": "1050177771",
    "name_th": "โรงเรียนบ้านทดสอบ",
    "name_en": "Ban Thotsop School",
    "district_code": "p50-1",
    "province_code": "",
    "quality_group": "stand_alone",
    "pupils": "87",
    "teachers": "6",
}


@pytest.fixture
def people(make_user, make_company):
    return {
        "admin": make_user("admin"),
        "central_officer": make_user("central_officer"),
        "district_director": make_user("district_director"),
        "school_staff": make_user("school_staff"),
        "company_rep": make_user("company_rep", company=make_company()),
        "pending_officer": make_user("central_officer", status="pending"),
    }


def test_role_by_route(app, session, people, page_login, make_school):
    school = make_school()
    routes = [
        ("GET", "/admin/schools", None),
        ("POST", "/admin/schools", NEW),
        ("GET", f"/admin/schools/{school.id}", None),
        ("POST", f"/admin/schools/{school.id}", {"quality_group": "merging", "pupils": "5", "teachers": "1"}),
    ]
    before = snapshot(session)
    anon = app.test_client()
    token = csrf_token(anon)
    for method, url, data in routes:
        r = anon.open(url, method=method, data={**data, "csrf_token": token} if data else None)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next="), (method, url)
    for role in ("district_director", "school_staff", "company_rep", "pending_officer"):
        c = page_login(people[role])
        token = csrf_token(c)
        for method, url, data in routes:
            r = c.open(url, method=method, data={**data, "csrf_token": token} if data else None)
            expected = 200 if role == "pending_officer" and method == "GET" else 403
            assert r.status_code == expected, (role, method, url, r.status_code)
    assert snapshot(session) == before
    for role in ("central_officer", "admin"):
        c = page_login(people[role])
        assert c.get("/admin/schools").status_code == 200
        assert c.get(f"/admin/schools/{school.id}").status_code == 200
        assert c.get("/admin/schools/999999").status_code == 404


def test_dashboard_links(people, page_login):
    admin = page_login(people["admin"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/users"' in admin and 'href="/admin/schools"' in admin
    officer = page_login(people["central_officer"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/schools"' in officer and 'href="/admin/users"' not in officer
    staff = page_login(people["school_staff"]).get("/dashboard").get_data(as_text=True)
    assert "/admin/schools" not in staff


def test_search_and_pagination(people, page_login, make_school):
    for i in range(3):
        make_school(name_th=f"โรงเรียนค้นหา {i}", quality_group="merging")
    other = make_school(name_th="โรงเรียนอื่น")
    c = page_login(people["central_officer"])
    html = c.get("/admin/schools?q=ค้นหา&quality_group=merging").get_data(as_text=True)
    assert html.count("โรงเรียนค้นหา") == 3 and other.code not in html
    html = c.get("/admin/schools?q=ค้นหา&per_page=2&page=2").get_data(as_text=True)
    assert html.count("โรงเรียนค้นหา") == 1
    r = c.get("/admin/schools?quality_group=gold&per_page=x")
    assert r.status_code == 422
    assert 'id="f-quality_group-error"' in r.get_data(as_text=True)


def test_adding_a_school_on_the_page_shows_in_the_api(app, session, people, page_login, client):
    c = page_login(people["central_officer"])
    r = c.post("/admin/schools", data={**NEW, "csrf_token": csrf_token(c)})
    assert r.status_code == 302
    listed = client.get("/api/v1/schools?q=1050177771").get_json()
    (item,) = listed["items"]
    assert (
        item["code"] == "1050177771" and item["name_th"] == NEW["name_th"] and item["province_code"] == "50"
    )
    assert item["quality_group"] == "stand_alone" and item["pupils"] == 87 and item["teachers"] == 6
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "school.create"))
    assert event.actor_id == people["central_officer"].id and event.object_id == item["id"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": "12345"}, "code"),
        ({"code": ""}, "code"),
        ({"name_th": ""}, "name_th"),
        ({"district_code": "nowhere"}, "district_code"),
        ({"district_code": ""}, "district_code"),
        ({"province_code": "99"}, "province_code"),
        ({"province_code": "10"}, "province_code"),  # p50-1 does not cover Bangkok
        ({"quality_group": "gold"}, "quality_group"),
        ({"pupils": "-1"}, "pupils"),
        ({"teachers": "lots"}, "teachers"),
    ],
)
def test_add_validation_errors_change_nothing(session, people, page_login, change, field):
    c = page_login(people["admin"])
    before = snapshot(session)
    r = c.post("/admin/schools", data={**NEW, **change, "csrf_token": csrf_token(c)})
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.get_data(as_text=True)
    assert snapshot(session) == before


def test_duplicate_code_is_refused_on_page_and_api(session, people, page_login, api, make_school):
    existing = make_school()
    c = page_login(people["admin"])
    before = snapshot(session)
    r = c.post("/admin/schools", data={**NEW, "code": existing.code, "csrf_token": csrf_token(c)})
    assert r.status_code == 409 and 'id="code-error"' in r.get_data(as_text=True)
    r = api(people["central_officer"]).post(
        "/api/v1/schools", json={"code": existing.code, "name_th": "x", "district_code": "p50-1"}
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    r = api(people["central_officer"]).post("/api/v1/schools", json={"code": "12", "district_code": "zz"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"code", "name_th", "district_code"}
    assert snapshot(session) == before


def test_update_school_is_saved_and_audited(session, people, page_login, make_school):
    s = make_school(quality_group="core", pupils=100, teachers=8)
    c = page_login(people["admin"])
    r = c.post(
        f"/admin/schools/{s.id}",
        data={
            "quality_group": "merging",
            "pupils": "140",
            "teachers": "8",
            "code": "0000000000",
            "csrf_token": csrf_token(c),
        },
    )
    assert r.status_code == 302
    session.rollback()
    s = session.get(School, s.id)
    assert (s.quality_group, s.pupils, s.teachers) == ("merging", 140, 8)
    assert s.code != "0000000000"  # only the three figures can change
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "school.update"))
    assert event.object_id == s.id and event.actor_id == people["admin"].id
    assert set(event.details) == {"quality_group", "pupils"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"quality_group": "gold"}, "quality_group"),
        ({"pupils": ""}, "pupils"),
        ({"pupils": "100001"}, "pupils"),
        ({"teachers": "-3"}, "teachers"),
        ({"teachers": "1.5"}, "teachers"),
    ],
)
def test_update_validation_errors_change_nothing(session, people, page_login, make_school, change, field):
    s = make_school()
    c = page_login(people["central_officer"])
    before = snapshot(session)
    data = {"quality_group": "core", "pupils": "10", "teachers": "2", **change, "csrf_token": csrf_token(c)}
    r = c.post(f"/admin/schools/{s.id}", data=data)
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.get_data(as_text=True)
    assert snapshot(session) == before

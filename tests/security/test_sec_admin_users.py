"""/admin/users: only active admins list and change accounts; every change is validated and audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from csr_hub.models import AuditEvent, User
from csr_hub.services import accounts
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed

from conftest import PASSWORD, csrf_token, snapshot


def _events(session, action):
    session.rollback()
    return list(
        session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def _form(user, **kw):
    data = {
        "role": user.role,
        "status": user.status,
        "school_code": user.school.code if user.school else "",
        "company_tax_id": user.company.tax_id if user.company else "",
        "district_code": user.district.code if user.district else "",
    }
    data.update(kw)
    return data


@pytest.fixture
def people(make_user, make_school, make_company):
    school = make_school()
    return {
        "admin": make_user("admin"),
        "central_officer": make_user("central_officer"),
        "district_director": make_user("district_director"),
        "school_staff": make_user("school_staff", school=school),
        "company_rep": make_user("company_rep", company=make_company()),
        "pending_admin": make_user("admin", status="pending"),
        "target": make_user("school_staff", school=school),
    }


def test_role_by_route(app, session, people, page_login):
    target = people["target"]
    routes = [
        ("GET", "/admin/users", None),
        ("GET", f"/admin/users/{target.id}", None),
        ("POST", f"/admin/users/{target.id}", _form(target, status="disabled")),
    ]
    before = snapshot(session)
    anon = app.test_client()
    token = csrf_token(anon)
    for method, url, data in routes:
        r = anon.open(url, method=method, data={**(data or {}), "csrf_token": token} if data else None)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next="), (method, url)
    for role in ("central_officer", "district_director", "school_staff", "company_rep", "pending_admin"):
        c = page_login(people[role])
        token = csrf_token(c)
        for method, url, data in routes:
            r = c.open(url, method=method, data={**(data or {}), "csrf_token": token} if data else None)
            expected = 200 if role == "pending_admin" and method == "GET" else 403
            assert r.status_code == expected, (role, method, url, r.status_code)
    assert snapshot(session) == before
    admin = page_login(people["admin"])
    r = admin.get("/admin/users")
    assert r.status_code == 200 and target.email in r.get_data(as_text=True)


def test_list_filters_and_pagination(app, session, people, page_login, make_user):
    for i in range(3):
        make_user("company_rep", full_name=f"Somchai Filter {i}")
    c = page_login(people["admin"])
    html = c.get("/admin/users?role=company_rep&q=somchai+filter").get_data(as_text=True)
    assert html.count("Somchai Filter") == 3 and people["target"].email not in html
    html = c.get("/admin/users?status=pending").get_data(as_text=True)
    assert people["pending_admin"].email in html and people["target"].email not in html
    html = c.get("/admin/users?q=SOMCHAI&per_page=2&page=2").get_data(as_text=True)
    assert html.count("Somchai Filter") == 1
    r = c.get("/admin/users?role=king&status=zzz&page=0")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="f-role-error"' in html and 'id="f-status-error"' in html


@pytest.mark.parametrize(
    "change, field",
    [
        ({"role": "emperor"}, "role"),
        ({"status": "pending"}, "status"),
        ({"status": "zzz"}, "status"),
        ({"school_code": "9999999999"}, "school_code"),
        ({"school_code": ""}, "school_code"),
        ({"role": "company_rep", "company_tax_id": "1234567890123"}, "company_tax_id"),
        ({"role": "company_rep", "company_tax_id": "0105500000009"}, "company_tax_id"),
        ({"role": "district_director", "district_code": "nowhere"}, "district_code"),
        ({"role": "district_director", "district_code": ""}, "district_code"),
    ],
)
def test_validation_errors_change_nothing(app, session, people, page_login, change, field):
    target = people["target"]
    c = page_login(people["admin"])
    before = snapshot(session)
    r = c.post(f"/admin/users/{target.id}", data={**_form(target), **change, "csrf_token": csrf_token(c)})
    assert r.status_code == 422, r.status_code
    assert f'id="{field}-error"' in r.get_data(as_text=True)
    assert snapshot(session) == before


def test_admin_cannot_demote_or_disable_themselves(app, session, people, page_login):
    admin = people["admin"]
    c = page_login(admin)
    before = snapshot(session)
    for change, field in (({"role": "central_officer"}, "role"), ({"status": "disabled"}, "status")):
        r = c.post(f"/admin/users/{admin.id}", data={**_form(admin), **change, "csrf_token": csrf_token(c)})
        assert r.status_code == 422 and f'id="{field}-error"' in r.get_data(as_text=True)
    assert snapshot(session) == before
    assert c.get("/api/v1/auth/me").status_code == 200


def test_without_csrf_token_nothing_changes(app, session, people, page_login):
    c = page_login(people["admin"])
    before = snapshot(session)
    r = c.post(f"/admin/users/{people['target'].id}", data=_form(people["target"], status="disabled"))
    assert r.status_code == 400
    assert snapshot(session) == before


def test_service_refuses_other_actors_and_unknown_users(session, people):
    before = snapshot(session)
    for role in ("central_officer", "pending_admin"):
        with pytest.raises(Forbidden):
            accounts.change_user(session, people[role], people["target"].id, status="disabled")
    with pytest.raises(NotFound):
        accounts.change_user(session, people["admin"], 10**6, status="disabled")
    with pytest.raises(ValidationFailed):
        accounts.change_user(
            session, people["admin"], people["target"].id, role="school_staff", school_code="x"
        )
    session.rollback()
    assert snapshot(session) == before


def test_role_change_takes_effect_and_is_audited(app, session, people, page_login, api):
    target, admin = people["target"], people["admin"]
    old_school = target.school.code
    c = page_login(admin)
    r = c.post(
        f"/admin/users/{target.id}",
        data={
            **_form(target),
            "role": "district_director",
            "district_code": "p50-1",
            "csrf_token": csrf_token(c),
        },
    )
    assert r.status_code == 302
    session.rollback()
    u = session.get(User, target.id)
    assert u.role == "district_director" and u.district.code == "p50-1" and u.school_id is None
    me = api(u).get("/api/v1/auth/me").get_json()
    assert me["role"] == "district_director" and me["district_code"] == "p50-1"
    (role_event,) = _events(session, "user.role_change")
    assert role_event.actor_id == admin.id and role_event.object_id == target.id
    assert role_event.details["from"] == "school_staff" and role_event.details["to"] == "district_director"
    (scope_event,) = _events(session, "user.scope_change")
    assert scope_event.details == {"from": f"school:{old_school}", "to": "district:p50-1"}
    assert _events(session, "user.status_change") == []
    page = c.get("/admin/audit?action=user.role_change").get_data(as_text=True)
    assert "user.role_change" in page


def test_disabling_ends_the_users_sessions(app, session, people, page_login):
    target = people["target"]
    victim = page_login(target)
    stolen = victim.get_cookie("session").value
    assert victim.get("/api/v1/auth/me").status_code == 200
    c = page_login(people["admin"])
    r = c.post(
        f"/admin/users/{target.id}", data={**_form(target), "status": "disabled", "csrf_token": csrf_token(c)}
    )
    assert r.status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/api/v1/auth/me").status_code == 401
    assert victim.get("/api/v1/auth/me").status_code == 401
    (event,) = _events(session, "user.status_change")
    assert event.details["from"] == "active" and event.details["to"] == "disabled"
    assert (
        app.test_client()
        .post("/api/v1/auth/login", json={"email": target.email, "password": PASSWORD})
        .status_code
        == 401
    )
    # enabling again lets the person log in
    session.rollback()
    r = c.post(
        f"/admin/users/{target.id}",
        data={**_form(session.get(User, target.id)), "status": "active", "csrf_token": csrf_token(c)},
    )
    assert r.status_code == 302
    assert (
        app.test_client()
        .post("/api/v1/auth/login", json={"email": target.email, "password": PASSWORD})
        .status_code
        == 200
    )

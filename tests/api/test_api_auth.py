"""Registration, verification, login, tokens, sessions and the second factor through the API."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import make_tax_id
from csr_hub.models import ApiToken, Company, User

from conftest import PASSWORD, snapshot

TAX = make_tax_id("010553600031")


def test_register_school_staff_is_pending(client, make_school, session):
    school = make_school()
    r = client.post(
        "/api/v1/auth/register",
        json={
            "email": "Kru@School.example",
            "password": "a-strong-passphrase",
            "full_name": "ครูสมศรี",
            "role": "school_staff",
            "school_code": school.code,
            "status": "active",
            "role_x": 1,
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "pending" and body["role"] == "school_staff" and body["school_id"] == school.id
    assert body["email"] == "kru@school.example"
    assert set(body) == {
        "id",
        "email",
        "full_name",
        "role",
        "status",
        "school_id",
        "company_id",
        "district_code",
    }


def test_register_company_rep_creates_unverified_company_and_second_rep_joins_it(client, session):
    body = {
        "email": "csr@acme.example",
        "password": "a-strong-passphrase",
        "full_name": "Anan",
        "role": "company_rep",
        "company_name": "ACME",
        "company_tax_id": TAX,
        "province_code": "10",
        "verified": True,
    }
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.get_json()
    company = session.scalar(sa.select(Company).where(Company.tax_id == TAX))
    assert company.verified is False
    r2 = client.post(
        "/api/v1/auth/register", json={**body, "email": "two@acme.example", "company_name": "Other"}
    )
    assert r2.status_code == 201
    assert r2.get_json()["company_id"] == company.id
    assert session.scalar(sa.select(sa.func.count(Company.id))) == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"role": "district_director"}, "role"),
        ({"role": "admin"}, "role"),
        ({"password": "short"}, "password"),
        ({"password": "password123456"}, "password"),
        ({"password": "csr@acme.example"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"company_tax_id": "1234567890123"}, "company_tax_id"),
        ({"company_tax_id": "12345"}, "company_tax_id"),
        ({"province_code": "99"}, "province_code"),
    ],
)
def test_register_rejects_bad_fields_with_422_and_creates_nothing(client, session, change, field):
    body = {
        "email": "csr@acme.example",
        "password": "a-strong-passphrase",
        "full_name": "Anan",
        "role": "company_rep",
        "company_name": "ACME",
        "company_tax_id": TAX,
        "province_code": "10",
    }
    body.update(change)
    before = snapshot(session)
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "validation_error" and field in err["fields"]
    assert snapshot(session) == before


def test_register_duplicate_email_is_409(client, make_user, make_school):
    user = make_user("school_staff")
    r = client.post(
        "/api/v1/auth/register",
        json={
            "email": user.email.upper(),
            "password": "a-strong-passphrase",
            "full_name": "X",
            "role": "school_staff",
            "school_code": user.school.code,
        },
    )
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", '"string"'])
def test_register_body_not_an_object_is_400(client, body):
    r = client.post("/api/v1/auth/register", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_request"


def test_login_logout_and_me(api, make_user, client):
    user = make_user("school_staff")
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    assert r.get_json()["user"]["id"] == user.id and r.get_json()["csrf_token"]
    assert client.get("/api/v1/auth/me").get_json()["email"] == user.email
    token = r.get_json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": token}).status_code == 204
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("password", ["wrong-password-1", "", None])
def test_bad_credentials_are_401(client, make_user, password):
    user = make_user("school_staff")
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"
    r = client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSWORD})
    assert r.status_code == 401


def test_logout_ends_every_session_and_old_cookie_is_refused(app, make_user):
    user = make_user("company_rep")
    a, b = app.test_client(), app.test_client()
    ta = a.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).get_json()[
        "csrf_token"
    ]
    b.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    cookie = a.get_cookie("session").value
    assert b.get("/api/v1/auth/me").status_code == 200
    assert a.post("/api/v1/auth/logout", headers={"X-CSRFToken": ta}).status_code == 204
    assert b.get("/api/v1/auth/me").status_code == 401  # the other device is logged out too
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_pending_user_may_read_but_not_write(api, make_user, make_school, session):
    user = make_user("school_staff", status="pending")
    c = api(user)
    assert c.get("/api/v1/auth/me").get_json()["status"] == "pending"
    assert c.get("/api/v1/needs").status_code == 200
    before = snapshot(session)
    r = c.post(
        "/api/v1/needs", json={"category": "devices", "title": "x", "quantity": 1, "estimated_cost_thb": 1}
    )
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "account_pending"
    assert snapshot(session) == before


def test_forbidden_role_is_403_and_changes_nothing(api, make_user, session):
    rep = make_user("company_rep")
    before = snapshot(session)
    r = api(rep).post(
        "/api/v1/needs", json={"category": "devices", "title": "x", "quantity": 1, "estimated_cost_thb": 1}
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert snapshot(session) == before


def test_director_verifies_school_staff_of_own_esa_only(api, make_user, make_school, session):
    mine = make_user("school_staff", status="pending", school=make_school("p50-1"))
    other = make_user("school_staff", status="pending", school=make_school("p40-1"))
    rep = make_user("company_rep", status="pending")
    director = make_user("district_director", district_code="p50-1")
    c = api(director)
    listed = {u["id"] for u in c.get("/api/v1/users?status=pending").get_json()["items"]}
    assert listed == {mine.id}
    assert c.post(f"/api/v1/users/{other.id}/verify").status_code == 403
    assert c.post(f"/api/v1/users/{rep.id}/verify").status_code == 403
    r = c.post(f"/api/v1/users/{mine.id}/verify")
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    session.expire_all()
    assert session.get(User, other.id).status == "pending"
    assert session.get(User, rep.id).status == "pending"


def test_central_officer_verifies_company_reps_and_their_company(api, make_user, make_company, session):
    company = make_company(verified=False)
    rep = make_user("company_rep", status="pending", company=company)
    staff = make_user("school_staff", status="pending")
    officer = make_user("central_officer")
    c = api(officer)
    assert {u["id"] for u in c.get("/api/v1/users?status=pending").get_json()["items"]} == {rep.id}
    assert c.post(f"/api/v1/users/{staff.id}/verify").status_code == 403
    r = c.post(f"/api/v1/users/{rep.id}/verify")
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    session.expire_all()
    assert session.get(Company, company.id).verified is True


def test_school_staff_and_companies_cannot_verify(api, make_user):
    pending = make_user("school_staff", status="pending")
    for role in ("school_staff", "company_rep"):
        r = api(make_user(role)).post(f"/api/v1/users/{pending.id}/verify")
        assert r.status_code == 403


def test_bearer_token_works_without_csrf_and_can_be_revoked(app, make_user, session):
    user = make_user("school_staff")
    c = app.test_client()
    r = c.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 201
    token = r.get_json()["token"]
    assert r.get_json()["expires_at"]
    stored = session.scalar(sa.select(ApiToken))
    assert token not in stored.token_hash
    fresh = app.test_client()
    h = {"Authorization": f"Bearer {token}"}
    assert fresh.get("/api/v1/auth/me", headers=h).get_json()["id"] == user.id
    r = fresh.post(
        "/api/v1/needs",
        headers=h,
        json={"category": "devices", "title": "โปรเจกเตอร์", "quantity": 2, "estimated_cost_thb": 30000},
    )
    assert r.status_code == 201, r.get_json()
    assert fresh.delete("/api/v1/auth/tokens/current", headers=h).status_code == 204
    assert fresh.get("/api/v1/auth/me", headers=h).status_code == 401
    assert fresh.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_session_write_without_csrf_header_is_refused(app, make_user, session):
    user = make_user("school_staff")
    c = app.test_client()
    c.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    before = snapshot(session)
    r = c.post(
        "/api/v1/needs", json={"category": "devices", "title": "x", "quantity": 1, "estimated_cost_thb": 1}
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
    assert snapshot(session) == before


def test_totp_once_enrolled_login_and_tokens_need_the_code(app, make_user, session):
    from csr_hub.services import accounts

    director = make_user("district_director")
    secret = accounts.enrol_totp(director)
    session.commit()
    c = app.test_client()
    for url in ("/api/v1/auth/login", "/api/v1/auth/tokens"):
        r = c.post(url, json={"email": director.email, "password": PASSWORD})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "otp_required"
        r = c.post(url, json={"email": director.email, "password": PASSWORD, "otp": "000000"})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "otp_invalid"
    totp = pyotp.TOTP(secret)
    import time

    r = c.post(
        "/api/v1/auth/login",
        json={"email": director.email, "password": PASSWORD, "otp": totp.at(int(time.time()) + 30)},
    )
    assert r.status_code == 200, r.get_json()


def test_thai_error_message_with_accept_language(client):
    r = client.get("/api/v1/auth/me", headers={"Accept-Language": "th"})
    assert r.status_code == 401
    message = r.get_json()["error"]["message"]
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in message), message
    r = client.get("/api/v1/auth/me")
    assert all(not ("\u0e00" <= ch <= "\u0e7f") for ch in r.get_json()["error"]["message"])


@pytest.mark.parametrize("status", ["bogus", "all", "PENDING"])
def test_the_users_list_refuses_an_unknown_status_with_422(api, make_user, status):
    for role in ("district_director", "central_officer", "admin"):
        r = api(make_user(role, district_code="p50-1" if role == "district_director" else None)).get(
            f"/api/v1/users?status={status}"
        )
        assert r.status_code == 422 and "status" in r.get_json()["error"]["fields"], (role, r.get_json())

"""Accounts and sessions: throttling, sessions that end everywhere, tokens, the second factor, redirects
after login, and secrets kept out of logs and error bodies."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import sqlalchemy as sa

from csr_hub.extensions import db
from csr_hub.models import ApiToken, AuditEvent, User

from sec_helpers import PASSWORD, Api, csrf_token, snapshot  # noqa: F401

#: the hasher the app uses (captured before the tests swap in a cheap one)
from csr_hub.services.accounts import _hasher as PRODUCTION_HASHER  # noqa: E402


def _client_at(app, address: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _page_login(client, email, password, otp=None, next_=None, remember=False):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    if otp is not None:
        data["otp"] = otp
    if next_ is not None:
        data["next"] = next_
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


# --- passwords ---------------------------------------------------------------------------------------
def test_passwords_are_argon2id_with_current_parameters():
    assert PRODUCTION_HASHER.type.name == "ID"
    assert PRODUCTION_HASHER.time_cost >= 2 and PRODUCTION_HASHER.memory_cost >= 19 * 1024  # OWASP minimum
    digest = PRODUCTION_HASHER.hash("a-long-enough-passphrase")
    assert digest.startswith("$argon2id$") and "a-long-enough-passphrase" not in digest


def test_registration_page_refuses_weak_passwords_and_requires_consent(client, make_school, session):
    school = make_school()
    base = {
        "role": "school_staff",
        "full_name": "ครูใจดี",
        "email": "kru@school.example",
        "school_code": school.code,
        "accept_privacy": "y",
        "csrf_token": csrf_token(client),
    }
    before = snapshot(session)
    for password in ("short", "password123456", "kru@school.example", "qwertyuiop"):
        r = client.post("/register", data={**base, "password": password})
        assert r.status_code == 422, password
    r = client.post(
        "/register",
        data={**{k: v for k, v in base.items() if k != "accept_privacy"}, "password": "a-good-passphrase-77"},
    )
    assert r.status_code == 422 and "privacy" in r.get_data(as_text=True).lower()
    assert snapshot(session) == before
    r = client.post("/register", data={**base, "password": "a-good-passphrase-77"})
    assert r.status_code == 302
    user = session.scalar(sa.select(User).where(User.email == "kru@school.example"))
    assert user.status == "pending" and user.privacy_accepted_at is not None


# --- throttling --------------------------------------------------------------------------------------
@pytest.fixture
def limited(app):
    from csr_hub.extensions import limiter

    limiter.reset()
    return app


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_ten_failed_logins_lock_the_account_for_every_channel(limited, make_user, session):
    app = limited
    user = make_user("school_staff")
    for i in range(10):  # from ten different addresses: the per-address limit is not what stops them
        c = _client_at(app, f"10.0.1.{i}")
        r = c.post("/api/v1/auth/login", json={"email": user.email, "password": f"wrong-{i}"})
        assert r.status_code == 401
    fresh = _client_at(app, "10.0.2.1")
    for url in ("/api/v1/auth/login", "/api/v1/auth/tokens"):
        r = fresh.post(
            url, json={"email": user.email.upper(), "password": PASSWORD}
        )  # even the right password
        assert r.status_code == 429, url
        err = r.get_json()["error"]
        assert err["code"] == "rate_limited" and err["message"]
        assert 0 < int(r.headers["Retry-After"]) <= 15 * 60
    r = _page_login(fresh, user.email, PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Traceback" not in r.get_data(as_text=True)
    # another account from the same addresses is not affected
    other = make_user("school_staff")
    assert (
        fresh.post("/api/v1/auth/login", json={"email": other.email, "password": PASSWORD}).status_code == 200
    )
    assert (
        session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "login.failed"))
        == 10
    )


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_thirty_requests_per_address_per_minute_across_login_tokens_and_register(
    limited, make_user, make_school
):
    app = limited
    c = _client_at(app, "10.9.9.9")
    school = make_school()
    for i in range(10):
        assert (
            c.post("/api/v1/auth/login", json={"email": f"nobody{i}@x.example", "password": "x"}).status_code
            == 401
        )
        assert (
            c.post("/api/v1/auth/tokens", json={"email": f"nobody{i}@x.example", "password": "x"}).status_code
            == 401
        )
        r = c.post(
            "/api/v1/auth/register",
            json={
                "email": f"new{i}@x.example",
                "password": "a-good-passphrase-77",
                "full_name": "N",
                "role": "school_staff",
                "school_code": school.code,
            },
        )
        assert r.status_code == 201
    for url, body in (("/api/v1/auth/register", {}), ("/api/v1/auth/login", {}), ("/api/v1/auth/tokens", {})):
        r = c.post(url, json=body)
        assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited", url
        assert int(r.headers["Retry-After"]) > 0
    page = _client_at(app, "10.9.9.9")
    assert page.get("/register").status_code == 429
    # a different address is served
    other = _client_at(app, "10.9.9.10")
    assert (
        other.post("/api/v1/auth/login", json={"email": "nobody@x.example", "password": "x"}).status_code
        == 401
    )


# --- sessions ----------------------------------------------------------------------------------------
def test_page_logout_ends_every_session_and_replayed_cookies_are_refused(app, make_user, session):
    user = make_user("company_rep")
    laptop, phone = app.test_client(), app.test_client()
    assert _page_login(laptop, user.email, PASSWORD).status_code == 302
    assert _page_login(phone, user.email, PASSWORD).status_code == 302
    stolen = laptop.get_cookie("session").value
    assert laptop.post("/logout", data={"csrf_token": csrf_token(laptop)}).status_code == 302
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert phone.get("/dashboard").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "logout")) == 1


def test_password_change_ends_every_session_and_revokes_tokens(app, make_user, session):
    user = make_user("school_staff")
    a, b = app.test_client(), app.test_client()
    assert _page_login(a, user.email, PASSWORD).status_code == 302
    assert _page_login(b, user.email, PASSWORD).status_code == 302
    old = a.get_cookie("session").value
    token = (
        app.test_client()
        .post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
        .get_json()["token"]
    )
    # a wrong current password changes nothing (but is recorded)
    r = a.post(
        "/account",
        data={
            "current_password": "not-it-at-all",
            "new_password": "new-passphrase-2026",
            "csrf_token": csrf_token(a),
        },
    )
    assert r.status_code == 422
    assert b.get("/api/v1/auth/me").status_code == 200
    r = a.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "new-passphrase-2026",
            "csrf_token": csrf_token(a),
        },
    )
    assert r.status_code == 302
    for client in (a, b):
        assert client.get("/api/v1/auth/me").status_code == 401
    thief = app.test_client()
    thief.set_cookie("session", old)
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert thief.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _page_login(app.test_client(), user.email, "new-passphrase-2026").status_code == 302
    actions = set(session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert {"user.password_change_failed", "user.password_change"} <= actions


# --- tokens ------------------------------------------------------------------------------------------
def _all_text(session) -> str:
    """Every value of every table, as text (to look for a secret anywhere in the database)."""
    session.rollback()
    out = []
    for t in db.metadata.sorted_tables:
        for row in session.execute(sa.select(*t.columns)):
            out.extend(str(v) for v in row)
    return "\n".join(out)


def test_tokens_are_stored_hashed_expire_and_are_revocable(app, make_user, session):
    user = make_user("company_rep")
    c = app.test_client()
    body = c.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD}).get_json()
    token = body["token"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29, hours=23) < expires - datetime.now(timezone.utc) <= timedelta(days=30)
    text = _all_text(session)
    assert token not in text and PASSWORD not in text
    row = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/v1/auth/me", headers=h).status_code == 200
    # expired
    row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    session.commit()
    r = c.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and token not in r.get_data(as_text=True)
    # revoked (a second token)
    token2 = c.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD}).get_json()[
        "token"
    ]
    h2 = {"Authorization": f"Bearer {token2}"}
    assert c.delete("/api/v1/auth/tokens/current", headers=h2).status_code == 204
    assert c.get("/api/v1/auth/me", headers=h2).status_code == 401
    assert c.delete("/api/v1/auth/tokens/current", headers=h2).status_code == 401
    actions = list(session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert actions.count("token.create") == 2 and "token.revoke" in actions


# --- second factor -----------------------------------------------------------------------------------
def test_director_enrols_totp_at_first_page_login_then_every_login_needs_the_code(app, make_user, session):
    director = make_user("district_director")
    c = app.test_client()
    r = _page_login(c, director.email, PASSWORD, next_="/reports")
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/totp")
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "data:image/svg+xml" in page  # the QR code, as an image the CSP allows
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    # a wrong code: the secret is still shown to this session, which is setting it up
    r = c.post("/account/totp", data={"otp": "000000", "csrf_token": csrf_token(c)})
    assert r.status_code == 200 and secret in r.get_data(as_text=True)
    r = c.post("/account/totp?next=/reports", data={"otp": totp.at(now), "csrf_token": csrf_token(c)})
    assert r.status_code == 302 and r.headers["Location"] == "/reports"
    # never shown again, not even to a POST with a wrong code
    assert 'id="totp-secret"' not in c.get("/account/totp").get_data(as_text=True)
    assert secret not in c.post(
        "/account/totp", data={"otp": "123456", "csrf_token": csrf_token(c)}
    ).get_data(as_text=True)
    # the login page now needs the code
    fresh = app.test_client()
    r = _page_login(fresh, director.email, PASSWORD)
    assert r.status_code == 401 and 'name="otp"' in r.get_data(as_text=True)
    r = _page_login(fresh, director.email, PASSWORD, otp="000000")
    assert r.status_code == 401
    r = _page_login(fresh, director.email, PASSWORD, otp=totp.at(now + 30))
    assert r.status_code == 302 and fresh.get("/api/v1/auth/me").status_code == 200
    # a code is good once: replaying it fails
    r = _page_login(app.test_client(), director.email, PASSWORD, otp=totp.at(now + 30))
    assert r.status_code == 401
    # the API and tokens too
    api = app.test_client()
    for url in ("/api/v1/auth/login", "/api/v1/auth/tokens"):
        r = api.post(url, json={"email": director.email, "password": PASSWORD})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "otp_required"
        r = api.post(url, json={"email": director.email, "password": PASSWORD, "otp": "999999"})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "otp_invalid"
    session.execute(sa.update(User).where(User.id == director.id).values(totp_last_step=0))
    session.commit()
    r = api.post(
        "/api/v1/auth/tokens", json={"email": director.email, "password": PASSWORD, "otp": totp.now()}
    )
    assert r.status_code == 201
    assert (
        session.scalar(
            sa.select(AuditEvent.id).where(
                AuditEvent.action == "totp.enrol", AuditEvent.actor_id == director.id
            )
        )
        is not None
    )


def test_non_approvers_are_not_asked_for_a_second_factor(app, make_user):
    for role in ("school_staff", "company_rep"):  # admins enrol too (test_sec_pentest.py)
        c = app.test_client()
        r = _page_login(c, make_user(role).email, PASSWORD)
        assert r.status_code == 302 and not r.headers["Location"].startswith("/account/totp")
        assert c.get("/account/totp").status_code == 403


# --- redirects after login ---------------------------------------------------------------------------
EVIL = [
    "//evil.com",
    "https://evil.com/x",
    "/\\evil.com",
    "\\\\evil.com",
    "javascript:alert(1)",
    "http:/evil.com",
    " //evil.com",
    "/\t/evil.com",
    "//evil.com/%2F..",
    "https:evil.com",
    "/\r\nLocation: https://evil.com",
    "///evil.com",
    "\\/evil.com",
]


def _is_local(location: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not parts.scheme
        and not parts.netloc
        and "evil" not in location
    )


def test_next_is_followed_only_to_a_path_on_this_site(app, make_user):
    user = make_user("school_staff")
    for target in EVIL:
        c = app.test_client()
        r = _page_login(c, user.email, PASSWORD, next_=target)
        assert r.status_code == 302, target
        assert _is_local(r.headers["Location"]), (target, r.headers["Location"])
        # the login page never echoes a foreign target back into a link either
        html = app.test_client().get("/login", query_string={"next": target}).get_data(as_text=True)
        assert 'href="//evil' not in html and 'href="https://evil' not in html
    r = _page_login(app.test_client(), user.email, PASSWORD, next_="/needs?category=devices")
    assert r.headers["Location"] == "/needs?category=devices"


def test_next_after_the_second_factor_is_checked_too(app, make_user):
    director = make_user("central_officer")
    c = app.test_client()
    r = _page_login(c, director.email, PASSWORD, next_="//evil.com")
    assert "evil" not in r.headers["Location"]
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', c.get("/account/totp").get_data(as_text=True)).group(
        1
    )
    r = c.post(
        "/account/totp?next=https://evil.com",
        data={"otp": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(c)},
    )
    assert r.status_code == 302 and _is_local(r.headers["Location"])


# --- secrets in logs and errors ----------------------------------------------------------------------
@pytest.fixture
def every_logger(caplog):
    """Capture every record at DEBUG from every logger, including the app's and the libraries'."""
    for logger in [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)] + [
        logging.getLogger()
    ]:
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    caplog.set_level(logging.DEBUG)
    return caplog


def test_no_password_or_token_in_logs_error_bodies_or_the_audit_log(
    app, make_user, make_school, session, every_logger
):
    def boom():
        from flask import request

        request.get_json()
        raise ValueError("something broke while handling the request")

    app.add_url_rule("/api/v1/test-boom", "test_boom", boom)
    user = make_user("school_staff")
    c = app.test_client()
    secrets_seen = [PASSWORD, "wrong-secret-passphrase", "new-passphrase-hunter2"]
    bodies = []
    bodies.append(
        c.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-secret-passphrase"})
    )
    bodies.append(c.post("/api/v1/auth/login", json={"email": "nobody@x.example", "password": PASSWORD}))
    bodies.append(
        c.post(
            "/api/v1/auth/register",
            json={
                "email": "x@x.example",
                "password": "new-passphrase-hunter2",
                "full_name": "",
                "role": "admin",
            },
        )
    )
    bodies.append(c.post("/api/v1/auth/register", json={"email": "bad", "password": PASSWORD}))
    created = c.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    token = created.get_json()["token"]
    secrets_seen.append(token)
    bodies.append(c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}x"}))
    bodies.append(
        c.post(
            "/api/v1/needs", headers={"Authorization": f"Bearer {token}"}, json={"title": "", "quantity": -1}
        )
    )
    bodies.append(_page_login(c, user.email, "wrong-secret-passphrase"))
    logged = app.test_client()
    _page_login(logged, user.email, PASSWORD)
    bodies.append(
        logged.post(
            "/account",
            data={
                "current_password": "wrong-secret-passphrase",
                "new_password": "new-passphrase-hunter2",
                "csrf_token": csrf_token(logged),
            },
        )
    )
    failed = c.get(
        "/api/v1/test-boom",
        json={"email": user.email, "password": PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert failed.status_code == 500
    assert all(b.status_code in (400, 401, 403, 422) for b in bodies), [b.status_code for b in bodies]
    bodies.append(failed)
    for body in bodies:
        text = body.get_data(as_text=True)
        for secret in secrets_seen:
            assert secret not in text, (body.request.path, secret)
    records = "\n".join(
        r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in every_logger.records
    )
    for secret in secrets_seen:
        assert secret not in records
    audit_text = "\n".join(str(e.details) for e in session.scalars(sa.select(AuditEvent)))
    assert not any(secret in audit_text for secret in secrets_seen)
    # logging was live: the failure above was logged, with its stack, for the operators
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in every_logger.records)

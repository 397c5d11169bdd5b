"""Web hardening: security headers and CSP, body size limit, error pages that leak nothing, cookie flags in
production, the remember-me cookie, and a SECRET_KEY required in production."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from csr_hub import create_app

from sec_helpers import PASSWORD, Api, csrf_token  # noqa: F401

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
LEAKS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "SELECT ",
    "psycopg",
    "sqlite3",
    "no_such_table",
    "RuntimeError",
    "secret-detail",
)


def _check_headers(r) -> None:
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer", "same-origin")
    assert r.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_pages_api_and_errors(client):
    for url in (
        "/",
        "/needs",
        "/login",
        "/api/v1/needs",
        "/api/v1/openapi.json",
        "/no-such-page",
        "/api/v1/nope",
    ):
        _check_headers(client.get(url))


def test_pages_carry_no_inline_script_style_or_handler(app, make_user, make_need, make_offer, page_login):
    staff = make_user("school_staff")
    need = make_need(staff)
    rep = make_user("company_rep")
    offer = make_offer(rep)
    c = page_login(staff)
    pages = [
        "/",
        "/needs",
        f"/needs/{need.id}",
        "/offers",
        f"/offers/{offer.id}",
        "/dashboard",
        "/reports",
        "/notifications",
        "/account",
        "/needs/new",
        "/register",
        "/privacy",
    ]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert not INLINE_HANDLER.search(html), url
        _check_headers(r)
        assert r.headers.get("Cache-Control") == "no-store"  # pages of a logged-in user are not cached


def test_bodies_over_10_mb_answer_413_and_exactly_10_mb_does_not(client):
    big = b"x" * (10 * 1024 * 1024 + 1)
    for url in ("/api/v1/auth/login", "/api/v1/needs"):
        r = client.post(url, data=big, content_type="application/json")
        assert r.status_code == 413, url
        assert r.get_json()["error"]["code"] == "payload_too_large"
    for url in ("/login", "/needs/new"):
        r = client.post(url, data=big, content_type="application/x-www-form-urlencoded")
        assert r.status_code == 413, url
        assert not any(leak in r.get_data(as_text=True) for leak in LEAKS)
    r = client.post("/api/v1/auth/login", data=b" " * (10 * 1024 * 1024), content_type="application/json")
    assert r.status_code == 400  # not JSON: refused for what it is, not for its size


def test_unexpected_errors_leak_no_stack_trace_or_sql(app, session, make_user, caplog):
    from csr_hub.extensions import db

    def boom():
        raise RuntimeError("secret-detail: SELECT password_hash FROM users")

    def bad_sql():
        db.session.execute(sa.text("SELECT * FROM no_such_table_xyz"))
        return "unreachable"

    for rule, view in (
        ("/api/v1/test-boom", boom),
        ("/test-boom", boom),
        ("/api/v1/test-sql", bad_sql),
        ("/test-sql", bad_sql),
    ):
        app.add_url_rule(rule, view.__name__ + rule.replace("/", "_"), view)
    user = make_user("school_staff")
    api = Api(app.test_client(), user)
    for url in ("/api/v1/test-boom", "/api/v1/test-sql"):
        r = api.get(url)
        assert r.status_code == 500
        assert r.get_json() == {
            "error": {"code": "server_error", "message": r.get_json()["error"]["message"], "fields": {}}
        }
        assert not any(leak in r.get_data(as_text=True) for leak in LEAKS)
    for url in ("/test-boom", "/test-sql"):
        r = api.client.get(url)
        assert r.status_code == 500
        html = r.get_data(as_text=True)
        assert "<html" in html and not any(leak in html for leak in LEAKS)
    assert any(rec.levelname == "ERROR" for rec in caplog.records)  # logged for the operators, not shown


def test_404_and_405_answer_in_the_contract_shape(client):
    assert client.get("/api/v1/needs/999999").get_json()["error"]["code"] == "not_found"
    r = client.put("/api/v1/needs")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    html = client.get("/needs/999999").get_data(as_text=True)
    assert not any(leak in html for leak in LEAKS)


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_production_cookies_are_secure_httponly_samesite_and_hsts(database_url, make_user, monkeypatch):
    user = make_user("school_staff")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-enough-length")
    prod = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "CSR_ENV": "production", "RATELIMIT_ENABLED": False}
    )
    assert prod.config["SECRET_KEY"] == "a-production-secret-of-enough-length"
    c = prod.test_client()
    token = csrf_token(c)
    r = c.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
        base_url="https://localhost",
    )
    assert r.status_code == 302
    for name in ("session", "remember_token"):
        flags = [p.strip().lower() for p in _cookie(r, name).split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, (name, flags)
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    with prod.app_context():
        from csr_hub.extensions import db

        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret_key(database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CSR_ENV": "production"})


def test_remember_me_lasts_at_most_14_days_and_logout_clears_it(app, make_user, client):
    user = make_user("school_staff")
    token = csrf_token(client)
    r = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token}
    )
    assert r.status_code == 302
    cookie = _cookie(r, "remember_token")
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    days = (expires - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 13.9 < days <= 14.01
    remembered = client.get_cookie("remember_token").value
    # without "remember", no remember cookie at all
    other = Api(app.test_client(), make_user("company_rep"))
    assert other.client.get_cookie("remember_token") is None
    r = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert r.status_code == 302
    cleared = _cookie(r, "remember_token")
    assert "Expires=Thu, 01 Jan 1970" in cleared or "Max-Age=0" in cleared
    # the old remember cookie, replayed alone, no longer logs anyone in
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/api/v1/auth/me").status_code == 401


def test_the_csrf_token_route_is_not_public(app):
    # SPEC, "Who may read what without logging in": auth/csrf is not on the list; a form's token comes with
    # the form, and the API's login needs none
    r = app.test_client().get("/api/v1/auth/csrf")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"

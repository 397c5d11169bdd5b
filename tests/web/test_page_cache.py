"""Issue 13: anonymous visitors' public pages and lists come from the generation-keyed cache, and are never
stale: any committed write to what they show makes the next visitor's page fresh. Logged-in users, language
switches and responses carrying a form token are never cached."""

from __future__ import annotations

import pytest

from csr_hub.extensions import db

from conftest import csrf_token

PUBLIC = ["/", "/needs", "/offers", "/api/v1/needs", "/api/v1/offers"]


@pytest.mark.parametrize("url", PUBLIC)
def test_a_second_anonymous_visit_is_served_from_the_cache(app, make_user, make_need, make_offer, url):
    make_need(make_user("school_staff"), title="Cached laptops")
    make_offer(make_user("company_rep"), title="Cached tablets")
    db.session.commit()
    client = app.test_client()
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Page-Cache"] == "miss"
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    # the security headers are added to a hit as to any response, and no cookie is replayed
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert "Set-Cookie" not in second.headers


def test_a_committed_write_shows_on_the_very_next_visit(app, make_user, make_need):
    staff = make_user("school_staff")
    make_need(staff, title="First need on the list")
    db.session.commit()
    client = app.test_client()
    assert "First need on the list" in client.get("/needs").get_data(as_text=True)
    assert client.get("/needs").headers["X-Page-Cache"] == "hit"
    assert client.get("/api/v1/needs").status_code == 200
    make_need(staff, title="Posted after the page was cached")
    db.session.commit()
    page, api = client.get("/needs"), client.get("/api/v1/needs")
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Posted after the page was cached" in page.get_data(as_text=True)
    assert "Posted after the page was cached" in [n["title"] for n in api.get_json()["items"]]


def test_logged_in_users_and_language_switches_are_never_cached(app, make_user, make_need, page_login):
    staff = make_user("school_staff")
    make_need(staff, title="Only for the anonymous cache")
    db.session.commit()
    me = page_login(staff)
    for _ in range(2):
        r = me.get("/needs")
        assert r.status_code == 200 and "X-Page-Cache" not in r.headers
    anonymous = app.test_client()
    for _ in range(2):
        r = anonymous.get("/needs?lang=en")  # writes the language into the session
        assert r.status_code == 200 and "X-Page-Cache" not in r.headers
    # the remembered language gives its own cached page, not the Thai one
    en1, en2 = anonymous.get("/needs"), anonymous.get("/needs")
    th = app.test_client().get("/needs")
    assert en2.headers["X-Page-Cache"] == "hit" and en2.get_data() == en1.get_data()
    assert th.get_data() != en1.get_data()


def test_a_page_that_carries_a_form_token_is_never_cached(app):
    client = app.test_client()
    csrf_token(client)  # the login page renders a CSRF token tied to this visitor's session
    for _ in range(2):
        r = client.get("/login")
        assert r.status_code == 200 and "X-Page-Cache" not in r.headers


def test_errors_are_not_cached_and_bad_input_changes_nothing(app):
    client = app.test_client()
    for _ in range(2):
        r = client.get("/api/v1/needs?status=bogus")
        assert r.status_code == 422 and "X-Page-Cache" not in r.headers
        assert client.get("/needs/999999").status_code == 404


def test_the_cache_can_be_turned_off(app):
    from csr_hub import create_app

    keep = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_FOLDER", "TESTING", "SMTP_HOST")
    other = create_app(
        {**{k: app.config[k] for k in keep}, "RATELIMIT_ENABLED": False, "REPORT_CACHE_SECONDS": 0}
    )
    client = other.test_client()
    for _ in range(2):
        r = client.get("/needs")
        assert r.status_code == 200 and "X-Page-Cache" not in r.headers


def test_need_and_offer_pages_are_cached_and_give_an_anonymous_visitor_no_cookie(
    app, make_user, make_need, make_offer
):
    need = make_need(make_user("school_staff"), title="A need page to cache")
    offer = make_offer(make_user("company_rep"), title="An offer page to cache")
    db.session.commit()
    for url in (f"/needs/{need.id}", f"/offers/{offer.id}", f"/api/v1/needs/{need.id}/suggestions"):
        client = app.test_client()
        first, second = client.get(url), client.get(url)
        assert (first.status_code, second.status_code) == (200, 200), url
        assert (first.headers["X-Page-Cache"], second.headers["X-Page-Cache"]) == ("miss", "hit"), url
        assert "Set-Cookie" not in first.headers, url  # no form, so no CSRF token and no session


def test_a_new_day_is_a_new_page_an_offer_that_ended_yesterday_is_expired_at_once(
    app, make_user, make_need, make_offer, monkeypatch
):
    from datetime import datetime as real_datetime
    from datetime import timedelta

    from csr_hub.domain import reference

    today = reference.today_bangkok()
    offer = make_offer(
        make_user("company_rep"),
        title="Tablets until tomorrow",
        available_until=str(today + timedelta(days=1)),
    )
    need = make_need(make_user("school_staff"), title="ขอแท็บเล็ต", category="devices")
    db.session.commit()
    client = app.test_client()
    paths = [f"/api/v1/offers/{offer.id}", f"/api/v1/needs/{need.id}/suggestions", "/api/v1/offers"]
    before = {p: client.get(p) for p in paths}
    assert before[paths[0]].get_json()["status"] == "open"
    assert offer.id in [s["offer"]["id"] for s in before[paths[1]].get_json()["items"]]
    assert client.get(paths[0]).headers["X-Page-Cache"] == "hit"

    class TwoDaysOn(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime.now(tz) + timedelta(days=2)

    monkeypatch.setattr(reference, "datetime", TwoDaysOn)  # today_bangkok() is two days on, nothing written
    shown = client.get(paths[0])
    assert shown.headers["X-Page-Cache"] == "miss" and shown.get_json()["status"] == "expired"
    assert offer.id not in [s["offer"]["id"] for s in client.get(paths[1]).get_json()["items"]]
    assert offer.id not in [o["id"] for o in client.get(paths[2]).get_json()["items"]]

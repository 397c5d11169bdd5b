"""A real browser logs in through the login page."""

from __future__ import annotations

import os

import pytest

from conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser


def test_login_through_the_real_page_and_see_the_dashboard(live_server, browser_page, make_user, db_kind):
    user = make_user("school_staff", full_name="ครูมาลี ทองคำ")
    page = browser_page
    page.goto(live_server + "/")
    path = screenshot(page, f"home-{db_kind}")
    assert os.path.getsize(path) > 5000
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(live_server + "/dashboard")
    assert "ครูมาลี ทองคำ" in page.inner_text("main")
    screenshot(page, f"dashboard-school-{db_kind}")
    # the page fits a 360-pixel phone: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_wrong_password_shows_the_error_next_to_the_field(live_server, browser_page, make_user):
    user = make_user("company_rep")
    page = browser_page
    page.goto(live_server + "/login?lang=en")
    page.fill("#email", user.email)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit], input[type=submit]")
    assert page.locator("#password-error").is_visible()
    assert page.get_attribute("#password", "aria-invalid") == "true"

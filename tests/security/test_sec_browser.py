"""In a real browser at 360 px: the admins' audit log, a photo added on the match page, the second factor's
enrolment — each without a CSP violation and without sideways scrolling."""

from __future__ import annotations

import re

import pyotp
import pytest

from conftest import PASSWORD, fresh_otp, screenshot

from sec_helpers import PNG, world  # noqa: F401

pytestmark = pytest.mark.browser


def _login(page, base, user, otp=None):
    page.goto(base + "/login?lang=en")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    if otp:
        page.fill("#otp", otp)
    page.click("form[action='/login'] [type=submit]")


def _watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


def test_audit_log_upload_and_totp_in_the_browser(
    live_server, browser_page, world, session, db_kind, tmp_path
):
    page = browser_page
    errors = _watch_csp(page)
    session.commit()
    # the admin reads and filters the audit log
    # an admin enrolled before (conftest.fresh_otp): the login asks for a code
    _login(page, live_server, world.admin, otp=fresh_otp(world.admin))
    page.goto(live_server + "/admin/audit?lang=en")
    page.click("details.filters-box summary")
    page.fill("#a-action", "match.*")
    page.click("form.filters [type=submit]")
    page.wait_for_url(re.compile(r".*action=match.*"))
    assert page.locator("#audit-events tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"admin-audit-{db_kind}")
    page.context.clear_cookies()
    # the school adds a photo of what arrived on the match page
    match = world.a.matches["delivered"]
    photo = tmp_path / "arrived.png"
    photo.write_bytes(PNG)
    _login(page, live_server, world.a.staff)
    page.goto(f"{live_server}/matches/{match.id}?lang=en")
    page.set_input_files("#file", str(photo))
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    page.wait_for_url(re.compile(rf".*/matches/{match.id}.*"))
    assert page.locator("#upload-list li").count() == 1
    assert page.locator("#upload-list img").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"match-uploads-{db_kind}")
    page.context.clear_cookies()
    # a director's first login: the secret is shown once, then a code from it is needed
    _login(page, live_server, world.b.director)
    page.wait_for_url(re.compile(r".*/account/totp.*"))
    secret = page.inner_text("#totp-secret").strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    screenshot(page, f"totp-enrol-{db_kind}")
    page.fill("#otp", pyotp.TOTP(secret).now())
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard.*"))
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

"""A real browser walks one match from proposal to completed as the four roles, logging in each time."""

from __future__ import annotations

import re

import pyotp
import pytest

from csr_hub.models import Need, Offer

from conftest import PASSWORD, screenshot
from workflow_cast import cast  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"CSR_CENTRAL_THRESHOLD_THB": 1000}  # a low threshold: this match needs the central officer too


def test_one_match_from_proposal_to_completed_through_the_pages(
    live_server, _playwright_browser, cast, db_kind, session
):
    contexts = []

    def login_as(user, lang="en"):
        """A fresh browser (own cookies) at 360 px, logged in through /login; directors enrol TOTP first."""
        context = _playwright_browser.new_context(viewport={"width": 360, "height": 800}, locale="th-TH")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server}/login?lang={lang}")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("main form button[type=submit], main form input[type=submit]")
        page.wait_for_url(re.compile(r".*/(dashboard|account/totp)"))
        if "/account/totp" in page.url:
            secret = page.inner_text("#totp-secret").strip()
            page.fill("#otp", pyotp.TOTP(secret).now())
            page.click("main form button[type=submit], main form input[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard$"))
        return page

    def act(page, action, note=None, received=None):
        form = page.locator(f"#form-{action}")
        if received is not None:
            form.locator("input[name=received_quantity]").fill(str(received))
        if note is not None:
            form.locator("textarea[name=note]").fill(note)
        # the form posts and is redirected back to the same match page: wait for that navigation itself (a
        # load-state wait can return on the page before the post, which is already loaded)
        with page.expect_navigation():
            form.locator(f"#do-{action}").click()
        page.wait_for_load_state()

    def status(page):
        return page.get_attribute("#match-status", "data-status")

    try:
        # 1. the school proposes from a suggestion on its need's page
        page = login_as(cast.staff)
        page.goto(f"{live_server}/needs/{cast.need.id}")
        card = page.locator("ol.suggestions li.card", has_text="50 refurbished laptops")
        card.locator("input[name=quantity]").fill("20")
        card.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/matches/\d+$"))
        match_url = page.url
        assert status(page) == "proposed"
        assert "200,000" in page.inner_text("#match-value")
        screenshot(page, f"workflow-1-proposed-{db_kind}")

        # 2. the company finds it waiting on its dashboard and accepts
        page = login_as(cast.rep)
        page.locator("#waiting-for-you a", has_text="#").first.click()
        assert page.url == match_url
        act(page, "accept")
        assert status(page) == "pledged"

        # 3. the ESA director approves it from the queue, oldest first; the value needs central approval
        page = login_as(cast.director)
        assert "Waiting for your approval" in page.inner_text("main")
        screenshot(page, f"workflow-director-queue-{db_kind}")
        page.locator("#approval-queue a", has_text="#").first.click()
        act(page, "approve", note="ตรวจสอบแล้ว เห็นควรอนุมัติ")
        assert status(page) == "district_approved"

        # 4. the central officer approves
        page = login_as(cast.central)
        page.locator("#approval-queue a", has_text="#").first.click()
        act(page, "approve")
        assert status(page) == "approved"

        # 5. the company marks it delivered
        page = login_as(cast.rep)
        page.goto(match_url)
        act(page, "deliver")
        assert status(page) == "delivered"

        # 6. the school confirms receipt of 18 of 20 (in Thai, the default); the 2 missing go back to the need
        page = login_as(cast.staff, lang="th")
        page.goto(match_url)
        act(page, "confirm", received=18, note="ได้รับ 18 เครื่อง ขาด 2")
        assert status(page) == "completed"
        rows = page.locator("#history tbody tr")
        assert rows.count() == 6
        assert [rows.nth(i).get_attribute("data-action") for i in range(6)] == [
            "propose",
            "accept",
            "approve",
            "approve",
            "deliver",
            "confirm",
        ]
        assert "ได้รับ 18 เครื่อง ขาด 2" in page.inner_text("#history")
        assert page.locator("#h-act").count() == 0  # nothing left to do
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, f"workflow-2-completed-360-{db_kind}")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(page, f"workflow-3-completed-desktop-{db_kind}")
        session.rollback()
        assert session.get(Need, cast.need.id).remaining_quantity == 2
        assert session.get(Offer, cast.offer.id).remaining_quantity == 30
        # the school was told at each step that concerned it
        page.goto(f"{live_server}/notifications?lang=en")
        text = page.inner_text("main")
        assert "accepted the match" in text and "marked the match delivered" in text
    finally:
        for context in contexts:
            context.close()

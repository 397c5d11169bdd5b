"""A real browser: verified school staff log in, post a need through the real form and find it on /needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need

from conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser

TITLE = "ขอรับบริจาคคอมพิวเตอร์โน้ตบุ๊กสำหรับห้องเรียน"


def test_school_staff_post_a_need_through_the_form_and_see_it_listed(
    live_server, browser_page, make_user, session, db_kind
):
    user = make_user("school_staff", full_name="ครูสมศรี ใจดี")
    school_id = user.school_id
    session.commit()
    page = browser_page
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(live_server + "/dashboard")

    page.goto(live_server + "/needs/new")
    # a mistake first: the message appears next to the field and nothing is saved
    page.select_option("#category", "devices")
    page.fill("#title", TITLE)
    page.fill("#quantity", "0")
    page.fill("#estimated_cost_thb", "350000")
    page.click("#submit")
    assert page.locator("#quantity-error").is_visible()
    assert page.get_attribute("#quantity", "aria-invalid") == "true"
    assert page.input_value("#title") == TITLE  # what was typed is kept
    screenshot(page, f"need-form-error-{db_kind}")

    page.fill("#quantity", "20")
    page.fill("#unit", "เครื่อง")
    page.fill("#description", "ห้องเรียนคอมพิวเตอร์มีนักเรียน 40 คน ใช้เครื่องร่วมกัน")
    page.fill("#needed_by", (today_bangkok() + timedelta(days=45)).isoformat())
    page.select_option("#urgency", "high")
    page.click("#submit")
    page.wait_for_url(f"{live_server}/needs/*")
    assert TITLE in page.inner_text("h1")
    assert "20" in page.inner_text("#remaining")

    page.goto(live_server + "/needs?q=โน้ตบุ๊ก")
    card = page.locator("ul.cards li.card", has_text=TITLE)
    assert card.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits 360 px
    path = screenshot(page, f"needs-list-{db_kind}")
    assert path.endswith(".png")
    session.rollback()
    need = session.scalar(sa.select(Need).where(Need.title == TITLE))
    assert need is not None and need.school_id == school_id and need.quantity == 20 and need.urgency == "high"

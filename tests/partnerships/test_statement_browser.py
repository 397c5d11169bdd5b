"""A real browser prints the annual statement on A4 (print CSS) and shows the partnership page on a phone.
Screenshots go to screenshots/statement-*.png and partnership-*.png."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import PASSWORD, screenshot
from pcast import body, move, pc, walk  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _login(page, base, user):
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_statement_prints_on_a4_and_partnership_page_fits_a_phone(
    live_server, browser_page, session, pc, make_need, make_offer, api, db_kind
):
    need = make_need(pc.staff, title="คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", quantity=20)
    offer = make_offer(pc.rep, quantity=50, value_thb=500_000)
    mid = walk(session, pc.staff, pc.rep, pc.director, need.id, offer.id, 3, "completed")
    move(session, mid, date(2026, 3, 1), date(2026, 3, 5))
    pid = api(pc.rep).post("/api/v1/partnerships", json=body(pc.school.id, date(2026, 1, 1))).get_json()["id"]
    session.commit()
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _login(page, live_server, pc.rep)

    page.goto(f"{live_server}/partnerships/{pid}")
    assert page.locator("#years tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    if db_kind == "sqlite":
        screenshot(page, "partnership-show")

    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{live_server}/companies/{pc.company.id}/statement?year=2026")
    assert page.locator("#st-count").inner_text() == "1"
    page.emulate_media(media="print")
    assert not page.locator(".statement-tools").is_visible()  # the print CSS hides the buttons
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    # A4 portrait: 595 × 842 points
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594.95" in pdf, pdf[:2000]
    page.emulate_media(media="screen")
    if db_kind == "sqlite":
        screenshot(page, "statement-2026")
    assert all(u.startswith(live_server) for u in requests), [
        u for u in requests if not u.startswith(live_server)
    ]

"""A real browser opens each dashboard — an ESA director's, a central officer's, the public home — and
checks that the server-drawn charts rendered (SVG elements with a size, bars drawn) without any network.
Screenshots go to screenshots/reports-*.png.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, SCREENSHOTS, screenshot

pytestmark = pytest.mark.browser
THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


@pytest.fixture
def figures(session, make_school, make_company, make_user, make_need, make_offer):
    """Two ESAs, matches pledged, approved, delivered and completed over the past months."""
    from csr_hub.models import Match, MatchTransition
    from csr_hub.services import matches, posts

    s1 = make_school("p50-1", "stand_alone", name_th="โรงเรียนบ้านดอยสูง")
    s2 = make_school("p10-1", "core", name_th="โรงเรียนวัดสามพระยา")
    staff1, staff2 = make_user("school_staff", school=s1), make_user("school_staff", school=s2)
    rep = make_user("company_rep", company=make_company(name="บริษัท ใจดี ดิจิทัล จำกัด"))
    director = make_user("district_director", district_code="p50-1")
    director2 = make_user("district_director", district_code="p10-1")
    central = make_user("central_officer")
    laptops = make_offer(rep, quantity=100, value_thb=1_000_000)
    books = make_offer(rep, category="learning_materials", title="หนังสือเรียน", quantity=500, value_thb=50_000)
    n1 = make_need(staff1, quantity=30, estimated_cost_thb=450_000)
    n2 = make_need(
        staff1, category="learning_materials", title="หนังสือ", quantity=200, estimated_cost_thb=40_000
    )
    n3 = make_need(staff2, quantity=10, estimated_cost_thb=200_000)
    posts.update_need(session, director, n1, {"budget_thb": 60_000})
    session.commit()

    def walk(need, offer, qty, steps):
        m = matches.propose(session, steps[0][0], {"need_id": need.id, "offer_id": offer.id, "quantity": qty})
        for actor, action, extra in steps[1:]:
            m = matches.act(session, actor, m.id, {"action": action, **extra}, threshold=500_000)
        session.commit()
        return m

    made = [
        walk(
            n1,
            laptops,
            20,
            [
                (staff1, None, None),
                (rep, "accept", {}),
                (director, "approve", {}),
                (rep, "deliver", {}),
                (staff1, "confirm", {"received_quantity": 18}),
            ],
        ),
        walk(
            n2,
            books,
            150,
            [(rep, None, None), (staff1, "accept", {}), (director, "approve", {}), (rep, "deliver", {})],
        ),
        walk(n3, laptops, 5, [(rep, None, None), (staff2, "accept", {})]),
        walk(n1, laptops, 5, [(rep, None, None), (staff1, "accept", {})]),
    ]
    now = datetime.now(timezone.utc)
    for i, m in enumerate(made):  # spread the history over the past months
        steps = session.scalars(
            sa.select(MatchTransition).where(MatchTransition.match_id == m.id).order_by(MatchTransition.id)
        ).all()
        at = now - timedelta(days=150 - 30 * i)
        for k, t in enumerate(steps):
            at += timedelta(days=9 * k)
            session.execute(
                sa.update(MatchTransition).where(MatchTransition.id == t.id).values(at=min(at, now))
            )
        session.execute(sa.update(Match).where(Match.id == m.id).values(updated_at=min(at, now)))
    session.commit()
    return {
        "director": director,
        "central": central,
        "rep": rep,
        "director2": director2,
        "completed": made[0],
    }


def _login(page, base, user):
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    # directors, central officers and admins enrol a second factor first: every page leads there until then
    page.wait_for_url(lambda url: "/login" not in url)
    if "/account/totp" in page.url:
        import pyotp

        secret = page.inner_text("#totp-secret").strip()
        page.fill("#otp", pyotp.TOTP(secret).now())
        page.click("main form button[type=submit], main form input[type=submit]")
        page.wait_for_url(lambda url: "/account/totp" not in url)


def _charts_rendered(page, ids):
    """Each chart's SVG has a size on screen and draws at least one bar with a width."""
    for chart_id in ids:
        svg = page.locator(f"svg#{chart_id}")
        assert svg.count() == 1, chart_id
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, (chart_id, box)
        widths = page.eval_on_selector_all(
            f"svg#{chart_id} rect.bar", "els => els.map(e => e.getBBox().width)"
        )
        assert any(w > 0 for w in widths), (chart_id, widths)
        assert (
            page.locator(f"#{chart_id}-title").count() == 1 and page.locator(f"#{chart_id}-desc").count() == 1
        )
    # the page fits a 360-pixel phone: nothing scrolls sideways (wide tables scroll inside their box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_dashboards_render_their_charts(live_server, browser_page, figures, db_kind):
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    # the public home carries the headline figures only; the charts and tables are on /reports
    page.goto(live_server + "/")
    assert page.locator("#h-national").count() == 1 and page.locator("svg").count() == 0
    # Thai text is drawn in the vendored Sarabun font, not a fallback
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px Sarabun', 'ก'))")
    assert os.path.getsize(screenshot(page, f"reports-home-{db_kind}")) > 20000

    _login(page, live_server, figures["director"])
    page.goto(live_server + "/reports")
    assert "เชียงใหม่" in page.inner_text("h1")
    _charts_rendered(page, ("chart-category", "chart-month", "chart-gap"))
    last_month = page.locator("#table-by_month tbody tr").last.inner_text().split()[0]
    assert last_month in THAI_MONTHS  # Buddhist Era month labels in Thai
    assert page.locator("#table-waiting tbody tr").count() == 1  # its own ESA's pledge only
    screenshot(page, f"reports-director-{db_kind}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/reports?lang=en")
    _charts_rendered(page, ("chart-category", "chart-month", "chart-gap"))
    screenshot(page, f"reports-director-wide-en-{db_kind}")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server + "/reports?lang=th")
    page.context.clear_cookies()

    _login(page, live_server, figures["central"])
    page.goto(live_server + "/reports")
    _charts_rendered(page, ("chart-category", "chart-month", "chart-gap"))
    assert page.locator("#table-by_district tbody tr").count() == 245
    assert page.locator("#table-waiting tbody tr").count() == 2
    # on a phone the 245 ESAs are folded under their chart, one tap away
    assert not page.locator("#table-by_district").is_visible()
    screenshot(page, f"reports-central-{db_kind}")
    page.locator("#fold-by_district > summary").click()
    assert page.locator("#table-by_district").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/reports")
    assert page.locator("#table-by_district").is_visible()  # a wide screen opens it
    page.set_viewport_size({"width": 360, "height": 800})
    for chart_id in ("chart-category", "chart-month", "chart-gap"):  # the long page's charts, one by one
        page.locator(f"svg#{chart_id}").screenshot(
            path=os.path.join(SCREENSHOTS, f"reports-central-{chart_id}-{db_kind}.png")
        )
    page.context.clear_cookies()

    _login(page, live_server, figures["rep"])
    page.goto(live_server + "/reports/companies")
    page.click("#certificates a")
    assert "บริษัท ใจดี ดิจิทัล จำกัด" in page.inner_text("#certificate-company")
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px Sarabun', 'ก'))")
    screenshot(page, f"reports-certificate-{db_kind}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.emulate_media(media="print")
    assert not page.locator(".certificate-tools").is_visible()  # the print view shows the certificate alone
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi, as printed
    page.screenshot(path=os.path.join(SCREENSHOTS, f"reports-certificate-print-{db_kind}.png"))
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)  # what "Save as PDF" gives
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 page
    with open(os.path.join(SCREENSHOTS, f"reports-certificate-{db_kind}.pdf"), "wb") as f:
        f.write(pdf)

    # no request left this server: charts and fonts are all local
    assert requests and all(u.startswith(live_server) for u in requests), [
        u for u in requests if not u.startswith(live_server)
    ]

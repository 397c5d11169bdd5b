"""Issue 15 in a real browser (Debian's chromium): axe-core on every page of the contract's URL list for
every role that can see it, nothing wider than a 360-pixel phone, a keyboard-only walk that posts a need and
approves a match, the pledge walked by the four roles in a counted number of clicks, and screenshots at
360×740 and 1280×800 in /tmp/shots/ (SHOTS to change it).

axe-core is vendored in tests/e2e/vendor/axe.min.js (npm ``axe-core``, MPL-2.0); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pyotp
import pytest

from conftest import PASSWORD
from workflow_cast import app_config, cast, make_match  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots"))
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

#: elements wider than the screen, or reaching past its right edge (what makes a phone scroll sideways)
WIDE_JS = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.closest('.visually-hidden, [hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.position === 'absolute' && (style.clip !== 'auto' || style.clipPath !== 'none')) continue;
    if (r.right > w + 1 || r.width > w + 1) {
      out.push((el.tagName + '#' + el.id + '.' + el.className).slice(0, 80) + ' ' + Math.round(r.width));
    }
  }
  const small = [];
  for (const el of document.querySelectorAll('button, .btn, input[type=submit], select, summary, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest('.visually-hidden, [hidden]')) continue;
    if (r.height < 43.5) small.push((el.tagName + '#' + el.id + '.' + el.className).slice(0, 60) + ' ' + Math.round(r.height));
  }
  return {scroll: document.documentElement.scrollWidth, width: w, wide: out.slice(0, 5), small: small.slice(0, 5)};
}"""
#: the page's weight: the document and everything it loaded, as sent over the wire (uncompressed here)
WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const body = e => e.encodedBodySize || e.transferSize || 0;
  return {html: body(nav), total: body(nav) + res.reduce((s, e) => s + body(e), 0), files: res.length + 1};
}"""


#: (role, first path segment) of the pages photographed at both sizes
MAIN_PAGES = {
    ("anonymous", ""),
    ("anonymous", "needs"),
    ("anonymous", "register"),
    ("school", "dashboard"),
    ("school", "needs"),
    ("school", "matches"),
    ("company", "dashboard"),
    ("company", "offers"),
    ("director", "dashboard"),
    ("director", "matches"),
    ("director", "reports"),
}


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {
            resultTypes: ['violations'],
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
          });
          return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


class Browser:
    """One role's browser: its own cookies, a phone-sized window, CSP bypassed only so axe can be injected."""

    def __init__(self, pw_browser, base: str, user=None, lang: str = "th"):
        self.context = pw_browser.new_context(viewport=PHONE, locale="th-TH", bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.base = base
        self.clicks = 0
        self.page.on("dialog", lambda d: d.accept())
        if user is not None:
            self.login(user, lang)

    def login(self, user, lang="th"):
        p = self.page
        p.goto(f"{self.base}/login?lang={lang}")
        p.fill("#email", user.email)
        p.fill("#password", PASSWORD)
        p.press("#password", "Enter")
        p.wait_for_url(re.compile(r".*/(dashboard|account/totp)"))
        if "/account/totp" in p.url:
            secret = p.inner_text("#totp-secret").strip()
            p.fill("#otp", pyotp.TOTP(secret).now())
            p.press("#otp", "Enter")
        p.wait_for_url(re.compile(r".*/dashboard$"))

    def click(self, selector: str):
        self.clicks += 1
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def close(self):
        self.context.close()


def walk(session, cast, offer, status: str, quantity: int, proposer: str = "staff") -> int:  # noqa: F811
    """A match of the cast's need with ``offer``, walked through the service to ``status``."""
    from flask import current_app

    from csr_hub.services import matches
    from workflow_cast import ROUTES

    m = matches.propose(
        session,
        getattr(cast, proposer),
        {"need_id": cast.need.id, "offer_id": offer.id, "quantity": quantity},
    )
    session.commit()
    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    for who, action, extra in ROUTES[status]:
        if proposer == "rep" and who == "rep" and action in ("accept", "decline"):
            who = "staff"
        matches.act(session, getattr(cast, who), m.id, {"action": action, **extra}, threshold)
        session.commit()
    return m.id


@pytest.fixture
def world(session, cast, make_offer):  # noqa: F811
    """The cast, one match at each interesting stage (each with its own offer) and a few extra posts."""
    offers = [
        make_offer(cast.rep, title=f"Laptops lot {i}", quantity=10, value_thb=100_000) for i in range(2)
    ]
    ids = {
        "proposed": walk(session, cast, cast.offer, "proposed", 1),
        "pledged": walk(session, cast, offers[0], "pledged", 2, proposer="rep"),
        "completed": walk(session, cast, offers[1], "completed", 10),
    }
    make_offer(cast.rep, title="Science kits for grade 6", category="learning_materials", quantity=30)
    session.commit()
    return ids


def _pages(cast, ids) -> dict[str, list[str]]:  # noqa: F811
    """The contract's URL list, per role that can see each page."""
    public = [
        "/",
        "/needs",
        f"/needs/{cast.need.id}",
        "/offers",
        f"/offers/{cast.offer.id}",
        f"/schools/{cast.school.code}",
        f"/companies/{cast.company.id}",
    ]
    signed = public + ["/dashboard", "/notifications", "/reports"]
    return {
        "anonymous": public + ["/login", "/register"],
        "school": signed + ["/needs/new", f"/matches/{ids['proposed']}", f"/matches/{ids['completed']}"],
        "company": signed + ["/offers/new", f"/matches/{ids['proposed']}", f"/matches/{ids['completed']}"],
        "director": signed + [f"/matches/{ids['pledged']}"],
        "central": signed + [f"/matches/{ids['completed']}"],
        "admin": signed + [f"/matches/{ids['completed']}"],
    }


def test_every_page_for_every_role_passes_axe_and_fits_a_phone(
    live_server,
    _playwright_browser,
    cast,
    world,
    db_kind,  # noqa: F811
):
    users = {
        "anonymous": None,
        "school": cast.staff,
        "company": cast.rep,
        "director": cast.director,
        "central": cast.central,
        "admin": cast.admin,
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    report, problems = [], []
    shoot = db_kind == "sqlite"  # one set of screenshots is enough
    pages = _pages(cast, world)
    if db_kind != "sqlite":  # the pages do not change with the database: the full sweep runs on SQLite
        pages = {role: pages[role] for role in ("anonymous", "director")}
    for role, urls in pages.items():
        b = Browser(_playwright_browser, live_server, users[role])
        try:
            for url in urls:
                b.page.set_viewport_size(PHONE)
                started = time.monotonic()
                response = b.page.goto(live_server + url)
                assert response is not None and response.status == 200, (
                    role,
                    url,
                    response and response.status,
                )
                b.page.evaluate("document.fonts.ready")
                violations = _axe(b.page)
                width = b.page.evaluate(WIDE_JS)
                weight = b.page.evaluate(WEIGHT_JS)
                report.append(
                    {
                        "role": role,
                        "url": url,
                        "axe_serious_or_critical": len(violations),
                        "kb": round(weight["total"] / 1024, 1),
                        "html_kb": round(weight["html"] / 1024, 1),
                        "files": weight["files"],
                        "wider_than_360": bool(width["wide"]) or width["scroll"] > width["width"] + 1,
                        "targets_under_44px": len(width["small"]),
                        "seconds": round(time.monotonic() - started, 2),
                    }
                )
                if violations:
                    problems.append((role, url, "axe", violations))
                if width["wide"] or width["scroll"] > width["width"] + 1:
                    problems.append((role, url, "wide", width))
                if width["small"]:  # tap targets under 44 px
                    problems.append((role, url, "small", width["small"]))
                if shoot and (role, url.split("/")[1]) in MAIN_PAGES:
                    name = f"{role}{url.replace('/', '_') if url != '/' else '_home'}"
                    b.page.screenshot(path=str(SHOTS / f"{name}-360.png"), full_page=True)
                    b.page.set_viewport_size(DESKTOP)
                    b.page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=False)
        finally:
            b.close()
    (SHOTS / f"pages-{db_kind}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (SHOTS / f"problems-{db_kind}.json").write_text(json.dumps(problems, indent=1, ensure_ascii=False))
    assert problems == []


def test_keyboard_only_a_school_posts_a_need_and_a_director_approves(
    live_server,
    _playwright_browser,
    cast,
    session,  # noqa: F811
):
    pledged = make_match(session, cast, "pledged", quantity=2)
    session.commit()

    def tab_to(page, selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    school = Browser(_playwright_browser, live_server, cast.staff, lang="en")
    try:
        p = school.page
        tab_to(p, "main a[href$='/needs/new']")
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(r".*/needs/new$"))
        tab_to(p, "#title")
        p.keyboard.type("Projector for the science room")
        tab_to(p, "#quantity")
        p.keyboard.type("1")
        tab_to(p, "#unit")
        p.keyboard.type("set")
        tab_to(p, "#estimated_cost_thb")
        p.keyboard.type("18000")
        tab_to(p, "#submit")
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(r".*/needs/\d+$"))
        assert "Projector for the science room" in p.inner_text("h1")
        assert school.clicks == 0
    finally:
        school.close()

    director = Browser(_playwright_browser, live_server, cast.director, lang="en")
    try:
        p = director.page
        tab_to(p, f"#quick-approve-{pledged} button[type=submit]")
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(rf".*/matches/{pledged}$"))
        assert p.get_attribute("#match-status", "data-status") in ("approved", "district_approved")
        assert director.clicks == 0
    finally:
        director.close()


def test_errors_come_back_to_the_match_page_with_the_focus_on_the_summary(
    live_server,
    _playwright_browser,
    cast,
    session,  # noqa: F811
):
    pledged = make_match(session, cast, "pledged", quantity=2)
    session.commit()
    b = Browser(_playwright_browser, live_server, cast.director, lang="en")
    try:
        p = b.page
        p.goto(f"{live_server}/matches/{pledged}")
        b.click("#do-reject")  # no reason given; the confirm dialogue is accepted
        assert re.search(rf"/matches/{pledged}#error-summary$", p.url), p.url  # the history entry, replaced
        assert p.evaluate("document.activeElement.id") == "error-summary"
        assert p.locator("#note-reject-error").is_visible()
        p.locator("#error-summary a[href='#note-reject']").click()
        assert p.evaluate("document.activeElement.id") == "note-reject"
        SHOTS.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(SHOTS / "match-error-360.png"), full_page=False)
        p.reload()
        assert p.get_attribute("#match-status", "data-status") == "pledged"
        assert p.locator("#note-reject-error").count() == 0  # a reload posts nothing and shows it once
    finally:
        b.close()


def test_the_pledge_walk_takes_few_clicks_through_the_pages(
    live_server,
    _playwright_browser,
    cast,
    session,  # noqa: F811
):
    """The four roles walk one pledge from proposal to receipt from their dashboards; logging in is typed."""
    session.commit()
    clicks = 0
    threshold_needs_central = True  # 20 × 10,000 = 200,000 ≥ the cast's 100,000 threshold

    def as_user(user):
        return Browser(_playwright_browser, live_server, user, lang="en")

    # the school: its need on the dashboard → the suggestion's "Propose a match"
    b = as_user(cast.staff)
    b.click(f"main a[href$='/needs/{cast.need.id}']")
    b.click("ol.suggestions li.card button[type=submit]")
    match_url = b.page.url
    assert re.search(r"/matches/\d+$", match_url)
    clicks += b.clicks
    b.close()
    match_id = int(match_url.rsplit("/", 1)[1])
    for user, action in [
        (cast.rep, "accept"),
        (cast.director, "approve"),
        (cast.central, "approve"),
        (cast.rep, "deliver"),
        (cast.staff, "confirm"),
    ]:
        if action == "approve" and user is cast.central and not threshold_needs_central:
            continue
        b = as_user(user)
        b.click(f"#quick-{action}-{match_id} button[type=submit]")
        clicks += b.clicks
        b.close()
    b = as_user(cast.staff)
    b.page.goto(match_url)
    assert b.page.get_attribute("#match-status", "data-status") == "completed"
    b.close()
    print(f"pledge walk: {clicks} clicks (and a typed log-in for each of the 6 turns)")
    assert clicks <= 12, clicks

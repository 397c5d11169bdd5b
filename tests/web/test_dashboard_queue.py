"""An approver's queue is paged (``/dashboard?page=N``), in the clock's order, and an ESA's lists read the
need's copy of its school's ESA (``needs.district_id``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask import template_rendered

from csr_hub.extensions import db
from csr_hub.models import Match, Need, Offer
from csr_hub.services import dashboards
from conftest import snapshot


def _pledged(
    session, director, school, company_user, n: int, escalated: set[int] = frozenset()
) -> list[Match]:
    """``n`` pledged matches of ``school`` (one need each), due on successive days; ``escalated``: indexes."""
    offer = Offer(
        company_id=company_user.company_id,
        category="devices",
        title="laptops",
        quantity=1000,
        value_thb=Decimal("1000"),
        created_by_id=company_user.id,
    )
    session.add(offer)
    out = []
    for i in range(n):
        need = Need(school_id=school.id, category="devices", title=f"need {i}", quantity=5)
        session.add(need)
        session.flush()
        m = Match(
            need_id=need.id,
            offer_id=offer.id,
            quantity=1,
            value_thb=Decimal("1"),
            status="pledged",
            proposed_by="company",
            proposed_by_user_id=company_user.id,
            district_id=school.district_id,
            due_on=date(2030, 1, 1) + timedelta(days=n - i),  # the last made is due first
            escalated_at=datetime.now(timezone.utc) if i in escalated else None,
        )
        session.add(m)
        out.append(m)
    session.commit()
    return out


def _queue_ids(html: str) -> list[int]:
    block = html.split('id="approval-queue"', 1)[1].split("</ol>", 1)[0]
    return [int(x) for x in re.findall(r'data-match-id="(\d+)"', block)]


def test_a_long_queue_is_paged_in_the_clocks_order(session, make_user, make_school, page_login):
    school = make_school("p50-1")
    director = make_user("district_director", district_code="p50-1")
    rep = make_user("company_rep")
    made = _pledged(session, director, school, rep, dashboards.QUEUE_PAGE + 5, escalated={3, 30})
    # escalated first (the ones that exist: 3), then soonest due (the last made), then oldest
    order = [made[3]] + [m for m in reversed(made) if m is not made[3]]
    c = page_login(director)
    first = c.get("/dashboard").get_data(as_text=True)
    assert _queue_ids(first) == [m.id for m in order[: dashboards.QUEUE_PAGE]]
    assert "รอทั้งหมด 25 รายการ" in first  # how many wait in all
    assert 'href="/dashboard?page=2"' in first
    second = c.get("/dashboard?page=2").get_data(as_text=True)
    assert _queue_ids(second) == [m.id for m in order[dashboards.QUEUE_PAGE :]]


def test_a_short_queue_has_no_pager(session, make_user, make_school, page_login):
    school = make_school("p50-1")
    director = make_user("district_director", district_code="p50-1")
    made = _pledged(session, director, school, make_user("company_rep"), 3)
    html = page_login(director).get("/dashboard").get_data(as_text=True)
    assert _queue_ids(html) == [m.id for m in reversed(made)]
    assert "queue-count" not in html and "dashboard?page=2" not in html


def test_a_bad_page_is_refused_and_changes_nothing(session, make_user, make_school, page_login):
    school = make_school("p50-1")
    director = make_user("district_director", district_code="p50-1")
    _pledged(session, director, school, make_user("company_rep"), 2)
    c = page_login(director)
    before = snapshot(session)
    for bad in ("0", "-1", "two", "1.5"):
        r = c.get(f"/dashboard?page={bad}")
        assert r.status_code == 422, bad  # a value the page cannot take, as everywhere
        assert "whole number" in r.get_data(as_text=True) or "จำนวนเต็ม" in r.get_data(as_text=True)
    session.expire_all()
    assert snapshot(session) == before


def test_the_central_queue_holds_esa_approved_and_escalated_matches_only(
    session, make_user, make_school, page_login
):
    school = make_school("p50-1")
    central = make_user("central_officer")
    made = _pledged(session, None, school, make_user("company_rep"), 4, escalated={1})
    made[2].status = "district_approved"
    session.commit()
    html = page_login(central).get("/dashboard").get_data(as_text=True)
    assert sorted(_queue_ids(html)) == sorted([made[1].id, made[2].id])
    assert _queue_ids(html)[0] == made[1].id  # escalated first


def test_a_need_carries_its_schools_esa(session, make_user, make_school, make_need):
    north = make_school("p50-1")
    bangkok = make_school("p10-1")
    by_service = make_need(make_user("school_staff", school=north), title="Laptops for pupils")
    direct = Need(school_id=bangkok.id, category="devices", title="x", quantity=1)  # a seed's or an import's
    session.add(direct)
    session.commit()
    assert by_service.district_id == north.district_id
    assert direct.district_id == bangkok.district_id != north.district_id
    counted = dict(
        session.execute(sa.select(Need.district_id, sa.func.count()).group_by(Need.district_id)).all()
    )
    assert counted == {north.district_id: 1, bangkok.district_id: 1}


def test_the_esa_filter_reads_the_needs_own_esa(session, make_user, make_school, make_need, client):
    north = make_need(make_user("school_staff", school=make_school("p50-1")), title="Projector for the hall")
    make_need(make_user("school_staff", school=make_school("p10-1")), title="Laptops for Bangkok")
    r = client.get("/api/v1/needs?district=p50-1")
    assert r.status_code == 200
    assert [n["id"] for n in r.get_json()["items"]] == [north.id]


def _tokens(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', html.split('id="approval-queue"', 1)[1])


def test_a_kept_queue_section_gets_fresh_tokens_and_goes_with_a_write(
    session, make_user, make_school, page_login
):
    """The queue's cards are kept between requests, but every request gets its own one-time action tokens
    and its session's CSRF token, an approval made through a kept card works, and the write shows at once."""
    school = make_school("p50-1")
    director = make_user("district_director", district_code="p50-1")
    made = _pledged(session, director, school, make_user("company_rep"), 3)
    c = page_login(director)
    first = c.get("/dashboard").get_data(as_text=True)
    rendered: list[str] = []
    record = lambda _app, template, context, **_kw: rendered.append(template.name)  # noqa: E731
    run: list[str] = []
    engine = db.engine
    count = lambda _c, _cur, statement, *_a: run.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with template_rendered.connected_to(record):
            second = c.get("/dashboard").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert "dashboard/index.html" in rendered and "dashboard/_queue.html" not in rendered  # kept
    # while the sections are kept, neither the queue's rows, the ESA's newest needs, its suspected
    # duplicates nor its partnerships are read
    from csr_hub.services.duplicates import FLAGGED_SQL

    kept_reads = ("escalated_at IS NULL", "ORDER BY needs.created_at", FLAGGED_SQL, "FROM partnerships")
    assert run and not [q for q in run if any(k in q for k in kept_reads)]
    assert "suspected-duplicates" in second and "esa-partnerships" in second  # still shown
    assert _queue_ids(first) == _queue_ids(second) == [m.id for m in reversed(made)]
    one, two = _tokens(first, "form_token"), _tokens(second, "form_token")
    assert len(one) == len(two) == 3 and len(set(one + two)) == 6  # one-time tokens, never replayed
    assert "__action_token_slot__" not in second and "__csrf_token_slot__" not in second
    csrf = _tokens(second, "csrf_token")[0]
    target = made[-1]
    r = c.post(
        f"/matches/{target.id}",
        data={"csrf_token": csrf, "action": "approve", "form_token": two[0]},
    )
    assert r.status_code in (302, 303), r.status_code
    session.expire_all()
    assert session.get(Match, target.id).status == "approved"
    assert target.id not in _queue_ids(c.get("/dashboard").get_data(as_text=True))

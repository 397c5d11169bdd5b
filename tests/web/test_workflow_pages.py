"""The pledge workflow through the pages: propose form, match page actions, queues, notifications."""

from __future__ import annotations

import re

import sqlalchemy as sa

from csr_hub.models import Match, Need, Notification, Offer

from conftest import csrf_token, snapshot
from workflow_cast import app_config, cast, make_match  # noqa: F401  (fixtures)


def form_post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def act(client, match_id, action, **fields):
    return form_post(client, f"/matches/{match_id}/actions", action=action, **fields)


def html(r) -> str:
    return r.get_data(as_text=True)


def queue_ids(page: str) -> list[int]:
    """Match ids in the approver's queue on a dashboard, in order ([] when the queue is empty)."""
    if 'id="approval-queue"' not in page:
        return []
    part = page.split('id="approval-queue"', 1)[1].split("</ol>", 1)[0]
    return [int(x) for x in re.findall(r'data-match-id="(\d+)"', part)]


def status_on_page(client, match_id) -> str:
    r = client.get(f"/matches/{match_id}?lang=en")
    assert r.status_code == 200
    return re.search(r'id="match-status" data-status="([a-z_]+)"', html(r)).group(1)


def test_propose_through_the_page_and_see_the_match(cast, page_login, session):
    c = page_login(cast.staff)
    r = form_post(
        c, "/matches?lang=en", need_id=cast.need.id, offer_id=cast.offer.id, quantity=4, note="ขอ 4 เครื่องก่อน"
    )
    assert r.status_code == 303, html(r)[:500]
    match_id = int(re.search(r"/matches/(\d+)$", r.headers["Location"]).group(1))
    page = html(c.get(r.headers["Location"]))
    assert "Match proposed" in page and 'data-status="proposed"' in page
    assert "ขอ 4 เครื่องก่อน" in page and "40,000" in page
    assert 'id="do-withdraw"' in page and 'id="do-accept"' not in page  # the proposer only withdraws
    m = session.get(Match, match_id)
    assert (m.proposed_by, m.quantity, m.status) == ("school", 4, "proposed")


def test_company_pledges_from_the_need_page_form(cast, page_login, session):
    c = page_login(cast.rep)
    page = html(c.get(f"/needs/{cast.need.id}?lang=en"))
    assert 'id="pledge-offer"' in page  # the page offers the company's own offers to pledge
    r = form_post(c, "/matches", need_id=cast.need.id, offer_id=cast.offer.id, quantity=20)
    assert r.status_code == 303
    assert session.scalar(sa.select(Match.proposed_by)) == "company"


def test_propose_page_refusals_change_nothing(cast, page_login, session, app):
    c = page_login(cast.staff)
    c.get("/?lang=en")  # the language choice is remembered on the account: choose it before the snapshot
    outsiders = [page_login(user) for user in (cast.other_staff, cast.director)]  # logging in is recorded
    before = snapshot(session)
    back = f"/needs/{cast.need.id}"
    for quantity, words in [(0, "Quantity"), ("", "Quantity"), (21, "more than what remains")]:
        r = c.post(
            "/matches?lang=en",
            data={
                "csrf_token": csrf_token(c),
                "need_id": cast.need.id,
                "offer_id": cast.offer.id,
                "quantity": quantity,
            },
            headers={"Referer": "http://localhost" + back},
        )
        assert r.status_code == 303 and r.headers["Location"].endswith(back + "#error-summary")
        assert words in html(c.get(back + "?lang=en"))  # the reason is shown on the page we came back to
        assert snapshot(session) == before
    # no CSRF token
    r = c.post("/matches", data={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 1})
    assert r.status_code == 400
    # someone else's need, and a role that never proposes
    for outsider in outsiders:
        r = form_post(outsider, "/matches", need_id=cast.need.id, offer_id=cast.offer.id, quantity=1)
        assert r.status_code == 403
    # anonymous, with a valid CSRF token of its own session: sent to the login page
    anonymous = app.test_client()
    r = anonymous.post("/matches", data={"csrf_token": csrf_token(anonymous), "need_id": 1})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    # anonymous without a token: the CSRF check refuses it first
    assert app.test_client().post("/matches", data={"need_id": 1}).status_code == 400
    assert snapshot(session) == before


def test_the_four_roles_walk_a_match_to_completed_through_the_pages(cast, page_login, session):
    staff, rep, director, central = (
        page_login(u) for u in (cast.staff, cast.rep, cast.director, cast.central)
    )
    r = form_post(staff, "/matches", need_id=cast.need.id, offer_id=cast.offer.id, quantity=12)
    match_id = int(r.headers["Location"].rsplit("/", 1)[1])
    for client, action, fields, to in [
        (rep, "accept", {}, "pledged"),
        (director, "approve", {"note": "ผ่านการตรวจ"}, "district_approved"),
        (central, "approve", {}, "approved"),
        (rep, "deliver", {}, "delivered"),
        (staff, "confirm", {"received_quantity": "11", "note": "ขาด 1 เครื่อง"}, "completed"),
    ]:
        page = html(client.get(f"/matches/{match_id}"))
        assert f'id="do-{action}"' in page, (
            action,
            page[:300],
        )  # the button is there for the one whose turn it is
        r = act(client, match_id, action, **fields)
        assert r.status_code == 303, (action, html(r)[:500])
        assert status_on_page(client, match_id) == to
    page = html(staff.get(f"/matches/{match_id}?lang=en"))
    rows = re.findall(r'<tr data-action="([a-z]+)">', page)
    assert rows == ["propose", "accept", "approve", "approve", "deliver", "confirm"]
    assert "ผ่านการตรวจ" in page and "ขาด 1 เครื่อง" in page and 'id="match-received"' in page
    assert 'id="h-act"' not in page  # nothing left to do
    session.rollback()
    assert session.get(Need, cast.need.id).remaining_quantity == 20 - 11
    assert session.get(Offer, cast.offer.id).remaining_quantity == 50 - 12


def test_page_refusals_403_409_422_change_nothing(cast, page_login, session):
    pledged = make_match(session, cast, "pledged")
    director = page_login(cast.director)
    director.get("/?lang=en")  # the language choice is remembered on the account: before the snapshot
    others = [
        (page_login(user), action)  # logging in is recorded: before the snapshot
        for user, action in [
            (cast.other_director, "approve"),
            (cast.other_rep, "withdraw"),
            (cast.admin, "approve"),
            (cast.other_staff, "withdraw"),
        ]
    ]
    rep = page_login(cast.rep)
    before = snapshot(session)
    # another ESA's director, another company, an admin: 403
    for client, action in others:
        assert act(client, pledged, action, note="x").status_code == 403
        assert snapshot(session) == before
    # wrong status: the match page again, 409, with the reason at the top
    r = act(rep, pledged, "deliver")
    assert r.status_code == 409
    page = html(r)
    assert 'data-status="pledged"' in page and 'id="error-summary"' in page
    # reject without a reason: the error next to the field, on the match page
    r = director.post(
        f"/matches/{pledged}/actions?lang=en",
        data={"csrf_token": csrf_token(director), "action": "reject", "note": "  "},
    )
    assert r.status_code == 422
    page = html(r)
    assert 'id="note-reject-error"' in page and 'aria-invalid="true"' in page and "reason" in page.lower()
    # no CSRF token
    r = director.post(f"/matches/{pledged}/actions", data={"action": "approve"})
    assert r.status_code == 400
    # unknown action
    r = act(director, pledged, "explode")
    assert r.status_code == 422 and 'id="error-summary"' in html(r)
    assert snapshot(session) == before


def test_confirm_out_of_range_shows_the_error_by_the_quantity(cast, page_login, session):
    delivered = make_match(session, cast, "delivered")
    c = page_login(cast.staff)
    before = snapshot(session)
    for bad in ("-1", "11", "abc", ""):
        r = c.post(
            f"/matches/{delivered}/actions?lang=en",
            data={"csrf_token": csrf_token(c), "action": "confirm", "received_quantity": bad},
        )
        assert r.status_code == 422, bad
        page = html(r)
        assert 'id="received-quantity-error"' in page and "from 0 to 10" in page
        assert snapshot(session) == before


def test_directors_queue_oldest_first_with_reasons_and_only_its_esa(
    cast, page_login, session, make_offer, make_school, make_user, make_need
):
    from flask import current_app

    from csr_hub.services import matches

    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    offers = [make_offer(cast.rep, title=f"Laptops lot {i}", quantity=10, value_thb=50_000) for i in range(3)]
    ids = []
    for offer in offers:
        m = matches.propose(
            session, cast.staff, {"need_id": cast.need.id, "offer_id": offer.id, "quantity": 2}
        )
        session.commit()
        ids.append(m.id)
    # pledged in the order 3rd, 1st, 2nd: the queue follows how long each has waited for the director
    for match_id in (ids[2], ids[0], ids[1]):
        matches.act(session, cast.rep, match_id, {"action": "accept"}, threshold)
        session.commit()
    # another ESA's pledged match stays out of this queue
    far_staff = make_user("school_staff", school=make_school("p10-1"))
    far_need = make_need(far_staff, quantity=3)
    far = matches.propose(
        session, far_staff, {"need_id": far_need.id, "offer_id": offers[0].id, "quantity": 1}
    ).id
    session.commit()
    matches.act(session, cast.rep, far, {"action": "accept"}, threshold)
    session.commit()
    page = html(page_login(cast.director).get("/dashboard?lang=en"))
    queue = page.split('id="approval-queue"', 1)[1].split("</ol>", 1)[0]
    # the order within a day is the clock's (escalated first, then the due date: tests/services); here
    # all three were pledged today, so each is in the queue once
    assert sorted(queue_ids(page)) == sorted([ids[2], ids[0], ids[1]])
    # the need, the offer, the company, the value, the score and its reasons
    assert "Laptops lot 0" in queue and "Siam Digital Co., Ltd." in queue and "฿10,000" in queue
    assert re.search(r"<strong>\d+/100</strong>", queue) and "same item: laptop" in queue
    assert "Waiting for your approval" in page
    other = html(page_login(cast.other_director).get("/dashboard"))
    assert queue_ids(other) == [far]
    # once approved it leaves the director's queue; above the threshold it joins the central queue
    matches.act(session, cast.director, ids[2], {"action": "approve"}, 1)  # threshold 1 baht: goes to central
    session.commit()
    page = html(page_login(cast.director).get("/dashboard"))
    assert queue_ids(page) == [ids[0], ids[1]]
    central = html(page_login(cast.central).get("/dashboard"))
    assert queue_ids(central) == [ids[2]]


def test_waiting_for_you_lists_only_what_is_your_turn(cast, page_login, session, make_offer):
    from csr_hub.services import matches

    own = make_match(session, cast, "proposed")  # proposed by the school: the company's turn
    offer2 = make_offer(cast.rep, quantity=5, value_thb=5000)
    theirs = matches.propose(
        session, cast.rep, {"need_id": cast.need.id, "offer_id": offer2.id, "quantity": 1}
    ).id
    session.commit()

    def waiting(user):
        page = html(page_login(user).get("/dashboard"))
        part = page.split('id="h-wait"', 1)[1].split("</section>", 1)[0]
        return sorted(int(x) for x in re.findall(r'data-match-id="(\d+)"', part))

    assert waiting(cast.staff) == [theirs]
    assert waiting(cast.rep) == [own]


def test_unread_badge_and_notification_list(cast, page_login, session):
    staff = page_login(cast.staff)
    first = re.search(
        r'<span class="nav-badge"><span aria-hidden="true">(\d+)</span>', html(staff.get("/dashboard"))
    )
    unread = int(first.group(1)) if first else 0  # e.g. a strong match told when the cast's offer was posted
    match_id = make_match(session, cast, "pledged")  # the company accepted: the school is told
    page = html(staff.get("/dashboard?lang=en"))
    badge = re.search(r'<span class="nav-badge"><span aria-hidden="true">(\d+)</span>', page)
    assert badge and int(badge.group(1)) == unread + 1
    listing = html(staff.get("/notifications?lang=en"))
    assert f"/matches/{match_id}" in listing and "accepted the match" in listing and "Pledged" in listing
    # the director, whose turn it is, was told too; the company (who acted) was not
    session.rollback()
    told = {
        n.user_id
        for n in session.scalars(
            sa.select(Notification).where(
                Notification.match_id == match_id, Notification.message_en.contains("accepted")
            )
        )
    }
    assert told == {cast.staff.id, cast.director.id}
    assert form_post(staff, "/notifications/read").status_code == 302
    assert 'class="nav-badge"' not in html(staff.get("/dashboard"))


def test_the_badge_is_read_with_the_user_not_by_a_statement_of_its_own(cast, page_login, session, app):
    from test_reports_queries import counting

    from csr_hub.extensions import db

    staff = page_login(cast.staff)
    make_match(session, cast, "pledged")  # one notification for the school
    session.rollback()
    with counting(db.engine) as statements:
        page = html(staff.get("/notifications"))
    badge = re.search(r'<span class="nav-badge"><span aria-hidden="true">(\d+)</span>', page)
    expected = session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == cast.staff.id, Notification.read_at.is_(None)
        )
    )
    assert badge and int(badge.group(1)) == expected >= 1
    user_reads = [s for s in statements if "FROM users" in s and "notifications" in s]
    alone = [  # the badge's own count (the page's paging count lists every notification, read or not)
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT COUNT") and "read_at IS NULL" in s and "FROM users" not in s
    ]
    assert len(user_reads) == 1 and not alone, statements

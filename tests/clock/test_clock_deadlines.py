"""The clock's rules at their boundary days (the day before, the day, the day after), idempotent ticks,
expiry that frees nothing it should not, escalation and the central officer's decision in the director's
place, and stale needs asking to be confirmed, expiring and reopening."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Match, MatchTransition, Need, Notification
from csr_hub.services import clock

from workflow_cast import THRESHOLD, cast, make_match  # noqa: F401  (fixtures)

T0 = today_bangkok()


@pytest.fixture(autouse=True)
def _today():
    """Each test's day 0 is the Bangkok date when it starts (not when the module was collected: a run that
    crosses midnight in Bangkok, 17:00 UTC, would otherwise count from yesterday)."""
    global T0
    T0 = today_bangkok()


@pytest.fixture
def app_config():
    return {"CSR_CENTRAL_THRESHOLD_THB": THRESHOLD}


def run(session, day):
    result = clock.tick(session, day)
    session.commit()
    return result


def match_of(session, match_id) -> Match:
    session.rollback()
    return session.get(Match, match_id)


def notes(session, kind, **where):
    session.rollback()
    q = sa.select(Notification).where(Notification.kind == kind)
    for k, v in where.items():
        q = q.where(getattr(Notification, k) == v)
    return list(session.scalars(q))


def test_settings_have_the_spec_defaults(app):
    s = clock.Settings.from_config()
    assert (s.answer_days, s.approval_days, s.review_days) == (14, 7, 120)
    assert app.config["CSR_ANSWER_DAYS"] == 14 and app.config["CSR_NEED_REVIEW_DAYS"] == 120


def test_a_proposal_shows_its_due_date_and_expires_the_day_after_it(app, api, session, cast):
    match_id = make_match(session, cast, "proposed", quantity=3)
    body = api(cast.staff).get(f"/api/v1/matches/{match_id}").get_json()
    assert body["due_on"] == (T0 + timedelta(days=14)).isoformat() and body["escalated_at"] is None
    for day in (T0 + timedelta(days=13), T0 + timedelta(days=14)):
        assert run(session, day).matches_expired == 0
        assert match_of(session, match_id).status == "proposed"
    result = run(session, T0 + timedelta(days=15))
    assert result.matches_expired == 1
    body = api(cast.staff).get(f"/api/v1/matches/{match_id}").get_json()
    assert body["status"] == "expired" and body["due_on"] is None
    last = body["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor_id"]) == (
        "expire",
        "proposed",
        "expired",
        None,
    )
    # both parties hear of it, once
    told = {
        n.user_id for n in notes(session, "match_changed", match_id=match_id) if "expired" in n.message_en
    }
    assert told == {cast.staff.id, cast.rep.id}
    # idempotent: the next run the same day (and the day after) does nothing more
    again = run(session, T0 + timedelta(days=15))
    assert again.changed == 0 and again.notifications == 0
    assert run(session, T0 + timedelta(days=16)).matches_expired == 0
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).where(MatchTransition.match_id == match_id)) == 2
    # an expired match takes no action
    r = api(cast.rep).post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"})
    assert r.status_code == 409


def second_pledge(session, cast, make_offer, quantity: int) -> int:
    """A pledge of ``quantity`` on the cast's need from a second offer, accepted by the school today."""
    from flask import current_app

    from csr_hub.services import matches

    offer = make_offer(cast.rep, title="Laptops for schools", quantity=10, value_thb=100_000)
    m = matches.propose(
        session, cast.rep, {"need_id": cast.need.id, "offer_id": offer.id, "quantity": quantity}
    )
    session.commit()
    matches.act(
        session, cast.staff, m.id, {"action": "accept"}, current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    )
    session.commit()
    return m.id


def test_expiry_frees_nothing_it_should_not(app, session, cast, make_offer):
    waiting = make_match(session, cast, "proposed", quantity=3)
    pledged = second_pledge(session, cast, make_offer, 4)
    # the pledge was made (and the proposal too) today; the proposal expires, the pledge keeps its hold
    session.rollback()
    need_before = session.get(Need, cast.need.id).committed_quantity
    assert need_before == 4
    run(session, T0 + timedelta(days=15))
    assert match_of(session, waiting).status == "expired"
    assert match_of(session, pledged).status == "pledged"
    session.rollback()
    need = session.get(Need, cast.need.id)
    assert need.committed_quantity == 4 and need.remaining_quantity == 16


def test_a_pledge_reminds_its_approvers_the_day_after_its_due_date_once(app, api, session, cast, make_user):
    second_director = make_user("district_director", district_code="p50-1")
    match_id = make_match(session, cast, "pledged", quantity=3)
    assert match_of(session, match_id).due_on == T0 + timedelta(days=7)
    assert run(session, T0 + timedelta(days=6)).approval_reminders == 0
    assert run(session, T0 + timedelta(days=7)).approval_reminders == 0
    assert notes(session, "reminder") == []
    assert run(session, T0 + timedelta(days=8)).approval_reminders == 1
    got = {n.user_id for n in notes(session, "reminder", match_id=match_id)}
    assert got == {cast.director.id, second_director.id}  # the approvers, not the parties or other ESAs
    assert run(session, T0 + timedelta(days=8)).notifications == 0
    assert run(session, T0 + timedelta(days=9)).approval_reminders == 0  # once, not daily
    assert len(notes(session, "reminder", match_id=match_id)) == 2


def test_escalation_past_twice_the_approval_days_and_central_decides(app, api, session, cast):
    match_id = make_match(session, cast, "pledged", quantity=3)  # 30,000 < threshold
    # a central officer may not take the director's step before escalation
    r = api(cast.central).post(f"/api/v1/matches/{match_id}/actions", json={"action": "approve"})
    assert r.status_code == 409
    for day in (13, 14):
        assert run(session, T0 + timedelta(days=day)).escalated == 0
        assert match_of(session, match_id).escalated_at is None
    assert notes(session, "escalated") == []
    result = run(session, T0 + timedelta(days=15))
    assert result.escalated == 1
    body = api(cast.central).get(f"/api/v1/matches/{match_id}").get_json()
    assert body["escalated_at"] is not None
    assert {n.user_id for n in notes(session, "escalated", match_id=match_id)} == {cast.central.id}
    again = run(session, T0 + timedelta(days=15))
    assert again.escalated == 0 and again.notifications == 0
    # another ESA's director still may not; the central officer now may, in the director's place
    r = api(cast.other_director).post(f"/api/v1/matches/{match_id}/actions", json={"action": "approve"})
    assert r.status_code == 403
    r = api(cast.central).post(
        f"/api/v1/matches/{match_id}/actions", json={"action": "approve", "note": "แทน"}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "approved"
    last = body["history"][-1]
    assert (last["action"], last["from_status"], last["actor_id"]) == ("approve", "pledged", cast.central.id)


def test_central_may_reject_an_escalated_pledge_and_its_quantity_returns(app, api, session, cast):
    match_id = make_match(session, cast, "pledged", quantity=5)
    run(session, T0 + timedelta(days=15))
    r = api(cast.central).post(f"/api/v1/matches/{match_id}/actions", json={"action": "reject"})
    assert r.status_code == 422  # a note is still needed
    r = api(cast.central).post(
        f"/api/v1/matches/{match_id}/actions", json={"action": "reject", "note": "ไม่ตอบ"}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert r.get_json()["history"][-1]["actor_id"] == cast.central.id
    session.rollback()
    assert session.get(Need, cast.need.id).committed_quantity == 0


def test_escalated_first_in_the_central_queue_and_director_queue_sorted_by_due(
    app, session, cast, page_login, make_offer
):
    big = make_match(session, cast, "district_approved", quantity=10)  # central's own step
    late = second_pledge(session, cast, make_offer, 2)
    session.execute(sa.update(Match).where(Match.id == late).values(due_on=T0 - timedelta(days=8)))
    session.commit()
    run(session, T0)
    assert match_of(session, late).escalated_at is not None
    html = page_login(cast.central).get("/dashboard").get_data(as_text=True)
    assert f'data-match-id="{late}"' in html and f'data-match-id="{big}"' in html
    assert html.index(f'data-match-id="{late}"') < html.index(f'data-match-id="{big}"')
    assert "escalated" in html
    d_html = page_login(cast.director).get("/dashboard").get_data(as_text=True)
    assert f'data-match-id="{late}"' in d_html


def test_stale_need_asks_confirmation_expires_and_confirm_reopens(app, api, session, cast):
    need_id = cast.need.id
    for day in (118, 119):
        assert run(session, T0 + timedelta(days=day)).need_reviews_requested == 0
    assert api().get(f"/api/v1/needs/{need_id}").get_json()["review_due"] is False
    asked = T0 + timedelta(days=120)
    assert run(session, asked).need_reviews_requested == 1
    assert api().get(f"/api/v1/needs/{need_id}").get_json()["review_due"] is True
    got = notes(session, "reminder", need_id=need_id)
    assert {n.user_id for n in got} == {cast.staff.id}  # active staff only (not the pending member)
    assert run(session, asked).notifications == 0
    # thirty days after the request it expires: not the day before
    assert run(session, asked + timedelta(days=29)).needs_expired == 0
    assert api().get(f"/api/v1/needs/{need_id}").get_json()["status"] == "open"
    assert run(session, asked + timedelta(days=30)).needs_expired == 1
    body = api().get(f"/api/v1/needs/{need_id}").get_json()
    assert body["status"] == "expired"
    assert api().get("/api/v1/needs?status=expired").get_json()["total"] == 1
    assert need_id not in [n["id"] for n in api().get("/api/v1/needs").get_json()["items"]]
    # the report counts it as cancelled
    assert api().get("/api/v1/reports/summary").get_json()["needs_count"] == 0
    # no proposal on an expired need
    r = api(cast.rep).post(
        "/api/v1/matches", json={"need_id": need_id, "offer_id": cast.offer.id, "quantity": 1}
    )
    assert r.status_code == 409
    # only its school's staff may confirm
    assert api(cast.other_staff).post(f"/api/v1/needs/{need_id}/confirm").status_code == 403
    assert api(cast.rep).post(f"/api/v1/needs/{need_id}/confirm").status_code == 403
    assert api(cast.pending_staff).post(f"/api/v1/needs/{need_id}/confirm").status_code == 403
    r = api(cast.staff).post(f"/api/v1/needs/{need_id}/confirm")
    assert r.status_code == 200
    assert r.get_json()["status"] == "open" and r.get_json()["review_due"] is False
    assert api().get("/api/v1/reports/summary").get_json()["needs_count"] == 1
    # the count restarts from the confirmation (made today): the next request 120 days after it
    assert run(session, T0 + timedelta(days=119)).need_reviews_requested == 0
    assert run(session, T0 + timedelta(days=120)).need_reviews_requested == 1


def test_confirm_restarts_the_count_before_expiry(app, api, session, cast):
    asked = T0 + timedelta(days=120)
    run(session, asked)
    assert api(cast.staff).post(f"/api/v1/needs/{cast.need.id}/confirm").status_code == 200
    assert run(session, asked + timedelta(days=30)).needs_expired == 0
    assert api().get(f"/api/v1/needs/{cast.need.id}").get_json()["status"] == "open"


def test_a_need_with_a_match_holding_quantity_does_not_expire(app, session, cast):
    make_match(session, cast, "pledged", quantity=2)
    session.execute(sa.update(Match).values(due_on=None))  # keep the pledge out of the way
    session.commit()
    # the pledge is today's: the need is stale only 120 days after it
    assert run(session, T0 + timedelta(days=119)).need_reviews_requested == 0
    asked = T0 + timedelta(days=120)
    assert run(session, asked).need_reviews_requested == 1
    assert run(session, asked + timedelta(days=30)).needs_expired == 0
    session.rollback()
    assert session.get(Need, cast.need.id).status == "open"


def test_a_new_match_or_an_edit_clears_the_request(app, api, session, cast):
    # the need was posted 120 days ago, so the request is made today and the edit comes after it
    back = timedelta(days=120)
    need = session.get(Need, cast.need.id)
    session.execute(
        sa.update(Need)
        .where(Need.id == need.id)
        .values(created_at=need.created_at - back, updated_at=need.updated_at - back)
    )
    session.commit()
    asked = T0
    assert run(session, asked).need_reviews_requested == 1
    r = api(cast.staff).patch(f"/api/v1/needs/{cast.need.id}", json={"description": "ยังต้องการ"})
    assert r.status_code == 200
    result = run(session, asked + timedelta(days=1))
    assert result.need_reviews_cleared == 1
    assert api().get(f"/api/v1/needs/{cast.need.id}").get_json()["review_due"] is False
    assert run(session, asked + timedelta(days=30)).needs_expired == 0


def test_confirm_of_a_cancelled_need_is_a_conflict_and_changes_nothing(app, api, session, cast):
    from conftest import snapshot

    assert api(cast.staff).post(f"/api/v1/needs/{cast.need.id}/cancel").status_code == 200
    before = snapshot(session)
    r = api(cast.staff).post(f"/api/v1/needs/{cast.need.id}/confirm")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    assert snapshot(session) == before
    assert api(cast.staff).post("/api/v1/needs/999999/confirm").status_code == 404


def test_jobs_tick_cli_prints_what_it_did_and_is_idempotent(app, runner, session, cast):
    make_match(session, cast, "proposed", quantity=3)
    day = (T0 + timedelta(days=15)).isoformat()
    first = runner.invoke(args=["jobs", "tick", "--today", day])
    assert first.exit_code == 0, first.output
    assert f"Clock for {day}" in first.output
    assert "1  proposals expired" in first.output
    second = runner.invoke(args=["jobs", "tick", "--today", day])
    assert second.exit_code == 0 and "nothing to do" in second.output
    bad = runner.invoke(args=["jobs", "tick", "--today", "2026-13-40"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_pages_show_the_due_date_and_days_waited(app, session, cast, page_login):
    match_id = make_match(session, cast, "proposed", quantity=3)
    session.execute(sa.update(Match).where(Match.id == match_id).values(due_on=T0 + timedelta(days=1)))
    for t in session.scalars(sa.select(MatchTransition).where(MatchTransition.match_id == match_id)):
        t.at = t.at - timedelta(days=13)
    session.commit()
    rep = page_login(cast.rep)
    html = rep.get(f"/matches/{match_id}?lang=en").get_data(as_text=True)
    assert 'id="match-due"' in html and 'id="match-waited"' in html and "Waited 13 days." in html
    # the notifications page groups by match and says what to do next, with the due date
    html = rep.get("/notifications?lang=en").get_data(as_text=True)
    group = html.split(f'data-match-id="{match_id}"', 1)[1].split("</li>\n", 1)[0]
    assert "Your turn." in group and "Accept or decline" in group and "Due by" in group
    staff_html = page_login(cast.staff).get("/notifications?lang=en").get_data(as_text=True)
    assert "Your turn." not in staff_html  # the proposer waits for the company


def test_a_pledge_queue_card_shows_due_date_waited_and_escalation(app, session, cast, page_login):
    match_id = make_match(session, cast, "pledged", quantity=3)
    session.execute(sa.update(Match).where(Match.id == match_id).values(due_on=T0 - timedelta(days=8)))
    session.commit()
    run(session, T0)
    html = page_login(cast.director).get("/dashboard?lang=en").get_data(as_text=True)
    card = html.split(f'data-match-id="{match_id}"', 1)[1].split("</li>\n  <li", 1)[0]
    assert "Due by" in card and "waited" in card and "Escalated" in card


def test_the_api_lists_matches_by_due_date_and_filters_expired(app, api, session, cast, make_offer):
    first = make_match(session, cast, "proposed", quantity=3)  # due in 14 days
    pledge = second_pledge(session, cast, make_offer, 2)  # due in 7 days
    ids = [m["id"] for m in api(cast.central).get("/api/v1/matches?sort=due").get_json()["items"]]
    assert ids == [pledge, first]
    run(session, T0 + timedelta(days=15))
    body = api(cast.staff).get("/api/v1/matches?status=expired").get_json()
    assert [m["id"] for m in body["items"]] == [first]

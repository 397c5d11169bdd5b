"""Found by the contract probe: a write that takes no body still refuses one that is not a JSON object
(400, nothing changes); numbers sent as strings are refused (422, nothing changes); a pending user cannot
mark a notification read; a rep joining a registered company by its tax id still gives a real province."""

from __future__ import annotations

import pytest

from csr_hub.models import Need, Notification, Offer

from conftest import snapshot


def need_body(**change):
    body = {
        "category": "devices",
        "title": "ปริ้นเตอร์เลเซอร์ 2 เครื่อง",
        "description": "สำหรับห้องธุรการ",
        "quantity": 2,
        "unit": "เครื่อง",
        "estimated_cost_thb": 12000,
    }
    body.update(change)
    return body


@pytest.mark.parametrize("raw", [b"zz", b"[1]", b'"text"', b"{"])
def test_a_bad_body_on_cancel_or_withdraw_is_400_and_changes_nothing(
    app, api, session, make_user, make_need, make_offer, raw
):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    before = snapshot(session)
    for user, path in (
        (staff, f"/api/v1/needs/{need.id}/cancel"),
        (rep, f"/api/v1/offers/{offer.id}/withdraw"),
    ):
        r = api(user).post(path, data=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (path, r.get_json())
        assert r.get_json()["error"]["code"] == "bad_request"
    session.expire_all()
    assert snapshot(session) == before
    assert session.get(Need, need.id).cancelled is False
    assert session.get(Offer, offer.id).withdrawn is False
    # no body at all, or an empty object, is what these writes expect
    assert api(staff).post(f"/api/v1/needs/{need.id}/cancel").status_code == 200
    assert api(rep).post(f"/api/v1/offers/{offer.id}/withdraw", json={}).status_code == 200


def test_a_bad_body_on_marking_a_notification_read_is_400(app, api, session, make_user):
    staff = make_user("school_staff")
    n = Notification(user_id=staff.id, kind="reminder", message_th="ทดสอบ", message_en="test")
    session.add(n)
    session.commit()
    r = api(staff).post(
        f"/api/v1/notifications/{n.id}/read", data=b"zz", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    session.expire_all()
    assert session.get(Notification, n.id).read_at is None
    assert api(staff).post(f"/api/v1/notifications/{n.id}/read").status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [("quantity", "3"), ("estimated_cost_thb", "100"), ("quantity", "๓"), ("estimated_cost_thb", "1,000")],
)
def test_numbers_sent_as_strings_are_422_and_change_nothing(app, api, session, make_user, field, value):
    staff = api(make_user("school_staff"))
    before = snapshot(session)
    r = staff.post("/api/v1/needs", json=need_body(**{field: value}))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]
    session.expire_all()
    assert snapshot(session) == before
    assert staff.post("/api/v1/needs", json=need_body()).status_code == 201


def test_a_proposal_quantity_as_a_string_is_422(app, api, session, make_user, make_need, make_offer):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    before = snapshot(session)
    r = api(rep).post("/api/v1/matches", json={"need_id": need.id, "offer_id": offer.id, "quantity": "2"})
    assert r.status_code == 422, r.get_json()
    session.expire_all()
    assert snapshot(session) == before


def test_a_pending_user_marking_a_notification_read_is_account_pending(app, api, session, make_user):
    user = make_user("school_staff", status="pending")
    n = Notification(user_id=user.id, kind="reminder", message_th="ทดสอบ", message_en="test")
    session.add(n)
    session.commit()
    r = api(user).post(f"/api/v1/notifications/{n.id}/read")
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "account_pending"
    session.expire_all()
    assert session.get(Notification, n.id).read_at is None


def test_joining_a_registered_company_with_an_unknown_province_is_422(app, api, session, make_company):
    company = make_company()
    body = {
        "email": "joiner@example.com",
        "password": "Correct-horse-battery-9",
        "full_name": "Joiner",
        "role": "company_rep",
        "company_name": "Whatever",
        "company_tax_id": company.tax_id,
    }
    before = snapshot(session)
    r = api().post("/api/v1/auth/register", json={**body, "province_code": "99"})
    assert r.status_code == 422, r.get_json()
    assert "province_code" in r.get_json()["error"]["fields"]
    session.expire_all()
    assert snapshot(session) == before
    # left out, the rep joins the registered company
    r = api().post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["company_id"] == company.id

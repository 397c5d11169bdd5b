"""Needs through /api/v1: post, read, edit, budget, cancel, list and search — and every refusal changes nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Match, Need, Offer
from csr_hub.services import matches as match_service
from csr_hub.services.errors import Conflict

from conftest import snapshot

NEED_KEYS = {
    "id",
    "school_id",
    "school_code",
    "district_code",
    "province_code",
    "category",
    "title",
    "description",
    "quantity",
    "unit",
    "estimated_cost_thb",
    "budget_thb",
    "needed_by",
    "urgency",
    "status",
    "remaining_quantity",
    "possible_duplicates",
    "review_due",
    "created_at",
    "updated_at",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
THRESHOLD = 500_000


def future(days: int = 30) -> str:
    return (today_bangkok() + timedelta(days=days)).isoformat()


def need_body(**change):
    body = {
        "category": "devices",
        "title": "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง",
        "description": "for the computer room",
        "quantity": 20,
        "unit": "เครื่อง",
        "estimated_cost_thb": 300000,
        "needed_by": future(),
        "urgency": "high",
    }
    body.update(change)
    return body


def pledge(session, school_user, company_user, need, offer, quantity):
    """A match proposed by the school and accepted by the company: it holds ``quantity`` on both."""
    m = match_service.propose(
        session, school_user, {"need_id": need.id, "offer_id": offer.id, "quantity": quantity}
    )
    session.commit()
    m = match_service.act(session, company_user, m.id, {"action": "accept"}, THRESHOLD)
    session.commit()
    return m


def act(session, user, match_id, action, **extra):
    m = match_service.act(session, user, match_id, {"action": action, **extra}, THRESHOLD)
    session.commit()
    return m


def refused(api_client, method, url, body, status, field=None, code=None, session=None):
    before = snapshot(session)
    r = getattr(api_client, method)(url, json=body) if body is not None else getattr(api_client, method)(url)
    assert r.status_code == status, (body, r.status_code, r.get_json())
    err = r.get_json()["error"]
    assert set(err) == {"code", "message", "fields"} and err["message"]
    if field:
        assert field in err["fields"] and err["fields"][field], (body, err)
    if code:
        assert err["code"] == code, err
    assert snapshot(session) == before, body
    return err


# --- posting -------------------------------------------------------------------------------------------
def test_school_staff_posts_a_need_for_its_own_school(api, make_user, make_school, session):
    staff = make_user("school_staff")
    other = make_school(district_code="p10-1")
    r = api(staff).post(
        "/api/v1/needs",
        json=need_body(
            estimated_cost_thb=1234.565,
            id=999,
            status="fulfilled",
            school_id=other.id,
            school_code=other.code,
            remaining_quantity=0,
            committed_quantity=20,
            budget_thb=50000,
            cancelled=True,
            created_by_id=1,
            province_code="10",
            district_code="p10-1",
            search_text="x",
            created_at="2000-01-01T00:00:00+00:00",
        ),
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) == NEED_KEYS
    school = staff.school
    assert body["id"] != 999 and body["school_id"] == school.id and body["school_code"] == school.code
    assert body["district_code"] == "p50-1" and body["province_code"] == school.province_code == "50"
    assert body["status"] == "open" and body["remaining_quantity"] == 20 and body["quantity"] == 20
    assert body["budget_thb"] == 0 and body["estimated_cost_thb"] == 1234.57  # rounded half up
    assert body["needed_by"] == future() and DATE.match(body["needed_by"])
    assert not body["created_at"].startswith("2000") and re.search(r"[+-]\d\d:\d\d$|Z$", body["created_at"])
    row = session.get(Need, body["id"])
    assert row.school_id == school.id and row.cancelled is False and row.committed_quantity == 0
    assert row.created_by_id == staff.id and row.search_text != "x"
    # money is a JSON number, never a string, with at most 2 decimals
    raw = api(staff).get(f"/api/v1/needs/{body['id']}").get_data(as_text=True)
    assert '"estimated_cost_thb":1234.57' in raw.replace(" ", "") and '"budget_thb":0' in raw.replace(" ", "")


def test_need_without_optional_fields_gets_defaults(api, make_user):
    staff = make_user("school_staff")
    r = api(staff).post(
        "/api/v1/needs",
        json={
            "category": "internet",
            "title": "Wi-Fi for 3 classrooms",
            "quantity": 3,
            "estimated_cost_thb": 45000.50,
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["urgency"] == "normal" and body["needed_by"] is None and body["description"] == ""
    assert body["unit"] == "" and body["estimated_cost_thb"] == 45000.5


BAD_NEED_FIELDS = [
    ("quantity", 0),
    ("quantity", -5),
    ("quantity", 1.5),
    ("quantity", "abc"),
    ("quantity", 1_000_001),
    ("quantity", True),
    ("quantity", None),
    ("quantity", [3]),
    ("estimated_cost_thb", -1),
    ("estimated_cost_thb", 1_000_000_000.01),
    ("estimated_cost_thb", 1e12),
    ("estimated_cost_thb", "lots"),
    ("estimated_cost_thb", None),
    ("estimated_cost_thb", "NaN"),
    ("estimated_cost_thb", {"thb": 1}),
    ("needed_by", (today_bangkok() - timedelta(days=1)).isoformat()),
    ("needed_by", "2026-13-01"),
    ("needed_by", "tomorrow"),
    ("needed_by", 20260101),
    ("needed_by", "25/12/2569"),
    ("category", "spaceships"),
    ("category", 5),
    ("category", None),
    ("category", ""),
    ("title", ""),
    ("title", "   "),
    ("title", "x" * 201),
    ("title", None),
    ("title", ["a"]),
    ("description", "x" * 5001),
    ("description", 12),
    ("urgency", "extreme"),
    ("urgency", ""),
    ("unit", "x" * 51),
    ("quantity", "9" * 5000),
    ("estimated_cost_thb", "9" * 5000),
    ("needed_by", "2026-1-1"),
]


def test_every_bad_field_is_refused_with_422_and_changes_nothing(api, make_user, session):
    client = api(make_user("school_staff"))
    for field, value in BAD_NEED_FIELDS:
        refused(
            client,
            "post",
            "/api/v1/needs",
            need_body(**{field: value}),
            422,
            field,
            "validation_error",
            session,
        )
    for field in ("category", "title", "quantity", "estimated_cost_thb"):
        body = need_body()
        del body[field]
        refused(client, "post", "/api/v1/needs", body, 422, field, "validation_error", session)
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 0


def test_several_bad_fields_are_reported_together_in_the_users_language(api, make_user, session):
    client = api(make_user("school_staff"))
    err = refused(
        client, "post", "/api/v1/needs", need_body(quantity=0, category="x", title=""), 422, session=session
    )
    assert {"quantity", "category", "title"} <= set(err["fields"])
    assert "1,000,000" in err["fields"]["quantity"][0] and err["fields"]["quantity"][0].isascii()
    r = client.post("/api/v1/needs", json=need_body(quantity=0), headers={"Accept-Language": "th"})
    assert r.status_code == 422
    thai = r.get_json()["error"]["fields"]["quantity"][0]
    assert "1,000,000" in thai and any("\u0e00" <= ch <= "\u0e7f" for ch in thai), thai


def test_a_body_that_is_not_a_json_object_is_400(api, make_user, session):
    client = api(make_user("school_staff"))
    before = snapshot(session)
    for data, ctype in (
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
    ):
        r = client._call("post", "/api/v1/needs", data=data, content_type=ctype)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    assert snapshot(session) == before


def test_only_active_school_staff_post_needs(api, make_user, session):
    cases = [
        (api(), 401, "unauthorized"),
        (api(make_user("school_staff", status="pending")), 403, "account_pending"),
    ]
    cases += [
        (api(make_user(role)), 403, "forbidden")
        for role in ("company_rep", "district_director", "central_officer", "admin")
    ]
    for client, status, code in cases:
        refused(client, "post", "/api/v1/needs", need_body(), status, code=code, session=session)


def test_csrf_header_is_needed_for_session_writes(api, make_user, session):
    client = api(make_user("school_staff"))
    client.headers.pop("X-CSRFToken")
    refused(client, "post", "/api/v1/needs", need_body(), 400, code="csrf_failed", session=session)


def test_bearer_token_posts_without_csrf(app, make_user, api):
    from conftest import PASSWORD

    staff = make_user("school_staff")
    token = (
        app.test_client()
        .post("/api/v1/auth/tokens", json={"email": staff.email, "password": PASSWORD})
        .get_json()["token"]
    )
    r = api(token=token).post("/api/v1/needs", json=need_body())
    assert r.status_code == 201 and r.get_json()["school_id"] == staff.school_id


# --- reading -------------------------------------------------------------------------------------------
def test_anyone_reads_a_need_and_a_missing_one_is_404(client, make_user, make_need):
    need = make_need(make_user("school_staff"))
    r = client.get(f"/api/v1/needs/{need.id}")
    assert r.status_code == 200 and r.get_json()["id"] == need.id
    r = client.get("/api/v1/needs/999999")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


# --- editing -------------------------------------------------------------------------------------------
def test_school_staff_edits_its_need_partially_and_protected_fields_are_ignored(
    api, make_user, make_need, make_school, session
):
    staff = make_user("school_staff")
    need = make_need(staff)
    other = make_school()
    r = api(staff).patch(
        f"/api/v1/needs/{need.id}",
        json={
            "title": "Projector for the science room",
            "quantity": 2,
            "id": 77,
            "status": "cancelled",
            "school_id": other.id,
            "remaining_quantity": 0,
            "budget_thb": 99999,
            "committed_quantity": 2,
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (
        body["id"] == need.id and body["title"] == "Projector for the science room" and body["quantity"] == 2
    )
    assert (
        body["school_id"] == staff.school_id and body["status"] == "open" and body["remaining_quantity"] == 2
    )
    assert body["budget_thb"] == 0 and body["category"] == "devices" and body["estimated_cost_thb"] == 300000
    session.expire_all()
    assert "projector" in session.get(Need, need.id).search_text  # re-indexed for search
    found = api().get("/api/v1/needs?q=projector").get_json()
    assert [n["id"] for n in found["items"]] == [need.id]


def test_bad_edits_are_refused_and_change_nothing(api, make_user, make_need, session):
    staff = make_user("school_staff")
    need = make_need(staff)
    client = api(staff)
    for field, value in BAD_NEED_FIELDS:
        if value is None and field in ("needed_by",):
            continue
        refused(
            client,
            "patch",
            f"/api/v1/needs/{need.id}",
            {field: value},
            422,
            field,
            "validation_error",
            session,
        )
    refused(client, "patch", f"/api/v1/needs/{need.id}", None, 400, code="bad_request", session=session)
    refused(client, "patch", "/api/v1/needs/999999", {"title": "x"}, 404, code="not_found", session=session)


def test_another_school_and_other_roles_cannot_edit_or_cancel(api, make_user, make_need, session):
    need = make_need(make_user("school_staff"))
    for client in (api(make_user("school_staff")), api(make_user("company_rep")), api(make_user("admin"))):
        refused(
            client,
            "patch",
            f"/api/v1/needs/{need.id}",
            {"title": "Taken over"},
            403,
            code="forbidden",
            session=session,
        )
        refused(
            client, "post", f"/api/v1/needs/{need.id}/cancel", None, 403, code="forbidden", session=session
        )
    refused(
        api(), "patch", f"/api/v1/needs/{need.id}", {"title": "x"}, 401, code="unauthorized", session=session
    )
    pending = make_user("school_staff", status="pending", school=need.school)
    refused(
        api(pending),
        "patch",
        f"/api/v1/needs/{need.id}",
        {"title": "x"},
        403,
        code="account_pending",
        session=session,
    )


def test_budget_is_set_by_own_esa_director_and_central_officer_only(api, make_user, make_need, session):
    staff = make_user("school_staff")  # school in p50-1
    need = make_need(staff)
    url = f"/api/v1/needs/{need.id}"
    director = make_user("district_director", district_code="p50-1")
    r = api(director).patch(url, json={"budget_thb": 120000.5, "title": "ignored from a director"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["budget_thb"] == 120000.5 and r.get_json()["title"] == need.title
    central = make_user("central_officer")
    r = api(central).patch(url, json={"budget_thb": 150000})
    assert r.status_code == 200 and r.get_json()["budget_thb"] == 150000
    # money is a JSON number, never a string (SPEC, Errors, lists, values): refused, nothing changes
    refused(api(central), "patch", url, {"budget_thb": "160000"}, 422, "budget_thb", session=session)
    refused(
        api(make_user("district_director", district_code="p10-1")),
        "patch",
        url,
        {"budget_thb": 1},
        403,
        code="forbidden",
        session=session,
    )
    for bad in (-1, "x", 2e9, None):
        refused(api(central), "patch", url, {"budget_thb": bad}, 422, "budget_thb", session=session)
    # school staff cannot set it: the field is ignored like any other they may not set
    r = api(staff).patch(url, json={"budget_thb": 1})
    assert r.status_code == 200 and r.get_json()["budget_thb"] == 150000
    refused(api(make_user("company_rep")), "patch", url, {"budget_thb": 1}, 403, session=session)


def test_edit_and_cancel_are_refused_while_a_match_holds_quantity(
    api, make_user, make_need, make_offer, session
):
    staff = make_user("school_staff")
    rep = make_user("company_rep")
    need = make_need(staff, quantity=10)
    offer = make_offer(rep)
    client = api(staff)
    # a proposal alone holds nothing: editing is still allowed
    proposed = match_service.propose(
        session, staff, {"need_id": need.id, "offer_id": offer.id, "quantity": 4}
    )
    session.commit()
    assert client.patch(f"/api/v1/needs/{need.id}", json={"unit": "เครื่อง"}).status_code == 200
    act(session, rep, proposed.id, "accept")
    err = refused(
        client,
        "patch",
        f"/api/v1/needs/{need.id}",
        {"title": "Changed"},
        409,
        code="conflict",
        session=session,
    )
    assert "withdraw" in err["message"].lower()
    refused(client, "post", f"/api/v1/needs/{need.id}/cancel", None, 409, code="conflict", session=session)
    # the budget may still be set while a match holds quantity
    director = make_user("district_director", district_code="p50-1")
    assert api(director).patch(f"/api/v1/needs/{need.id}", json={"budget_thb": 5000}).status_code == 200
    act(session, staff, proposed.id, "withdraw")
    r = client.patch(f"/api/v1/needs/{need.id}", json={"title": "Changed"})
    assert r.status_code == 200 and r.get_json()["remaining_quantity"] == 10
    r = client.post(f"/api/v1/needs/{need.id}/cancel")
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    refused(client, "post", f"/api/v1/needs/{need.id}/cancel", None, 409, code="conflict", session=session)
    refused(
        client, "patch", f"/api/v1/needs/{need.id}", {"title": "Again"}, 409, code="conflict", session=session
    )


def test_cancel_with_idempotency_key_applies_once(api, make_user, make_need, session):
    staff = make_user("school_staff")
    need = make_need(staff)
    client = api(staff)
    first = client.post(f"/api/v1/needs/{need.id}/cancel", headers={"Idempotency-Key": "k-1"})
    again = client.post(f"/api/v1/needs/{need.id}/cancel", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()


def test_remaining_quantity_always_equals_the_holding_matches_sum(
    api, make_user, make_need, make_offer, session
):
    staff = make_user("school_staff")
    rep1, rep2 = make_user("company_rep"), make_user("company_rep")
    director = make_user("district_director", district_code="p50-1")
    need = make_need(staff, quantity=10, estimated_cost_thb=100000)
    o1 = make_offer(rep1, quantity=6, value_thb=60000)
    o2 = make_offer(rep2, quantity=8, value_thb=80000)
    o3 = make_offer(make_user("company_rep", company=rep1.company), quantity=5, value_thb=5000)

    def check():
        session.expire_all()
        n = session.get(Need, need.id)
        rows = list(session.scalars(sa.select(Match).where(Match.need_id == need.id)))
        held = sum(
            m.quantity for m in rows if m.status in ("pledged", "district_approved", "approved", "delivered")
        )
        held += sum(m.received_quantity for m in rows if m.status == "completed")
        assert n.committed_quantity == held
        body = api().get(f"/api/v1/needs/{need.id}").get_json()
        assert body["remaining_quantity"] == 10 - held
        for o in (o1, o2, o3):
            orow = session.get(Offer, o.id)
            oheld = sum(
                m.quantity
                for m in session.scalars(sa.select(Match).where(Match.offer_id == o.id))
                if m.status in ("pledged", "district_approved", "approved", "delivered", "completed")
            )
            assert orow.committed_quantity == oheld
        return body

    m1 = pledge(session, staff, rep1, need, o1, 4)
    assert check()["remaining_quantity"] == 6
    m2 = pledge(session, staff, rep2, need, o2, 6)
    body = check()
    assert body["remaining_quantity"] == 0 and body["status"] == "fulfilled"
    # fulfilled needs leave the open list and show under status=fulfilled
    assert need.id not in [n["id"] for n in api().get("/api/v1/needs").get_json()["items"]]
    assert need.id in [n["id"] for n in api().get("/api/v1/needs?status=fulfilled").get_json()["items"]]
    # nothing more can be proposed on a need with nothing left
    with pytest.raises(Conflict):
        match_service.propose(session, rep1, {"need_id": need.id, "offer_id": o3.id, "quantity": 1})
    session.rollback()
    act(session, rep2, m2.id, "withdraw")
    body = check()
    assert body["remaining_quantity"] == 6 and body["status"] == "open"
    act(session, director, m1.id, "approve")
    act(session, rep1, m1.id, "deliver")
    act(
        session, staff, m1.id, "confirm", received_quantity=3
    )  # one laptop never arrived: it returns to the need
    assert check()["remaining_quantity"] == 7
    m4 = pledge(session, staff, rep1, need, o3, 5)
    assert check()["remaining_quantity"] == 2
    act(session, director, m4.id, "reject", note="Not the right model")
    assert check()["remaining_quantity"] == 7


# --- lists, filters, search ----------------------------------------------------------------------------
def _ids(client, query=""):
    r = client.get("/api/v1/needs" + query)
    assert r.status_code == 200, (query, r.get_json())
    return [n["id"] for n in r.get_json()["items"]]


def test_list_shape_paging_and_cap(api, client, make_user, make_need):
    staff = make_user("school_staff")
    needs = [make_need(staff, title=f"Need {i}") for i in range(5)]
    r = client.get("/api/v1/needs")
    body = r.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == 20
    assert [n["id"] for n in body["items"]] == [n.id for n in reversed(needs)]  # newest first
    assert set(body["items"][0]) == NEED_KEYS
    body = client.get("/api/v1/needs?per_page=2&page=2").get_json()
    assert [n["id"] for n in body["items"]] == [needs[2].id, needs[1].id] and body["total"] == 5
    body = client.get("/api/v1/needs?per_page=1000").get_json()
    assert body["per_page"] == 100 and len(body["items"]) == 5
    body = client.get("/api/v1/needs?page=9&per_page=2").get_json()
    assert body["items"] == [] and body["total"] == 5 and body["page"] == 9
    body = client.get("/api/v1/needs?page=" + "9" * 5000).get_json()  # far past the end: still just no items
    assert body["items"] == [] and body["total"] == 5
    for bad in (
        "page=abc",
        "page=-1",
        "page=0",
        "per_page=x",
        "per_page=-5",
        "per_page=0",
        "page=1.5",
        "page=%C2%B2",
    ):
        r = client.get("/api/v1/needs?" + bad)
        assert r.status_code == 422, bad
        assert bad.split("=")[0] in r.get_json()["error"]["fields"]


def test_list_filters(client, make_user, make_school, make_need, session):
    core = make_user("school_staff", school=make_school("p50-1", "core"))
    remote = make_user("school_staff", school=make_school("p10-1", "stand_alone"))
    a = make_need(core, category="devices", urgency="critical", estimated_cost_thb=5000, needed_by=future(90))
    b = make_need(
        core,
        category="internet",
        urgency="low",
        estimated_cost_thb=90000,
        needed_by=future(10),
        title="Internet fibre",
    )
    c = make_need(remote, category="devices", urgency="high", estimated_cost_thb=20000, needed_by=None)
    d = make_need(remote, category="teacher_housing", title="ซ่อมบ้านพักครู")
    api_client = client
    from csr_hub.services import posts

    posts.cancel_need(session, remote, session.get(Need, d.id))
    session.commit()
    assert _ids(api_client) == [c.id, b.id, a.id]
    assert _ids(api_client, "?status=all") == [d.id, c.id, b.id, a.id]
    assert _ids(api_client, "?status=cancelled") == [d.id]
    assert _ids(api_client, "?category=devices") == [c.id, a.id]
    assert _ids(api_client, "?province=10") == [c.id]
    assert _ids(api_client, "?district=p50-1") == [b.id, a.id]
    assert _ids(api_client, "?quality_group=stand_alone&status=all") == [d.id, c.id]
    assert _ids(api_client, "?urgency=critical") == [a.id]
    assert _ids(api_client, "?category=devices&province=50&urgency=critical") == [a.id]
    assert _ids(api_client, "?sort=urgency") == [a.id, c.id, b.id]
    assert _ids(api_client, "?sort=value") == [b.id, c.id, a.id]
    assert _ids(api_client, "?sort=needed_by") == [b.id, a.id, c.id]  # no date last
    assert _ids(api_client, "?category=safety") == []
    for bad, field in (
        ("category=spaceships", "category"),
        ("province=99", "province"),
        ("district=p99-9", "district"),
        ("quality_group=big", "quality_group"),
        ("urgency=now", "urgency"),
        ("status=gone", "status"),
        ("sort=random", "sort"),
        ("school_id=abc", "school_id"),
        ("province=%00", "province"),
        ("district=p50%00", "district"),
        ("province=" + "1" * 300, "province"),
    ):
        r = api_client.get("/api/v1/needs?" + bad)
        assert r.status_code == 422, bad
        err = r.get_json()["error"]
        assert err["code"] == "validation_error" and field in err["fields"], bad


def test_thai_word_inside_an_unspaced_title_is_found(client, make_user, make_need):
    staff = make_user("school_staff")
    laptops = make_need(staff, title="ขอรับบริจาคคอมพิวเตอร์โน้ตบุ๊กสำหรับห้องเรียน", description="")
    housing = make_need(staff, title="ซ่อมแซมบ้านพักครูหลังคารั่ว", category="teacher_housing", description="")
    english = make_need(
        staff, title="Refurbished LAPTOPS for Grade 6", description="Any brand", category="devices"
    )
    assert laptops.id in _ids(client, "?q=โน้ตบุ๊ก")
    assert laptops.id in _ids(client, "?q=คอมพิวเตอร์")
    assert housing.id not in _ids(client, "?q=โน้ตบุ๊ก")
    assert _ids(client, "?q=บ้านพักครู") == [housing.id]
    assert _ids(client, "?q=หลังคา") == [housing.id]
    assert english.id in _ids(client, "?q=laptops") and english.id in _ids(client, "?q=Refurbished")
    assert _ids(client, "?q=REFURBISHED") == _ids(client, "?q=refurbished") == [english.id]
    assert _ids(client, "?q=grade 6 refurbished") == [english.id]
    assert _ids(client, "?q=xylophone") == []
    assert _ids(client, "?q=%25_") == _ids(client)  # symbols alone search nothing (never a LIKE wildcard)
    assert _ids(client, "?q=" + "ก" * 500) == []  # a long query is cut, not an error


def test_html_in_text_is_returned_as_data(api, make_user):
    staff = make_user("school_staff")
    title = '<script>alert("x")</script><b>โต๊ะ</b>'
    r = api(staff).post(
        "/api/v1/needs", json=need_body(title=title, description="<img src=x onerror=alert(1)>")
    )
    assert r.status_code == 201
    assert r.get_json()["title"] == title
    assert r.headers["Content-Type"].startswith("application/json")
    assert json.loads(r.get_data(as_text=True))["description"] == "<img src=x onerror=alert(1)>"

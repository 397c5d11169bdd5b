"""Offers through /api/v1: post, read, edit, withdraw, expire, list with "serves" filters and search."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Offer
from csr_hub.services import matches as match_service

from conftest import snapshot

OFFER_KEYS = {
    "id",
    "company_id",
    "category",
    "title",
    "description",
    "quantity",
    "unit",
    "value_thb",
    "provinces",
    "available_until",
    "status",
    "remaining_quantity",
    "created_at",
    "updated_at",
}
THRESHOLD = 500_000


def future(days: int = 30) -> str:
    return (today_bangkok() + timedelta(days=days)).isoformat()


def offer_body(**change):
    body = {
        "category": "devices",
        "title": "50 refurbished laptops",
        "description": "Core i5, 8 GB",
        "quantity": 50,
        "unit": "units",
        "value_thb": 500000,
        "provinces": ["50", "10"],
        "available_until": future(60),
    }
    body.update(change)
    return body


def refused(client, method, url, body, status, field=None, code=None, session=None):
    before = snapshot(session)
    r = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
    assert r.status_code == status, (body, r.status_code, r.get_json())
    err = r.get_json()["error"]
    if field:
        assert field in err["fields"] and err["fields"][field], (body, err)
    if code:
        assert err["code"] == code, err
    assert snapshot(session) == before, body
    return err


def pledge(session, school_user, company_user, need, offer, quantity):
    m = match_service.propose(
        session, company_user, {"need_id": need.id, "offer_id": offer.id, "quantity": quantity}
    )
    session.commit()
    m = match_service.act(session, school_user, m.id, {"action": "accept"}, THRESHOLD)
    session.commit()
    return m


def test_company_rep_posts_an_offer_and_protected_fields_are_ignored(api, make_user, make_company, session):
    rep = make_user("company_rep")
    other = make_company()
    r = api(rep).post(
        "/api/v1/offers",
        json=offer_body(
            value_thb=99999.999,
            id=5000,
            company_id=other.id,
            status="exhausted",
            remaining_quantity=0,
            withdrawn=True,
            committed_quantity=50,
            nationwide=True,
            verified=True,
            provinces=["50", "10", "50"],
        ),
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) == OFFER_KEYS
    assert body["id"] != 5000 and body["company_id"] == rep.company_id and body["status"] == "open"
    assert body["remaining_quantity"] == 50 and body["provinces"] == ["10", "50"]
    assert body["value_thb"] == 100000 and isinstance(body["value_thb"], int)  # 99999.999 rounds half up
    assert body["available_until"] == future(60)
    row = session.get(Offer, body["id"])
    assert row.company_id == rep.company_id and row.withdrawn is False and row.nationwide is False
    assert row.committed_quantity == 0 and row.created_by_id == rep.id


def test_an_offer_with_no_provinces_is_nationwide(api, make_user, session):
    r = api(make_user("company_rep")).post(
        "/api/v1/offers", json=offer_body(provinces=[], available_until=None, value_thb=1234.5)
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["provinces"] == [] and body["available_until"] is None and body["value_thb"] == 1234.5
    assert session.get(Offer, body["id"]).nationwide is True


BAD_OFFER_FIELDS = [
    ("quantity", 0),
    ("quantity", -1),
    ("quantity", 2_000_000),
    ("quantity", "many"),
    ("quantity", 2.5),
    ("value_thb", -0.01),
    ("value_thb", 5e9),
    ("value_thb", "free"),
    ("value_thb", None),
    ("value_thb", [1]),
    ("available_until", (today_bangkok() - timedelta(days=1)).isoformat()),
    ("available_until", "2026-02-30"),
    ("available_until", "next year"),
    ("provinces", ["99"]),
    ("provinces", ["50", "00"]),
    ("provinces", "50"),
    ("provinces", [50]),
    ("provinces", {"50": True}),
    ("provinces", ["5\u0000"]),
    ("provinces", ["50"] * 5 + [str(i) for i in range(100)]),
    ("category", "gold"),
    ("category", None),
    ("title", ""),
    ("title", "t" * 201),
    ("description", "d" * 5001),
    ("unit", "u" * 51),
]


def test_every_bad_field_is_refused_with_422_and_changes_nothing(api, make_user, session):
    client = api(make_user("company_rep"))
    for field, value in BAD_OFFER_FIELDS:
        refused(
            client,
            "post",
            "/api/v1/offers",
            offer_body(**{field: value}),
            422,
            field,
            "validation_error",
            session,
        )
    for field in ("category", "title", "quantity", "value_thb"):
        body = offer_body()
        del body[field]
        refused(client, "post", "/api/v1/offers", body, 422, field, "validation_error", session)
    assert session.scalar(sa.select(sa.func.count(Offer.id))) == 0


def test_only_active_company_reps_post_offers(api, make_user, session):
    cases = [
        (api(), 401, "unauthorized"),
        (api(make_user("company_rep", status="pending")), 403, "account_pending"),
    ]
    cases += [
        (api(make_user(role)), 403, "forbidden")
        for role in ("school_staff", "district_director", "central_officer", "admin")
    ]
    for client, status, code in cases:
        refused(client, "post", "/api/v1/offers", offer_body(), status, code=code, session=session)


def test_a_company_edits_its_offer_and_another_company_cannot(api, make_user, make_offer, session):
    rep = make_user("company_rep")
    offer = make_offer(rep, provinces=["50"])
    url = f"/api/v1/offers/{offer.id}"
    colleague = make_user("company_rep", company=rep.company)
    r = api(colleague).patch(
        url, json={"provinces": [], "value_thb": 450000.25, "company_id": 1, "status": "withdrawn"}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["provinces"] == [] and body["value_thb"] == 450000.25 and body["status"] == "open"
    assert body["company_id"] == rep.company_id and session.get(Offer, offer.id).nationwide is True
    for client, status, code in (
        (api(make_user("company_rep")), 403, "forbidden"),
        (api(make_user("school_staff")), 403, "forbidden"),
        (api(make_user("central_officer")), 403, "forbidden"),
        (api(), 401, "unauthorized"),
    ):
        refused(client, "patch", url, {"title": "Mine now"}, status, code=code, session=session)
        refused(client, "post", url + "/withdraw", None, status, code=code, session=session)
    own = api(rep)
    for field, value in BAD_OFFER_FIELDS:
        refused(own, "patch", url, {field: value}, 422, field, session=session)
    refused(own, "patch", "/api/v1/offers/999999", {"title": "x"}, 404, code="not_found", session=session)


def test_withdraw_and_edit_are_refused_while_a_match_holds_quantity(
    api, make_user, make_need, make_offer, session
):
    rep = make_user("company_rep")
    staff = make_user("school_staff")
    offer = make_offer(rep, quantity=5, value_thb=50000)
    need = make_need(staff, quantity=10)
    client = api(rep)
    m = pledge(session, staff, rep, need, offer, 2)
    refused(
        client,
        "patch",
        f"/api/v1/offers/{offer.id}",
        {"title": "Other"},
        409,
        code="conflict",
        session=session,
    )
    refused(
        client, "post", f"/api/v1/offers/{offer.id}/withdraw", None, 409, code="conflict", session=session
    )
    match_service.act(session, staff, m.id, {"action": "withdraw"}, THRESHOLD)
    session.commit()
    r = client.post(f"/api/v1/offers/{offer.id}/withdraw")
    assert (
        r.status_code == 200
        and r.get_json()["status"] == "withdrawn"
        and r.get_json()["remaining_quantity"] == 5
    )
    refused(
        client, "post", f"/api/v1/offers/{offer.id}/withdraw", None, 409, code="conflict", session=session
    )
    refused(
        client,
        "patch",
        f"/api/v1/offers/{offer.id}",
        {"title": "Back"},
        409,
        code="conflict",
        session=session,
    )
    assert offer.id not in [o["id"] for o in api().get("/api/v1/offers").get_json()["items"]]
    assert [o["id"] for o in api().get("/api/v1/offers?status=withdrawn").get_json()["items"]] == [offer.id]


def test_exhausted_offer_leaves_the_open_list(api, client, make_user, make_need, make_offer, session):
    rep = make_user("company_rep")
    staff = make_user("school_staff")
    offer = make_offer(rep, quantity=3)
    pledge(session, staff, rep, make_need(staff, quantity=5), offer, 3)
    body = client.get(f"/api/v1/offers/{offer.id}").get_json()
    assert body["status"] == "exhausted" and body["remaining_quantity"] == 0
    assert client.get("/api/v1/offers").get_json()["total"] == 0
    assert [o["id"] for o in client.get("/api/v1/offers?status=exhausted").get_json()["items"]] == [offer.id]


def test_an_offer_past_its_date_is_expired_without_anyone_editing_it(client, make_user, make_offer, session):
    rep = make_user("company_rep")
    old = make_offer(rep, title="Old printers")
    fresh = make_offer(rep, title="New printers")
    # time passes: the date is now in the past (set directly, as no one may post a past date)
    session.execute(
        sa.update(Offer).where(Offer.id == old.id).values(available_until=today_bangkok() - timedelta(days=1))
    )
    session.commit()
    assert client.get(f"/api/v1/offers/{old.id}").get_json()["status"] == "expired"
    assert client.get(f"/api/v1/offers/{fresh.id}").get_json()["status"] == "open"
    assert [o["id"] for o in client.get("/api/v1/offers").get_json()["items"]] == [fresh.id]
    assert [o["id"] for o in client.get("/api/v1/offers?status=expired").get_json()["items"]] == [old.id]
    assert {o["id"] for o in client.get("/api/v1/offers?status=all").get_json()["items"]} == {
        old.id,
        fresh.id,
    }
    # an offer ending today is still open today
    session.execute(sa.update(Offer).where(Offer.id == old.id).values(available_until=today_bangkok()))
    session.commit()
    assert client.get(f"/api/v1/offers/{old.id}").get_json()["status"] == "open"


def _ids(client, query=""):
    r = client.get("/api/v1/offers" + query)
    assert r.status_code == 200, (query, r.get_json())
    return [o["id"] for o in r.get_json()["items"]]


def test_province_and_district_filters_mean_serves_including_nationwide(client, make_user, make_offer):
    rep = make_user("company_rep")
    nationwide = make_offer(rep, provinces=[], title="Nationwide tablets")
    chiang_mai = make_offer(rep, provinces=["50"], title="Chiang Mai projectors", category="devices")
    rayong = make_offer(rep, provinces=["21"], title="Rayong fibre internet", category="internet")
    bangkok = make_offer(
        rep, provinces=["10", "11"], title="Bangkok teacher training", category="teaching_support"
    )
    assert _ids(client, "?province=50") == [chiang_mai.id, nationwide.id]
    assert _ids(client, "?province=11") == [bangkok.id, nationwide.id]
    assert _ids(client, "?province=96") == [nationwide.id]
    assert _ids(client, "?district=p50-1") == [chiang_mai.id, nationwide.id]
    # a secondary ESA that covers Chon Buri and Rayong is served by an offer for Rayong
    assert _ids(client, "?district=s20-1") == [rayong.id, nationwide.id]
    assert _ids(client, "?district=s20-1&category=internet") == [rayong.id]
    assert _ids(client, "?province=21&district=s20-1") == [rayong.id, nationwide.id]
    for bad, field in (
        ("province=99", "province"),
        ("district=nope", "district"),
        ("category=x", "category"),
        ("status=open,all", "status"),
        ("sort=cheapest", "sort"),
        ("company_id=-1", "company_id"),
    ):
        r = client.get("/api/v1/offers?" + bad)
        assert r.status_code == 422 and field in r.get_json()["error"]["fields"], bad


def test_offer_list_sorting_paging_and_search(client, make_user, make_offer):
    rep = make_user("company_rep")
    a = make_offer(
        rep,
        title="Solar panels for a school roof",
        category="facilities",
        value_thb=900000,
        available_until=future(200),
    )
    b = make_offer(
        rep,
        title="หนังสือนิทานภาษาไทย 500 เล่ม",
        category="learning_materials",
        value_thb=50000,
        available_until=future(20),
        description="สำหรับห้องสมุดโรงเรียนประถม",
    )
    c = make_offer(rep, title="Wi-Fi Routers", category="internet", value_thb=120000, available_until=None)
    assert _ids(client) == [c.id, b.id, a.id]
    assert _ids(client, "?sort=value") == [a.id, c.id, b.id]
    assert _ids(client, "?sort=needed_by") == [b.id, a.id, c.id]
    assert _ids(client, "?q=solar") == [a.id] and _ids(client, "?q=SOLAR Panels") == [a.id]
    assert _ids(client, "?q=wi-fi") == [c.id] and _ids(client, "?q=routers") == [c.id]
    assert _ids(client, "?q=นิทาน") == [b.id] and _ids(client, "?q=ห้องสมุด") == [b.id]
    body = client.get("/api/v1/offers?per_page=2&page=2").get_json()
    assert body == {**body, "total": 3, "page": 2, "per_page": 2} and [o["id"] for o in body["items"]] == [
        a.id
    ]
    assert client.get("/api/v1/offers?per_page=101").get_json()["per_page"] == 100
    assert client.get("/api/v1/offers?page=3&per_page=2").get_json()["items"] == []
    for bad in ("page=x", "per_page=-1", "page=-3"):
        assert client.get("/api/v1/offers?" + bad).status_code == 422, bad


def test_one_item_word_finds_an_offer_that_writes_it_inside_a_longer_kind(client, make_user, make_offer):
    rep = make_user("company_rep")
    satellite = make_offer(rep, title="อินเทอร์เน็ตดาวเทียมฟรี 1 ปี", category="internet", description="")
    fibre = make_offer(rep, title="Fibre internet for schools", category="internet", description="")
    milk = make_offer(rep, title="นักเรียนมีนมดื่มทุกวัน", category="student_welfare", description="")
    for q in ("อินเทอร์เน็ต", "internet"):
        assert set(_ids(client, f"?q={q}")) == {satellite.id, fibre.id}, q
    assert satellite.id not in _ids(client, "?q=นม") and milk.id in _ids(client, "?q=นม")


def test_a_search_with_a_count_finds_the_posts_that_give_the_thing(client, make_user, make_offer):
    """SPEC, Matching: "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง" finds "50 refurbished laptops"; as a query, the count and
    its unit say how many, not what (found by the contract probe: 0 results before)."""
    rep = make_user("company_rep")
    laptops = make_offer(rep)
    other = make_offer(
        rep, title="Solar panels for schools", description="5 kW rooftop systems", category="facilities"
    )
    for q in ("คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", "laptop 20", "20 laptops"):
        assert _ids(client, f"?q={q}") == [laptops.id], q
    assert other.id not in _ids(client, "?q=laptop 20")

"""Partnerships through /api/v1: propose, accept / decline / end, list, read; every refusal changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Notification, Partnership
from csr_hub.services import partnerships

from conftest import snapshot
from pcast import body, pc  # noqa: F401  (fixtures)

KEYS = {
    "id",
    "company_id",
    "school_id",
    "starts_on",
    "ends_on",
    "plan",
    "yearly_value_thb",
    "status",
    "history",
    "years",
}


def err(r, status, code, field=None):
    assert r.status_code == status, (r.status_code, r.get_json())
    e = r.get_json()["error"]
    assert e["code"] == code, e
    if field:
        assert field in e["fields"], e


def propose(api, pc, **kw):
    r = api(pc.rep).post("/api/v1/partnerships", json=body(pc.school.id, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_propose_201_shape_and_ignores_fields_the_user_may_not_set(api, pc, session):
    start = today_bangkok()
    data = body(pc.school.id, start, company_id=pc.company2.id, status="active", id=999)
    r = api(pc.rep).post("/api/v1/partnerships", json=data)
    assert r.status_code == 201, r.get_json()
    p = r.get_json()
    assert set(p) == KEYS
    assert p["company_id"] == pc.company.id and p["status"] == "proposed" and p["id"] != 999
    assert p["school_id"] == pc.school.id
    assert p["starts_on"] == start.isoformat() and p["yearly_value_thb"] == 250000
    assert [(h["action"], h["from_status"], h["to_status"]) for h in p["history"]] == [
        ("propose", None, "proposed")
    ]
    assert len(p["years"]) == 3
    assert p["years"][0]["year_start"] == start.isoformat()
    assert p["years"][0]["planned_value_thb"] == 250000
    # the school side hears of it: the ESA's director and the school's staff, not the proposer
    session.rollback()
    told = set(session.scalars(sa.select(Notification.user_id).where(Notification.partnership_id == p["id"])))
    assert told == {pc.director.id, pc.staff.id}
    kinds = set(session.scalars(sa.select(Notification.kind).where(Notification.partnership_id == p["id"])))
    assert kinds == {"partnership_changed"}


@pytest.mark.parametrize(
    "change,field",
    [
        ({"ends_on": None}, "ends_on"),
        ({"plan": ""}, "plan"),
        ({"plan": "x" * 5001}, "plan"),
        ({"yearly_value_thb": -1}, "yearly_value_thb"),
        ({"yearly_value_thb": 1_000_000_001}, "yearly_value_thb"),
        ({"yearly_value_thb": "lots"}, "yearly_value_thb"),
        ({"school_id": "abc"}, "school_id"),
        ({"school_id": 987654}, "school_id"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
    ],
)
def test_bad_fields_422_and_nothing_changes(api, pc, session, change, field):
    client = api(pc.rep)
    before = snapshot(session)
    r = client.post("/api/v1/partnerships", json={**body(pc.school.id), **change})
    err(r, 422, "validation_error", field)
    assert snapshot(session) == before


def test_dates_end_after_start_and_at_most_five_years(api, pc, session):
    start = date(2026, 3, 1)
    client = api(pc.rep)
    before = snapshot(session)
    for end in (start, start - timedelta(days=1), date(2031, 3, 2)):
        r = client.post("/api/v1/partnerships", json=body(pc.school.id, start, ends_on=end.isoformat()))
        err(r, 422, "validation_error", "ends_on")
    assert snapshot(session) == before
    r = client.post("/api/v1/partnerships", json=body(pc.school.id, start, ends_on="2031-03-01"))
    assert r.status_code == 201, r.get_json()
    assert len(r.get_json()["years"]) == 5  # exactly five years: five partnership years, not a sixth stub


def test_plan_of_5000_characters_is_accepted(api, pc):
    r = api(pc.rep).post("/api/v1/partnerships", json=body(pc.school.id, plan="ก" * 5000))
    assert r.status_code == 201, r.get_json()


def test_overlapping_partnership_of_the_same_pair_409(api, pc, session):
    start = date(2026, 6, 1)
    first = propose(api, pc, start=start, years=2)
    client = api(pc.rep)
    before = snapshot(session)
    r = client.post("/api/v1/partnerships", json=body(pc.school.id, date(2027, 5, 31), years=1))
    err(r, 409, "conflict")
    assert snapshot(session) == before
    # another company, or a later period, is fine
    assert api(pc.rep2).post("/api/v1/partnerships", json=body(pc.school.id, start)).status_code == 201
    later = body(pc.school.id, date(2028, 6, 1), years=1)
    assert api(pc.rep).post("/api/v1/partnerships", json=later).status_code == 201
    # once declined, the same dates may be proposed again
    r = api(pc.director).post(
        f"/api/v1/partnerships/{first['id']}/actions", json={"action": "decline", "note": "ซ้ำ"}
    )
    assert r.status_code == 200
    assert (
        api(pc.rep).post("/api/v1/partnerships", json=body(pc.school.id, start, years=2)).status_code == 201
    )


def test_only_active_company_reps_propose(api, pc, session, client):
    clients = [api(user) for user in (pc.staff, pc.director, pc.central, pc.admin)]
    pending = api(pc.pending_rep)
    before = snapshot(session)
    for c in clients:
        err(c.post("/api/v1/partnerships", json=body(pc.school.id)), 403, "forbidden")
    err(pending.post("/api/v1/partnerships", json=body(pc.school.id)), 403, "account_pending")
    err(client.post("/api/v1/partnerships", json=body(pc.school.id)), 401, "unauthorized")
    assert snapshot(session) == before
    assert (
        api(pc.rep).post("/api/v1/partnerships", data="nope", content_type="application/json").status_code
        == 400
    )


def act(api, user, pid, action, note=None):
    payload = {"action": action}
    if note is not None:
        payload["note"] = note
    return api(user).post(f"/api/v1/partnerships/{pid}/actions", json=payload)


def test_lifecycle_accept_then_end_with_history_and_notifications(api, pc, session):
    p = propose(api, pc)
    r = act(api, pc.director, p["id"], "accept")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "active"
    session.rollback()
    assert partnerships.active_partner_company_ids(session, pc.school.id) == {pc.company.id}
    assert partnerships.active_partner_school_ids(session, pc.company.id) == {pc.school.id}
    assert (
        partnerships.active_partner_company_ids(session, pc.school.id, today_bangkok() - timedelta(days=1))
        == set()
    )
    told = set(
        session.scalars(
            sa.select(Notification.user_id).where(
                Notification.partnership_id == p["id"], Notification.user_id == pc.rep.id
            )
        )
    )
    assert told == {pc.rep.id}
    r = act(api, pc.rep, p["id"], "end", "ครบตามแผน")
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["status"] == "ended"
    assert [(h["action"], h["to_status"], h["note"]) for h in out["history"]] == [
        ("propose", "proposed", ""),
        ("accept", "active", ""),
        ("end", "ended", "ครบตามแผน"),
    ]
    assert [h["actor_id"] for h in out["history"]] == [pc.rep.id, pc.director.id, pc.rep.id]
    session.rollback()
    assert partnerships.active_partner_company_ids(session, pc.school.id) == set()


def test_director_may_end_an_active_one(api, pc):
    p = propose(api, pc)
    assert act(api, pc.director, p["id"], "accept").status_code == 200
    r = act(api, pc.director, p["id"], "end", "โรงเรียนถูกควบรวม")
    assert r.status_code == 200 and r.get_json()["status"] == "ended"


# who, action, status → expected (403 before 409 before 422)
CASES = [
    ("rep", "accept", "proposed", 403),
    ("rep", "decline", "proposed", 403),
    ("rep2", "end", "active", 403),
    ("rep2", "accept", "proposed", 403),
    ("director2", "accept", "proposed", 403),
    ("director2", "end", "active", 403),
    ("central", "accept", "proposed", 403),
    ("admin", "end", "active", 403),
    ("staff", "accept", "proposed", 403),
    ("staff", "end", "active", 403),
    ("director", "accept", "active", 409),
    ("director", "decline", "active", 409),
    ("director", "end", "proposed", 409),
    ("rep", "end", "proposed", 409),
    ("rep", "end", "ended", 409),
    ("director", "accept", "declined", 409),
    ("director", "decline", "proposed-no-note", 422),
    ("director", "end", "active-no-note", 422),
    ("rep", "end", "active-no-note", 422),
    ("director", "bogus", "proposed", 422),
]


def _to_status(api, pc, status):
    p = propose(api, pc)
    if status in ("active", "ended", "active-no-note"):
        assert act(api, pc.director, p["id"], "accept").status_code == 200
    if status == "ended":
        assert act(api, pc.rep, p["id"], "end", "จบ").status_code == 200
    if status == "declined":
        assert act(api, pc.director, p["id"], "decline", "ไม่ตรงแผน").status_code == 200
    return p["id"]


@pytest.mark.parametrize("who,action,status,expected", CASES)
def test_refusals_follow_403_409_422_and_change_nothing(api, pc, session, who, action, status, expected):
    pid = _to_status(api, pc, status)
    client = api(getattr(pc, who))
    before = snapshot(session)
    note = None if status.endswith("no-note") else "เหตุผล"
    r = act(lambda _u: client, None, pid, action, note)
    code = {403: "forbidden", 409: "conflict", 422: "validation_error"}[expected]
    err(r, expected, code, "note" if status.endswith("no-note") else None)
    assert snapshot(session) == before


def test_blank_note_is_missing(api, pc, session):
    pid = _to_status(api, pc, "proposed")
    err(act(api, pc.director, pid, "decline", "   "), 422, "validation_error", "note")


def test_pending_accounts_cannot_act_and_see_nothing(api, pc, session):
    pid = _to_status(api, pc, "active")
    client = api(pc.pending_rep)
    before = snapshot(session)
    err(act(lambda _u: client, None, pid, "end", "x"), 403, "account_pending")
    assert snapshot(session) == before
    assert api(pc.pending_rep).get(f"/api/v1/partnerships/{pid}").status_code == 404
    assert api(pc.pending_staff).get("/api/v1/partnerships").get_json()["total"] == 0


def test_list_and_read_are_scoped_and_filtered(api, pc, session, client):
    a = propose(api, pc)["id"]
    b = api(pc.rep).post("/api/v1/partnerships", json=body(pc.school2.id)).get_json()["id"]
    c = api(pc.rep2).post("/api/v1/partnerships", json=body(pc.school2.id)).get_json()["id"]
    assert act(api, pc.director2, c, "accept").status_code == 200

    def ids(user, query=""):
        r = api(user).get("/api/v1/partnerships" + query)
        assert r.status_code == 200, r.get_json()
        j = r.get_json()
        assert set(j) == {"items", "total", "page", "per_page"}
        return {x["id"] for x in j["items"]}

    assert ids(pc.rep) == {a, b}
    assert ids(pc.rep2) == {c}
    assert ids(pc.staff) == {a}
    assert ids(pc.staff2) == {b, c}
    assert ids(pc.director) == {a}
    assert ids(pc.director2) == {b, c}
    assert ids(pc.central) == ids(pc.admin) == {a, b, c}
    assert ids(pc.central, "?status=active") == {c}
    assert ids(pc.central, f"?school_id={pc.school2.id}") == {b, c}
    assert ids(pc.central, f"?company_id={pc.company.id}&status=proposed") == {a, b}
    assert api(pc.central).get("/api/v1/partnerships?per_page=1").get_json()["per_page"] == 1
    err(api(pc.central).get("/api/v1/partnerships?status=nope"), 422, "validation_error", "status")
    err(api(pc.central).get("/api/v1/partnerships?school_id=x"), 422, "validation_error", "school_id")
    err(api(pc.central).get("/api/v1/partnerships?page=-1"), 422, "validation_error", "page")
    # one partnership: visible → 200, not visible → 404, anonymous → 401
    assert api(pc.staff).get(f"/api/v1/partnerships/{a}").status_code == 200
    for user in (pc.rep2, pc.staff2, pc.director2):
        err(api(user).get(f"/api/v1/partnerships/{a}"), 404, "not_found")
    err(client.get(f"/api/v1/partnerships/{a}"), 401, "unauthorized")
    err(client.get("/api/v1/partnerships"), 401, "unauthorized")
    err(api(pc.central).get("/api/v1/partnerships/99999"), 404, "not_found")
    assert session.scalar(sa.select(sa.func.count(Partnership.id))) == 3


def test_routes_are_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/partnerships"])
    assert "get" in paths["/partnerships/{partnership_id}"]
    assert "post" in paths["/partnerships/{partnership_id}/actions"]
    assert "get" in paths["/donations"]
    assert "get" in paths["/companies/{company_id}/statement"]
    assert "PartnershipInput" in doc["components"]["schemas"]


def test_a_change_reaches_every_party_but_the_actor_colleagues_included(api, pc, make_user, session):
    colleague = make_user("company_rep", company=pc.company)
    p = propose(api, pc)
    r = api(pc.director).post(f"/api/v1/partnerships/{p['id']}/actions", json={"action": "accept"})
    assert r.status_code == 200, r.get_json()
    r = api(colleague).post(f"/api/v1/partnerships/{p['id']}/actions", json={"action": "end", "note": "done"})
    assert r.status_code == 200, r.get_json()
    session.rollback()
    ended = set(
        session.scalars(
            sa.select(Notification.user_id).where(
                Notification.partnership_id == p["id"], Notification.message_en.contains("ended")
            )
        )
    )
    # the proposer (the acting rep's colleague), the school's staff and its director; not the one who ended it
    assert ended == {pc.rep.id, pc.staff.id, pc.director.id}

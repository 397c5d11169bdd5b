"""The pledge workflow through /api/v1/matches: propose, list, read, act; refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from csr_hub.models import Match, MatchTransition, Need, Offer

from conftest import snapshot
from workflow_cast import PER_UNIT, app_config, cast, make_match  # noqa: F401  (fixtures)

MATCH_KEYS = {
    "id",
    "need_id",
    "offer_id",
    "quantity",
    "value_thb",
    "status",
    "proposed_by",
    "proposed_by_user_id",
    "score",
    "parts",
    "received_quantity",
    "due_on",
    "escalated_at",
    "created_at",
    "updated_at",
    "history",
}


def propose(api, user, need_id, offer_id, quantity, **kw):
    return api(user).post(
        "/api/v1/matches", json={"need_id": need_id, "offer_id": offer_id, "quantity": quantity}, **kw
    )


def act(client, match_id, action, **fields):
    return client.post(f"/api/v1/matches/{match_id}/actions", json={"action": action, **fields})


def remaining(session, cast):
    session.rollback()
    return (
        session.get(Need, cast.need.id).remaining_quantity,
        session.get(Offer, cast.offer.id).remaining_quantity,
    )


def assert_error(r, status, code, field=None):
    assert r.status_code == status, (r.status_code, r.get_json())
    err = r.get_json()["error"]
    assert err["code"] == code, err
    if field:
        assert field in err["fields"], err


# --- propose --------------------------------------------------------------------------------------------
def test_school_proposes_201_with_the_contract_shape(api, cast, session):
    r = propose(api, cast.staff, cast.need.id, cast.offer.id, 3)
    assert r.status_code == 201, r.get_json()
    m = r.get_json()
    assert set(m) == MATCH_KEYS
    assert (m["status"], m["proposed_by"], m["proposed_by_user_id"]) == ("proposed", "school", cast.staff.id)
    assert m["quantity"] == 3 and m["value_thb"] == 3 * PER_UNIT and isinstance(m["value_thb"], int)
    assert m["received_quantity"] is None and 0 <= m["score"] <= 100
    assert m["history"] == [
        {
            "action": "propose",
            "from_status": None,
            "to_status": "proposed",
            "actor_id": cast.staff.id,
            "at": m["history"][0]["at"],
            "note": "",
        }
    ]
    # proposing holds nothing yet
    assert remaining(session, cast) == (20, 50)


def test_company_proposes_a_pledge(api, cast):
    r = propose(api, cast.rep, cast.need.id, cast.offer.id, 20)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["proposed_by"] == "company" and r.get_json()["status"] == "proposed"


VALUE_CASES = [
    (1000, 3, 1, 333.33),  # 333.333… → 333.33
    (1000, 3, 2, 666.67),  # 666.666… → 666.67
    ("0.05", 2, 1, 0.03),  # 0.025 → 0.03: half up, not half even
    ("100.01", 2, 1, 50.01),  # 50.005 → 50.01
    ("2.50", 2, 1, 1.25),
    (500000, 50, 7, 70000),
]


def test_value_is_quantity_times_the_offer_value_per_unit_rounded_half_up(api, cast, make_offer):
    client = api(cast.staff)
    for offer_value, offer_qty, qty, expected in VALUE_CASES:
        offer = make_offer(cast.rep, quantity=offer_qty, value_thb=offer_value)
        r = client.post(
            "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": offer.id, "quantity": qty}
        )
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["value_thb"] == expected, (offer_value, offer_qty, qty)
        assert Decimal(str(expected)) == (Decimal(str(offer_value)) / offer_qty * qty).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )


def test_propose_bad_quantity_422(api, cast, session):
    client = api(cast.staff)
    before = snapshot(session)
    for quantity in (0, -1, "x", None, 1.5, True):
        r = client.post(
            "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": quantity}
        )
        assert_error(r, 422, "validation_error", "quantity")
        assert snapshot(session) == before


def test_propose_more_than_remains_is_409_however_large(api, cast, session):
    # SPEC, Matches: "above what remains on the need or the offer … → 409" (below 1 is the 422)
    client = api(cast.staff)
    before = snapshot(session)
    for quantity in (1_000_001, 2**31, 2**63 - 1):
        r = client.post(
            "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": quantity}
        )
        assert_error(r, 409, "conflict")
        assert snapshot(session) == before


def test_propose_refusals_409_and_nothing_changes(api, cast, session, make_need, make_offer):
    client = api(cast.staff)
    post = lambda need_id, offer_id, q: client.post(
        "/api/v1/matches",
        json={
            "need_id": need_id,
            "offer_id": offer_id,  # noqa: E731
            "quantity": q,
        },
    )
    small_offer = make_offer(cast.rep, quantity=5, value_thb=5000)
    cancelled = make_need(cast.staff, quantity=3)
    assert api(cast.staff).post(f"/api/v1/needs/{cancelled.id}/cancel").status_code == 200
    withdrawn = make_offer(cast.rep, quantity=3)
    assert api(cast.rep).post(f"/api/v1/offers/{withdrawn.id}/withdraw").status_code == 200
    assert post(cast.need.id, cast.offer.id, 2).status_code == 201  # the active pair now exists
    before = snapshot(session)
    for need_id, offer_id, q in [
        (cast.need.id, small_offer.id, 6),  # above what remains on the offer
        (cast.need.id, small_offer.id, 21),  # above what remains on the need
        (cancelled.id, cast.offer.id, 1),  # the need is not open
        (cast.need.id, withdrawn.id, 1),  # the offer is not open
        (cast.need.id, cast.offer.id, 1),  # an active match of this pair already exists
    ]:
        r = post(need_id, offer_id, q)
        assert_error(r, 409, "conflict")
        assert snapshot(session) == before


def test_a_pair_may_be_proposed_again_once_the_first_match_dropped_out(api, cast, session):
    first = make_match(session, cast, "declined", quantity=2)
    r = propose(api, cast.staff, cast.need.id, cast.offer.id, 2)
    assert r.status_code == 201 and r.get_json()["id"] != first


def test_propose_by_anyone_else_403(api, cast, session):
    before = snapshot(session)
    for who in ("director", "central", "admin", "other_staff", "other_rep", "other_director"):
        r = propose(api, getattr(cast, who), cast.need.id, cast.offer.id, 1)
        assert_error(r, 403, "forbidden")
        assert snapshot(session) == before


def test_propose_by_a_pending_account_403_and_anonymous_401(api, cast, client, session):
    before = snapshot(session)
    assert_error(propose(api, cast.pending_staff, cast.need.id, cast.offer.id, 1), 403, "account_pending")
    r = client.post(
        "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 1}
    )
    assert_error(r, 401, "unauthorized")
    assert snapshot(session) == before


def test_propose_unknown_ids_and_bad_bodies(api, cast, session):
    c = api(cast.staff)
    before = snapshot(session)
    assert_error(
        c.post("/api/v1/matches", json={"need_id": 999999, "offer_id": cast.offer.id, "quantity": 1}),
        422,
        "validation_error",
        "need_id",
    )
    for body, field in [
        ({"need_id": cast.need.id, "offer_id": None, "quantity": 1}, "offer_id"),
        ({"offer_id": cast.offer.id, "quantity": 1}, "need_id"),
        ({"need_id": "a", "offer_id": cast.offer.id, "quantity": 1}, "need_id"),
        ({"need_id": cast.need.id, "offer_id": 999999, "quantity": 1}, "offer_id"),
        ({"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 1, "note": 5}, "note"),
    ]:
        assert_error(c.post("/api/v1/matches", json=body), 422, "validation_error", field)
    assert_error(c.post("/api/v1/matches", json=[1, 2]), 400, "bad_request")
    assert_error(
        c.post("/api/v1/matches", data="not json", headers={"Content-Type": "application/json"}),
        400,
        "bad_request",
    )
    assert snapshot(session) == before


# --- list and read ----------------------------------------------------------------------------------------
def test_list_shows_only_what_the_caller_may_see_and_filters(
    api, cast, session, make_school, make_user, make_need, make_offer
):
    mine = make_match(session, cast, "pledged", quantity=2)
    # another school in another ESA (p10-1) with another company's offer
    far_school = make_school("p10-1")
    far_staff = make_user("school_staff", school=far_school)
    far_need = make_need(far_staff, quantity=5)
    far_offer = make_offer(cast.other_rep, quantity=5, value_thb=5000)
    r = propose(api, far_staff, far_need.id, far_offer.id, 1)
    assert r.status_code == 201
    far = r.get_json()["id"]

    def ids(user, query=""):
        r = api(user).get("/api/v1/matches" + query)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert set(body) == {"items", "total", "page", "per_page"} and body["total"] == len(body["items"])
        return sorted(m["id"] for m in body["items"])

    assert ids(cast.staff) == [mine]
    assert ids(cast.rep) == [mine]
    assert ids(cast.director) == [mine]
    assert ids(cast.other_director) == [far]
    assert ids(cast.other_rep) == [far]
    assert ids(cast.other_staff) == []
    assert ids(cast.central) == sorted([mine, far]) == ids(cast.admin)
    assert ids(cast.pending_staff) == []  # hidden from a pending account until it is verified (spec)
    assert ids(cast.central, "?status=pledged") == [mine]
    assert ids(cast.central, "?status=proposed") == [far]
    assert ids(cast.central, f"?need_id={far_need.id}") == [far]
    assert ids(cast.central, f"?offer_id={cast.offer.id}") == [mine]
    assert ids(cast.central, "?district=p10-1") == [far]
    assert ids(cast.director, "?district=p10-1") == []  # a filter never widens what one may see
    page = api(cast.central).get("/api/v1/matches?per_page=1&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (2, 2, 1, 1)
    for query, field in [
        ("?status=nope", "status"),
        ("?need_id=x", "need_id"),
        ("?district=zz-9", "district"),
        ("?page=0", "page"),
        ("?per_page=-1", "per_page"),
    ]:
        assert_error(api(cast.central).get("/api/v1/matches" + query), 422, "validation_error", field)


def test_get_one_with_history_and_404_for_those_who_may_not_see_it(api, cast, session, client):
    match_id = make_match(session, cast, "completed")
    r = api(cast.rep).get(f"/api/v1/matches/{match_id}")
    assert r.status_code == 200
    m = r.get_json()
    assert set(m) == MATCH_KEYS and m["status"] == "completed" and m["received_quantity"] == 10
    steps = [(h["action"], h["from_status"], h["to_status"]) for h in m["history"]]
    assert steps == [
        ("propose", None, "proposed"),
        ("accept", "proposed", "pledged"),
        ("approve", "pledged", "district_approved"),
        ("approve", "district_approved", "approved"),
        ("deliver", "approved", "delivered"),
        ("confirm", "delivered", "completed"),
    ]
    assert [h["actor_id"] for h in m["history"]] == [
        cast.staff.id,
        cast.rep.id,
        cast.director.id,
        cast.central.id,
        cast.rep.id,
        cast.staff.id,
    ]
    ats = [h["at"] for h in m["history"]]
    assert ats == sorted(ats) and all("+" in a or a.endswith("Z") for a in ats)
    for who in ("staff", "director", "central", "admin"):
        assert api(getattr(cast, who)).get(f"/api/v1/matches/{match_id}").status_code == 200
    for who in ("other_staff", "other_rep", "other_director"):
        assert_error(api(getattr(cast, who)).get(f"/api/v1/matches/{match_id}"), 404, "not_found")
    assert_error(api(cast.central).get("/api/v1/matches/999999"), 404, "not_found")
    assert_error(client.get(f"/api/v1/matches/{match_id}"), 401, "unauthorized")


# --- legal paths --------------------------------------------------------------------------------------------
def walk(api, cast, match_id, steps, session):
    """Take each (who, action, fields) step through the API; check status, history and held quantities."""
    for who, action, fields, to, held in steps:
        r = act(api(getattr(cast, who)), match_id, action, **fields)
        assert r.status_code == 200, (who, action, r.get_json())
        m = r.get_json()
        assert m["status"] == to
        last = m["history"][-1]
        assert (last["action"], last["to_status"], last["actor_id"]) == (action, to, getattr(cast, who).id)
        assert last["note"] == fields.get("note", "")
        assert remaining(session, cast) == (20 - held[0], 50 - held[1]), (action, to)
    return m


def test_full_path_above_the_threshold_with_partial_receipt(api, cast, session):
    r = propose(api, cast.staff, cast.need.id, cast.offer.id, 12)  # 120,000 ≥ 100,000
    match_id = r.get_json()["id"]
    m = walk(
        api,
        cast,
        match_id,
        [
            ("rep", "accept", {}, "pledged", (12, 12)),
            ("director", "approve", {"note": "ตรวจแล้ว"}, "district_approved", (12, 12)),
            ("central", "approve", {}, "approved", (12, 12)),
            ("rep", "deliver", {}, "delivered", (12, 12)),
            ("staff", "confirm", {"received_quantity": 9, "note": "ได้รับ 9 เครื่อง"}, "completed", (9, 12)),
        ],
        session,
    )
    assert m["received_quantity"] == 9 and len(m["history"]) == 6
    assert session.get(Match, match_id).received_value_thb == Decimal("90000.00")
    need = api(cast.staff).get(f"/api/v1/needs/{cast.need.id}").get_json()
    assert need["remaining_quantity"] == 11 and need["status"] == "open"  # the 3 not received went back


def test_path_below_the_threshold_is_approved_by_the_director_alone(api, cast, session):
    match_id = propose(api, cast.rep, cast.need.id, cast.offer.id, 9).get_json()["id"]  # 90,000 < 100,000
    m = walk(
        api,
        cast,
        match_id,
        [
            ("staff", "accept", {}, "pledged", (9, 9)),
            ("director", "approve", {}, "approved", (9, 9)),
            ("rep", "deliver", {}, "delivered", (9, 9)),
            ("staff", "confirm", {"received_quantity": 9}, "completed", (9, 9)),
        ],
        session,
    )
    assert [h["to_status"] for h in m["history"]] == [
        "proposed",
        "pledged",
        "approved",
        "delivered",
        "completed",
    ]


def test_value_exactly_at_the_threshold_goes_to_central(api, cast, session):
    match_id = propose(api, cast.staff, cast.need.id, cast.offer.id, 10).get_json()[
        "id"
    ]  # 100,000 == threshold
    walk(
        api,
        cast,
        match_id,
        [
            ("rep", "accept", {}, "pledged", (10, 10)),
            ("director", "approve", {}, "district_approved", (10, 10)),
        ],
        session,
    )
    # the central officer's queue has it; the director's is empty
    queue = api(cast.central).get("/api/v1/matches?status=district_approved").get_json()
    assert [x["id"] for x in queue["items"]] == [match_id]


DROP_OUTS = [
    [("rep", "decline", {"note": "ของหมด"}, "declined", (0, 0))],
    [
        ("rep", "accept", {}, "pledged", (12, 12)),
        ("director", "reject", {"note": "ซ้ำกับงบประมาณ"}, "rejected", (0, 0)),
    ],
    [
        ("rep", "accept", {}, "pledged", (12, 12)),
        ("director", "approve", {}, "district_approved", (12, 12)),
        ("central", "reject", {"note": "เกินกรอบ"}, "rejected", (0, 0)),
    ],
    [("staff", "withdraw", {}, "withdrawn", (0, 0))],
    [("rep", "withdraw", {}, "withdrawn", (0, 0))],
    [("rep", "accept", {}, "pledged", (12, 12)), ("staff", "withdraw", {}, "withdrawn", (0, 0))],
    [
        ("rep", "accept", {}, "pledged", (12, 12)),
        ("director", "approve", {}, "district_approved", (12, 12)),
        ("rep", "withdraw", {"note": "เปลี่ยนแผน"}, "withdrawn", (0, 0)),
    ],
    [
        ("rep", "accept", {}, "pledged", (12, 12)),
        ("director", "approve", {}, "district_approved", (12, 12)),
        ("central", "approve", {}, "approved", (12, 12)),
        ("staff", "withdraw", {}, "withdrawn", (0, 0)),
    ],
]  # decline, director's reject, central's reject, withdrawals by either party from each status that allows it


def test_paths_that_drop_out_return_everything(api, cast, session):
    for steps in DROP_OUTS:
        # the same pair again each time: a match that dropped out no longer blocks it
        r = propose(api, cast.staff, cast.need.id, cast.offer.id, 12)
        assert r.status_code == 201, r.get_json()
        walk(api, cast, r.get_json()["id"], steps, session)


# --- every refusal, per status, role and scope ---------------------------------------------------------------
ROLE_OF = {"staff": "school", "rep": "company", "director": "director", "central": "central"}
EVER = {
    "accept": {"company"},
    "decline": {"company"},
    "approve": {"director", "central"},
    "reject": {"director", "central"},
    "deliver": {"company"},
    "confirm": {"school"},
    "withdraw": {"school", "company"},
}  # for a match the school proposed
LEGAL = {
    ("accept", "proposed"): "company",
    ("decline", "proposed"): "company",
    ("approve", "pledged"): "director",
    ("reject", "pledged"): "director",
    ("approve", "district_approved"): "central",
    ("reject", "district_approved"): "central",
    ("deliver", "approved"): "company",
    ("confirm", "delivered"): "school",
    **{("withdraw", s): "either" for s in ("proposed", "pledged", "district_approved", "approved")},
}
ACTIONS = ("accept", "decline", "approve", "reject", "deliver", "confirm", "withdraw")


def expected_code(who: str, action: str, status: str) -> int:
    role = ROLE_OF.get(who)
    if role is None or role not in EVER[action]:
        return 403
    legal = LEGAL.get((action, status))
    if legal is None or (legal != "either" and legal != role):
        return 409
    return 200


STATUSES = (
    "proposed",
    "pledged",
    "district_approved",
    "approved",
    "delivered",
    "completed",
    "declined",
    "rejected",
    "withdrawn",
)


def test_every_refusal_per_status_role_and_scope_changes_nothing(api, cast, session, make_need, make_offer):
    from csr_hub.services import matches

    at = {}
    for status in STATUSES:  # one match in each status, each of its own need and offer (of the same parties)
        cast.need = make_need(cast.staff, title=f"need for a {status} match", quantity=20)
        cast.offer = make_offer(cast.rep, title=f"offer for a {status} match", quantity=50, value_thb=500_000)
        at[status] = make_match(session, cast, status)
    clients = {who: api(u) for who, u in cast.users().items()}
    pending = api(cast.pending_staff)
    before = snapshot(session)
    refusals = 0
    for status, match_id in at.items():
        legal = []
        for who, client in clients.items():
            for action in ACTIONS:
                want = expected_code(who, action, status)
                if want == 200:
                    legal.append((who, action))
                    continue
                r = act(client, match_id, action, note="x", received_quantity=1)
                assert_error(r, want, "forbidden" if want == 403 else "conflict")
                assert snapshot(session) == before, (status, who, action)
                refusals += 1
        # a pending member of the school's own staff is refused whatever the action
        for action in ACTIONS:
            assert_error(act(pending, match_id, action, note="x"), 403, "account_pending")
        assert snapshot(session) == before
        # and the legal ones are exactly those the table names
        m = matches.get_match(session, cast.central, match_id)
        for who in ("staff", "rep", "director", "central"):
            got = matches.allowed_actions_for(getattr(cast, who), m)
            assert sorted(got) == sorted(a for w, a in legal if w == who), (status, who)
    # every combination but the 16 legal (user, action, status) ones: 4 at proposed, 4 at pledged, 4 at
    # district_approved, 3 at approved (deliver, withdraw by either party), 1 at delivered
    assert refusals == 9 * 8 * 7 - 16 == 488


def test_reject_needs_a_reason_and_confirm_a_quantity_in_range(api, cast, session):
    pledged = make_match(session, cast, "pledged", quantity=12)
    before = snapshot(session)
    for note in (None, "", "   "):
        body = {} if note is None else {"note": note}
        assert_error(act(api(cast.director), pledged, "reject", **body), 422, "validation_error", "note")
    assert_error(act(api(cast.director), pledged, "reject", note=5), 422, "validation_error", "note")
    assert_error(
        act(api(cast.director), pledged, "approve", note="x" * 2001), 422, "validation_error", "note"
    )
    assert snapshot(session) == before
    assert act(api(cast.staff), pledged, "withdraw").status_code == 200
    delivered = make_match(session, cast, "delivered", quantity=12)
    before = snapshot(session)
    for bad in (None, -1, 13, "abc", 2.5, True):
        body = {} if bad is None else {"received_quantity": bad}
        assert_error(
            act(api(cast.staff), delivered, "confirm", **body), 422, "validation_error", "received_quantity"
        )
        assert snapshot(session) == before
    for bad_action in (None, "", "complete", 7):
        assert_error(act(api(cast.staff), delivered, bad_action), 422, "validation_error", "action")
    assert snapshot(session) == before
    assert act(api(cast.staff), delivered, "confirm", received_quantity=0).status_code == 200
    assert remaining(session, cast) == (20, 50 - 12)  # nothing arrived: all of it back on the need


def test_unknown_match_404_and_bad_body_400(api, cast, session):
    before = snapshot(session)
    assert_error(act(api(cast.staff), 999999, "accept"), 404, "not_found")
    match_id = make_match(session, cast, "proposed")
    before = snapshot(session)
    c = api(cast.rep)
    assert_error(c.post(f"/api/v1/matches/{match_id}/actions", json=["accept"]), 400, "bad_request")
    assert_error(
        c.post(f"/api/v1/matches/{match_id}/actions", data="{", headers={"Content-Type": "application/json"}),
        400,
        "bad_request",
    )
    assert snapshot(session) == before


def test_session_write_without_csrf_header_is_refused(api, cast, session):
    match_id = make_match(session, cast, "proposed")
    c = api(cast.rep)
    before = snapshot(session)
    r = c.client.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"})
    assert_error(r, 400, "csrf_failed")
    assert snapshot(session) == before


def test_bearer_token_acts_without_csrf(api, cast, session, client):
    match_id = make_match(session, cast, "proposed")
    from conftest import PASSWORD

    token = client.post(
        "/api/v1/auth/tokens", json={"email": cast.rep.email, "password": PASSWORD}
    ).get_json()["token"]
    r = act(api(token=token), match_id, "accept")
    assert r.status_code == 200 and r.get_json()["status"] == "pledged"


# --- capacity -----------------------------------------------------------------------------------------------
def test_accept_that_would_over_commit_is_409_and_changes_nothing(api, cast, session, make_offer, make_need):
    other_offer = make_offer(cast.rep, quantity=30, value_thb=30000)
    big_need = make_need(cast.staff, quantity=40)
    a = propose(api, cast.staff, cast.need.id, cast.offer.id, 15).get_json()["id"]
    b = propose(api, cast.staff, cast.need.id, other_offer.id, 15).get_json()["id"]
    c = propose(api, cast.staff, big_need.id, cast.offer.id, 36).get_json()["id"]
    assert act(api(cast.rep), a, "accept").status_code == 200
    before = snapshot(session)
    assert_error(act(api(cast.rep), b, "accept"), 409, "conflict")  # the need has 5 left, not 15
    assert snapshot(session) == before
    assert_error(act(api(cast.rep), c, "accept"), 409, "conflict")  # the offer has 35 left, not 36
    assert snapshot(session) == before
    assert remaining(session, cast) == (5, 35)
    # what fits still goes through
    assert act(api(cast.staff), c, "withdraw").status_code == 200
    d = propose(api, cast.staff, big_need.id, cast.offer.id, 35).get_json()["id"]
    assert act(api(cast.rep), d, "accept").status_code == 200
    assert remaining(session, cast) == (5, 0)
    offer = api(cast.rep).get(f"/api/v1/offers/{cast.offer.id}").get_json()
    assert (offer["status"], offer["remaining_quantity"]) == ("exhausted", 0)


def test_committed_quantity_always_equals_the_matches_sum(api, cast, session):
    make_match(session, cast, "completed", quantity=12)  # need holds 10 received, offer 12
    make_match(session, cast, "declined", quantity=3)
    session.rollback()
    held_need = held_offer = 0
    for m in session.scalars(sa.select(Match)):
        if m.status in ("pledged", "district_approved", "approved", "delivered"):
            held_need += m.quantity
            held_offer += m.quantity
        elif m.status == "completed":
            held_need += m.received_quantity
            held_offer += m.quantity
    need, offer = session.get(Need, cast.need.id), session.get(Offer, cast.offer.id)
    assert (need.committed_quantity, offer.committed_quantity) == (held_need, held_offer) == (10, 12)


# --- Idempotency-Key ----------------------------------------------------------------------------------------
def test_idempotency_key_on_propose_answers_the_first_response_again(api, cast, session):
    c = api(cast.staff)
    body = {"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 4}
    r1 = c.post("/api/v1/matches", json=body, headers={"Idempotency-Key": "k-propose-1"})
    r2 = c.post("/api/v1/matches", json=body, headers={"Idempotency-Key": "k-propose-1"})
    assert r1.status_code == r2.status_code == 201
    assert r1.get_json() == r2.get_json()
    assert session.scalar(sa.select(sa.func.count(Match.id))) == 1
    # without the key the same body is a duplicate pair: 409
    assert_error(c.post("/api/v1/matches", json=body), 409, "conflict")
    # another user's same key is another request
    r3 = api(cast.rep).post("/api/v1/matches", json=body, headers={"Idempotency-Key": "k-propose-1"})
    assert r3.status_code == 409


def test_idempotency_key_on_actions_applies_nothing_twice(api, cast, session):
    match_id = make_match(session, cast, "proposed", quantity=5)
    c = api(cast.rep)
    h = {"Idempotency-Key": "accept-once"}
    r1 = c.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=h)
    r2 = c.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=h)
    assert r1.status_code == r2.status_code == 200 and r1.get_json() == r2.get_json()
    session.rollback()
    assert (
        session.scalar(
            sa.select(sa.func.count(MatchTransition.id)).where(MatchTransition.match_id == match_id)
        )
        == 2
    )
    assert remaining(session, cast) == (15, 45)
    # a refusal is remembered too: the same key answers the same 409 again
    h2 = {"Idempotency-Key": "accept-again"}
    r3 = c.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=h2)
    r4 = c.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=h2)
    assert r3.status_code == r4.status_code == 409 and r3.get_json() == r4.get_json()

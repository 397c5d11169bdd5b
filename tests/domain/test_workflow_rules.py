"""The pledge workflow's rules, checked against a table written here from the SPEC diagram (no app)."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest

from csr_hub.domain import workflow
from csr_hub.domain.workflow import Actor, Forbidden, IllegalTransition, decide

# --- the SPEC, written out independently of csr_hub.domain.workflow ----------------------------------
SCHOOL, COMPANY, DIRECTOR, CENTRAL, NONE = "school", "company", "director", "central", "none"
ACTORS = (SCHOOL, COMPANY, DIRECTOR, CENTRAL, NONE)
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
    "expired",
)
ACTIONS = ("accept", "decline", "approve", "reject", "deliver", "confirm", "withdraw")
THRESHOLD = Decimal("500000")

# (action, from) -> (who, to). "counterparty" = the side that did not propose; "by value" = the threshold.
ARROWS = {
    ("accept", "proposed"): ("counterparty", "pledged"),
    ("decline", "proposed"): ("counterparty", "declined"),
    ("approve", "pledged"): (DIRECTOR, "by value"),
    ("reject", "pledged"): (DIRECTOR, "rejected"),
    ("approve", "district_approved"): (CENTRAL, "approved"),
    ("reject", "district_approved"): (CENTRAL, "rejected"),
    ("deliver", "approved"): (COMPANY, "delivered"),
    ("confirm", "delivered"): (SCHOOL, "completed"),
    ("withdraw", "proposed"): ("either party", "withdrawn"),
    ("withdraw", "pledged"): ("either party", "withdrawn"),
    ("withdraw", "district_approved"): ("either party", "withdrawn"),
    ("withdraw", "approved"): ("either party", "withdrawn"),
}
# what each role may ever do (SPEC "People and roles"): anything else is 403 whatever the status
EVER = {
    "accept": {"counterparty"},
    "decline": {"counterparty"},
    "approve": {DIRECTOR, CENTRAL},
    "reject": {DIRECTOR, CENTRAL},
    "deliver": {COMPANY},
    "confirm": {SCHOOL},
    "withdraw": {SCHOOL, COMPANY},
}


def who(spec: str, proposed_by: str) -> set[str]:
    if spec == "counterparty":
        return {COMPANY if proposed_by == "school" else SCHOOL}
    if spec == "either party":
        return {SCHOOL, COMPANY}
    return {spec}


def ever(action: str, proposed_by: str) -> set[str]:
    return set().union(*(who(w, proposed_by) for w in EVER[action]))


def held(status: str, quantity: int, received: int | None) -> tuple[int, int]:
    """(need, offer) quantity a match holds in a status (SPEC "Capacity")."""
    if status in ("pledged", "district_approved", "approved", "delivered"):
        return quantity, quantity
    if status == "completed":
        return received, quantity
    return 0, 0


def expected(action: str, status: str, actor: str, proposed_by: str, value: Decimal) -> int | str:
    """403, 409, or the status the match goes to."""
    if actor not in ever(action, proposed_by):
        return 403
    arrow = ARROWS.get((action, status))
    if arrow is None or actor not in who(arrow[0], proposed_by):
        return 409
    to = arrow[1]
    if to == "by value":
        to = "district_approved" if value >= THRESHOLD else "approved"
    return to


def call(
    action,
    status,
    actor,
    proposed_by="school",
    quantity=5,
    value=Decimal("1000"),
    received=None,
    threshold=THRESHOLD,
):
    return decide(
        action,
        status,
        Actor(actor),
        proposed_by=proposed_by,
        quantity=quantity,
        value_thb=value,
        threshold_thb=threshold,
        received_quantity=received,
    )


# --- every (action × status × actor) for both proposers and both sides of the threshold ----------------
CASES = list(product(ACTIONS, STATUSES, ACTORS, ("school", "company"), (Decimal("1000"), Decimal("600000"))))


def test_the_table_covers_every_combination():
    assert len(CASES) == 7 * 10 * 5 * 2 * 2
    assert set(workflow.STATUSES) == set(STATUSES) and set(workflow.ACTIONS) == set(ACTIONS)


@pytest.mark.parametrize(
    "action,status,actor,proposed_by,value", CASES, ids=[f"{a}-{s}-{r}-by_{p}-{v}" for a, s, r, p, v in CASES]
)
def test_every_combination_against_the_spec(action, status, actor, proposed_by, value):
    want = expected(action, status, actor, proposed_by, value)
    received = 3 if action == "confirm" else None
    if want == 403:
        with pytest.raises(Forbidden):
            call(action, status, actor, proposed_by, value=value, received=received)
    elif want == 409:
        with pytest.raises(IllegalTransition):
            call(action, status, actor, proposed_by, value=value, received=received)
    else:
        d = call(action, status, actor, proposed_by, quantity=5, value=value, received=received)
        assert d.to_status == want
        need_before, offer_before = held(status, 5, None)
        need_after, offer_after = held(want, 5, received)
        assert (d.need_delta, d.offer_delta) == (need_after - need_before, offer_after - offer_before)


def test_illegal_from_every_final_status_for_everyone():
    for status in ("completed", "declined", "rejected", "withdrawn"):
        for action, actor, by in product(ACTIONS, ACTORS, ("school", "company")):
            with pytest.raises((Forbidden, IllegalTransition)):
                call(action, status, actor, by)
    assert all(
        not workflow.allowed_actions(s, Actor(a), proposed_by=p)
        for s in ("completed", "declined", "rejected", "withdrawn")
        for a in ACTORS
        for p in ("school", "company")
    )


def test_unknown_action_is_forbidden():
    with pytest.raises(Forbidden):
        call("delete", "proposed", SCHOOL)
    with pytest.raises(Forbidden):
        call("propose", "proposed", COMPANY)


@pytest.mark.parametrize("status,actor,proposed_by", list(product(STATUSES, ACTORS, ("school", "company"))))
def test_allowed_actions_are_exactly_the_legal_ones(status, actor, proposed_by):
    legal = [a for a in ACTIONS if expected(a, status, actor, proposed_by, Decimal(1)) not in (403, 409)]
    assert workflow.allowed_actions(status, Actor(actor), proposed_by=proposed_by) == legal


# --- the threshold, on both sides ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,threshold,to",
    [
        ("500000", "500000", "district_approved"),  # value == threshold → central approval
        ("500000.01", "500000", "district_approved"),
        ("499999.99", "500000", "approved"),  # one satang below → the director's approval is final
        ("0", "500000", "approved"),
        ("1000", "1000", "district_approved"),
        ("999.99", "1000", "approved"),
        ("1000.10", 1000.1, "district_approved"),  # a float threshold is read as its decimal text
        ("1000.09", 1000.1, "approved"),
        ("0", "0", "district_approved"),
    ],
)
def test_threshold_both_sides(value, threshold, to):
    d = call("approve", "pledged", DIRECTOR, value=Decimal(value), threshold=threshold)
    assert d.to_status == to and (d.need_delta, d.offer_delta) == (0, 0)


def test_below_threshold_the_director_approval_is_one_transition_and_central_then_has_nothing_to_do():
    d = call("approve", "pledged", DIRECTOR, value=Decimal("10"))
    assert d.to_status == "approved"
    with pytest.raises(IllegalTransition):
        call("approve", "approved", CENTRAL)


# --- capacity ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("received", [0, 1, 6, 7])
def test_confirm_keeps_the_received_quantity_on_the_need_and_all_on_the_offer(received):
    d = call("confirm", "delivered", SCHOOL, quantity=7, received=received)
    assert d.to_status == "completed"
    assert d.need_delta == -(7 - received) and d.offer_delta == 0


def test_confirm_without_a_quantity_means_everything_arrived_and_out_of_range_is_refused():
    assert call("confirm", "delivered", SCHOOL, quantity=4).need_delta == 0
    for bad in (-1, 5):
        with pytest.raises(ValueError):
            call("confirm", "delivered", SCHOOL, quantity=4, received=bad)


@pytest.mark.parametrize("status", ["proposed", "pledged", "district_approved", "approved"])
def test_withdraw_releases_what_is_held(status):
    d = call("withdraw", status, COMPANY, quantity=9)
    h = held(status, 9, None)
    assert (d.need_delta, d.offer_delta) == (-h[0], -h[1])


# --- every legal path, walked step by step ------------------------------------------------------------------
def _paths(proposed_by: str, value: Decimal):
    """Every sequence of (action, actor) from proposed to a final status, from the independent table."""
    out = []

    def walk(status, steps):
        moves = [
            (a, r) for (a, s), (w, _to) in ARROWS.items() if s == status for r in sorted(who(w, proposed_by))
        ]
        if not moves:
            out.append(steps)
            return
        for a, r in moves:
            to = expected(a, status, r, proposed_by, value)
            walk(to, steps + [(a, r, status, to)])

    walk("proposed", [])
    return out


@pytest.mark.parametrize("proposed_by", ["school", "company"])
@pytest.mark.parametrize("value", [Decimal("1000"), Decimal("500000")])
def test_every_legal_path(proposed_by, value):
    paths = _paths(proposed_by, value)
    # below: decline, withdraw×2 at proposed, reject, withdraw×2 at pledged, withdraw×2 at approved, complete;
    # at or above, also central's reject and withdraw×2 at district_approved
    assert len(paths) == (9 if value < THRESHOLD else 12)
    for path in paths:
        need_held = offer_held = 0
        status = "proposed"
        for action, actor, frm, to in path:
            assert frm == status
            received = 2 if action == "confirm" else None
            d = call(action, status, actor, proposed_by, quantity=5, value=value, received=received)
            assert d.to_status == to
            need_held += d.need_delta
            offer_held += d.offer_delta
            assert 0 <= need_held <= 5 and 0 <= offer_held <= 5
            status = to
        assert status in ("completed", "declined", "rejected", "withdrawn")
        assert (need_held, offer_held) == held(status, 5, 2)
        assert workflow.whose_turn(status, proposed_by) is None


def test_whose_turn_follows_the_diagram():
    assert workflow.whose_turn("proposed", "school") == Actor.COMPANY
    assert workflow.whose_turn("proposed", "company") == Actor.SCHOOL
    assert workflow.whose_turn("pledged", "school") == Actor.DIRECTOR
    assert workflow.whose_turn("district_approved", "company") == Actor.CENTRAL
    assert workflow.whose_turn("approved", "school") == Actor.COMPANY
    assert workflow.whose_turn("delivered", "company") == Actor.SCHOOL

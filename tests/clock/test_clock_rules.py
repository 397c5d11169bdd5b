"""The clock's pure rules (no app): escalation's extra arrows, the clock's own arrow, due dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from csr_hub.domain.workflow import Actor, Forbidden, IllegalTransition, allowed_actions, clock_decide, decide
from csr_hub.services.clock import Settings, due_on_for, queue_order

RULES = dict(proposed_by="school", quantity=2, threshold_thb=Decimal("100000"))


@pytest.mark.parametrize(
    "value,to", [(Decimal("50000"), "approved"), (Decimal("100000"), "district_approved")]
)
def test_central_decides_an_escalated_pledge_like_the_director(value, to):
    with pytest.raises(IllegalTransition):
        decide("approve", "pledged", Actor.CENTRAL, value_thb=value, **RULES)
    assert (
        decide("approve", "pledged", Actor.CENTRAL, value_thb=value, escalated=True, **RULES).to_status == to
    )
    assert (
        decide("approve", "pledged", Actor.DIRECTOR, value_thb=value, escalated=True, **RULES).to_status == to
    )
    reject = decide("reject", "pledged", Actor.CENTRAL, value_thb=value, escalated=True, **RULES)
    assert (reject.to_status, reject.need_delta, reject.offer_delta) == ("rejected", -2, -2)
    with pytest.raises(Forbidden):
        decide("approve", "pledged", Actor.SCHOOL, value_thb=value, escalated=True, **RULES)
    assert allowed_actions("pledged", Actor.CENTRAL, proposed_by="school") == []
    assert allowed_actions("pledged", Actor.CENTRAL, proposed_by="school", escalated=True) == [
        "approve",
        "reject",
    ]


def test_only_the_clock_expires_and_only_a_proposal():
    assert clock_decide("expire", "proposed").to_status == "expired"
    for status in ("pledged", "district_approved", "approved", "delivered", "completed", "expired"):
        with pytest.raises(IllegalTransition):
            clock_decide("expire", status)
    for actor in Actor:
        with pytest.raises(Forbidden):
            decide("expire", "proposed", actor, value_thb=Decimal("1"), **RULES)


def test_due_dates_per_status():
    s = Settings(answer_days=14, approval_days=7, review_days=120)
    day = date(2026, 12, 31)
    assert due_on_for("proposed", day, settings=s) == date(2027, 1, 14)
    assert due_on_for("pledged", day, settings=s) == date(2027, 1, 7)
    assert due_on_for("district_approved", day, settings=s) == date(2027, 1, 7)
    assert due_on_for("approved", day, date(2027, 3, 1), settings=s) == date(2027, 3, 1)
    for final in ("completed", "declined", "rejected", "withdrawn", "expired", "delivered"):
        assert due_on_for(final, day, settings=s) is None


def test_queue_order_puts_escalated_first_then_soonest_due():
    class M:
        def __init__(self, id, due, escalated, status="pledged"):
            self.id, self.due_on, self.escalated_at, self.status = id, due, escalated, status

    rows = [
        M(1, date(2027, 1, 9), None),
        M(2, date(2027, 1, 5), None),
        M(3, date(2027, 1, 20), "x"),
        M(4, None, None, "approved"),
    ]
    assert [m.id for m in queue_order(rows)] == [3, 2, 1, 4]

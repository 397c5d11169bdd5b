"""The pledge workflow: states, actions, who may take them, and what each does to capacity.

Pure Python: the pages, the API and the services all ask :func:`decide`; nothing else knows the rules.

Two kinds of refusal, checked in this order:

- :class:`Forbidden` (403): the actor may not take this action on this match in *any* status — a company
  accepting its own proposal, a school approving, a director of another ESA, an admin.
- :class:`IllegalTransition` (409): the actor could take this action on this match, but not in its current
  status — approving twice, delivering before approval, withdrawing after delivery. A request that lost a
  race to another one lands here too, which is why "already done" is a 409 and not a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from csr_hub.domain import policy
from csr_hub.domain.policy import MatchStatus


#: the match statuses and their groups are defined once, in :mod:`csr_hub.domain.policy`; the tuples keep
#: the diagram's order for the pages and reports
Status = MatchStatus
STATUSES = tuple(s.value for s in MatchStatus)
#: a match in one of these blocks a second match of the same pair
ACTIVE_STATUSES = tuple(s.value for s in MatchStatus if s in policy.ACTIVE)
#: statuses that hold quantity on both the need and the offer (a completed one: its received quantity)
HOLDING_STATUSES = tuple(s.value for s in MatchStatus if s in policy.HOLDING)
#: statuses awaiting an approver
WAITING_APPROVAL = tuple(s.value for s in MatchStatus if s in policy.WAITING_APPROVAL)
#: statuses nothing leaves
FINAL_STATUSES = tuple(s.value for s in MatchStatus if s in policy.FINAL)
ACTIONS = ("accept", "decline", "approve", "reject", "deliver", "confirm", "withdraw")


class Actor(str, Enum):
    """How the acting user stands towards one match."""

    SCHOOL = "school"  # staff of the need's school
    COMPANY = "company"  # a rep of the offer's company
    DIRECTOR = "director"  # director of the school's ESA
    CENTRAL = "central"  # a central officer
    NONE = "none"  # anyone else (another school, another company, another ESA's director, an admin)


#: stands in the transition table for "the side that did not propose"
COUNTERPARTY = "counterparty"
#: stands in the transition table for "pledged → approved or district_approved, by the threshold"
BY_THRESHOLD = "by_threshold"

#: (action, from status) → (who may take it, to status). One row per arrow of the SPEC diagram.
TRANSITIONS: dict[tuple[str, str], tuple[tuple[object, ...], str]] = {
    ("accept", "proposed"): ((COUNTERPARTY,), "pledged"),
    ("decline", "proposed"): ((COUNTERPARTY,), "declined"),
    ("approve", "pledged"): ((Actor.DIRECTOR,), BY_THRESHOLD),
    ("reject", "pledged"): ((Actor.DIRECTOR,), "rejected"),
    ("approve", "district_approved"): ((Actor.CENTRAL,), "approved"),
    ("reject", "district_approved"): ((Actor.CENTRAL,), "rejected"),
    ("deliver", "approved"): ((Actor.COMPANY,), "delivered"),
    ("confirm", "delivered"): ((Actor.SCHOOL,), "completed"),
    **{
        ("withdraw", s): ((Actor.SCHOOL, Actor.COMPANY), "withdrawn")
        for s in ("proposed", "pledged", "district_approved", "approved")
    },
}


#: arrows that open once the clock escalated the match (SPEC, The clock): a central officer may approve or
#: reject a pledge in the director's place; the history records who did
ESCALATED_TRANSITIONS: dict[tuple[str, str], tuple[Actor, ...]] = {
    ("approve", "pledged"): (Actor.CENTRAL,),
    ("reject", "pledged"): (Actor.CENTRAL,),
}
#: arrows only the clock takes (no actor: the history entry has ``actor_id`` null)
CLOCK_TRANSITIONS: dict[tuple[str, str], str] = {("expire", "proposed"): "expired"}


class WorkflowError(Exception):
    code = "conflict"


class Forbidden(WorkflowError):
    """The actor's role or scope may not take this action on this match (403)."""

    code = "forbidden"


class IllegalTransition(WorkflowError):
    """The action is not allowed in the match's current status (409)."""

    code = "conflict"


@dataclass(frozen=True)
class Decision:
    to_status: str
    #: change to the need's committed quantity
    need_delta: int
    #: change to the offer's committed quantity
    offer_delta: int


def counterparty(proposed_by: str) -> Actor:
    return Actor.COMPANY if proposed_by == "school" else Actor.SCHOOL


def _actors(who: tuple[object, ...], proposed_by: str) -> set[Actor]:
    return {counterparty(proposed_by) if w == COUNTERPARTY else w for w in who}  # type: ignore[misc]


def may_ever(action: str, actor: Actor, proposed_by: str) -> bool:
    """May this actor take ``action`` on this match in some status (the 403 check)?"""
    return any(
        actor in _actors(who, proposed_by) for (a, _s), (who, _to) in TRANSITIONS.items() if a == action
    )


def _dec(value: object) -> Decimal:
    """Decimal through ``str`` so a float threshold of 1000.1 is 1000.1, not its binary neighbour."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def decide(
    action: str,
    status: str,
    actor: Actor,
    *,
    proposed_by: str,
    quantity: int,
    value_thb: Decimal,
    threshold_thb: Decimal | float | int,
    received_quantity: int | None = None,
    escalated: bool = False,
) -> Decision:
    """Return what ``action`` does to a match, or raise :class:`Forbidden` / :class:`IllegalTransition`.

    Role and scope are checked first (403), then the status (409). ``received_quantity`` (for ``confirm``)
    is validated by the caller; left out it means everything arrived. ``escalated``: the clock escalated
    the match, which opens :data:`ESCALATED_TRANSITIONS`.
    """
    if action not in ACTIONS or not may_ever(action, actor, proposed_by):
        raise Forbidden(action)
    row = TRANSITIONS.get((action, status))
    if row is None or actor not in _may_take(action, status, proposed_by, escalated):
        raise IllegalTransition(f"{action} is not allowed while the match is {status}")
    to = row[1]
    if to == BY_THRESHOLD:
        to = "district_approved" if _dec(value_thb) >= _dec(threshold_thb) else "approved"
    q = quantity
    if action == "accept":
        return Decision(to, q, q)
    if action in ("reject", "withdraw"):
        held = q if status in HOLDING_STATUSES else 0
        return Decision(to, -held, -held)
    if action == "confirm":
        received = q if received_quantity is None else received_quantity
        if not 0 <= received <= q:
            raise ValueError("received_quantity must be between 0 and the match's quantity")
        return Decision(to, -(q - received), 0)
    return Decision(to, 0, 0)


def _may_take(action: str, status: str, proposed_by: str, escalated: bool) -> set[Actor]:
    """Who may take ``action`` in ``status`` (the table's row, and the escalation's where it applies)."""
    row = TRANSITIONS.get((action, status))
    who = _actors(row[0], proposed_by) if row is not None else set()
    if escalated:
        who |= set(ESCALATED_TRANSITIONS.get((action, status), ()))
    return who


def allowed_actions(status: str, actor: Actor, *, proposed_by: str, escalated: bool = False) -> list[str]:
    """Actions this actor could take now (for the buttons on a match page)."""
    return [
        a
        for a in ACTIONS
        if (a, status) in TRANSITIONS and actor in _may_take(a, status, proposed_by, escalated)
    ]


def clock_decide(action: str, status: str) -> Decision:
    """What a clock action (``expire``) does; only from a status that holds no quantity."""
    to = CLOCK_TRANSITIONS.get((action, status))
    if to is None:
        raise IllegalTransition(f"{action} is not allowed while the match is {status}")
    return Decision(to, 0, 0)


def approvers_turn(status: str, proposed_by: str, escalated: bool = False) -> set[Actor]:
    """Everyone who may decide a waiting match now (the director, and central officers once escalated)."""
    turn = whose_turn(status, proposed_by)
    out = {turn} if turn in (Actor.DIRECTOR, Actor.CENTRAL) else set()
    if escalated and status == "pledged":
        out.add(Actor.CENTRAL)
    return out


def whose_turn(status: str, proposed_by: str) -> Actor | None:
    """Who is expected to act next (for notifications and queues); None once the match is final."""
    return {
        "proposed": counterparty(proposed_by),
        "pledged": Actor.DIRECTOR,
        "district_approved": Actor.CENTRAL,
        "approved": Actor.COMPANY,
        "delivered": Actor.SCHOOL,
    }.get(status)

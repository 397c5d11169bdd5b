"""The pledge workflow: states, actions, who may take them, and what each does to capacity.

Pure Python: the pages, the API and the services all ask :func:`decide`; nothing else knows the rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Status(str, Enum):
    PROPOSED = "proposed"
    PLEDGED = "pledged"
    DISTRICT_APPROVED = "district_approved"
    APPROVED = "approved"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUSES = tuple(s.value for s in Status)
#: a match in one of these blocks a second match of the same pair
ACTIVE_STATUSES = ("proposed", "pledged", "district_approved", "approved", "delivered")
#: statuses that hold quantity on both the need and the offer
HOLDING_STATUSES = ("pledged", "district_approved", "approved", "delivered", "completed")
#: statuses awaiting an approver
WAITING_APPROVAL = ("pledged", "district_approved")
ACTIONS = ("accept", "decline", "approve", "reject", "deliver", "confirm", "withdraw")


class Actor(str, Enum):
    """How the acting user stands towards one match."""

    SCHOOL = "school"  # staff of the need's school
    COMPANY = "company"  # a rep of the offer's company
    DIRECTOR = "director"  # director of the school's ESA
    CENTRAL = "central"  # a central officer
    NONE = "none"  # anyone else


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


def _may(action: str, actor: Actor, proposed_by: str) -> bool:
    if action in ("accept", "decline"):
        return actor == counterparty(proposed_by)
    if action in ("approve", "reject"):
        return actor in (Actor.DIRECTOR, Actor.CENTRAL)
    if action == "deliver":
        return actor == Actor.COMPANY
    if action == "confirm":
        return actor == Actor.SCHOOL
    if action == "withdraw":
        return actor in (Actor.SCHOOL, Actor.COMPANY)
    return False


def decide(
    action: str,
    status: str,
    actor: Actor,
    *,
    proposed_by: str,
    quantity: int,
    value_thb: Decimal,
    threshold_thb: Decimal,
    received_quantity: int | None = None,
) -> Decision:
    """Return what ``action`` does to a match, or raise :class:`Forbidden` / :class:`IllegalTransition`.

    Role and scope are checked first (403), then the status (409).
    """
    if action not in ACTIONS or not _may(action, actor, proposed_by):
        raise Forbidden(action)
    q = quantity
    if action == "accept" and status == "proposed":
        return Decision("pledged", q, q)
    if action == "decline" and status == "proposed":
        return Decision("declined", 0, 0)
    if action == "approve":
        if actor == Actor.DIRECTOR and status == "pledged":
            to = "district_approved" if Decimal(value_thb) >= Decimal(threshold_thb) else "approved"
            return Decision(to, 0, 0)
        if actor == Actor.CENTRAL and status == "district_approved":
            return Decision("approved", 0, 0)
    if action == "reject":
        if (actor == Actor.DIRECTOR and status == "pledged") or (
            actor == Actor.CENTRAL and status == "district_approved"
        ):
            return Decision("rejected", -q, -q)
    if action == "deliver" and status == "approved":
        return Decision("delivered", 0, 0)
    if action == "confirm" and status == "delivered":
        received = q if received_quantity is None else received_quantity
        return Decision("completed", -(q - received), 0)
    if action == "withdraw" and status in ("proposed", "pledged", "district_approved", "approved"):
        held = q if status in HOLDING_STATUSES else 0
        return Decision("withdrawn", -held, -held)
    raise IllegalTransition(f"{action} is not allowed while the match is {status}")


def allowed_actions(status: str, actor: Actor, *, proposed_by: str) -> list[str]:
    """Actions this actor could take now (for the buttons on a match page)."""
    out = []
    for action in ACTIONS:
        try:
            decide(action, status, actor, proposed_by=proposed_by, quantity=1,
                   value_thb=Decimal(0), threshold_thb=Decimal(1), received_quantity=1)
        except WorkflowError:
            continue
        out.append(action)
    return out


def whose_turn(status: str, proposed_by: str) -> Actor | None:
    """Who is expected to act next (for notifications and queues)."""
    return {
        "proposed": counterparty(proposed_by),
        "pledged": Actor.DIRECTOR,
        "district_approved": Actor.CENTRAL,
        "approved": Actor.COMPANY,
        "delivered": Actor.SCHOOL,
    }.get(status)

"""A step of a match or a partnership, written once: its history row and its audit event, together.

Every transition (a party's, an approver's, the clock's) adds one row to the object's history
(``match_transitions`` / ``partnership_transitions``, never edited) and one audit event ``<kind>.<action>``
in the same transaction. A first step (no status before it: ``propose``) names no statuses in the event,
its action says it; every later one records ``from_status`` and ``to_status``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from csr_hub.models import Match, MatchTransition, Partnership, PartnershipTransition
from csr_hub.services import audit

#: each kind of object: its history's model and the column naming the object there
HISTORY: dict[type, tuple[type, str]] = {
    Match: (MatchTransition, "match_id"),
    Partnership: (PartnershipTransition, "partnership_id"),
}


def record_step(
    session: Session,
    row: Any,
    action: str,
    from_status: str | None,
    to_status: str,
    *,
    by: Any = None,
    ip: str = "",
    note: str = "",
    at: datetime | None = None,
) -> None:
    """Add the history row and the audit event of ``row`` (a match or a partnership) taking ``action`` by the
    user ``by`` (None: the clock), at ``at`` (default: now)."""
    model, column = HISTORY[type(row)]
    step = model(action=action, from_status=from_status, to_status=to_status, note=note)
    setattr(step, column, row.id)
    step.actor_id = by.id if by is not None else None
    if at is not None:
        step.at = at
    session.add(step)
    statuses = {} if from_status is None else {"from_status": from_status, "to_status": to_status}
    audit.record_on(session, f"{audit.object_type(row)}.{action}", row, by=by, ip=ip, **statuses)

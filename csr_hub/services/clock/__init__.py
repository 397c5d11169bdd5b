"""The clock: deadlines, reminders, expiry and escalation (SPEC, The clock).

:func:`tick` does everything due on one day (Asia/Bangkok) and is idempotent: each step selects only the
rows still to be done (a conditional UPDATE changes a row once) and each reminder carries a ``dedupe_key``
so a second run on the same day — or two runs racing — sends nothing more. ``flask jobs tick`` calls it,
and so can the production scheduler.

The steps: match deadlines (clock/deadlines.py) and need reviews (clock/needs.py); what they share — the
settings, the result, Bangkok days — is in clock/base.py.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Notification
from csr_hub.services import notify
from csr_hub.services.clock.base import DEFAULTS, Settings, TickResult, bangkok_date, start_of
from csr_hub.services.clock.deadlines import (
    days_waited,
    due_on_for,
    entered_on,
    expire_proposals,
    fill_due_dates,
    match_due_on,
    queue_order,
    remind_and_escalate,
)
from csr_hub.services.clock.needs import BATCH, NEED_EXPIRY_DAYS, confirm_need, review_needs

__all__ = [
    "BATCH",
    "DEFAULTS",
    "NEED_EXPIRY_DAYS",
    "Settings",
    "TickResult",
    "bangkok_date",
    "confirm_need",
    "days_waited",
    "due_on_for",
    "entered_on",
    "match_due_on",
    "pending_reminders",
    "queue_order",
    "start_of",
    "tick",
]


def tick(session: Session, today: date | None = None, settings: Settings | None = None) -> TickResult:
    """Do everything the clock owes ``today`` (default: today in Bangkok); the caller commits (the CLI
    does, once; so does a job runner)."""
    today = today or today_bangkok()
    s = settings or Settings.from_config()
    result = TickResult(today=today)
    now = datetime.now(timezone.utc)
    fill_due_dates(session, s, result)
    expire_proposals(session, today, now, result)
    remind_and_escalate(session, today, now, s, result)
    review_needs(session, today, now, s, result)
    session.flush()
    return result


def pending_reminders(session: Session, user_id: int) -> int:
    """Unread reminders and escalations of one user (for a badge)."""
    return (
        session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
                Notification.kind.in_((notify.Kind.REMINDER, notify.Kind.ESCALATED)),
            )
        )
        or 0
    )

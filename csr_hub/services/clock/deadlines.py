"""Match deadlines: when each waiting step is due, and what the clock does to a match past its due date.

A match's ``due_on`` is stored by every transition (:func:`due_on_for`). A ``proposed`` match expires the
day after it; a waiting pledge is reminded the day after it and escalated to the central officers the
day after ``due_on + CSR_APPROVAL_DAYS`` (past twice the approval days since it entered its status).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from csr_hub.domain.policy import WAITING_APPROVAL, MatchStatus
from csr_hub.labels import _p, say_both
from csr_hub.domain.reference import today_bangkok
from csr_hub.domain.workflow import Actor, approvers_turn, clock_decide
from csr_hub.models import Match, Need
from csr_hub.services import audit, history, notify
from csr_hub.services.notify import Kind
from csr_hub.services.clock.base import Settings, TickResult, bangkok_date

#: statuses a deadline applies to that the clock itself enforces
WAITING = (MatchStatus.PROPOSED, *WAITING_APPROVAL)


def due_on_for(
    status: str, entered_on: date, needed_by: date | None = None, settings: Settings | None = None
) -> date | None:
    """The date by which the step waiting in ``status`` should be taken (None where no deadline applies)."""
    s = settings or Settings.from_config()
    if status == MatchStatus.PROPOSED:
        return entered_on + timedelta(days=s.answer_days)
    if status in WAITING_APPROVAL:
        return entered_on + timedelta(days=s.approval_days)
    if status == MatchStatus.APPROVED:
        return needed_by  # the company delivers by the date the school needs it, where it gave one
    return None


def entered_on(match: Match) -> date:
    """The day the match entered its current status (its history's last entry into it)."""
    for t in reversed(match.history):
        if t.to_status == match.status:
            return bangkok_date(t.at)
    return bangkok_date(match.updated_at or match.created_at)


def match_due_on(match: Match, settings: Settings | None = None) -> date | None:
    """The stored due date, or, for a row written before due dates were stored, one from its history."""
    if match.due_on is not None or match.status not in WAITING:
        return match.due_on
    return due_on_for(match.status, entered_on(match), match.need.needed_by if match.need else None, settings)


def days_waited(match: Match, today: date | None = None) -> int:
    return max(0, ((today or today_bangkok()) - entered_on(match)).days)


def queue_order(rows: list[Match]) -> list[Match]:
    """An approver's queue: escalated ones first, then by due date (soonest, overdue first), then oldest."""
    far = date.max
    return sorted(rows, key=lambda m: (m.escalated_at is None, match_due_on(m) or far, m.id))


EXPIRED = _p("notification", "The proposal {match} expired: nobody answered in time — status: Expired")
OVERDUE = _p("notification", "{match} waits for your approval past its due date ({due})")
ESCALATED = _p(
    "notification",
    "{match} has waited for approval more than twice its deadline (due {due}): a central officer may decide it",
)


def _load(session: Session, q) -> list[Match]:
    opts = (joinedload(Match.need).joinedload(Need.school), joinedload(Match.offer))
    return list(session.scalars(q.options(*opts).order_by(Match.id)).unique())


def fill_due_dates(session: Session, s: Settings, result: TickResult) -> None:
    """Rows written before due dates were stored (or by a bulk loader) get theirs from their history."""
    for m in _load(session, sa.select(Match).where(Match.status.in_(WAITING), Match.due_on.is_(None))):
        due = due_on_for(m.status, entered_on(m), m.need.needed_by, s)
        session.execute(
            sa.update(Match)
            .where(Match.id == m.id, Match.due_on.is_(None), Match.status == m.status)
            .values(due_on=due, updated_at=Match.updated_at)
            .execution_options(synchronize_session=False)
        )
        m.due_on = due
        result.due_dates_set += 1


def expire_proposals(session: Session, today: date, now: datetime, result: TickResult) -> None:
    """Proposals nobody answered by their due date expire; both parties are told."""
    rows = _load(session, sa.select(Match).where(Match.status == MatchStatus.PROPOSED, Match.due_on < today))
    for m in rows:
        decision = clock_decide("expire", m.status)
        res = session.execute(
            sa.update(Match)
            .where(Match.id == m.id, Match.status == MatchStatus.PROPOSED, Match.version == m.version)
            .values(status=decision.to_status, version=m.version + 1, due_on=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # a party answered, or another tick got there first
            continue
        history.record_step(session, m, "expire", MatchStatus.PROPOSED, decision.to_status, at=now)
        told = notify.users_for(session, m, (Actor.SCHOOL, Actor.COMPANY))
        th, en = say_both(EXPIRED, match=notify.match_ref(m))
        key = f"expire:match:{m.id}"
        sent = notify.notify_users(session, told, Kind.MATCH_CHANGED, th, en, about=m, dedupe_key=key)
        result.notifications += len(sent)
        result.matches_expired += 1


def remind_and_escalate(
    session: Session, today: date, now: datetime, s: Settings, result: TickResult
) -> None:
    """Approvers past the due date are reminded; past twice the approval days the central officers are
    told they may decide instead."""
    rows = _load(
        session, sa.select(Match).where(Match.status.in_(tuple(WAITING_APPROVAL)), Match.due_on < today)
    )
    for m in rows:
        due = m.due_on
        assert due is not None
        approvers = notify.users_for(session, m, approvers_turn(m.status, m.proposed_by))
        th, en = say_both(OVERDUE, match=notify.match_ref(m), due=due.isoformat())
        key = f"reminder:match:{m.id}:{m.status}"
        sent = notify.notify_users(session, approvers, Kind.REMINDER, th, en, about=m, dedupe_key=key)
        if sent:
            result.approval_reminders += 1
            result.notifications += len(sent)
        if today <= due + timedelta(days=s.approval_days):
            continue
        newly = False
        if m.escalated_at is None:
            res = session.execute(
                sa.update(Match)
                .where(Match.id == m.id, Match.escalated_at.is_(None))
                .values(escalated_at=now, updated_at=Match.updated_at)
                .execution_options(synchronize_session=False)
            )
            newly = res.rowcount == 1
            if newly:
                audit.record_on(session, "match.escalate", m)
        central = notify.users_for(session, m, (Actor.CENTRAL,))
        th, en = say_both(ESCALATED, match=notify.match_ref(m), due=due.isoformat())
        key = f"escalated:match:{m.id}:{m.status}"
        sent = notify.notify_users(session, central, Kind.ESCALATED, th, en, about=m, dedupe_key=key)
        result.notifications += len(sent)
        if newly or sent:
            result.escalated += 1

"""Need reviews: a need with no change for ``CSR_NEED_REVIEW_DAYS`` asks its school to confirm it, and
expires :data:`NEED_EXPIRY_DAYS` days after that request if nobody confirmed it and no match holds
quantity on it. A change, a new match or :func:`confirm_need` restarts the count."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.labels import _p, say_both
from csr_hub.domain.policy import HOLDING, Role, UserStatus
from csr_hub.models import Match, Need, User
from csr_hub.services import audit, notify
from csr_hub.services.clock.base import Settings, TickResult, start_of

#: a need the clock asked to confirm expires this many days after the request
NEED_EXPIRY_DAYS = 30
#: rows changed per statement in the clock's bulk steps
BATCH = 1000


REVIEW = _p(
    "notification",
    "The need “{title}” has not changed in {days} days: please confirm it is still wanted by {by}, or it expires",
)


def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _live():
    return sa.and_(Need.cancelled.is_(False), Need.expired.is_(False))


def _last_activity_after(cutoff: datetime):
    """Needs changed, confirmed or given a new match at or after ``cutoff``."""
    new_match = sa.exists().where(Match.need_id == Need.id, Match.created_at >= cutoff)
    return sa.or_(
        Need.updated_at >= cutoff,
        Need.created_at >= cutoff,
        sa.and_(Need.reviewed_at.is_not(None), Need.reviewed_at >= cutoff),
        new_match,
    )


def review_needs(session: Session, today: date, now: datetime, s: Settings, result: TickResult) -> None:
    """Clear the requests that activity answered, ask about stale needs, expire the unconfirmed ones."""
    _clear_answered(session, result)
    _ask_schools(session, today, s, result)
    _expire_unconfirmed(session, today, now, result)


def _clear_answered(session: Session, result: TickResult) -> None:
    """A need asked to confirm that changed or got a match since is confirmed by that: the count restarts
    (one query per day a request was made: at most NEED_EXPIRY_DAYS of them are still open)."""
    live = _live()
    days = session.scalars(
        sa.select(Need.review_requested_on).where(live, Need.review_requested_on.is_not(None)).distinct()
    ).all()
    for requested in days:
        res = session.execute(
            sa.update(Need)
            .where(live, Need.review_requested_on == requested, _last_activity_after(start_of(requested)))
            .values(review_requested_on=None, updated_at=Need.updated_at)
            .execution_options(synchronize_session=False)
        )
        result.need_reviews_cleared += res.rowcount or 0


def _ask_schools(session: Session, today: date, s: Settings, result: TickResult) -> None:
    """Stale open needs: ask their school once per review (in batches: a national run asks thousands)."""
    cutoff = start_of(today - timedelta(days=s.review_days - 1))
    stale = list(
        session.execute(
            sa.select(Need.id, Need.school_id, Need.title)
            .where(
                _live(),
                Need.review_requested_on.is_(None),
                Need.committed_quantity < Need.quantity,
                sa.not_(_last_activity_after(cutoff)),
            )
            .order_by(Need.id)
        )
    )
    expires = today + timedelta(days=NEED_EXPIRY_DAYS)
    for chunk in _chunks(stale, BATCH):
        ids = [row.id for row in chunk]
        res = session.execute(
            sa.update(Need)
            .where(Need.id.in_(ids), Need.review_requested_on.is_(None))
            .values(review_requested_on=today, updated_at=Need.updated_at)
            .execution_options(synchronize_session=False)
        )
        result.need_reviews_requested += res.rowcount or 0
        staff: dict[int, list[int]] = {}
        for uid, school_id in session.execute(
            sa.select(User.id, User.school_id).where(
                User.role == Role.SCHOOL_STAFF,
                User.status == UserStatus.ACTIVE,
                User.school_id.in_({row.school_id for row in chunk}),
            )
        ):
            staff.setdefault(school_id, []).append(uid)
        for row in chunk:
            if not staff.get(row.school_id):
                continue
            title = " ".join(row.title.split())[:80]
            result.notifications += len(
                notify.notify_users(
                    session,
                    staff[row.school_id],
                    notify.Kind.REMINDER,
                    *say_both(REVIEW, title=title, days=s.review_days, by=expires.isoformat()),
                    links={"need_id": row.id},
                    dedupe_key=f"review:need:{row.id}:{today.isoformat()}",
                )
            )


def _expire_unconfirmed(session: Session, today: date, now: datetime, result: TickResult) -> None:
    """Thirty days after the request, unconfirmed and with no match holding quantity: expired."""
    last_request_day = today - timedelta(days=NEED_EXPIRY_DAYS)
    holding = sa.exists().where(Match.need_id == Need.id, Match.status.in_(tuple(HOLDING)))
    due = sa.and_(
        _live(), Need.review_requested_on.is_not(None), Need.review_requested_on <= last_request_day
    )
    candidates = list(session.scalars(sa.select(Need.id).where(due, sa.not_(holding)).order_by(Need.id)))
    for ids in _chunks(candidates, BATCH):
        done = list(
            session.scalars(
                sa.update(Need)
                .where(Need.id.in_(ids), due, sa.not_(holding))
                .values(expired=True, expired_at=now, updated_at=Need.updated_at)
                .returning(Need.id)
                .execution_options(synchronize_session=False)
            )
        )
        for need_id in done:
            audit.record(session, "need.expire", actor_id=None, object_type="need", object_id=need_id)
        result.needs_expired += len(done)


def confirm_need(session: Session, actor: User, need: Need, ip: str = "") -> Need:
    """Its school says the need still stands: the review count restarts, an expired need reopens."""
    from flask_babel import lazy_gettext as _l

    from csr_hub.services.errors import AccountPending, Conflict, Forbidden

    if actor.role != Role.SCHOOL_STAFF or actor.school_id != need.school_id:
        raise Forbidden()
    if actor.status != UserStatus.ACTIVE:
        raise AccountPending()
    if need.cancelled:
        raise Conflict(_l("This need is cancelled."))
    audit.record(session, "need.confirm", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip)
    now = datetime.now(timezone.utc)
    need.reviewed_at = now
    need.review_requested_on = None
    need.expired = False
    need.expired_at = None
    session.flush()
    return need

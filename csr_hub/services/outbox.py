"""The outbox every delivery channel shares: claim pending messages, record what became of each, back off.

A notification carries one status per channel (``email_status``, ``line_status``: ``none``, ``pending``,
``sending``, ``sent``, ``failed``). A :class:`Channel` sends its pending ones in three steps, each in a
short transaction of its own: claim them (``pending`` → ``sending``, so two senders never send the same
one and no lock is held while a server is talked to), deliver them (the channel's own function fills in
an :class:`Outcome`), settle them. Each message stands alone: one refused for good is ``failed`` with
its reason, one that met a passing fault goes back to ``pending`` with a backoff and is given up after
:data:`MAX_ATTEMPTS`, and whatever happens none is left ``sending``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.models import Notification, User

log = logging.getLogger(__name__)

#: a notification claimed for sending longer ago than this is taken to be abandoned (its sender died)
STALE_SENDING_MINUTES = 15
#: a message that failed for a passing reason (server down, timeout) is retried after 1, 2, 4 … minutes,
#: at most :data:`MAX_BACKOFF_MINUTES` apart, and given up (``failed``) after :data:`MAX_ATTEMPTS`
MAX_ATTEMPTS = 8
MAX_BACKOFF_MINUTES = 12 * 60


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(0, attempts - 1), MAX_BACKOFF_MINUTES))


def reason(exc: BaseException) -> str:
    """An exception as one short line, kept with the message it stopped."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text[:300]


class Outcome:
    """What became of one claimed message: ``sent``, ``failed`` (for good) or ``retry`` (back off)."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.failed: dict[int, str] = {}
        self.retry: dict[int, str] = {}


def columns(channel: str):
    """(status, attempts, claimed_at, error, next_at) columns of a channel."""
    N = Notification
    if channel == "email":
        return N.email_status, N.email_attempts, N.email_claimed_at, N.email_error, N.email_next_at
    return N.line_status, N.line_attempts, None, N.line_error, N.line_next_at


def claim(session: Session, ids: Iterable[int], channel: str = "email") -> list[int]:
    """Mark pending messages ``sending`` (one attempt more); only the claims this call won."""
    status, attempts, claimed_at = columns(channel)[:3]
    now = datetime.now(timezone.utc)
    won = []
    for nid in ids:
        values: dict[str, Any] = {status.key: "sending", attempts.key: attempts + 1}
        if claimed_at is not None:
            values[claimed_at.key] = now
        res = session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:
            won.append(nid)
    return won


def pending_ids(
    session: Session, channel: str, limit: int, match_id: int | None, due_only: bool, reclaim_stale: bool
) -> list[int]:
    status, _attempts, claimed_at, _error, next_at = columns(channel)
    now = datetime.now(timezone.utc)
    if reclaim_stale:  # a sender that died left these claimed: give them back
        stale = now - timedelta(minutes=STALE_SENDING_MINUTES)
        since = sa.func.coalesce(claimed_at, Notification.created_at) if claimed_at is not None else None
        session.execute(
            sa.update(Notification)
            .where(status == "sending", (since if since is not None else Notification.created_at) < stale)
            .values({status.key: "pending"})
            .execution_options(synchronize_session=False)
        )
    q = sa.select(Notification.id).where(status == "pending")
    if match_id is not None:
        q = q.where(Notification.match_id == match_id)
    if due_only:
        q = q.where(sa.or_(next_at.is_(None), next_at <= now))
    return list(session.scalars(q.order_by(Notification.id).limit(limit)))


def settle(session: Session, channel: str, claimed: list[int], out: Outcome) -> tuple[int, int]:
    """Write every claimed message's outcome; none is left ``sending``. Returns (sent, still pending)."""
    status, attempts, _claimed_at, error, next_at = columns(channel)
    now = datetime.now(timezone.utc)
    unknown = [i for i in claimed if i not in out.sent and i not in out.failed and i not in out.retry]
    for i in unknown:
        out.retry[i] = "not attempted"
    if out.sent:
        session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(out.sent), status == "sending")
            .values({status.key: "sent", error.key: "", next_at.key: None})
            .execution_options(synchronize_session=False)
        )
    for nid, why in out.failed.items():
        session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "sending")
            .values({status.key: "failed", error.key: why[:300], next_at.key: None})
            .execution_options(synchronize_session=False)
        )
    still = 0
    tries = dict(
        session.execute(sa.select(Notification.id, attempts).where(Notification.id.in_(out.retry))).all()
    )
    for nid, why in out.retry.items():
        n = int(tries.get(nid) or 0)
        if n >= MAX_ATTEMPTS:
            values = {
                status.key: "failed",
                error.key: f"gave up after {n} attempts: {why}"[:300],
                next_at.key: None,
            }
        else:
            values = {status.key: "pending", error.key: why[:300], next_at.key: now + backoff(n)}
            still += 1
        session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "sending")
            .values(values)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return len(out.sent), still


def read_claimed(session: Session, claimed: list[int], *columns, outerjoin=()) -> list:
    """Plain rows of the claimed notifications: their id, ``columns`` and their user's status (``outerjoin``:
    (table, on) pairs more). The read transaction then ends: nothing is loaded while a server is talked to."""
    q = sa.select(Notification.id, *columns, User.status).join(User, User.id == Notification.user_id)
    for table, on in outerjoin:
        q = q.outerjoin(table, on)
    rows = session.execute(q.where(Notification.id.in_(claimed)).order_by(Notification.id)).all()
    session.commit()
    return rows


#: a channel's delivery: (session, its settings, the claimed notification ids, the outcome to fill in)
Deliver = Callable[[Session, Any, list[int], Outcome], None]


@dataclass(frozen=True)
class Channel:
    """One way out (e-mail, LINE): its column prefix, its settings (None: not configured) and its delivery."""

    name: str
    settings: Callable[[], Any]
    deliver: Deliver

    def send_pending(
        self,
        session: Session,
        limit: int = 200,
        match_id: int | None = None,
        reclaim_stale: bool = False,
        due_only: bool = False,
    ) -> tuple[int, int]:
        """Send pending messages (only those of ``match_id`` when given). Returns (sent, still pending).

        Commits (see the module's docstring); ``due_only`` leaves the ones backing off that are not due yet,
        ``reclaim_stale`` first gives back the claims of a sender that died."""
        cfg = self.settings()
        if not cfg:
            return 0, 0
        ids = pending_ids(session, self.name, limit, match_id, due_only, reclaim_stale)
        claimed = claim(session, ids, self.name)
        session.commit()
        if not claimed:
            return 0, 0
        out = Outcome()
        try:
            self.deliver(session, cfg, claimed, out)
        except Exception as exc:  # never leave claims behind, whatever went wrong
            session.rollback()
            log.exception("sending %s messages failed", self.name)
            for nid in claimed:
                if nid not in out.sent and nid not in out.failed:
                    out.retry.setdefault(nid, reason(exc))
        finally:
            result = settle(session, self.name, claimed, out)
        return result

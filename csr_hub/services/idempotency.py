"""Keeping ``Idempotency-Key`` answers only as long as they are needed.

A record holds the first answer's body (which may name the caller), so it lives 24 hours (the spec's
window) and no longer: each new record sweeps the expired ones, ``jobs tick`` may call :func:`purge_expired`,
and erasing an account deletes that person's records at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.models import IdempotencyRecord

KEEP = timedelta(hours=24)


def cutoff(now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) - KEEP


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every record older than 24 hours; the number deleted."""
    res = session.execute(
        sa.delete(IdempotencyRecord)
        .where(IdempotencyRecord.created_at < cutoff(now))
        .execution_options(synchronize_session=False)
    )
    return res.rowcount or 0


def purge_user(session: Session, user_id: int) -> int:
    """Delete one user's records (PDPA erasure)."""
    res = session.execute(
        sa.delete(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount or 0

"""PDPA: everything the service keeps about a person, gathered for them to download; each download is
recorded in the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.models import AuditEvent, Match, Need, Notification, Offer, User
from csr_hub.services import audit


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _ids(session: Session, column: Any, owner: Any, user_id: int) -> list[int]:
    return list(session.scalars(sa.select(column).where(owner == user_id).order_by(column)))


def gather(session: Session, user: User, ip: str = "") -> dict[str, Any]:
    """The person's own data: their account's private fields (``account``), what they posted and proposed,
    the notifications they were sent and what the audit log holds of their actions. Records the export."""
    data = {
        "account": {
            "phone": user.phone,
            "created_at": _iso(user.created_at),
            "privacy_accepted_at": _iso(user.privacy_accepted_at),
        },
        "needs_posted": _ids(session, Need.id, Need.created_by_id, user.id),
        "offers_posted": _ids(session, Offer.id, Offer.created_by_id, user.id),
        "matches_proposed": _ids(session, Match.id, Match.proposed_by_user_id, user.id),
        "notifications": [
            {"at": _iso(n.created_at), "message_th": n.message_th, "message_en": n.message_en}
            for n in session.scalars(
                sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
            )
        ],
        "audit_events": [
            {"at": _iso(e.at), "action": e.action, "ip": e.ip}
            for e in session.scalars(
                sa.select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
            )
        ],
    }
    audit.record(session, "user.data_export", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    return data

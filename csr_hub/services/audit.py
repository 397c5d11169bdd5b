"""The append-only audit log."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from csr_hub.models import AuditEvent


def record(session: Session, action: str, *, actor_id: int | None = None, object_type: str = "",
           object_id: int | None = None, ip: str = "", **details: Any) -> None:
    """Add an audit event to the caller's transaction (committed with the change it records)."""
    session.add(AuditEvent(action=action, actor_id=actor_id, object_type=object_type,
                           object_id=object_id, ip=ip or "", details=details))

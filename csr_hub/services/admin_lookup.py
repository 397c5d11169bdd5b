"""What the administration pages read beside their lists: an account with its school, company and ESA,
and the people named in a page of the audit log."""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from csr_hub.models import AuditEvent, User
from csr_hub.services.errors import NotFound

#: an account is shown with the school, company or ESA it belongs to
USER_LOAD = (selectinload(User.school), selectinload(User.company), selectinload(User.district))


def user(session: Session, user_id: int) -> User:
    """The account (404 when there is none)."""
    found = session.scalar(sa.select(User).options(*USER_LOAD).where(User.id == user_id))
    if found is None:
        raise NotFound()
    return found


def actors(session: Session, events: Iterable[AuditEvent]) -> dict[int, User]:
    """The accounts that acted in ``events``, by id (one query)."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}

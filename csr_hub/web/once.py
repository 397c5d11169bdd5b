"""A page form that creates something is sent once: the same form sent again (back button, reload, double
click) finds what the first one made instead of making it twice.

Each form shown carries a random token; the first post that uses it claims it in ``idempotency_records``
(the table the API's ``Idempotency-Key`` uses, under a ``page:`` route), in the transaction that creates
the object, so a refused post leaves the token free and two simultaneous posts make one object.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from csr_hub.models.event import IdempotencyRecord


class AlreadyClaimed(Exception):
    """Another request holds this form's token."""


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _valid(token: str | None) -> bool:
    return bool(token) and 8 <= len(token) <= 64


def already_posted(session, user, token: str | None, route: str) -> int | None:
    """The id of what this form already created, or None."""
    if not _valid(token):
        return None
    body = session.scalar(
        sa.select(IdempotencyRecord.body).where(
            IdempotencyRecord.user_id == user.id,
            IdempotencyRecord.key == token,
            IdempotencyRecord.route == route,
        )
    )
    return int(body) if body and body.isdigit() else None


def claim(session, user, token: str | None, route: str) -> IdempotencyRecord | None:
    """Claim the token in the current transaction (None when the form has none); raise AlreadyClaimed."""
    if not _valid(token):
        return None
    record = IdempotencyRecord(user_id=user.id, key=token, route=route, status_code=303, body="")
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        raise AlreadyClaimed() from None
    return record


def remember(record: IdempotencyRecord | None, object_id: int) -> None:
    if record is not None:
        record.body = str(object_id)

"""API bearer tokens: shown once, stored as their sha256 only, valid for TOKEN_DAYS, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import policy
from csr_hub.models import ApiToken, User
from csr_hub.services import audit

TOKEN_DAYS = 30


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_token(session: Session, user: User, ip: str = "") -> tuple[str, datetime]:
    """A new bearer token (shown once; only its sha256 is stored), valid for TOKEN_DAYS."""
    token = "csr_" + secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(days=TOKEN_DAYS)
    row = ApiToken(user_id=user.id, token_hash=token_digest(token), expires_at=expires)
    session.add(row)
    session.flush()
    audit.record(session, "token.create", actor_id=user.id, object_type="token", object_id=row.id, ip=ip)
    return token, expires


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    now = datetime.now(timezone.utc)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.status == policy.UserStatus.DISABLED:
        return None
    return user, row


def revoke_token(session: Session, token_row: ApiToken, ip: str = "") -> None:
    token_row.revoked_at = datetime.now(timezone.utc)
    audit.record_on(session, "token.revoke", token_row, by=token_row.user, ip=ip)


def revoke_all_tokens(session: Session, user: User) -> int:
    now = datetime.now(timezone.utc)
    res = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount or 0

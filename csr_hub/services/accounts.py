"""Accounts: password hashing, authentication, sessions, password change and erasure.

The other account use cases live in modules of their own and are re-exported here, so
``accounts.register`` and friends keep working: :mod:`.credentials` (password and e-mail rules),
:mod:`.registration` (self-registration, verification, create-user), :mod:`.totp` (the second factor),
:mod:`.tokens` (API bearer tokens) and :mod:`.user_admin` (the admin's user list and changes).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain.policy import UserStatus
from csr_hub.models import Notification, User
from csr_hub.services import audit, idempotency, totp
from csr_hub.services.credentials import (  # noqa: F401 - re-exported
    common_passwords,
    normalise_email,
    password_problems,
    validate_email,
)
from csr_hub.services.errors import OtpInvalid, OtpRequired, Unauthorized, ValidationFailed, invalid
from csr_hub.services.validation import text_problem

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _encodable(text: str) -> bool:
    """Valid Unicode (no lone surrogate), so it can be hashed; older passwords may hold anything else."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _spend_hash_time(password: object) -> None:
    """Verify against a throwaway hash so an unknown e-mail takes as long as a wrong password."""
    try:
        _hasher.verify(_dummy_hash(), password if isinstance(password, str) and _encodable(password) else "")
    except (VerificationError, InvalidHashError):
        pass


def authenticate(
    session: Session,
    email: object,
    password: object,
    otp: object = None,
    *,
    ip: str = "",
    channel: str = "api",
) -> User:
    """Check credentials (and the second factor once enrolled). Records failures in the audit log."""
    addr = normalise_email(email)
    if text_problem(addr) is not None:  # a lone surrogate or a NUL cannot be anyone's address
        addr = ""
    user = session.scalar(sa.select(User).where(User.email == addr)) if addr else None
    if user is None:
        _spend_hash_time(password)
    if (
        user is None
        or not isinstance(password, str)
        or not _encodable(password)
        or not check_password(user, password)
    ):
        audit.record(session, "login.failed", actor_id=user.id if user else None, ip=ip, channel=channel)
        raise Unauthorized()
    if user.status == UserStatus.DISABLED:
        audit.record(session, "login.failed", actor_id=user.id, ip=ip, channel=channel, reason="disabled")
        raise Unauthorized(_l("This account is disabled."))
    if user.totp_enrolled:
        if otp in (None, ""):
            raise OtpRequired()
        if not totp.check_otp(session, user, otp):
            audit.record(session, "login.failed", actor_id=user.id, ip=ip, channel=channel, reason="otp")
            raise OtpInvalid()
    audit.record(session, "login", actor_id=user.id, ip=ip, channel=channel)
    return user


def end_sessions(session: Session, user: User) -> None:
    """Logout or password change: every cookie of this user stops working."""
    session.execute(
        sa.update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )
    session.refresh(user)


def logout(session: Session, user: User, ip: str = "") -> None:
    """End every session of the user (all devices) and record it."""
    end_sessions(session, user)
    audit.record(session, "logout", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)


def change_password(session: Session, user: User, current: str, new: str, ip: str = "") -> None:
    """A new password ends every session and revokes every API token of the user."""
    if not isinstance(current, str) or not check_password(user, current):
        audit.record_on(session, "user.password_change_failed", user, by=user, ip=ip)
        raise invalid("current_password", _l("Your current password is not right."))
    if problems := password_problems(new, user.email):
        raise ValidationFailed(fields={"new_password": problems})
    user.password_hash = hash_password(new)
    end_sessions(session, user)
    revoke_all_tokens(session, user)
    audit.record_on(session, "user.password_change", user, by=user, ip=ip)


def anonymise(session: Session, user: User, ip: str = "") -> None:
    """PDPA erasure: personal data goes, the ids stay for the audit trail (and the needs, offers and
    matches the person worked on, which belong to their school or company)."""
    name = user.full_name
    user.email = f"erased-{user.id}@invalid.example"
    user.full_name = "—"
    user.phone = ""
    user.status = UserStatus.DISABLED
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.totp_secret = None
    user.totp_enrolled = False
    user.privacy_accepted_at = None
    end_sessions(session, user)
    revoke_all_tokens(session, user)
    idempotency.purge_user(session, user.id)
    session.execute(
        sa.delete(Notification)
        .where(Notification.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    if name and len(name.strip()) >= 2:  # the name as others' notifications quote it
        like = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for column in (Notification.message_th, Notification.message_en):
            session.execute(
                sa.update(Notification)
                .where(column.like(like, escape="\\"))
                .values({column: sa.func.replace(column, name, "—")})
                .execution_options(synchronize_session=False)
            )
    audit.record(session, "user.erase", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)


# --- re-exported so callers keep importing them from here -------------------------------------------------
from csr_hub.services.registration import (  # noqa: E402, F401
    SELF_REGISTER_ROLES,
    Registration,
    create_user,
    director_district_of,
    register,
    verifiable_users_query,
    verify,
)
from csr_hub.services.tokens import (  # noqa: E402, F401
    TOKEN_DAYS,
    create_token,
    revoke_all_tokens,
    revoke_token,
    token_digest,
    user_for_token,
)
from csr_hub.services.totp import begin_enrolment, check_otp, enrol_totp, finish_enrolment, totp_uri  # noqa: E402, F401
from csr_hub.services.user_admin import ADMIN_STATUSES, change_user, scope_label, users_query  # noqa: E402, F401

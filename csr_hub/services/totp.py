"""The TOTP second factor of directors, central officers and admins (RFC 6238, 30-second steps).

Enrolment has two steps: :func:`begin_enrolment` gives the user a new secret (shown once, in the session
that asked), and only :func:`finish_enrolment` with a valid code from it turns the factor on. A code is
good once: the last accepted time step is stored with a conditional UPDATE in the caller's transaction,
so two requests carrying the same code at the same moment cannot both pass (the second waits for the
first's row lock on PostgreSQL, or for the write lock on SQLite, and then finds the step taken).
"""

from __future__ import annotations

import re
import secrets
import time

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import policy
from csr_hub.models import User

ISSUER = "CSR Hub OBEC"
#: six ASCII digits; "١٢٣٤٥٦", "²²²²²²" or full-width digits are not a code (str.isdigit says they are)
_CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)
#: a code from the step before or after the current one is accepted (clock drift)
VALID_WINDOW = 1


def parse_code(otp: object) -> str | None:
    """The six-digit code the user typed (spaces allowed), or None when it cannot be one."""
    if isinstance(otp, bool) or not isinstance(otp, (str, int)):
        return None
    code = str(otp).strip().replace(" ", "")
    return code if _CODE_RE.fullmatch(code) else None


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step within the window whose code this is. ``pyotp.TOTP.verify(valid_window=1)`` answers
    only yes or no; replay protection needs to know which step was used, so the window is walked here."""
    totp = pyotp.TOTP(secret)
    current = int(time.time() if now is None else now) // totp.interval
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was; True when this call took it."""
    res = session.execute(
        sa.update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if (res.rowcount or 0) != 1:
        return False
    user.totp_last_step = step
    return True


def check_otp(session: Session, user: User, otp: object) -> bool:
    """Is ``otp`` a valid, not yet used code of the user's secret? Marks it used (caller commits)."""
    code = parse_code(otp)
    if code is None or not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None or step <= (user.totp_last_step or 0):
        return False
    return _claim_step(session, user, step)


def must_enrol(user: object) -> bool:
    """A director, central officer or admin without a second factor yet: pages lead to enrolment only."""
    return policy.needs_totp(user) and not getattr(user, "totp_enrolled", False)


def begin_enrolment(user: User) -> str:
    """A new secret for a user who is not enrolled (the factor stays off until a code is checked)."""
    if user.totp_enrolled:
        raise ValueError("already enrolled")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = 0
    return user.totp_secret


def finish_enrolment(session: Session, user: User, otp: object) -> bool:
    """Turn the factor on if ``otp`` is a valid code of the pending secret."""
    if user.totp_enrolled or not check_otp(session, user, otp):
        return False
    user.totp_enrolled = True
    return True


def enrol_totp(user: User) -> str:
    """Enrol at once with a new secret (tests, scripts): from now on the user's logins need a code."""
    if not user.totp_secret or not user.totp_enrolled:
        user.totp_secret = pyotp.random_base32()
        user.totp_enrolled = True
    return user.totp_secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name=ISSUER)

"""Registration, verification, authentication, API tokens and the TOTP second factor."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain.reference import valid_tax_id
from csr_hub.models import ApiToken, Company, District, Notification, Province, School, User
from csr_hub.services import audit
from csr_hub.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    OtpInvalid,
    OtpRequired,
    Unauthorized,
    ValidationFailed,
    invalid,
)

_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
TOKEN_DAYS = 30
SELF_REGISTER_ROLES = ("school_staff", "company_rep")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("csr_hub").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


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


def _spend_hash_time(password: object) -> None:
    """Verify against a throwaway hash so an unknown e-mail takes as long as a wrong password."""
    try:
        _hasher.verify(_dummy_hash(), password if isinstance(password, str) else "")
    except (VerificationError, InvalidHashError):
        pass


def password_problems(password: object, email: str = "") -> list[object]:
    if not isinstance(password, str) or len(password) < 10:
        return [_l("Use at least 10 characters.")]
    if len(password) > 200:
        return [_l("Use at most 200 characters.")]
    low = password.lower()
    if email and (low == email.lower() or low == email.lower().split("@")[0]):
        return [_l("Do not use your e-mail address as your password.")]
    if low in common_passwords() or low.rstrip("0123456789!@#$.") in common_passwords():
        return [_l("This password is too common; choose another.")]
    return []


def normalise_email(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def validate_email(email: str) -> list[object]:
    if not email or len(email) > 254 or not EMAIL_RE.match(email):
        return [_l("Enter a valid e-mail address.")]
    return []


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    full_name: str
    role: str
    school_code: str = ""
    company_name: str = ""
    company_tax_id: str = ""
    province_code: str = ""
    phone: str = ""
    accept_privacy: bool = False


def register(session: Session, reg: Registration, *, require_privacy: bool = False, ip: str = "") -> User:
    """A self-registered account, ``pending`` until verified. Raises ValidationFailed / Conflict."""
    errors: dict[str, list[object]] = {}
    email = normalise_email(reg.email)
    if problems := validate_email(email):
        errors["email"] = problems
    if problems := password_problems(reg.password, email):
        errors["password"] = problems
    full_name = (reg.full_name or "").strip() if isinstance(reg.full_name, str) else ""
    if not full_name or len(full_name) > 200:
        errors["full_name"] = [_l("Enter your full name (at most 200 characters).")]
    if require_privacy and not reg.accept_privacy:
        errors["accept_privacy"] = [_l("You must accept the privacy notice to register.")]
    school = company = None
    if reg.role == "school_staff":
        code = (reg.school_code or "").strip() if isinstance(reg.school_code, str) else ""
        school = session.scalar(sa.select(School).where(School.code == code)) if code else None
        if school is None:
            errors["school_code"] = [_l("Choose your school (its 10-digit OBEC code).")]
    elif reg.role == "company_rep":
        tax_id = (reg.company_tax_id or "").strip() if isinstance(reg.company_tax_id, str) else ""
        if not valid_tax_id(tax_id):
            errors["company_tax_id"] = [
                _l("Enter the company's 13-digit tax id; its check digit must be right.")
            ]
        else:
            company = session.scalar(sa.select(Company).where(Company.tax_id == tax_id))
        if company is None:
            name = (reg.company_name or "").strip() if isinstance(reg.company_name, str) else ""
            if not name or len(name) > 200:
                errors["company_name"] = [_l("Enter the company's name.")]
            pcode = reg.province_code if isinstance(reg.province_code, str) else ""
            if not pcode or session.get(Province, pcode) is None:
                errors["province_code"] = [_l("Choose a province.")]
    else:
        errors["role"] = [_l("Choose school staff or company representative.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            _l("An account with this e-mail already exists."), fields={"email": [_l("Already registered.")]}
        )
    if reg.role == "company_rep" and company is None:
        company = Company(
            name=reg.company_name.strip(),
            tax_id=reg.company_tax_id.strip(),
            province_code=reg.province_code,
            verified=False,
        )
        session.add(company)
        session.flush()
    user = User(
        email=email,
        password_hash=hash_password(reg.password),
        full_name=full_name,
        role=reg.role,
        status="pending",
        phone=(reg.phone or "")[:30] if isinstance(reg.phone, str) else "",
        school_id=school.id if school else None,
        company_id=company.id if company else None,
        privacy_accepted_at=datetime.now(timezone.utc) if reg.accept_privacy else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.register",
        actor_id=user.id,
        object_type="user",
        object_id=user.id,
        ip=ip,
        role=user.role,
    )
    return user


def director_district_of(session: Session, user: User) -> District | None:
    return session.get(District, user.district_id) if user.district_id else None


def verifiable_users_query(actor: User):
    """The pending users ``actor`` may verify."""
    q = sa.select(User).where(User.status == "pending")
    if actor.role == "district_director" and actor.status == "active":
        return q.join(School, User.school_id == School.id).where(
            User.role == "school_staff", School.district_id == actor.district_id
        )
    if actor.role == "central_officer" and actor.status == "active":
        return q.where(User.role == "company_rep")
    if actor.role == "admin" and actor.status == "active":
        return q
    return q.where(sa.false())


def verify(session: Session, actor: User, user_id: int, ip: str = "") -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    allowed = False
    if actor.role == "district_director" and user.role == "school_staff" and user.school is not None:
        allowed = user.school.district_id == actor.district_id
    elif actor.role == "central_officer" and user.role == "company_rep":
        allowed = True
    elif actor.role == "admin":
        allowed = True
    if not allowed:
        raise Forbidden()
    if user.status == "disabled":
        raise Conflict(_l("This account is disabled."))
    if user.status == "pending":
        user.status = "active"
        user.verified_at = datetime.now(timezone.utc)
        user.verified_by_id = actor.id
    if user.role == "company_rep" and user.company is not None and not user.company.verified:
        user.company.verified = True
    audit.record(session, "user.verify", actor_id=actor.id, object_type="user", object_id=user.id, ip=ip)
    return user


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
    user = session.scalar(sa.select(User).where(User.email == addr)) if addr else None
    if user is None:
        _spend_hash_time(password)
    if user is None or not isinstance(password, str) or not check_password(user, password):
        audit.record(session, "login.failed", actor_id=user.id if user else None, ip=ip, channel=channel)
        raise Unauthorized()
    if user.status == "disabled":
        audit.record(session, "login.failed", actor_id=user.id, ip=ip, channel=channel, reason="disabled")
        raise Unauthorized(_l("This account is disabled."))
    if user.totp_enrolled:
        if otp in (None, ""):
            raise OtpRequired()
        if not check_otp(user, otp):
            audit.record(session, "login.failed", actor_id=user.id, ip=ip, channel=channel, reason="otp")
            raise OtpInvalid()
    audit.record(session, "login", actor_id=user.id, ip=ip, channel=channel)
    return user


def check_otp(user: User, otp: object) -> bool:
    code = str(otp).strip().replace(" ", "")
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time())
    for offset in (-1, 0, 1):
        step = now // 30 + offset
        if step > user.totp_last_step and secrets.compare_digest(totp.at(step * 30), code):
            user.totp_last_step = step
            return True
    return False


def enrol_totp(user: User) -> str:
    """Give a director or officer a TOTP secret; from now on their logins need a code."""
    if not user.totp_secret or not user.totp_enrolled:
        user.totp_secret = pyotp.random_base32()
        user.totp_enrolled = True
    return user.totp_secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name="CSR Hub OBEC")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    if user is None or user.status == "disabled":
        return None
    return user, row


def revoke_token(session: Session, token_row: ApiToken, ip: str = "") -> None:
    token_row.revoked_at = datetime.now(timezone.utc)
    audit.record(
        session,
        "token.revoke",
        actor_id=token_row.user_id,
        object_type="token",
        object_id=token_row.id,
        ip=ip,
    )


def revoke_all_tokens(session: Session, user: User) -> int:
    now = datetime.now(timezone.utc)
    res = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount or 0


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
        audit.record(
            session,
            "user.password_change_failed",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            ip=ip,
        )
        raise invalid("current_password", _l("Your current password is not right."))
    if problems := password_problems(new, user.email):
        raise ValidationFailed(fields={"new_password": problems})
    user.password_hash = hash_password(new)
    end_sessions(session, user)
    revoke_all_tokens(session, user)
    audit.record(
        session, "user.password_change", actor_id=user.id, object_type="user", object_id=user.id, ip=ip
    )


def create_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    *,
    full_name: str = "",
    school_code: str | None = None,
    company_tax_id: str | None = None,
    company_name: str | None = None,
    district_code: str | None = None,
) -> User:
    """An active account of any role (CLI). Raises ValidationFailed / Conflict."""
    email = normalise_email(email)
    errors: dict[str, list[object]] = {}
    if problems := validate_email(email):
        errors["email"] = problems
    if problems := password_problems(password, email):
        errors["password"] = problems
    if role not in ("school_staff", "company_rep", "district_director", "central_officer", "admin"):
        errors["role"] = [_l("Unknown role.")]
    school = company = district = None
    if role == "school_staff":
        school = session.scalar(sa.select(School).where(School.code == (school_code or "")))
        if school is None:
            errors["school"] = [_l("Unknown school code.")]
    if role == "company_rep":
        if not company_tax_id or not valid_tax_id(company_tax_id):
            errors["company"] = [_l("Give a valid 13-digit tax id.")]
        else:
            company = session.scalar(sa.select(Company).where(Company.tax_id == company_tax_id))
            if company is None:
                if not company_name:
                    errors["company_name"] = [_l("The company does not exist yet: give its name.")]
                else:
                    company = Company(name=company_name, tax_id=company_tax_id, verified=True)
                    session.add(company)
            else:
                company.verified = True
    if role == "district_director":
        district = session.scalar(sa.select(District).where(District.code == (district_code or "")))
        if district is None:
            errors["district"] = [_l("Unknown district (ESA) code.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(_l("An account with this e-mail already exists."))
    session.flush()
    user = User(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name or email.split("@")[0],
        role=role,
        status="active",
        school_id=school.id if school else None,
        company_id=company.id if company else None,
        district_id=district.id if district else None,
        verified_at=datetime.now(timezone.utc),
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.create", object_type="user", object_id=user.id, role=role, channel="cli")
    return user


def anonymise(session: Session, user: User, ip: str = "") -> None:
    """PDPA erasure: personal data goes, the ids stay for the audit trail (and the needs, offers and
    matches the person worked on, which belong to their school or company)."""
    name = user.full_name
    user.email = f"erased-{user.id}@invalid.example"
    user.full_name = "—"
    user.phone = ""
    user.status = "disabled"
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.totp_secret = None
    user.totp_enrolled = False
    user.privacy_accepted_at = None
    end_sessions(session, user)
    revoke_all_tokens(session, user)
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


# --- administration: the admin's user list and changes --------------------------------------------------------

ADMIN_STATUSES = ("active", "disabled")


def users_query(args: dict) -> sa.Select:
    """The users an admin lists, filtered by role, status and ``q`` (part of the e-mail or name)."""
    from csr_hub.models.user import ROLES, STATUSES

    errors: dict[str, list[object]] = {}
    q = sa.select(User)
    role = (args.get("role") or "").strip()
    if role:
        if role not in ROLES:
            errors["role"] = [_l("Choose one of the listed values.")]
        q = q.where(User.role == role)
    status = (args.get("status") or "").strip()
    if status:
        if status not in STATUSES:
            errors["status"] = [_l("Choose one of the listed values.")]
        q = q.where(User.status == status)
    text = (args.get("q") or "").strip()[:100]
    if text:
        like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            sa.or_(User.email.like(like, escape="\\"), sa.func.lower(User.full_name).like(like, escape="\\"))
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return q


def scope_label(user: User) -> str:
    """The user's scope as the audit log shows it: ``school:<code>``, ``company:<tax id>``, ``district:<code>``."""
    if user.school_id is not None and user.school is not None:
        return f"school:{user.school.code}"
    if user.company_id is not None and user.company is not None:
        return f"company:{user.company.tax_id}"
    if user.district_id is not None and user.district is not None:
        return f"district:{user.district.code}"
    return ""


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def change_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    role: str | None = None,
    status: str | None = None,
    school_code: str | None = None,
    company_tax_id: str | None = None,
    district_code: str | None = None,
    ip: str = "",
) -> User:
    """An admin changes a user's role, status or scope. ``None`` keeps the current value; the scope argument
    that counts is the one the (new) role needs, and a missing one falls back to the user's current scope.
    Disabling ends every session and revokes every API token; so does a role change, so the person logs in
    again under the new role's rules (a second factor for directors and officers).
    Raises Forbidden (not an active admin), NotFound, ValidationFailed (nothing is changed then)."""
    from csr_hub.models.user import ROLES

    if actor.role != "admin" or actor.status != "active":
        raise Forbidden()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    errors: dict[str, list[object]] = {}
    new_role = user.role if role is None else role
    if new_role not in ROLES:
        errors["role"] = [_l("Choose one of the listed values.")]
    elif user.id == actor.id and new_role != "admin":
        errors["role"] = [_l("You cannot take the administrator role away from yourself.")]
    new_status = user.status if status is None else status
    if new_status != user.status and new_status not in ADMIN_STATUSES:
        errors["status"] = [_l("Choose one of the listed values.")]
    elif user.id == actor.id and new_status != "active":
        errors["status"] = [_l("You cannot disable your own account.")]
    school = company = district = None
    if new_role == "school_staff":
        code = _text(school_code)
        if code is None and user.school is not None:
            school = user.school
        else:
            school = session.scalar(sa.select(School).where(School.code == code)) if code else None
            if school is None:
                errors["school_code"] = [_l("School staff need an existing school (its 10-digit OBEC code).")]
    elif new_role == "company_rep":
        tax_id = _text(company_tax_id)
        if tax_id is None and user.company is not None:
            company = user.company
        elif not tax_id or not valid_tax_id(tax_id):
            errors["company_tax_id"] = [
                _l("Enter the company's 13-digit tax id; its check digit must be right.")
            ]
        else:
            company = session.scalar(sa.select(Company).where(Company.tax_id == tax_id))
            if company is None:
                errors["company_tax_id"] = [_l("No company with this tax id is registered.")]
    elif new_role == "district_director":
        code = _text(district_code)
        if code is None and user.district is not None:
            district = user.district
        else:
            district = session.scalar(sa.select(District).where(District.code == code)) if code else None
            if district is None:
                errors["district_code"] = [_l("Unknown district (ESA) code.")]
    if errors:
        raise ValidationFailed(fields=errors)

    old_role, old_status, old_scope = user.role, user.status, scope_label(user)
    user.role = new_role
    user.school_id = school.id if school else None
    user.company_id = company.id if company else None
    user.district_id = district.id if district else None
    session.flush()
    session.refresh(user, ["school", "company", "district"])
    new_scope = scope_label(user)
    if new_status != old_status:
        user.status = new_status
        if new_status == "active" and user.verified_at is None:
            user.verified_at = datetime.now(timezone.utc)
            user.verified_by_id = actor.id
        audit.record(
            session,
            "user.status_change",
            actor_id=actor.id,
            object_type="user",
            object_id=user.id,
            ip=ip,
            **{"from": old_status, "to": new_status},
        )
    if new_role != old_role:
        audit.record(
            session,
            "user.role_change",
            actor_id=actor.id,
            object_type="user",
            object_id=user.id,
            ip=ip,
            **{"from": old_role, "to": new_role},
        )
    if new_scope != old_scope:
        audit.record(
            session,
            "user.scope_change",
            actor_id=actor.id,
            object_type="user",
            object_id=user.id,
            ip=ip,
            **{"from": old_scope, "to": new_scope},
        )
    if (new_status == "disabled" and old_status != "disabled") or new_role != old_role:
        end_sessions(session, user)
        revoke_all_tokens(session, user)
    return user

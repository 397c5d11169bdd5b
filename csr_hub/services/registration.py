"""Self-registration (pending until verified), verification by a director or officer, and create-user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import policy
from csr_hub.domain.policy import Role, UserStatus
from csr_hub.domain.reference import valid_tax_id
from csr_hub.models import Company, District, Province, School, User
from csr_hub.services import audit
from csr_hub.services.credentials import normalise_email, password_problems, validate_email
from csr_hub.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from csr_hub.services.validation import text_problem

SELF_REGISTER_ROLES = tuple(sorted(policy.SELF_REGISTERED_ROLES))


def _hash(password: str) -> str:
    from csr_hub.services import accounts  # the hasher lives there (tests swap it for a cheap one)

    return accounts.hash_password(password)


def _name(value: object, max_len: int = 200) -> str | None:
    """A single-line name, stripped, or None when it is missing, too long or has forbidden characters."""
    if not isinstance(value, str) or text_problem(value, multiline=False) is not None:
        return None
    value = value.strip()
    return value if 0 < len(value) <= max_len else None


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


def _plain(value: object) -> str:
    """A code-like field (school code, tax id, province): only ASCII-clean text can match one."""
    if not isinstance(value, str) or text_problem(value, multiline=False) is not None:
        return ""
    return value.strip()


def register(session: Session, reg: Registration, *, require_privacy: bool = False, ip: str = "") -> User:
    """A self-registered account, ``pending`` until verified. Raises ValidationFailed / Conflict."""
    errors: dict[str, list[object]] = {}
    email = normalise_email(reg.email)
    if problems := validate_email(email):
        errors["email"] = problems
    full_name = _name(reg.full_name)
    if problems := password_problems(reg.password, email, full_name or ""):
        errors["password"] = problems
    if full_name is None:
        errors["full_name"] = [_l("Enter your full name (at most 200 characters).")]
    if require_privacy and not reg.accept_privacy:
        errors["accept_privacy"] = [_l("You must accept the privacy notice to register.")]
    school = company = None
    company_name = None
    if reg.role == Role.SCHOOL_STAFF:
        code = _plain(reg.school_code)
        school = session.scalar(sa.select(School).where(School.code == code)) if code else None
        if school is None:
            errors["school_code"] = [_l("Choose your school (its 10-digit OBEC code).")]
    elif reg.role == Role.COMPANY_REP:
        tax_id = _plain(reg.company_tax_id)
        if not valid_tax_id(tax_id):
            errors["company_tax_id"] = [
                _l("Enter the company's 13-digit tax id; its check digit must be right.")
            ]
        else:
            company = session.scalar(sa.select(Company).where(Company.tax_id == tax_id))
        pcode = _plain(reg.province_code)
        # a new company needs its province; one joining a registered company may leave it out, but a code
        # given must be a real one (SPEC: 422 on an unknown province code)
        if (company is None or reg.province_code not in (None, "")) and (
            not pcode or session.get(Province, pcode) is None
        ):
            errors["province_code"] = [_l("Choose a province.")]
        if company is None:
            company_name = _name(reg.company_name)
            if company_name is None:
                errors["company_name"] = [_l("Enter the company's name.")]
    else:
        errors["role"] = [_l("Choose school staff or company representative.")]
    phone = reg.phone if isinstance(reg.phone, str) else ""
    if text_problem(phone, multiline=False) is not None:
        errors["phone"] = [_l("Enter a telephone number.")]
    phone = phone.strip()[:30]
    if errors:
        raise ValidationFailed(fields=errors)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            _l("An account with this e-mail already exists."), fields={"email": [_l("Already registered.")]}
        )
    if reg.role == Role.COMPANY_REP and company is None:
        company = Company(
            name=company_name,
            tax_id=reg.company_tax_id.strip(),
            province_code=reg.province_code,
            verified=False,
        )
        session.add(company)
        session.flush()
    user = User(
        email=email,
        password_hash=_hash(reg.password),
        full_name=full_name,
        role=reg.role,
        status=UserStatus.PENDING,
        phone=phone,
        school_id=school.id if school else None,
        company_id=company.id if company else None,
        privacy_accepted_at=datetime.now(timezone.utc) if reg.accept_privacy else None,
    )
    session.add(user)
    session.flush()
    audit.record_on(session, "user.register", user, by=user, ip=ip, role=user.role)
    return user


def director_district_of(session: Session, user: User) -> District | None:
    return session.get(District, user.district_id) if user.district_id else None


def verifiable_users_query(actor: User):
    """The pending users ``actor`` may verify."""
    q = sa.select(User).where(User.status == UserStatus.PENDING)
    if not policy.is_active(actor):
        return q.where(sa.false())
    if policy.has_role(actor, Role.DISTRICT_DIRECTOR):
        return q.join(School, User.school_id == School.id).where(
            User.role == Role.SCHOOL_STAFF, School.district_id == actor.district_id
        )
    if policy.has_role(actor, Role.CENTRAL_OFFICER):
        return q.where(User.role == Role.COMPANY_REP)
    if policy.has_role(actor, Role.ADMIN):
        return q
    return q.where(sa.false())


def verify(session: Session, actor: User, user_id: int, ip: str = "") -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    allowed = False
    if policy.has_role(actor, Role.DISTRICT_DIRECTOR):
        allowed = (
            user.role == Role.SCHOOL_STAFF
            and user.school is not None
            and user.school.district_id == actor.district_id
        )
    elif policy.has_role(actor, Role.CENTRAL_OFFICER):
        allowed = user.role == Role.COMPANY_REP
    elif policy.has_role(actor, Role.ADMIN):
        allowed = True
    if not allowed:
        raise Forbidden()
    if user.status == UserStatus.DISABLED:
        raise Conflict(_l("This account is disabled."))
    if user.status == UserStatus.PENDING:
        user.status = UserStatus.ACTIVE
        user.verified_at = datetime.now(timezone.utc)
        user.verified_by_id = actor.id
    if user.role == Role.COMPANY_REP and user.company is not None and not user.company.verified:
        user.company.verified = True
    audit.record(session, "user.verify", actor_id=actor.id, object_type="user", object_id=user.id, ip=ip)
    return user


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
    if problems := password_problems(password, email, full_name):
        errors["password"] = problems
    if role not in Role._value2member_map_:
        errors["role"] = [_l("Unknown role.")]
    if full_name and _name(full_name) is None:
        errors["full_name"] = [_l("Enter your full name (at most 200 characters).")]
    school = company = district = None
    if role == Role.SCHOOL_STAFF:
        school = session.scalar(sa.select(School).where(School.code == (school_code or "")))
        if school is None:
            errors["school"] = [_l("Unknown school code.")]
    if role == Role.COMPANY_REP:
        if not company_tax_id or not valid_tax_id(company_tax_id):
            errors["company"] = [_l("Give a valid 13-digit tax id.")]
        else:
            company = session.scalar(sa.select(Company).where(Company.tax_id == company_tax_id))
            if company is None:
                if not company_name or _name(company_name) is None:
                    errors["company_name"] = [_l("The company does not exist yet: give its name.")]
                else:
                    company = Company(name=company_name.strip(), tax_id=company_tax_id, verified=True)
                    session.add(company)
            else:
                company.verified = True
    if role == Role.DISTRICT_DIRECTOR:
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
        password_hash=_hash(password),
        full_name=(full_name or "").strip() or email.split("@")[0],
        role=role,
        status=UserStatus.ACTIVE,
        school_id=school.id if school else None,
        company_id=company.id if company else None,
        district_id=district.id if district else None,
        verified_at=datetime.now(timezone.utc),
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.create", object_type="user", object_id=user.id, role=role, channel="cli")
    return user

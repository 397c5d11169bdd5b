"""The admin's user list and changes of role, status and scope."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import policy
from csr_hub.domain.policy import Role, UserStatus
from csr_hub.domain.reference import valid_tax_id
from csr_hub.models import Company, District, School, User
from csr_hub.services import audit
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed
from csr_hub.services.tokens import revoke_all_tokens

ADMIN_STATUSES = (UserStatus.ACTIVE.value, UserStatus.DISABLED.value)


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


#: why a scope code names no row, by the argument that gave it
_UNKNOWN_CODE = {
    "school_code": _l("School staff need an existing school (its 10-digit OBEC code)."),
    "district_code": _l("Unknown district (ESA) code."),
}


def _by_code(session: Session, model, given: object, current, errors: dict, field: str):
    """The school or ESA a scope argument names by its code; none given: the user's current one."""
    code = _text(given)
    if code is None and current is not None:
        return current
    row = session.scalar(sa.select(model).where(model.code == code)) if code else None
    if row is None:
        errors[field] = [_UNKNOWN_CODE[field]]
    return row


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

    if not (policy.has_role(actor, Role.ADMIN) and policy.is_active(actor)):
        raise Forbidden()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    errors: dict[str, list[object]] = {}
    new_role = user.role if role is None else role
    if new_role not in ROLES:
        errors["role"] = [_l("Choose one of the listed values.")]
    elif user.id == actor.id and new_role != Role.ADMIN:
        errors["role"] = [_l("You cannot take the administrator role away from yourself.")]
    new_status = user.status if status is None else status
    if new_status != user.status and new_status not in ADMIN_STATUSES:
        errors["status"] = [_l("Choose one of the listed values.")]
    elif user.id == actor.id and new_status != UserStatus.ACTIVE:
        errors["status"] = [_l("You cannot disable your own account.")]
    school = company = district = None
    if new_role == Role.SCHOOL_STAFF:
        school = _by_code(session, School, school_code, user.school, errors, "school_code")
    elif new_role == Role.COMPANY_REP:
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
    elif new_role == Role.DISTRICT_DIRECTOR:
        district = _by_code(session, District, district_code, user.district, errors, "district_code")
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
        if new_status == UserStatus.ACTIVE and user.verified_at is None:
            user.verified_at = datetime.now(timezone.utc)
            user.verified_by_id = actor.id
    changes = (
        ("user.status_change", old_status, new_status),
        ("user.role_change", old_role, new_role),
        ("user.scope_change", old_scope, new_scope),
    )
    for action, old, new in changes:
        if new != old:
            audit.record_on(session, action, user, by=actor, ip=ip, **{"from": old, "to": new})
    if (new_status == UserStatus.DISABLED and old_status != UserStatus.DISABLED) or new_role != old_role:
        from csr_hub.services.accounts import end_sessions

        end_sessions(session, user)
        revoke_all_tokens(session, user)
    return user

"""Accounts and sessions (SPEC "Accounts and sessions")."""

from __future__ import annotations

from marshmallow import fields

from csr_hub.domain.policy import SELF_REGISTERED_ROLES, Role, UserStatus
from csr_hub.web.api.schemas.fields import Out, enum, many, when


class UserOut(Out):
    id = fields.Integer()
    email, full_name = many(fields.String, 2)
    role = enum(Role)
    status = enum(UserStatus)
    school_id, company_id = many(fields.Integer, 2, allow_none=True)
    district_code = fields.Function(
        lambda u: u.district.code if u.district_id and u.district else None,
        allow_none=True,
        metadata={"type": "string"},
    )


class Credentials(Out):
    """``POST /auth/login`` and ``POST /auth/tokens``; ``otp`` once a second factor is enrolled."""

    email, password = many(fields.String, 2, required=True)
    otp = fields.String()


class Registration(Out):
    """``POST /auth/register`` (``csr_hub/services/registration.py`` reads it)."""

    email, full_name = many(fields.String, 2, required=True)
    password = fields.String(required=True, metadata={"description": "at least 10 characters"})
    role = enum(sorted(SELF_REGISTERED_ROLES), required=True)
    school_code = fields.String(metadata={"description": "school staff"})
    company_name, company_tax_id, province_code = many(
        fields.String, 3, metadata={"description": "company reps"}
    )
    accept_privacy = fields.Boolean()


class LoggedIn(Out):
    user = fields.Nested(UserOut)
    csrf_token = fields.String()


class TokenOut(Out):
    token = fields.String()
    expires_at = when()


class CsrfOut(Out):
    csrf_token = fields.String()


USER = UserOut()

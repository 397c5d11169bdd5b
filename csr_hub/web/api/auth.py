"""Session login, bearer tokens, registration, verification."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_login import current_user, login_user, logout_user
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

import sqlalchemy as sa

from csr_hub.domain.policy import Role, UserStatus
from csr_hub.domain import policy
from csr_hub.extensions import db
from csr_hub.models import User
from csr_hub.services import accounts
from csr_hub.services.errors import NotFound, ValidationFailed
from csr_hub.web import ratelimits
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body, list_answer, no_body, paging
from csr_hub.web.api.schemas.accounts import USER, CsrfOut, LoggedIn, TokenOut
from csr_hub.web.security import client_ip


def _authenticate(channel: str) -> User:
    """The user whose ``email``, ``password`` (and ``otp``) the JSON body gives; a failure is audited."""
    data = json_body()
    try:
        user = accounts.authenticate(
            db.session,
            data.get("email"),
            data.get("password"),
            data.get("otp"),
            ip=client_ip(),
            channel=channel,
        )
    except Exception:
        db.session.commit()  # keep the audit record of the failure
        raise
    return user


@bp.post("/auth/login")
@ratelimits.auth_limits
def login():
    user = _authenticate("api")
    db.session.commit()
    login_user(user)
    return jsonify(LoggedIn().dump({"user": user, "csrf_token": generate_csrf()}))


@bp.get("/auth/csrf")
@roles_required(active=False)
def csrf_token():
    return jsonify(CsrfOut().dump({"csrf_token": generate_csrf()}))


@bp.post("/auth/logout")
@roles_required(active=False)
def logout():
    no_body()
    if g.get("api_token") is None:
        accounts.logout(db.session, current_user, ip=client_ip())
        db.session.commit()
    logout_user()
    return "", 204


@bp.get("/auth/me")
@roles_required(active=False)
def me():
    return jsonify(USER.dump(current_user))


@bp.post("/auth/tokens")
@ratelimits.auth_limits
def create_token():
    user = _authenticate("token")
    token, expires = accounts.create_token(db.session, user, ip=client_ip())
    db.session.commit()
    return jsonify(TokenOut().dump({"token": token, "expires_at": expires})), 201


@bp.delete("/auth/tokens/current")
@roles_required(active=False)
def revoke_token():
    no_body()
    row = g.get("api_token")
    if row is None:
        raise NotFound()
    accounts.revoke_token(db.session, row, ip=client_ip())
    db.session.commit()
    return "", 204


@bp.post("/auth/register")
@ratelimits.auth_limits
def register():
    data = json_body()
    reg = accounts.Registration(
        email=data.get("email"),
        password=data.get("password"),
        full_name=data.get("full_name"),
        role=data.get("role"),
        school_code=data.get("school_code") or "",
        company_name=data.get("company_name") or "",
        company_tax_id=data.get("company_tax_id") or "",
        province_code=data.get("province_code") or "",
        phone=data.get("phone") or "",
        accept_privacy=data.get("accept_privacy") is True,
    )
    user = accounts.register(db.session, reg, ip=client_ip())
    db.session.commit()
    return jsonify(USER.dump(user)), 201


@bp.get("/users")
@roles_required("director", "national", active=False)
def users():
    page, per_page = paging()
    status = request.args.get("status") or "pending"
    if status not in {s.value for s in UserStatus}:  # like every list filter: an unknown value is a 422
        raise ValidationFailed(fields={"status": [_l("Choose one of the listed values.")]})
    q = accounts.verifiable_users_query(current_user) if status == "pending" else None
    if q is None:
        if not policy.has_role(current_user, policy.Role.ADMIN):
            q = accounts.verifiable_users_query(current_user).where(sa.false())
        else:
            q = sa.select(User).where(User.status == status)
    from csr_hub.services.posts import paginate

    return list_answer(paginate(db.session, q, (User.id.asc(),), page, per_page), USER)


@bp.post("/users/<int:user_id>/verify")
@roles_required(Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN)
@idempotent
def verify_user(user_id: int):
    no_body()
    user = accounts.verify(db.session, current_user, user_id, ip=client_ip())
    db.session.commit()
    return jsonify(USER.dump(user))

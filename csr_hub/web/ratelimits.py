"""Throttling of login, token and registration endpoints (Flask-Limiter)."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address

from csr_hub.extensions import limiter

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _account_key() -> str:
    """The account a login attempt names, whatever the Content-Type claims: a JSON body sent as
    ``text/plain`` (or with no type) still counts against that account, not a shared bucket."""
    email = request.form.get("email") if request.mimetype in _FORM_TYPES else None
    if email is None:
        from csr_hub.web.api.helpers import parse_json

        data, _too_deep = parse_json(request.get_data(cache=True))
        email = data.get("email") if isinstance(data, dict) else None
    if not isinstance(email, str):
        return "acct:"
    return "acct:" + email.strip().lower().encode("utf-8", "replace").hex()[:512]


def _failed(response) -> bool:
    return response.status_code == 401


#: 30 requests per address per minute across the login, token and register endpoints (pages too)
per_address = limiter.shared_limit("30 per minute", scope="auth", key_func=get_remote_address)
#: 10 failed logins per account per 15 minutes
per_account = limiter.shared_limit(
    "10 per 15 minutes", scope="login-failures", key_func=_account_key, deduct_when=_failed
)


def auth_limits(view):
    return per_address(per_account(view))


def page_login_limits(view):
    """The login page: the same address limit; failed attempts (401) count against the account."""
    return per_address(per_account(view))

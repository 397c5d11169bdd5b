"""Throttling of login, token and registration endpoints (Flask-Limiter)."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address

from csr_hub.extensions import limiter


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = (data or {}).get("email") if isinstance(data, dict) else request.form.get("email")
    return "acct:" + (email.strip().lower() if isinstance(email, str) else "")


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

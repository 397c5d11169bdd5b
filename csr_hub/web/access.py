"""Who may reach what: the one list of public routes and the role decorator family.

Deny by default: a before-request hook refuses every endpoint that is not in :data:`PUBLIC` to anonymous
users (401 JSON under ``/api/``, a redirect to ``/login?next=…`` for pages). Views then name the roles
they serve with :func:`roles_required`.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user

from csr_hub.domain import policy

#: (endpoint, methods) open to anonymous users. Everything else needs a login.
PUBLIC: dict[str, frozenset[str]] = {
    "static": frozenset({"GET"}),
    "main.index": frozenset({"GET"}),
    "main.privacy": frozenset({"GET"}),
    "main.healthz": frozenset({"GET"}),
    "security_txt": frozenset({"GET"}),
    "ops.readyz": frozenset({"GET"}),
    "main.favicon": frozenset({"GET"}),
    "main.school_page": frozenset({"GET"}),
    "main.company_page": frozenset({"GET"}),
    "main.companies_recognition": frozenset({"GET"}),
    "needs.list_needs": frozenset({"GET"}),
    "needs.show_need": frozenset({"GET"}),
    "needs.need_photo": frozenset({"GET"}),
    "needs.need_photo_card": frozenset({"GET"}),
    "offers.list_offers": frozenset({"GET"}),
    "offers.show_offer": frozenset({"GET"}),
    "auth.login": frozenset({"GET", "POST"}),
    "auth.register": frozenset({"GET", "POST"}),
    "api.provinces": frozenset({"GET"}),
    "api.districts": frozenset({"GET"}),
    "api.schools": frozenset({"GET"}),
    "api.school": frozenset({"GET"}),
    "api.companies": frozenset({"GET"}),
    "api.list_needs": frozenset({"GET"}),
    "api.get_need": frozenset({"GET"}),
    "api.need_suggestions": frozenset({"GET"}),
    "api.list_offers": frozenset({"GET"}),
    "api.get_offer": frozenset({"GET"}),
    "api.offer_suggestions": frozenset({"GET"}),
    "api.report_summary": frozenset({"GET"}),
    "api.openapi": frozenset({"GET"}),
    "api.login": frozenset({"POST"}),
    "api.create_token": frozenset({"POST"}),
    "api.register": frozenset({"POST"}),
    # called by LINE's servers, authenticated by the X-Line-Signature of the body (web/line/routes.py)
    "line.webhook": frozenset({"POST"}),
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_public(endpoint: str | None, method: str) -> bool:
    if endpoint is None:  # 404 / 405: let the error handlers answer
        return True
    methods = PUBLIC.get(endpoint)
    return methods is not None and (method in methods or method in ("HEAD", "OPTIONS"))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def enforce_login() -> object | None:
    """before_request: anonymous users reach only public endpoints."""
    if current_user.is_authenticated or is_public(request.endpoint, request.method):
        return None
    if wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class AccountPending(Exception):
    """A pending account tried to write (403 ``account_pending``)."""


def roles_required(*roles: str, active: bool = True) -> Callable:
    """Allow only these roles or role groups of :mod:`csr_hub.domain.policy` (all logged-in users when none
    are named); pending users may not write."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            # a pending account may read but every write answers account_pending, whatever its role
            if active and not policy.is_active(current_user) and request.method in WRITE_METHODS:
                raise AccountPending()
            if roles and not policy.has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def login_required_active(view: Callable) -> Callable:
    return roles_required()(view)

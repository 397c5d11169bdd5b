"""Who is calling: session cookies carrying the session version, bearer tokens; security headers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.routing import IntegerConverter

from csr_hub.extensions import db, login_manager
from csr_hub.models import User
from csr_hub.services import accounts, notify, totp
from csr_hub.web import access

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


#: the user's unread notifications, read with the user: the badge on every page then costs no statement
_UNREAD = notify.unread_select(User.id).correlate(User).scalar_subquery()
#: where ``g`` keeps that count for the badge (``main.routes``)
UNREAD_KEY = "csr_unread_count"


@login_manager.user_loader
def _load_user(user_key: str) -> User | None:
    try:
        user_id, version = (int(x) for x in str(user_key).split(":", 1))
    except ValueError:
        return None
    # a page (not the API) shows the badge: its count comes in the same statement, with a director's ESA
    page = request.method in ("GET", "HEAD") and not request.path.startswith("/api/")
    if page:
        row = db.session.execute(
            sa.select(User, _UNREAD).options(joinedload(User.district)).where(User.id == user_id)
        ).first()
        user, unread = (row[0], row[1]) if row else (None, 0)
    else:
        user = db.session.get(User, user_id)
    if user is None or user.session_version != version or user.status == "disabled":
        return None
    if page:
        setattr(g, UNREAD_KEY, int(unread or 0))
    return user


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _authenticate_bearer():
    """A bearer token replaces the session for this request; a bad one is 401."""
    g.api_token = None
    token = bearer_token()
    if token is None:
        return None
    found = accounts.user_for_token(db.session, token)
    if found is None:
        g._login_user = None
        abort(401)
    g._login_user, g.api_token = found
    return None


def client_ip() -> str:
    return request.remote_addr or ""


def _refuse_large_bodies():
    """413 as soon as the declared body is over MAX_CONTENT_LENGTH, before login checks or parsing."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        abort(413)
    return None


#: what a page session of a director, officer or admin without a second factor may reach
ENROLMENT_ENDPOINTS = frozenset({"auth.totp", "auth.logout", "static", "main.healthz", "security_txt"})


def _force_totp_enrolment():
    """Until a director, central officer or admin has enrolled a second factor, every page but the
    enrolment page and logout redirects to enrolment (the API keeps working with the password alone)."""
    if (
        request.path.startswith("/api/")
        or request.endpoint in ENROLMENT_ENDPOINTS
        or request.endpoint is None
    ):
        return None
    user = current_user
    if not user.is_authenticated or not totp.must_enrol(user):
        return None
    return redirect(url_for("auth.totp", next=request.full_path.rstrip("?")))


#: API endpoints that take a file (multipart/form-data) instead of JSON
MULTIPART_ENDPOINTS = frozenset({"api.create_upload"})


def _refuse_foreign_bodies():
    """An API write whose body is not JSON answers 400 before anything reads it: a foreign site's plain
    form (text/plain, url-encoded or multipart, which browsers send without a CORS preflight) cannot log
    a victim in or act with their cookie."""
    if (
        not request.path.startswith("/api/")
        or request.method not in access.WRITE_METHODS
        or request.endpoint is None  # 404 / 405 answer as they would
    ):
        return None
    mimetype = request.mimetype
    if not mimetype and not request.content_length:
        return None  # no body at all (``POST /needs/1/cancel``)
    if mimetype == "multipart/form-data" and request.endpoint in MULTIPART_ENDPOINTS:
        return None
    from csr_hub.web.api.helpers import BadBody, is_json_type

    if not is_json_type(mimetype):
        from flask_babel import gettext as _

        raise BadBody(_("Send the body as application/json."))
    return None


def security_txt():
    """RFC 9116: where to report a vulnerability. ``Expires`` is always about six months ahead."""
    from datetime import datetime, timedelta, timezone

    from flask import Response

    contact = current_app.config.get("CSR_SECURITY_CONTACT") or "mailto:security@csr-hub.example"
    expires = (datetime.now(timezone.utc) + timedelta(days=180)).replace(microsecond=0)
    root = request.url_root.rstrip("/")
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: th, en",
        f"Canonical: {root}/.well-known/security.txt",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` ids: a number beyond the databases' INTEGER range names nothing, so it becomes 0 (no row
    has that id: the view answers 404 as for any unknown id) instead of overflowing in the database."""

    MAX_ID = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= self.MAX_ID else 0


def init_app(app: Flask) -> None:
    # before any blueprint is registered, so that every <int:…> in the app uses it
    app.url_map.converters["int"] = BoundedIntConverter
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def _unauthorized():
        abort(401)

    app.add_url_rule("/.well-known/security.txt", "security_txt", security_txt)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_large_bodies)
    app.before_request(_refuse_foreign_bodies)
    app.before_request(_authenticate_bearer)
    app.before_request(access.enforce_login)
    app.before_request(_force_totp_enrolment)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("CSR_ENV") == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # the user loaded for this request, if any: loading it here would query the database again, and after
        # a lock timeout that second query would fail outside the error handlers (a 500 instead of the 409)
        user = g.get("_login_user")
        if user is None or getattr(user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

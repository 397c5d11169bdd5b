"""Errors: JSON ``{"error": {"code", "message", "fields"}}`` under /api/, plain pages elsewhere.

No stack trace or SQL ever reaches a response.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from csr_hub.extensions import db
from csr_hub.services.errors import AccountPending, ServiceError
from csr_hub.web import access

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}


def http_message(status: int) -> str:
    return {
        400: _("The request is not valid."),
        401: _("Log in first, or check your e-mail and password."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state; reload and try again."),
        413: _("The request is too large (at most 10 MB)."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }.get(status, _("The request is not valid."))


def json_error(
    status: int, code: str, message: object, fields: dict | None = None, headers: dict | None = None
):
    body = {
        "error": {
            "code": code,
            "message": str(message),
            "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
        }
    }
    response = jsonify(body)
    response.status_code = status
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover
        log.exception("rollback failed")


def _page(status: int, message: object):
    template = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}.get(
        status, "errors/generic.html"
    )
    try:
        return render_template(template, code=status, message=str(message)), status
    except Exception:  # pragma: no cover - a broken template must not hide the error
        log.exception("error page failed")
        return str(message), status


def respond(status: int, code: str, message: object, fields: dict | None = None, headers: dict | None = None):
    if access.wants_json():
        return json_error(status, code, message, fields, headers)
    if fields:  # a page names what was wrong too (a bad ?page= on the dashboard, say)
        message = " ".join([str(message), *(str(m) for msgs in fields.values() for m in msgs)])
    body, st = _page(status, message)
    return body, st, headers or {}


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service(e: ServiceError):
        _rollback()
        return respond(e.status, e.code, e.message, e.fields)

    @app.errorhandler(access.AccountPending)
    def _pending(e):
        _rollback()
        err = AccountPending()
        return respond(403, err.code, err.message)

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError):
        _rollback()
        return respond(
            400,
            "csrf_failed",
            _("The form expired or its security token is missing. Reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        _rollback()
        status = e.code or 500
        headers = {}
        if status == 429:
            headers["Retry-After"] = str(getattr(e, "retry_after", None) or _retry_after(e))
        if status == 405 and e.get_response().headers.get("Allow"):
            headers["Allow"] = e.get_response().headers["Allow"]
        code = HTTP_CODES.get(status, "bad_request" if status < 500 else "server_error")
        return respond(status, code, http_message(status), headers=headers)

    @app.errorhandler(OperationalError)
    def _locked(e: OperationalError):
        _rollback()
        if (
            "locked" in str(e.orig).lower()
            or "deadlock" in str(e.orig).lower()
            or "could not serialize" in str(e.orig).lower()
        ):
            return respond(409, "conflict", http_message(409))
        log.exception("database error")
        return respond(500, "server_error", http_message(500))

    @app.errorhandler(IntegrityError)
    def _integrity(e: IntegrityError):
        _rollback()
        return respond(409, "conflict", http_message(409))

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(e: Exception):
        """A value the database cannot hold (a number too large, a string too long) got past the checks:
        the request is wrong, not the server. Logged so that the missing check gets added."""
        _rollback()
        log.warning("value out of range for the database: %s", type(e).__name__)
        return respond(400, "bad_request", http_message(400))

    @app.errorhandler(Exception)
    def _any(e: Exception):
        _rollback()
        log.exception("unhandled error")
        return respond(500, "server_error", http_message(500))


def _retry_after(e) -> int:
    limit = getattr(e, "limit", None)
    try:
        return int(limit.limit.get_expiry())
    except Exception:
        return 60

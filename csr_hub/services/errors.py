"""Errors services raise; the web layer turns each into a page message or the API's JSON error."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    """A refusal: its HTTP ``status``, its stable ``code`` in the API's JSON, and the ``default`` message
    (lazy, so it is said in the language of whoever reads it)."""

    status, code, default = 400, "bad_request", _l("Bad request.")

    def __init__(self, message: object = None, fields: dict[str, list[object]] | None = None):
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else self.default
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    status, code, default = 422, "validation_error", _l("Some fields are not valid.")


class Unauthorized(ServiceError):
    status, code, default = 401, "unauthorized", _l("Wrong e-mail or password.")


class OtpRequired(Unauthorized):
    code, default = "otp_required", _l("Enter the 6-digit code from your authenticator app.")


class OtpInvalid(Unauthorized):
    code, default = (
        "otp_invalid",
        _l("That code is not valid. Try the current code from your authenticator app."),
    )


class Forbidden(ServiceError):
    status, code, default = 403, "forbidden", _l("You are not allowed to do this.")


class AccountPending(Forbidden):
    code, default = (
        "account_pending",
        _l("Your account is waiting for verification; you cannot make changes yet."),
    )


class NotFound(ServiceError):
    status, code, default = 404, "not_found", _l("Not found.")


class Conflict(ServiceError):
    status, code, default = (
        409,
        "conflict",
        _l("This conflicts with the current state; reload and try again."),
    )


def invalid(field: str, message: object) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})

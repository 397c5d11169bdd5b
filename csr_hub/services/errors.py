"""Errors services raise; the web layer turns each into a page message or the API's JSON error."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: object = None, fields: dict[str, list[object]] | None = None):
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else self.default_message()
        self.fields = fields or {}

    def default_message(self) -> object:
        return _l("Bad request.")


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_error"

    def default_message(self):
        return _l("Some fields are not valid.")


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"

    def default_message(self):
        return _l("Wrong e-mail or password.")


class OtpRequired(Unauthorized):
    code = "otp_required"

    def default_message(self):
        return _l("Enter the 6-digit code from your authenticator app.")


class OtpInvalid(Unauthorized):
    code = "otp_invalid"

    def default_message(self):
        return _l("That code is not valid. Try the current code from your authenticator app.")


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"

    def default_message(self):
        return _l("You are not allowed to do this.")


class AccountPending(Forbidden):
    code = "account_pending"

    def default_message(self):
        return _l("Your account is waiting for verification; you cannot make changes yet.")


class NotFound(ServiceError):
    status = 404
    code = "not_found"

    def default_message(self):
        return _l("Not found.")


class Conflict(ServiceError):
    status = 409
    code = "conflict"

    def default_message(self):
        return _l("This conflicts with the current state; reload and try again.")


def invalid(field: str, message: object) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})

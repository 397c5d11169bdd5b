"""Form helpers shared by the feature packages."""

from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash
from flask_babel import gettext as _
from wtforms import Form

from csr_hub.extensions import db
from csr_hub.services.errors import ServiceError

T = TypeVar("T")


def apply_service_errors(form: Form, exc: ServiceError) -> None:
    """Put a service's field errors next to the matching fields; the rest as a flash message."""
    leftover = []
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(m) for m in messages]
        else:
            leftover.extend(str(m) for m in messages)
    if leftover or not exc.fields:
        flash(" ".join(leftover) or str(exc.message), "error")


def ok(message: str) -> None:
    flash(message, "success")


def form_data(form: Form, exclude: tuple[str, ...] = ("csrf_token", "submit")) -> dict:
    return {k: v for k, v in form.data.items() if k not in exclude}


__all__ = ["apply_service_errors", "ok", "form_data", "_"]


def commit_or_show_errors(form: Form, action: Callable[[], T], success: str) -> tuple[T | None, int]:
    """Run a service call for a submitted form: on success commit, flash ``success`` and return
    (result, 200); on a refusal roll back, put the errors next to the fields and return (None, status)."""
    try:
        result = action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return None, exc.status
    ok(success)
    return result, 200

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


# --- post / redirect / get for forms embedded in another page -------------------------------------------
#: a failed form's errors and values wait in the session for the page it came from (once)
_STASH = "_form_state"
#: above this many characters of typed values the cookie could pass 4 KB: the page is rendered directly
STASH_LIMIT = 1200


def stash_form(key: str, errors: dict[str, list[str]], values: dict[str, str]) -> bool:
    """Keep a failed form's errors and values for the next GET of its page; False when a value too long for
    the cookie had to be left out."""
    from flask import session

    values = {k: str(v) for k, v in values.items() if k != "csrf_token" and v is not None}
    kept = True
    while values and sum(len(v) for v in values.values()) > STASH_LIMIT:
        values.pop(max(values, key=lambda k: len(values[k])))  # a long note is dropped; the errors stay
        kept = False
    session[_STASH] = {
        "key": key,
        "errors": {k: [str(m) for m in v] for k, v in errors.items()},
        "values": values,
    }
    return kept


def pop_form(key: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The errors and values stashed for ``key`` (then forgotten), or two empty dicts."""
    from flask import session

    state = session.get(_STASH)
    if not state or state.get("key") != key:
        return {}, {}
    session.pop(_STASH, None)
    return dict(state.get("errors") or {}), dict(state.get("values") or {})


# --- dates typed on pages: Buddhist Era on Thai pages, Gregorian in English -------------------------------
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
#: a year above this is a Buddhist Era year (BE = CE + 543); no one plans a need for the 25th century CE
BE_YEAR_FROM = 2400


def parse_page_date(text: str | None) -> str | None:
    """``31/12/2570``, ``31-12-2570``, ``2570-12-31``, ``31/12/2027`` or ``2027-12-31`` → ``2027-12-31``.

    A Buddhist Era year is converted. Anything else comes back as typed, for the service to refuse with
    its message; a blank is None ("not given").
    """
    import re
    from datetime import date

    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    s = raw.translate(_THAI_DIGITS)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", s)
        if not m:
            return raw
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    if year >= BE_YEAR_FROM:
        year -= 543
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return raw


def format_page_date(value, lang: str) -> str:
    """A date as it is typed back into a page's date field: ``31/12/2570`` in Thai, ``31/12/2027`` in English."""
    from datetime import date, datetime

    from pythainlp.util import thai_strftime

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        iso = parse_page_date(value)
        try:
            value = date.fromisoformat(iso or "")
        except ValueError:
            return value
    if lang == "th":  # the Buddhist Era year, as Thai users type it
        return thai_strftime(datetime(value.year, value.month, value.day), "%d/%m/%Y")
    return value.strftime("%d/%m/%Y")

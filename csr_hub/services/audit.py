"""The append-only audit log: security events and state changes, readable by admins, never edited.

Rows are only ever added, in the transaction of the change they record. Three locks keep them that way:
no route updates or deletes them (a test walks every route), the ORM refuses to flush a change or a
deletion of one (below), and the database refuses UPDATE and DELETE with a trigger (PostgreSQL and SQLite
alike). Nothing in the app deletes audit rows: a PDPA erasure keeps them, with the person's data gone from
the user row they point to.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from csr_hub.models import ApiToken, AuditEvent, Match, Need, Offer, Partnership, School, User, VocabularyTerm
from csr_hub.services.errors import ValidationFailed

#: detail keys that must never be stored, whatever a caller passes
SECRET_KEYS = frozenset(
    {"password", "new_password", "current_password", "token", "otp", "secret", "totp_secret"}
)


class AppendOnly(RuntimeError):
    """Something tried to change or delete an audit event."""


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str = "",
    **details: Any,
) -> None:
    """Add an audit event to the caller's transaction (committed with the change it records)."""
    clean = {k: v for k, v in details.items() if k not in SECRET_KEYS}
    session.add(
        AuditEvent(
            action=action[:50],
            actor_id=actor_id,
            object_type=object_type[:30],
            object_id=object_id,
            ip=(ip or "")[:64],
            details=clean,
        )
    )


#: what the audit log calls each kind of row an event is about
OBJECT_TYPES: dict[type, str] = {
    User: "user",
    School: "school",
    Need: "need",
    Offer: "offer",
    Match: "match",
    Partnership: "partnership",
    ApiToken: "token",
    VocabularyTerm: "vocabulary_term",
}


def object_type(row: Any) -> str:
    """What the log calls ``row`` (``isinstance``, so a proxy such as Flask-Login's ``current_user`` works)."""
    for model, name in OBJECT_TYPES.items():
        if isinstance(row, model):
            return name
    raise KeyError(f"the audit log names no object of type {type(row).__name__}")


def record_on(
    session: Session, action: str, row: Any, *, by: Any = None, ip: str = "", **details: Any
) -> None:
    """:func:`record` of ``action`` on ``row`` (one of :data:`OBJECT_TYPES`), done by the user ``by``
    (None: the app itself, e.g. the clock)."""
    actor_id = by.id if by is not None else None
    record(
        session, action, actor_id=actor_id, object_type=object_type(row), object_id=row.id, ip=ip, **details
    )


def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AppendOnly("audit events cannot be changed")


def _refuse_bulk_changes(state) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) == AuditEvent.__tablename__:
            raise AppendOnly("audit events cannot be changed or deleted")


def install_guards(session_factory: Any) -> None:
    """Make sessions of ``session_factory`` (the app's scoped session) refuse to change audit events.

    Called by the app factory, not at import: importing this module changes no global state.
    """
    for name, fn in (("before_flush", _refuse_changes), ("do_orm_execute", _refuse_bulk_changes)):
        if not event.contains(session_factory, name, fn):
            event.listen(session_factory, name, fn)


# --- reading (admins) -------------------------------------------------------------------------------
def _day(value: Any, field: str, errors: dict[str, list[object]]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_l("Enter a date as YYYY-MM-DD.")]
        return None


def query(session: Session, args: dict[str, Any]):
    """A SELECT of audit events filtered by ``action`` (exact or prefix with ``*``), ``actor`` (id or
    e-mail), ``object_type``, ``object_id``, ``ip``, ``since`` and ``until`` (dates, Bangkok), newest first.
    Raises ValidationFailed on a bad filter."""
    from csr_hub.domain.reference import BANGKOK

    errors: dict[str, list[object]] = {}
    q = sa.select(AuditEvent)
    action = str(args.get("action") or "").strip()[:50]
    if action:
        if action.endswith("*"):
            prefix = action[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(AuditEvent.action.like(prefix + "%", escape="\\"))
        else:
            q = q.where(AuditEvent.action == action)
    actor = str(args.get("actor") or "").strip()[:254]
    if actor:
        if actor.isascii() and actor.isdigit():
            q = q.where(AuditEvent.actor_id == int(actor))
        else:
            ids = sa.select(User.id).where(User.email == actor.lower())
            q = q.where(AuditEvent.actor_id.in_(ids))
    object_type = str(args.get("object_type") or "").strip()[:30]
    if object_type:
        q = q.where(AuditEvent.object_type == object_type)
    object_id = str(args.get("object_id") or "").strip()
    if object_id:
        if not (object_id.isascii() and object_id.isdigit()) or int(object_id) > 2**31 - 1:
            errors["object_id"] = [_l("Give a whole number of at least 1.")]
        else:
            q = q.where(AuditEvent.object_id == int(object_id))
    ip = str(args.get("ip") or "").strip()[:64]
    if ip:
        q = q.where(AuditEvent.ip == ip)
    since = _day(args.get("since"), "since", errors)
    until = _day(args.get("until"), "until", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if since:
        q = q.where(AuditEvent.at >= datetime.combine(since, time.min, BANGKOK).astimezone(timezone.utc))
    if until:
        q = q.where(
            AuditEvent.at
            < datetime.combine(until + timedelta(days=1), time.min, BANGKOK).astimezone(timezone.utc)
        )
    return q


def actions(session: Session) -> list[str]:
    """The actions recorded so far, for the filter's choices."""
    return list(session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))

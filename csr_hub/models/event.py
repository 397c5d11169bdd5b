"""Notifications, the audit log and idempotency records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from csr_hub.models.base import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matches.id"), nullable=True)
    #: match_changed | new_strong_match | reminder | escalated | partnership_changed
    kind: Mapped[str] = mapped_column(sa.String(30), default="match_changed", server_default="match_changed")
    need_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    offer_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    partnership_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    #: what sent it once (e.g. "new_strong_match:need:3:offer:9", "reminder:match:4:2026-12-02"); a unique
    #: key per user, so a reminder or an alert is never sent twice even when two runs race
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    message_th: Mapped[str] = mapped_column(sa.Text)
    message_en: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: none (no SMTP) | pending | sending (claimed by a sender) | sent | failed; pending ones are retried by
    #: ``flask notify retry``
    email_status: Mapped[str] = mapped_column(sa.String(10), default="none", index=True)
    email_attempts: Mapped[int] = mapped_column(default=0)
    #: why the last attempt failed (a message that cannot be built, a refused recipient, a server down)
    email_error: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    #: a pending one is retried from then on (backoff after a failed attempt); claimed: since when
    email_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: the LINE push, like the e-mail: none | pending | sending | sent | failed (services/line.py)
    line_status: Mapped[str] = mapped_column(sa.String(10), default="none", server_default="none", index=True)
    line_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    line_error: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    line_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )


class AuditEvent(Base):
    """Append-only log of security events and state changes."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(sa.String(50), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(30), default="")
    object_id: Mapped[int | None] = mapped_column(nullable=True)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(200))
    route: Mapped[str] = mapped_column(sa.String(200))
    status_code: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    __table_args__ = (sa.UniqueConstraint("user_id", "key", "route", name="uq_idempotency_user_key_route"),)

"""Background jobs: one row per job, so any node answers ``GET /api/v1/jobs/{id}`` the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from csr_hub.models.base import Base, UTCDateTime, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")
_statuses = ", ".join(f"'{s}'" for s in JOB_STATUSES)


class Job(Base):
    __tablename__ = "jobs"
    #: 32 hex digits (a UUID): also the RQ job id, and not guessable
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: what the job does: ``match_run``, ``export``, ``tick``, ``alerts``, ``outbound`` …
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: 0–100
    progress: Mapped[int] = mapped_column(default=0)
    #: ``module:function`` called with ``(session, progress, **params)``
    func_path: Mapped[str] = mapped_column(sa.String(200))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    #: why the last attempt failed (one line, no stack trace)
    error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_statuses})", name="status"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        sa.Index("ix_jobs_kind_created", "kind", "created_at"),
    )

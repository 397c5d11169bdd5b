"""Matches between a need and an offer, their transitions, stored suggestions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.domain.workflow import ACTIVE_STATUSES, STATUSES
from csr_hub.models.base import Base, Money, Transition, UTCDateTime, WorkflowRow, utcnow
from csr_hub.models.post import Need, Offer
from csr_hub.models.user import User

_active = ", ".join(f"'{s}'" for s in ACTIVE_STATUSES)
_statuses = ", ".join(f"'{s}'" for s in STATUSES)


class Match(WorkflowRow, Base):
    __tablename__ = "matches"
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("needs.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id"), index=True)
    quantity: Mapped[int]
    #: quantity × the offer's value per unit, rounded half up, fixed at proposal
    value_thb: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(sa.String(20), default="proposed", index=True)
    #: "school" or "company"
    proposed_by: Mapped[str] = mapped_column(sa.String(10))
    score: Mapped[float] = mapped_column(sa.Float, default=0.0)
    parts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    received_quantity: Mapped[int | None] = mapped_column(nullable=True)
    #: value of what the school confirmed receiving (pro rata, rounded half up)
    received_value_thb: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: the date (Asia/Bangkok) by which the current step should be taken; None in final states and where
    #: no deadline applies. Set by every transition (services/clock/deadlines.py ``due_on_for``)
    due_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    #: set by the clock when a pledge waited past twice its approval deadline
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()
    history: Mapped[list["MatchTransition"]] = relationship(
        order_by="MatchTransition.id", back_populates="match"
    )

    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="quantity"),
        sa.CheckConstraint(f"status IN ({_statuses})", name="status"),
        sa.CheckConstraint("proposed_by IN ('school', 'company')", name="proposed_by"),
        sa.CheckConstraint(
            "received_quantity IS NULL OR (received_quantity >= 0 AND received_quantity <= quantity)",
            name="received",
        ),
        sa.Index(
            "uq_matches_active_pair",
            "need_id",
            "offer_id",
            unique=True,
            sqlite_where=sa.text(f"status IN ({_active})"),
            postgresql_where=sa.text(f"status IN ({_active})"),
        ),
        #: the newest-first match lists read this index backwards and stop at the page's LIMIT
        sa.Index("ix_matches_created_id", "created_at", "id"),
    )


class MatchTransition(Transition, Base):
    """One recorded step of a match."""

    __tablename__ = "match_transitions"
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    #: None for a transition the clock made (``expire``)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    match: Mapped[Match] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class Suggestion(Base):
    """A need–offer pair scored by the batch run (``flask match run``)."""

    __tablename__ = "suggestions"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(sa.Float)
    parts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    rank: Mapped[int] = mapped_column(default=0)
    #: quantity proposed by the last ``--allocate`` run, 0 when not allocated
    allocated_quantity: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

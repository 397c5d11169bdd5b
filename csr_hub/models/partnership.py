"""A company's multi-year partnership with one school (it "adopts" the school) and its transitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.domain.policy import PartnershipStatus
from csr_hub.models.base import Base, Money, Transition, WorkflowRow
from csr_hub.models.reference import Company, School
from csr_hub.models.user import User

_statuses = ", ".join(f"'{s.value}'" for s in PartnershipStatus)


class Partnership(WorkflowRow, Base):
    __tablename__ = "partnerships"
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    plan: Mapped[str] = mapped_column(sa.Text)
    #: what the company plans to give each partnership year
    yearly_value_thb: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(sa.String(12), default=PartnershipStatus.PROPOSED.value, index=True)

    company: Mapped[Company] = relationship()
    school: Mapped[School] = relationship()
    history: Mapped[list["PartnershipTransition"]] = relationship(
        order_by="PartnershipTransition.id", back_populates="partnership"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_statuses})", name="status"),
        sa.CheckConstraint("ends_on > starts_on", name="dates"),
        sa.CheckConstraint("yearly_value_thb >= 0", name="yearly_value"),
        sa.Index("ix_partnerships_pair", "company_id", "school_id"),
    )


class PartnershipTransition(Transition, Base):
    """One recorded step of a partnership."""

    __tablename__ = "partnership_transitions"
    status_length = 12
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id"), index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    partnership: Mapped[Partnership] = relationship(back_populates="history")
    actor: Mapped[User] = relationship()

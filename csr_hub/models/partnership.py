"""A company's multi-year partnership with one school (it "adopts" the school) and its transitions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.domain.policy import PartnershipStatus
from csr_hub.models.base import Base, Money, Timestamped, UTCDateTime, utcnow
from csr_hub.models.reference import Company, School
from csr_hub.models.user import User

_statuses = ", ".join(f"'{s.value}'" for s in PartnershipStatus)


class Partnership(Timestamped, Base):
    __tablename__ = "partnerships"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    #: denormalised from the school, for the director's scope
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    plan: Mapped[str] = mapped_column(sa.Text)
    #: what the company plans to give each partnership year
    yearly_value_thb: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(sa.String(12), default=PartnershipStatus.PROPOSED.value, index=True)
    proposed_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: optimistic version, bumped by every transition's conditional UPDATE
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship()
    school: Mapped[School] = relationship()
    proposer: Mapped[User] = relationship()
    history: Mapped[list["PartnershipTransition"]] = relationship(
        order_by="PartnershipTransition.id", back_populates="partnership"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_statuses})", name="status"),
        sa.CheckConstraint("ends_on > starts_on", name="dates"),
        sa.CheckConstraint("yearly_value_thb >= 0", name="yearly_value"),
        sa.Index("ix_partnerships_pair", "company_id", "school_id"),
    )


class PartnershipTransition(Base):
    """One recorded step of a partnership; never edited or deleted."""

    __tablename__ = "partnership_transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str | None] = mapped_column(sa.String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    partnership: Mapped[Partnership] = relationship(back_populates="history")
    actor: Mapped[User] = relationship()

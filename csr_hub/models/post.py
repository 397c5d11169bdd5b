"""Needs (what schools ask for) and offers (what companies give).

``committed_quantity`` is the quantity held by matches (pledged on, see the workflow). It changes only in
the same transaction as the match, through a conditional UPDATE guarded by a CHECK, so remaining
quantity never drifts from the matches' sum (a test checks it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.models.base import Base, Money, Timestamped, UTCDateTime
from csr_hub.models.reference import Company, Province, School

offer_provinces = sa.Table(
    "offer_provinces",
    Base.metadata,
    sa.Column("offer_id", sa.ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("province_code", sa.ForeignKey("provinces.code"), primary_key=True, index=True),
)


class Post(Timestamped):
    """The columns a need and an offer share (the id listed first, before each table's own columns)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    category: Mapped[str] = mapped_column(sa.String(32), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    quantity: Mapped[int]
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    #: the quantity matches hold (see the module's docstring)
    committed_quantity: Mapped[int] = mapped_column(default=0)
    #: normalised text, newmm tokens and item kinds, written at save time for search
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: space-separated item-kind codes recognised by the vocabulary
    item_kinds: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.committed_quantity


def _quantity_checks() -> tuple[sa.CheckConstraint, ...]:
    return (
        sa.CheckConstraint("quantity >= 1 AND quantity <= 1000000", name="quantity"),
        sa.CheckConstraint("committed_quantity >= 0 AND committed_quantity <= quantity", name="committed"),
    )


#: ``Need.status_clause("open")`` as each dialect writes it: partial indexes apply when the query's
#: WHERE has these very terms (migration a19s0000k001)
OPEN_NEED_SQL = {
    "postgresql": "cancelled IS false AND expired IS false AND committed_quantity < quantity",
    "sqlite": "cancelled IS 0 AND expired IS 0 AND committed_quantity < quantity",
}
UNANALYSED_SQL = "coalesce(search_text, '') = ''"
#: a need flagged as a suspected duplicate (``possible_duplicates`` not the empty list), as
#: ``duplicates.for_district`` writes it, so the partial index ``ix_needs_flagged`` applies
FLAGGED_SQL = "CAST(possible_duplicates AS VARCHAR) <> '[]'"


def _partial(name: str, where: str | dict[str, str], *columns: str) -> sa.Index:
    """An index over the rows ``where`` holds (one SQL text, or one per dialect as ``OPEN_NEED_SQL``)."""
    by_dialect = where if isinstance(where, dict) else {"postgresql": where, "sqlite": where}
    return sa.Index(
        name,
        *columns,
        postgresql_where=sa.text(by_dialect["postgresql"]),
        sqlite_where=sa.text(by_dialect["sqlite"]),
    )


class Need(Post, Base):
    __tablename__ = "needs"
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    #: the school's ESA, copied when the need is saved (as a match's and a partnership's are): an ESA's
    #: lists read an index on it instead of every need of the ESA's schools (a school never changes ESA)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), nullable=True)
    estimated_cost_thb: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    #: government budget already allocated; set by the ESA director or a central officer
    budget_thb: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    needed_by: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    urgency: Mapped[str] = mapped_column(sa.String(10), default="normal")
    #: 0 low … 3 critical, for sorting
    urgency_rank: Mapped[int] = mapped_column(default=1, index=True)
    cancelled: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: when its school last confirmed it is still wanted (``POST /needs/{id}/confirm``); restarts the count
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: the day (Asia/Bangkok) the clock asked its school to confirm it; None while no review is due
    review_requested_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    #: set by the clock thirty days after an unanswered review request; ``confirm`` clears it
    expired: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: ids of the same school's needs this one looks like, found when it was posted (services/duplicates.py)
    possible_duplicates: Mapped[list[int]] = mapped_column(sa.JSON, default=list)

    @property
    def shown_duplicates(self) -> list[int]:
        """The suspected duplicates shown: those still counting where ``posts.get_need`` checked, else
        the stored ones."""
        return self.__dict__.get("_shown_duplicates", self.possible_duplicates or [])

    @shown_duplicates.setter
    def shown_duplicates(self, ids: list[int]) -> None:
        self.__dict__["_shown_duplicates"] = ids

    school: Mapped[School] = relationship()

    __table_args__ = (
        *_quantity_checks(),
        sa.CheckConstraint("estimated_cost_thb >= 0 AND budget_thb >= 0", name="money"),
        sa.CheckConstraint("urgency IN ('low', 'normal', 'high', 'critical')", name="urgency"),
        sa.Index("ix_needs_open_created", "cancelled", "created_at"),
        # lists at national scale (bench/bench_lists.py): counts answered from the index alone, and an
        # index in each sort order so a page is read in order rather than sorted
        sa.Index(
            "ix_needs_list_cover",
            "cancelled",
            "category",
            "urgency_rank",
            "school_id",
            "committed_quantity",
            "quantity",
        ),
        sa.Index("ix_needs_school_created", "school_id", "created_at"),
        sa.Index("ix_needs_created", "created_at", "id"),
        sa.Index("ix_needs_urgency_created", "urgency_rank", "created_at", "id"),
        sa.Index("ix_needs_value", "estimated_cost_thb", "id"),
        # the report figures (services/reports.py) from the index alone, without reading the texts
        sa.Index(
            "ix_needs_report", "school_id", "category", "cancelled", "estimated_cost_thb", "budget_thb", "id"
        ),
        # the open needs (the lists' default filter, which the cover index cannot answer: it lacks
        # ``expired``): their count, also by category, urgency or school, from this index alone
        _partial("ix_needs_open", OPEN_NEED_SQL, "category", "urgency_rank", "school_id"),
        # an ESA's open needs newest first (the director's dashboard, ``/needs?district=``) and their count,
        # and a school's open needs counted (beside each waiting match), from these indexes alone
        _partial("ix_needs_open_district", OPEN_NEED_SQL, "district_id", "created_at", "id"),
        _partial("ix_needs_open_school", OPEN_NEED_SQL, "school_id"),
        # an ESA's needs flagged as suspected duplicates (the director's dashboard)
        _partial("ix_needs_flagged", FLAGGED_SQL, "district_id", "id"),
        # needs saved without their analysis, which suggestions read with the item-kind matches
        _partial("ix_needs_unanalysed", UNANALYSED_SQL, "id"),
    )

    @property
    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.expired:
            return "expired"
        if self.remaining_quantity <= 0:
            return "fulfilled"
        return "open"

    @property
    def review_due(self) -> bool:
        """The clock asked its school to confirm this need and nobody has yet."""
        return self.review_requested_on is not None and not self.cancelled

    @classmethod
    def status_clause(cls, status: str):
        if status == "cancelled":
            return cls.cancelled.is_(True)
        live = sa.and_(cls.cancelled.is_(False), cls.expired.is_(False))
        if status == "expired":
            return sa.and_(cls.cancelled.is_(False), cls.expired.is_(True))
        if status == "fulfilled":
            return sa.and_(live, cls.committed_quantity >= cls.quantity)
        return sa.and_(live, cls.committed_quantity < cls.quantity)


class Offer(Post, Base):
    __tablename__ = "offers"
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    #: total value of the whole offer; a match is valued pro rata per unit
    value_thb: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    available_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: true when the offer serves every province (no rows in offer_provinces)
    nationwide: Mapped[bool] = mapped_column(default=True, index=True)

    company: Mapped[Company] = relationship()
    provinces: Mapped[list[Province]] = relationship(secondary=offer_provinces, order_by=Province.code)

    __table_args__ = (
        *_quantity_checks(),
        sa.CheckConstraint("value_thb >= 0", name="money"),
        sa.Index("ix_offers_open_created", "withdrawn", "created_at"),
    )

    @property
    def province_codes(self) -> list[str]:
        return [p.code for p in self.provinces]

    def status_on(self, today: date) -> str:
        if self.withdrawn:
            return "withdrawn"
        if self.available_until is not None and self.available_until < today:
            return "expired"
        if self.remaining_quantity <= 0:
            return "exhausted"
        return "open"

    @classmethod
    def status_clause(cls, status: str, today: date):
        not_expired = sa.or_(cls.available_until.is_(None), cls.available_until >= today)
        if status == "withdrawn":
            return cls.withdrawn.is_(True)
        if status == "expired":
            return sa.and_(cls.withdrawn.is_(False), cls.available_until < today)
        if status == "exhausted":
            return sa.and_(cls.withdrawn.is_(False), not_expired, cls.committed_quantity >= cls.quantity)
        return sa.and_(cls.withdrawn.is_(False), not_expired, cls.committed_quantity < cls.quantity)


@sa.event.listens_for(Need, "before_insert")
def _copy_district(_mapper, connection, need: Need) -> None:
    """A need takes its school's ESA when it is saved, however it is made (the service, a seed, a test)."""
    if need.district_id is not None:
        return
    school = sa.inspect(need).attrs.school.loaded_value
    if isinstance(school, School) and school.district_id is not None:
        need.district_id = school.district_id
    elif need.school_id is not None:
        need.district_id = connection.scalar(sa.select(School.district_id).where(School.id == need.school_id))

"""Declarative base with a naming convention so Alembic constraint names are stable."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

if TYPE_CHECKING:  # the relationships below name it; models/user.py imports this module
    from csr_hub.models.user import User

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: money columns: baht with satang, never float
Money = sa.Numeric(14, 2)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware datetimes on both databases (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            # SQLite keeps the wall time only: store (and compare) every instant as UTC
            value = (
                value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
            )
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class WorkflowRow(Timestamped):
    """What a match and a partnership share: a user proposed it, it belongs to one ESA (denormalised from
    the school, for the director's queue and scope filters), and only its transitions change it, each with
    a conditional UPDATE that bumps its optimistic ``version``. Its steps are in ``history``."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    proposed_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr
    def proposer(cls) -> Mapped[User]:
        return relationship("User")


class Transition:
    """The columns of one recorded step of a match or a partnership (never edited or deleted); each table
    adds the row it belongs to and its actor, and says how long its statuses are."""

    status_length: ClassVar[int] = 20

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    action: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    @declared_attr
    def from_status(cls) -> Mapped[str | None]:
        return mapped_column(sa.String(cls.status_length), nullable=True)

    @declared_attr
    def to_status(cls) -> Mapped[str]:
        return mapped_column(sa.String(cls.status_length))

"""Provinces, Educational Service Areas (ESAs), schools and companies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.models.base import Base, UTCDateTime, utcnow

district_provinces = sa.Table(
    "district_provinces",
    Base.metadata,
    sa.Column("district_id", sa.ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("province_code", sa.ForeignKey("provinces.code"), primary_key=True),
)


class Province(Base):
    __tablename__ = "provinces"
    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name_th: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    #: one of north, northeast, central, east, west, south
    region: Mapped[str] = mapped_column(sa.String(20), index=True)
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)


class District(Base):
    """An Educational Service Area (ESA) office."""

    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name_th: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: the province where the office sits
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), index=True)
    province: Mapped[Province] = relationship(foreign_keys=[province_code])
    provinces: Mapped[list[Province]] = relationship(secondary=district_provinces, order_by=Province.code)

    __table_args__ = (sa.CheckConstraint("kind IN ('primary', 'secondary')", name="kind"),)


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: OBEC's 10-digit school code
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name_th: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), index=True)
    #: core | stand_alone | merging (OBEC's quality-school policy)
    quality_group: Mapped[str] = mapped_column(sa.String(12), index=True, default="core")
    pupils: Mapped[int] = mapped_column(default=0)
    teachers: Mapped[int] = mapped_column(default=0)
    district: Mapped[District] = relationship()
    province: Mapped[Province] = relationship()

    __table_args__ = (
        sa.CheckConstraint("quality_group IN ('core', 'stand_alone', 'merging')", name="quality_group"),
        sa.CheckConstraint("pupils >= 0 AND teachers >= 0", name="counts"),
    )


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: 13-digit Thai tax id, checksum validated
    tax_id: Mapped[str] = mapped_column(sa.String(13), unique=True)
    province_code: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.code"), nullable=True)
    verified: Mapped[bool] = mapped_column(default=False, index=True)
    #: whether the company agreed to be named on the public recognition page
    show_publicly: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    province: Mapped[Province | None] = relationship()

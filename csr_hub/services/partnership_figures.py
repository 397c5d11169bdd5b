"""Partnership figures: the years' plan against pledged and delivered, and what other pages show."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from csr_hub.domain import money
from csr_hub.domain.policy import (
    DELIVERED_OR_FURTHER,
    PLEDGED_OR_FURTHER,
    MatchStatus,
    NeedStatus,
    PartnershipStatus,
)
from csr_hub.domain.reference import BANGKOK
from csr_hub.models import District, Match, Need, Offer, Partnership


def add_years(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar years (29 February becomes 28 February)."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


# -- the partnership years ----------------------------------------------------------------------------------
def year_bounds(starts_on: date, ends_on: date) -> list[tuple[date, date]]:
    """Each partnership year from ``starts_on``, 12 months each; the last one ends on ``ends_on``."""
    out: list[tuple[date, date]] = []
    i = 0
    while True:
        start = add_years(starts_on, i)
        if start > ends_on:
            break
        nxt = add_years(starts_on, i + 1)
        end = nxt - timedelta(days=1)
        if end >= ends_on or nxt >= ends_on:
            out.append((start, ends_on))
            break
        out.append((start, end))
        i += 1
    return out


def _proposed_on(ts: datetime) -> date:
    return ts.astimezone(BANGKOK).date()


def years(session: Session, p: Partnership) -> list[dict[str, Any]]:
    """Plan against the company's matches with the school, by the date each match was proposed."""
    bounds = year_bounds(p.starts_on, p.ends_on)
    rows = session.execute(
        sa.select(Match.created_at, Match.status, Match.value_thb, Match.received_value_thb)
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .where(
            Need.school_id == p.school_id,
            Offer.company_id == p.company_id,
            Match.status.in_([s.value for s in PLEDGED_OR_FURTHER]),
        )
    ).all()
    out = []
    for start, end in bounds:
        pledged = delivered = Decimal("0")
        for created_at, status, value, received in rows:
            if not start <= _proposed_on(created_at) <= end:
                continue
            pledged += money.to_decimal(value)
            if status in DELIVERED_OR_FURTHER:
                effective = (received or 0) if status == MatchStatus.COMPLETED else value
                delivered += money.to_decimal(effective)
        out.append(
            {
                "year_start": start,
                "year_end": end,
                "planned_value_thb": money.to_decimal(p.yearly_value_thb),
                "pledged_value_thb": pledged,
                "delivered_value_thb": delivered,
            }
        )
    return out


# -- what other pages show ---------------------------------------------------------------------------------
def open_needs(session: Session, school_id: int, limit: int = 50) -> list[Need]:
    return list(
        session.scalars(
            sa.select(Need)
            .where(Need.school_id == school_id, Need.status_clause(NeedStatus.OPEN.value))
            .order_by(Need.created_at.desc())
            .limit(limit)
        )
    )


def for_district(session: Session, district_id: int, limit: int = 50) -> list[Partnership]:
    """The ESA's partnerships for its director's dashboard: proposed ones (waiting for them) first."""
    order = sa.case((Partnership.status == PartnershipStatus.PROPOSED.value, 0), else_=1)
    return list(
        session.scalars(
            sa.select(Partnership)
            .options(joinedload(Partnership.school), joinedload(Partnership.company))
            .where(Partnership.district_id == district_id)
            .order_by(order, Partnership.created_at.desc())
            .limit(limit)
        )
    )


def figures_by_district(session: Session, district_id: int | None = None) -> list[dict[str, Any]]:
    """Per ESA: partnerships proposed and active, schools adopted and the planned yearly value of active ones."""
    act_flag = Partnership.status == PartnershipStatus.ACTIVE.value
    q = (
        sa.select(
            District.code,
            District.name_th,
            District.name_en,
            sa.func.sum(sa.case((act_flag, 1), else_=0)),
            sa.func.sum(sa.case((Partnership.status == PartnershipStatus.PROPOSED.value, 1), else_=0)),
            sa.func.count(sa.distinct(sa.case((act_flag, Partnership.school_id)))),
            sa.func.sum(sa.case((act_flag, Partnership.yearly_value_thb), else_=0)),
        )
        .join(District, Partnership.district_id == District.id)
        .group_by(District.code, District.name_th, District.name_en)
        .order_by(District.code)
    )
    if district_id is not None:
        q = q.where(Partnership.district_id == district_id)
    return [
        {
            "district_code": code,
            "name_th": th,
            "name_en": en,
            "active_count": int(a or 0),
            "proposed_count": int(pr or 0),
            "schools_count": int(s or 0),
            "yearly_value_thb": money.to_decimal(v or 0),
        }
        for code, th, en, a, pr, s, v in session.execute(q)
    ]


def public_for_company(session: Session, company_id: int) -> list[Partnership]:
    """Active partnerships for the public company page."""
    return list(
        session.scalars(
            sa.select(Partnership)
            .options(joinedload(Partnership.school))
            .where(Partnership.company_id == company_id, Partnership.status == PartnershipStatus.ACTIVE.value)
            .order_by(Partnership.starts_on)
        )
    )

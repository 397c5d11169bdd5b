"""Report figures, aggregated in SQL: a constant number of queries whatever the data size."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS
from csr_hub.models import Company, District, Match, Need, Offer, School

PLEDGED = ("pledged", "district_approved", "approved", "delivered", "completed")
APPROVED = ("approved", "delivered", "completed")
DELIVERED = ("delivered", "completed")
KEYS = ("needs_count", "needs_value_thb", "budget_thb", "pledged_count", "pledged_value_thb", "approved_count",
        "approved_value_thb", "delivered_count", "delivered_value_thb", "completed_count", "gap_thb")
MONEY_KEYS = {k for k in KEYS if k.endswith("_thb")}


def _effective_value():
    """A match's value as the reports count it: what was received once completed, else its pledged value."""
    return sa.case((Match.status == "completed", sa.func.coalesce(Match.received_value_thb, 0)), else_=Match.value_thb)


def _zero() -> dict[str, Any]:
    return {k: Decimal(0) if k in MONEY_KEYS else 0 for k in KEYS}


def _scope(q, district_id: int | None, school_id: int | None = None):
    if district_id is not None:
        q = q.where(School.district_id == district_id)
    if school_id is not None:
        q = q.where(School.id == school_id)
    return q


def grouped(session: Session, group_cols: list, district_id: int | None = None,
            school_id: int | None = None) -> dict[tuple, dict[str, Any]]:
    """Figures keyed by the values of ``group_cols`` (columns of Need or School)."""
    approved_value = (
        sa.select(Match.need_id.label("need_id"), sa.func.sum(_effective_value()).label("v"))
        .where(Match.status.in_(APPROVED)).group_by(Match.need_id).subquery()
    )
    remaining = Need.estimated_cost_thb - Need.budget_thb - sa.func.coalesce(approved_value.c.v, 0)
    needs_q = _scope(
        sa.select(*group_cols, sa.func.count(Need.id), sa.func.coalesce(sa.func.sum(Need.estimated_cost_thb), 0),
                  sa.func.coalesce(sa.func.sum(Need.budget_thb), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((remaining > 0, remaining), else_=0)), 0))
        .select_from(Need).join(School, Need.school_id == School.id)
        .outerjoin(approved_value, approved_value.c.need_id == Need.id)
        .where(Need.cancelled.is_(False)), district_id, school_id).group_by(*group_cols)
    out: dict[tuple, dict[str, Any]] = defaultdict(_zero)
    n = len(group_cols)
    for row in session.execute(needs_q):
        f = out[tuple(row[:n])]
        f["needs_count"], f["needs_value_thb"], f["budget_thb"], f["gap_thb"] = (
            row[n], Decimal(str(row[n + 1])), Decimal(str(row[n + 2])), Decimal(str(row[n + 3])))
    value = _effective_value()

    def stage(statuses, val):
        flag = Match.status.in_(statuses)
        return sa.func.sum(sa.case((flag, 1), else_=0)), sa.func.coalesce(sa.func.sum(sa.case((flag, val), else_=0)), 0)

    cols = [*stage(PLEDGED, Match.value_thb), *stage(APPROVED, Match.value_thb), *stage(DELIVERED, value),
            sa.func.sum(sa.case((Match.status == "completed", 1), else_=0))]
    match_q = _scope(
        sa.select(*group_cols, *cols).select_from(Match).join(Need, Match.need_id == Need.id)
        .join(School, Need.school_id == School.id).where(Match.status.in_(PLEDGED)), district_id, school_id
    ).group_by(*group_cols)
    for row in session.execute(match_q):
        f = out[tuple(row[:n])]
        vals = row[n:]
        f["pledged_count"], f["pledged_value_thb"] = int(vals[0] or 0), Decimal(str(vals[1]))
        f["approved_count"], f["approved_value_thb"] = int(vals[2] or 0), Decimal(str(vals[3]))
        f["delivered_count"], f["delivered_value_thb"] = int(vals[4] or 0), Decimal(str(vals[5]))
        f["completed_count"] = int(vals[6] or 0)
    return out


def _add(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k in KEYS:
        into[k] += other[k]


def as_json(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: (money.to_json(figures[k]) if k in MONEY_KEYS else int(figures[k])) for k in KEYS}


def summary(session: Session, district_id: int | None = None, school_id: int | None = None) -> dict[str, Any]:
    """The figures of SPEC "Reports": national, or one ESA's."""
    rows = grouped(session, [Need.category, School.quality_group], district_id, school_id)
    total, by_cat, by_group = _zero(), {c: _zero() for c in CATEGORIES}, {g: _zero() for g in QUALITY_GROUPS}
    for (category, group), f in rows.items():
        _add(total, f)
        if category in by_cat:
            _add(by_cat[category], f)
        if group in by_group:
            _add(by_group[group], f)
    result = as_json(total)
    result["by_category"] = [{"category": c, **as_json(f)} for c, f in by_cat.items()]
    result["by_quality_group"] = [{"quality_group": g, **as_json(f)} for g, f in by_group.items()]
    return result


def by_district(session: Session) -> list[dict[str, Any]]:
    rows = grouped(session, [School.district_id])
    districts = {d.id: d for d in session.scalars(sa.select(District))}
    out = []
    for (did,), f in rows.items():
        d = districts.get(did)
        out.append({"district_code": d.code if d else "", "name_th": d.name_th if d else "",
                    "name_en": d.name_en if d else "", **as_json(f)})
    return sorted(out, key=lambda r: -r["gap_thb"])


def by_school(session: Session, district_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
    rows = grouped(session, [School.id, School.code, School.name_th, School.name_en, School.quality_group], district_id)
    out = [{"school_id": k[0], "school_code": k[1], "name_th": k[2], "name_en": k[3], "quality_group": k[4],
            **as_json(f)} for k, f in rows.items()]
    return sorted(out, key=lambda r: (-r["gap_thb"], r["school_code"]))[:limit]


def companies(session: Session, district_id: int | None = None, public_only: bool = False) -> list[dict[str, Any]]:
    value = _effective_value()
    q = (sa.select(Company.id, Company.name, Company.province_code,
                   sa.func.sum(sa.case((Match.status.in_(PLEDGED), 1), else_=0)),
                   sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(PLEDGED), Match.value_thb), else_=0)), 0),
                   sa.func.sum(sa.case((Match.status.in_(DELIVERED), 1), else_=0)),
                   sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(DELIVERED), value), else_=0)), 0))
         .select_from(Match).join(Offer, Match.offer_id == Offer.id).join(Company, Offer.company_id == Company.id)
         .where(Match.status.in_(PLEDGED)).group_by(Company.id, Company.name, Company.province_code))
    if district_id is not None:
        q = q.where(Match.district_id == district_id)
    if public_only:
        q = q.where(Company.show_publicly.is_(True), Company.verified.is_(True))
    out = [{"company_id": r[0], "name": r[1], "province_code": r[2], "pledged_count": int(r[3] or 0),
            "pledged_value_thb": money.to_json(r[4]), "delivered_count": int(r[5] or 0),
            "delivered_value_thb": money.to_json(r[6])} for r in session.execute(q)]
    return sorted(out, key=lambda r: (-r["delivered_value_thb"], -r["pledged_value_thb"], r["name"]))

"""The figures of SPEC "Reports" — needs, stages, gap — per group, in two queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS
from csr_hub.models import District, Match, Need, School
from csr_hub.services.reporting.sql import (
    APPROVED,
    DELIVERED,
    KEYS,
    MATCH_KEYS,
    MONEY_KEYS,
    PLEDGED,
    baht,
    cents,
    count_if,
    effective_value,
    sum_cents,
)

NEED_KEYS = ("needs_count", "needs_value_thb", "budget_thb", "gap_thb")


@dataclass(slots=True)
class Figures:
    """One group's figures, money in satang: adding up thousands of groups stays exact and quick."""

    needs_count: int = 0
    needs_value_thb: int = 0
    budget_thb: int = 0
    pledged_count: int = 0
    pledged_value_thb: int = 0
    approved_count: int = 0
    approved_value_thb: int = 0
    delivered_count: int = 0
    delivered_value_thb: int = 0
    completed_count: int = 0
    gap_thb: int = 0

    def set(self, names: tuple[str, ...], values) -> Figures:
        for name, v in zip(names, values):
            setattr(self, name, int(v or 0))
        return self

    def add(self, other: Figures) -> None:
        for name in KEYS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def values(self) -> list[int]:
        return [getattr(self, name) for name in KEYS]

    def as_json(self) -> dict[str, Any]:
        """Satang to baht (a JSON number, at most 2 decimals), counts as they are."""
        return {k: (money.to_json(baht(v)) if k in MONEY_KEYS else v) for k, v in zip(KEYS, self.values())}


assert tuple(f.name for f in fields(Figures)) == KEYS


def _zero() -> Figures:
    return Figures()


def _scope(q, district_id: int | None, school_id: int | None = None):
    if district_id is not None:
        q = q.where(School.district_id == district_id)
    if school_id is not None:
        q = q.where(School.id == school_id)
    return q


def _gap_cents(approved_value):
    remaining = (
        cents(Need.estimated_cost_thb) - cents(Need.budget_thb) - sa.func.coalesce(approved_value.c.v, 0)
    )
    return sa.case((remaining > 0, remaining), else_=0)


def _approved_value_subquery():
    return (
        sa.select(Match.need_id.label("need_id"), sa.func.sum(cents(effective_value())).label("v"))
        .where(Match.status.in_(APPROVED))
        .group_by(Match.need_id)
        .subquery()
    )


def grouped(
    session: Session,
    group_cols: list,
    district_id: int | None = None,
    school_id: int | None = None,
    top_by_gap: int | None = None,
) -> dict[tuple, Figures]:
    """Figures keyed by the values of ``group_cols`` (columns of Need or School): two queries.

    With ``top_by_gap`` only the groups with the largest gap are computed (the match figures are then
    fetched for those groups alone), in that order.
    """
    approved_value = _approved_value_subquery()
    gap = sum_cents(_gap_cents(approved_value))
    needs_q = _scope(
        sa.select(
            *group_cols,
            sa.func.count(Need.id),
            sum_cents(cents(Need.estimated_cost_thb)),
            sum_cents(cents(Need.budget_thb)),
            gap,
        )
        .select_from(Need)
        .join(School, Need.school_id == School.id)
        .outerjoin(approved_value, approved_value.c.need_id == Need.id)
        .where(Need.cancelled.is_(False), Need.expired.is_(False)),  # an expired need counts as cancelled
        district_id,
        school_id,
    ).group_by(*group_cols)
    if top_by_gap is not None:
        needs_q = needs_q.order_by(gap.desc(), *group_cols).limit(top_by_gap)
    out: dict[tuple, Figures] = {}
    n = len(group_cols)
    for row in session.execute(needs_q):
        out[tuple(row[:n])] = Figures().set(NEED_KEYS, row[n:])
    if top_by_gap is not None and not out:
        return out
    value = effective_value()

    def stage(statuses, val):
        flag = Match.status.in_(statuses)
        return count_if(flag), sum_cents(sa.case((flag, cents(val)), else_=0))

    cols = [
        *stage(PLEDGED, Match.value_thb),
        *stage(APPROVED, Match.value_thb),
        *stage(DELIVERED, value),
        count_if(Match.status == "completed"),
    ]
    match_q = _scope(
        sa.select(*group_cols, *cols)
        .select_from(Match)
        .join(Need, Match.need_id == Need.id)
        .join(School, Need.school_id == School.id)
        .where(Match.status.in_(PLEDGED)),
        district_id,
        school_id,
    ).group_by(*group_cols)
    if top_by_gap is not None and n == 1:
        match_q = match_q.where(group_cols[0].in_([k[0] for k in out]))
    for row in session.execute(match_q):
        key = tuple(row[:n])
        f = out.get(key)
        if f is None:
            if top_by_gap is not None:
                continue
            f = out[key] = _zero()
        f.set(MATCH_KEYS, row[n:])
    return out


def _add(into: Figures, other: Figures) -> None:
    into.add(other)


def as_json(figures: Figures | list[int]) -> dict[str, Any]:
    """Satang to baht (a JSON number, at most 2 decimals), counts as they are."""
    if isinstance(figures, Figures):
        return figures.as_json()
    return Figures().set(KEYS, figures).as_json()


def _summarise(rows: dict[tuple, Figures], cat: int, group: int) -> dict[str, Any]:
    """Roll figures keyed by tuples holding a category (at ``cat``) and a quality group up to the summary."""
    total, by_cat, by_group = _zero(), {c: _zero() for c in CATEGORIES}, {g: _zero() for g in QUALITY_GROUPS}
    for key, f in rows.items():
        _add(total, f)
        _add(by_cat.setdefault(key[cat], _zero()), f)
        _add(by_group.setdefault(key[group], _zero()), f)
    result = as_json(total)
    result["by_category"] = [{"category": c, **as_json(f)} for c, f in by_cat.items()]
    result["by_quality_group"] = [{"quality_group": g, **as_json(f)} for g, f in by_group.items()]
    return result


def summary(session: Session, district_id: int | None = None, school_id: int | None = None) -> dict[str, Any]:
    """The figures of SPEC "Reports": national, or one ESA's (or one school's). Two queries."""
    return _summarise(grouped(session, [Need.category, School.quality_group], district_id, school_id), 0, 1)


def _districts(session: Session, rows: dict[int, Figures]) -> list[dict[str, Any]]:
    out = []
    for d in session.scalars(sa.select(District).order_by(District.code)):
        out.append(
            {
                "district_code": d.code,
                "name_th": d.name_th,
                "name_en": d.name_en,
                **as_json(rows.get(d.id, _zero())),
            }
        )
    return sorted(out, key=lambda r: (-r["gap_thb"], r["district_code"]))


def by_district(session: Session) -> list[dict[str, Any]]:
    """Every ESA, those without needs included, largest gap first. Three queries."""
    return _districts(session, {k[0]: f for k, f in grouped(session, [School.district_id]).items()})


def summary_and_districts(
    session: Session, district_id: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """:func:`summary` and, nationally, :func:`by_district` from one pass over the needs (three queries)."""
    rows = grouped(session, [School.district_id, Need.category, School.quality_group], district_id)
    if district_id is not None:
        return _summarise(rows, 1, 2), []
    per: dict[int, Figures] = {}
    for key, f in rows.items():
        _add(per.setdefault(key[0], _zero()), f)
    return _summarise(rows, 1, 2), _districts(session, per)


SCHOOL_COLS = [School.id, School.code, School.name_th, School.name_en, School.quality_group]


def by_school(
    session: Session, district_id: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Schools with needs in scope, largest gap first; ``limit`` keeps the top ones (still two queries)."""
    if limit is None:
        rows = grouped(session, SCHOOL_COLS, district_id)
    else:
        top = grouped(session, [School.id], district_id, top_by_gap=limit)
        info = (
            {
                r[0]: r
                for r in session.execute(sa.select(*SCHOOL_COLS).where(School.id.in_([k[0] for k in top])))
            }
            if top
            else {}
        )
        rows = {tuple(info[k[0]]): f for k, f in top.items()}
    out = [
        {
            "school_id": k[0],
            "school_code": k[1],
            "name_th": k[2],
            "name_en": k[3],
            "quality_group": k[4],
            **as_json(f),
        }
        for k, f in rows.items()
    ]
    return sorted(out, key=lambda r: (-r["gap_thb"], r["school_code"]))

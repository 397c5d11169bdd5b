"""Companies' contributions, and what a certificate of thanks says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.models import Company, Match, MatchTransition, Need, Offer, School
from csr_hub.services.reporting.sql import DELIVERED, PLEDGED, baht, cents, effective_value, sum_cents


def _company_cols():
    value = effective_value()
    return [
        sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(PLEDGED), 1), else_=0)), 0),
        sum_cents(sa.case((Match.status.in_(PLEDGED), cents(Match.value_thb)), else_=0)),
        sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(DELIVERED), 1), else_=0)), 0),
        sum_cents(sa.case((Match.status.in_(DELIVERED), cents(value)), else_=0)),
        sa.func.coalesce(sa.func.sum(sa.case((Match.status == "completed", 1), else_=0)), 0),
    ]


def _company_figures(row) -> dict[str, Any]:
    return {
        "pledged_count": int(row[0]),
        "pledged_value_thb": money.to_json(baht(row[1])),
        "delivered_count": int(row[2]),
        "delivered_value_thb": money.to_json(baht(row[3])),
        "completed_count": int(row[4]),
    }


def _company_query(
    extra_cols: list,
    district_id: int | None,
    public_only: bool,
    company_id: int | None,
    include_company_id: int | None = None,
):
    q = (
        sa.select(Company.id, Company.name, *extra_cols, *_company_cols())
        .select_from(Match)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Company, Offer.company_id == Company.id)
        .where(Match.status.in_(PLEDGED))
        .group_by(Company.id, Company.name, *extra_cols)
    )
    if district_id is not None:
        q = q.where(Match.district_id == district_id)
    if public_only:
        shown = sa.and_(Company.show_publicly.is_(True), Company.verified.is_(True))
        q = q.where(shown if include_company_id is None else sa.or_(shown, Company.id == include_company_id))
    if company_id is not None:
        q = q.where(Company.id == company_id)
    return q


def _company_order(r: dict[str, Any]):
    return (-r["delivered_value_thb"], -r["pledged_value_thb"], r["name"], r["company_id"])


def companies(
    session: Session,
    district_id: int | None = None,
    public_only: bool = False,
    company_id: int | None = None,
    include_company_id: int | None = None,
    by: str | None = None,
) -> list[dict[str, Any]]:
    """Per company: what it pledged and delivered (to schools of the ESA when given); ``by`` ``province``
    (of the receiving school) or ``category``: per company and per that. One query.

    ``public_only`` keeps the verified companies that agreed to be shown (and ``include_company_id``).
    """
    if by not in (None, "province", "category"):
        raise ValueError(by)
    name, col = _BY[by]
    q = _company_query([col], district_id, public_only, company_id, include_company_id)
    if by is not None:
        q = q.join(Need, Match.need_id == Need.id)
    if by == "province":
        q = q.join(School, Need.school_id == School.id)
    out = [
        {"company_id": r[0], "name": r[1], name: r[2], **_company_figures(r[3:])} for r in session.execute(q)
    ]
    if by is None:
        return sorted(out, key=_company_order)
    return sorted(out, key=lambda r: (*_company_order(r), r[name] or ""))


#: what a row is placed by: the company's own province, or the receiving school's province, or the category
_BY = {
    None: ("province_code", Company.province_code),
    "province": ("province_code", School.province_code),
    "category": ("category", Need.category),
}


# --- certificate ----------------------------------------------------------------------------------------
def certificate(session: Session, match_id: int) -> dict[str, Any] | None:
    """What a certificate of thanks says about one completed match, or None when there is none."""
    match = session.get(Match, match_id)
    if match is None or match.status != "completed":
        return None
    times = dict(
        session.execute(
            sa.select(MatchTransition.to_status, sa.func.max(MatchTransition.at))
            .where(MatchTransition.match_id == match_id)
            .group_by(MatchTransition.to_status)
        ).all()
    )
    return {
        "match": match,
        "need": match.need,
        "offer": match.offer,
        "school": match.need.school,
        "company": match.offer.company,
        "district": match.need.school.district,
        "delivered_at": times.get("delivered"),
        "completed_at": times.get("completed"),
        "received_value_thb": match.received_value_thb or Decimal(0),
    }


def completed_matches(session: Session, company_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """A company's completed matches, newest first: the ones it may download a certificate for."""
    q = (
        sa.select(
            Match.id, Match.updated_at, Match.received_value_thb, Need.title, School.name_th, School.name_en
        )
        .select_from(Match)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Need, Match.need_id == Need.id)
        .join(School, Need.school_id == School.id)
        .where(Offer.company_id == company_id, Match.status == "completed")
        .order_by(Match.updated_at.desc(), Match.id.desc())
        .limit(limit)
    )
    return [
        {
            "match_id": mid,
            "completed_at": at,
            "received_value_thb": money.to_json(v),
            "need_title": title,
            "school_name_th": th,
            "school_name_en": en,
        }
        for mid, at, v, title, th, en in session.execute(q)
    ]

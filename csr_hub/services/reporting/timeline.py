"""Report figures over time: pledges and deliveries per month, time in each state, who waits."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.policy import Role
from csr_hub.domain import money
from csr_hub.domain.reference import BANGKOK
from csr_hub.domain.workflow import WAITING_APPROVAL
from csr_hub.models import Company, District, Match, MatchTransition, Need, School
from csr_hub.services.reporting.sql import (
    DELIVERED,
    PLEDGED,
    TIMED_STATES,
    baht,
    cents,
    dialect,
    matches_with_parties,
    effective_value,
    sum_cents,
)


def _month_key(session: Session, column):
    """``YYYY-MM`` of a UTC timestamp in Bangkok time (UTC+7 all year)."""
    if dialect(session) == "sqlite":
        return sa.func.strftime("%Y-%m", column, "+7 hours")
    return sa.func.to_char(sa.func.timezone("Asia/Bangkok", column), "YYYY-MM")


def month_window(today: date, months: int) -> list[tuple[int, int]]:
    """The ``months`` calendar months ending with ``today``'s, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def by_month(
    session: Session, district_id: int | None = None, months: int = 12, today: date | None = None
) -> list[dict[str, Any]]:
    """Pledged (by the month of acceptance) and delivered (by the month of delivery) value per month.

    A match counts as in :func:`summary`: pledged while it has not dropped out, delivered at the value
    received once completed. One query.
    """
    today = today or datetime.now(BANGKOK).date()
    window = month_window(today, months)
    start = datetime(window[0][0], window[0][1], 1, tzinfo=BANGKOK).astimezone(timezone.utc)
    month = _month_key(session, MatchTransition.at)
    is_pledge = sa.and_(MatchTransition.to_status == "pledged", Match.status.in_(PLEDGED))
    is_delivery = sa.and_(MatchTransition.to_status == "delivered", Match.status.in_(DELIVERED))
    q = (
        sa.select(
            month,
            MatchTransition.to_status,
            sa.func.count(),
            sum_cents(
                sa.case(
                    (MatchTransition.to_status == "pledged", cents(Match.value_thb)),
                    else_=cents(effective_value()),
                )
            ),
        )
        .select_from(MatchTransition)
        .join(Match, MatchTransition.match_id == Match.id)
        .where(sa.or_(is_pledge, is_delivery), MatchTransition.at >= start)
        .group_by(month, MatchTransition.to_status)
    )
    if district_id is not None:
        q = q.where(Match.district_id == district_id)
    found: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for key, status, count, amount in session.execute(q):
        found[(key, status)] = (int(count), baht(amount))
    out = []
    for y, m in window:
        key = f"{y:04d}-{m:02d}"
        pc, pv = found.get((key, "pledged"), (0, Decimal(0)))
        dc, dv = found.get((key, "delivered"), (0, Decimal(0)))
        out.append(
            {
                "month": key,
                "year": y,
                "month_no": m,
                "pledged_count": pc,
                "pledged_value_thb": money.to_json(pv),
                "delivered_count": dc,
                "delivered_value_thb": money.to_json(dv),
            }
        )
    return out


def _days_between(session: Session, start, end):
    if dialect(session) == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def state_durations(
    session: Session, district_id: int | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Median days matches spend in each state, from the transitions' timestamps. One query.

    A stay is finished when a later transition of the same match left the state; a stay still going on
    counts up to ``now``, reported apart (``current_*``) so that it does not pull the finished median down.
    """
    now = now or datetime.now(timezone.utc)
    MT = MatchTransition
    nxt = sa.func.lead(MT.at).over(partition_by=MT.match_id, order_by=(MT.at, MT.id))
    steps = sa.select(MT.to_status.label("state"), MT.at.label("at"), nxt.label("next_at"))
    if district_id is not None:
        steps = steps.join(Match, MT.match_id == Match.id).where(Match.district_id == district_id)
    s = steps.subquery()
    if dialect(session) == "sqlite":
        now_value = sa.literal(now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"))
    else:
        now_value = sa.literal(now, sa.DateTime(timezone=True))
    finished = sa.case((s.c.next_at.is_(None), 0), else_=1)
    days = _days_between(session, s.c.at, sa.func.coalesce(s.c.next_at, now_value))
    ranked = (
        sa.select(
            s.c.state,
            finished.label("finished"),
            days.label("days"),
            sa.func.row_number().over(partition_by=(s.c.state, finished), order_by=days).label("rn"),
            sa.func.count().over(partition_by=(s.c.state, finished)).label("cnt"),
        )
        .where(s.c.state.in_(TIMED_STATES))
        .subquery()
    )
    q = (
        sa.select(ranked.c.state, ranked.c.finished, sa.func.max(ranked.c.cnt), sa.func.avg(ranked.c.days))
        .where(ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2]))
        .group_by(ranked.c.state, ranked.c.finished)
    )
    found = {
        (state, int(fin)): (int(cnt), round(float(med), 1)) for state, fin, cnt, med in session.execute(q)
    }
    out = []
    for state in TIMED_STATES:
        fc, fm = found.get((state, 1), (0, None))
        cc, cm = found.get((state, 0), (0, None))
        out.append(
            {
                "status": state,
                "finished_count": fc,
                "median_days": fm,
                "current_count": cc,
                "current_median_days": cm,
            }
        )
    return out


def oldest_waiting(
    session: Session, district_id: int | None = None, limit: int = 10, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Matches waiting for an approver (director or central officer), the longest waiting first."""
    now = now or datetime.now(timezone.utc)
    q = (
        matches_with_parties(
            Match.id,
            Match.status,
            Match.updated_at,
            Match.value_thb,
            Match.quantity,
            Need.title,
            School.code,
            School.name_th,
            School.name_en,
            Company.name,
            District.code,
        )
        .where(Match.status.in_(WAITING_APPROVAL))
        .order_by(Match.updated_at, Match.id)
        .limit(limit)
    )
    if district_id is not None:
        q = q.where(Match.district_id == district_id)
    out = []
    for mid, status, since, value, qty, title, scode, sth, sen, company, dcode in session.execute(q):
        out.append(
            {
                "match_id": mid,
                "status": status,
                "waiting_for": Role.DISTRICT_DIRECTOR if status == "pledged" else Role.CENTRAL_OFFICER,
                "since": since,
                "days_waiting": max(0, (now - since).days),
                "value_thb": money.to_json(value),
                "quantity": qty,
                "need_title": title,
                "school_code": scode,
                "school_name_th": sth,
                "school_name_en": sen,
                "company_name": company,
                "district_code": dcode,
            }
        )
    return out


def waiting_stats(session: Session, district_id: int | None = None) -> dict[str, Any]:
    """How many matches wait for an approver and since when, without saying which (for the public home)."""
    q = sa.select(sa.func.count(Match.id), sa.func.min(Match.updated_at)).where(
        Match.status.in_(WAITING_APPROVAL)
    )
    if district_id is not None:
        q = q.where(Match.district_id == district_id)
    count, oldest = session.execute(q).one()
    days = max(0, (datetime.now(timezone.utc) - oldest).days) if oldest is not None else 0
    return {"count": int(count), "oldest_days": days}

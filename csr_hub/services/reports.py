"""Report figures, aggregated in SQL: a constant number of queries whatever the data size.

Money is summed in satang: PostgreSQL sums NUMERIC exactly, but SQLite sums it as a float, so there each
amount becomes a whole number of satang (``CAST(ROUND(x * 100) AS INTEGER)``) before it is added up. A
page, its export and the API then show the same figure on both databases.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from csr_hub.domain import money
from csr_hub.domain.reference import BANGKOK, CATEGORIES, QUALITY_GROUPS
from csr_hub.domain.workflow import WAITING_APPROVAL
from csr_hub.models import Company, District, Match, MatchTransition, Need, Offer, School

PLEDGED = ("pledged", "district_approved", "approved", "delivered", "completed")
APPROVED = ("approved", "delivered", "completed")
DELIVERED = ("delivered", "completed")
#: states a match passes through on its way to completion: the ones whose time the reports measure
TIMED_STATES = ("proposed", "pledged", "district_approved", "approved", "delivered")
KEYS = (
    "needs_count",
    "needs_value_thb",
    "budget_thb",
    "pledged_count",
    "pledged_value_thb",
    "approved_count",
    "approved_value_thb",
    "delivered_count",
    "delivered_value_thb",
    "completed_count",
    "gap_thb",
)
MONEY_KEYS = {k for k in KEYS if k.endswith("_thb")}
COMPANY_KEYS = (
    "pledged_count",
    "pledged_value_thb",
    "delivered_count",
    "delivered_value_thb",
    "completed_count",
)


# --- money in satang ----------------------------------------------------------------------------------
class satang(FunctionElement):
    """An amount in satang: exact NUMERIC on PostgreSQL, a whole INTEGER on SQLite (which sums floats)."""

    type = sa.Numeric()
    name = "satang"
    inherit_cache = True


@compiles(satang)
def _satang_numeric(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} * 100)"


@compiles(satang, "sqlite")
def _satang_sqlite(element, compiler, **kw):
    return f"CAST(ROUND({compiler.process(element.clauses, **kw)} * 100) AS INTEGER)"


def _cents(expr):
    return satang(expr)


def _sum_cents(expr):
    """A sum of satang as a whole number: summed exactly, cast once per group (not once per row)."""
    return sa.cast(sa.func.coalesce(sa.func.sum(expr), 0), sa.BigInteger)


def _count_if(flag):
    return sa.func.coalesce(sa.func.sum(sa.case((flag, 1), else_=0)), 0)


def _baht(cents: object) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(money.CENT)


def _effective_value():
    """A match's value as the reports count it: what was received once completed, else its pledged value."""
    return sa.case(
        (Match.status == "completed", sa.func.coalesce(Match.received_value_thb, 0)), else_=Match.value_thb
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- the figures of SPEC "Reports" --------------------------------------------------------------------
#: Inside this module a group's figures are a list of whole numbers in :data:`KEYS` order, money in satang:
#: adding up thousands of groups stays exact and quick. :func:`as_json` turns them into baht.
N_KEYS = len(KEYS)
_NEEDS_AT = [KEYS.index(k) for k in ("needs_count", "needs_value_thb", "budget_thb", "gap_thb")]
_MATCHES_AT = [
    KEYS.index(k)
    for k in (
        "pledged_count",
        "pledged_value_thb",
        "approved_count",
        "approved_value_thb",
        "delivered_count",
        "delivered_value_thb",
        "completed_count",
    )
]


def _zero() -> list[int]:
    return [0] * N_KEYS


def _scope(q, district_id: int | None, school_id: int | None = None):
    if district_id is not None:
        q = q.where(School.district_id == district_id)
    if school_id is not None:
        q = q.where(School.id == school_id)
    return q


def _gap_cents(approved_value):
    remaining = (
        _cents(Need.estimated_cost_thb) - _cents(Need.budget_thb) - sa.func.coalesce(approved_value.c.v, 0)
    )
    return sa.case((remaining > 0, remaining), else_=0)


def _approved_value_subquery():
    return (
        sa.select(Match.need_id.label("need_id"), sa.func.sum(_cents(_effective_value())).label("v"))
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
) -> dict[tuple, list[int]]:
    """Figures keyed by the values of ``group_cols`` (columns of Need or School): two queries.

    With ``top_by_gap`` only the groups with the largest gap are computed (the match figures are then
    fetched for those groups alone), in that order.
    """
    approved_value = _approved_value_subquery()
    gap = _sum_cents(_gap_cents(approved_value))
    needs_q = _scope(
        sa.select(
            *group_cols,
            sa.func.count(Need.id),
            _sum_cents(_cents(Need.estimated_cost_thb)),
            _sum_cents(_cents(Need.budget_thb)),
            gap,
        )
        .select_from(Need)
        .join(School, Need.school_id == School.id)
        .outerjoin(approved_value, approved_value.c.need_id == Need.id)
        .where(Need.cancelled.is_(False)),
        district_id,
        school_id,
    ).group_by(*group_cols)
    if top_by_gap is not None:
        needs_q = needs_q.order_by(gap.desc(), *group_cols).limit(top_by_gap)
    out: dict[tuple, list[int]] = {}
    n = len(group_cols)
    for row in session.execute(needs_q):
        f = out[tuple(row[:n])] = _zero()
        for at, v in zip(_NEEDS_AT, row[n:]):
            f[at] = int(v or 0)
    if top_by_gap is not None and not out:
        return out
    value = _effective_value()

    def stage(statuses, val):
        flag = Match.status.in_(statuses)
        return _count_if(flag), _sum_cents(sa.case((flag, _cents(val)), else_=0))

    cols = [
        *stage(PLEDGED, Match.value_thb),
        *stage(APPROVED, Match.value_thb),
        *stage(DELIVERED, value),
        _count_if(Match.status == "completed"),
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
        for at, v in zip(_MATCHES_AT, row[n:]):
            f[at] = int(v or 0)
    return out


def _add(into: list[int], other: list[int]) -> None:
    into[:] = map(int.__add__, into, other)


def as_json(figures: list[int]) -> dict[str, Any]:
    """Satang to baht (a JSON number, at most 2 decimals), counts as they are."""
    return {k: (money.to_json(_baht(v)) if k in MONEY_KEYS else v) for k, v in zip(KEYS, figures)}


def _summarise(rows: dict[tuple, list[int]], cat: int, group: int) -> dict[str, Any]:
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


def _districts(session: Session, rows: dict[int, list[int]]) -> list[dict[str, Any]]:
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
    per: dict[int, list[int]] = {}
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


# --- over time ---------------------------------------------------------------------------------------
def _month_key(session: Session, column):
    """``YYYY-MM`` of a UTC timestamp in Bangkok time (UTC+7 all year)."""
    if _dialect(session) == "sqlite":
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
            _sum_cents(
                sa.case(
                    (MatchTransition.to_status == "pledged", _cents(Match.value_thb)),
                    else_=_cents(_effective_value()),
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
    for key, status, count, cents in session.execute(q):
        found[(key, status)] = (int(count), _baht(cents))
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
    if _dialect(session) == "sqlite":
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
    if _dialect(session) == "sqlite":
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
        sa.select(
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
        .select_from(Match)
        .join(Need, Match.need_id == Need.id)
        .join(School, Need.school_id == School.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Company, Offer.company_id == Company.id)
        .join(District, Match.district_id == District.id)
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
                "waiting_for": "district_director" if status == "pledged" else "central_officer",
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


# --- companies' contributions ------------------------------------------------------------------------
def _company_cols():
    value = _effective_value()
    return [
        sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(PLEDGED), 1), else_=0)), 0),
        _sum_cents(sa.case((Match.status.in_(PLEDGED), _cents(Match.value_thb)), else_=0)),
        sa.func.coalesce(sa.func.sum(sa.case((Match.status.in_(DELIVERED), 1), else_=0)), 0),
        _sum_cents(sa.case((Match.status.in_(DELIVERED), _cents(value)), else_=0)),
        sa.func.coalesce(sa.func.sum(sa.case((Match.status == "completed", 1), else_=0)), 0),
    ]


def _company_figures(row) -> dict[str, Any]:
    return {
        "pledged_count": int(row[0]),
        "pledged_value_thb": money.to_json(_baht(row[1])),
        "delivered_count": int(row[2]),
        "delivered_value_thb": money.to_json(_baht(row[3])),
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
) -> list[dict[str, Any]]:
    """Per company: what it pledged and delivered (to schools of the ESA when given). One query.

    ``public_only`` keeps the verified companies that agreed to be shown (and ``include_company_id``).
    """
    q = _company_query([Company.province_code], district_id, public_only, company_id, include_company_id)
    out = [
        {"company_id": r[0], "name": r[1], "province_code": r[2], **_company_figures(r[3:])}
        for r in session.execute(q)
    ]
    return sorted(out, key=_company_order)


def companies_by(
    session: Session,
    dimension: str,
    district_id: int | None = None,
    public_only: bool = False,
    company_id: int | None = None,
    include_company_id: int | None = None,
) -> list[dict[str, Any]]:
    """Per company and per province of the receiving school (``province``) or per category. One query."""
    if dimension == "province":
        col, name = School.province_code, "province_code"
        q = (
            _company_query([col], district_id, public_only, company_id, include_company_id)
            .join(Need, Match.need_id == Need.id)
            .join(School, Need.school_id == School.id)
        )
    elif dimension == "category":
        col, name = Need.category, "category"
        q = _company_query([col], district_id, public_only, company_id, include_company_id).join(
            Need, Match.need_id == Need.id
        )
    else:
        raise ValueError(dimension)
    out = [
        {"company_id": r[0], "name": r[1], name: r[2], **_company_figures(r[3:])} for r in session.execute(q)
    ]
    return sorted(out, key=lambda r: (*_company_order(r), r[name] or ""))


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


# --- the dashboard ------------------------------------------------------------------------------------
def dashboard(
    session: Session,
    district_id: int | None = None,
    officer: bool = False,
    own_company_id: int | None = None,
    school_limit: int = 50,
    company_limit: int = 20,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything a dashboard shows, in a constant number of queries (about a dozen).

    Without ``officer`` it leaves out what only directors, central officers and admins see: which matches
    wait (only how many, and for how long), and the companies that did not agree to be shown.
    """
    summary_, districts = summary_and_districts(session, district_id)
    return {
        "summary": summary_,
        "by_month": by_month(session, district_id, today=today),
        "durations": state_durations(session, district_id),
        "by_school": by_school(session, district_id, limit=school_limit),
        "by_district": districts,
        "waiting": oldest_waiting(session, district_id) if officer else [],
        "waiting_stats": waiting_stats(session, district_id),
        "companies": companies(
            session, district_id, public_only=not officer, include_company_id=own_company_id
        )[:company_limit],
    }


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


__all__ = [
    "APPROVED",
    "COMPANY_KEYS",
    "DELIVERED",
    "KEYS",
    "MONEY_KEYS",
    "PLEDGED",
    "TIMED_STATES",
    "as_json",
    "by_district",
    "by_month",
    "by_school",
    "certificate",
    "companies",
    "completed_matches",
    "summary_and_districts",
    "companies_by",
    "dashboard",
    "grouped",
    "month_window",
    "oldest_waiting",
    "state_durations",
    "summary",
    "waiting_stats",
]

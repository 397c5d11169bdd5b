"""The dashboards aggregate in SQL: the number of queries does not grow with the data."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from conftest import district
from test_reports_figures import quick_user, signed_in  # noqa: F401  (quick_user is a fixture)

STEPS = {  # status → the path of transitions that leads there
    "proposed": ["proposed"],
    "pledged": ["proposed", "pledged"],
    "district_approved": ["proposed", "pledged", "district_approved"],
    "approved": ["proposed", "pledged", "approved"],
    "delivered": ["proposed", "pledged", "approved", "delivered"],
    "completed": ["proposed", "pledged", "approved", "delivered", "completed"],
    "declined": ["proposed", "declined"],
    "rejected": ["proposed", "pledged", "rejected"],
    "withdrawn": ["proposed", "pledged", "withdrawn"],
}


def populate(session, n: int, user, company) -> None:
    """``n`` schools over two ESAs with three needs each, one match per need in every status in turn."""
    from csr_hub.models import Match, MatchTransition, Need, Offer, School

    districts = [district(session, "p50-1"), district(session, "p10-1")]
    groups = ("core", "stand_alone", "merging")
    base = session.scalar(sa.select(sa.func.count(School.id))) or 0
    schools = [
        School(
            code=f"{90000000 + base + i:010d}",
            name_th=f"โรงเรียน {base + i}",
            name_en="",
            district_id=districts[i % 2].id,
            province_code=districts[i % 2].province_code,
            quality_group=groups[i % 3],
        )
        for i in range(n)
    ]
    session.add_all(schools)
    session.flush()
    offer = Offer(
        company_id=company.id,
        category="devices",
        title="laptops",
        quantity=1_000_000,
        value_thb=Decimal("1000000"),
        created_by_id=user.id,
    )
    session.add(offer)
    needs = [
        Need(
            school_id=s.id,
            category=("devices", "internet", "safety")[k],
            title=f"need {k}",
            quantity=10,
            estimated_cost_thb=Decimal("1234.56") * (k + 1),
            budget_thb=Decimal("100.10") * k,
            cancelled=(k == 2 and s.id % 2 == 0),
            created_by_id=user.id,
        )
        for s in schools
        for k in range(3)
    ]
    session.add_all(needs)
    session.flush()
    now = datetime.now(timezone.utc)
    statuses = list(STEPS)
    for i, need in enumerate(needs):
        status = statuses[i % len(statuses)]
        m = Match(
            need_id=need.id,
            offer_id=offer.id,
            quantity=1,
            value_thb=Decimal("1.00"),
            status=status,
            proposed_by="school",
            proposed_by_user_id=user.id,
            district_id=need.school.district_id,
            received_quantity=1 if status == "completed" else None,
            received_value_thb=Decimal("1.00") if status == "completed" else None,
        )
        session.add(m)
        session.flush()
        for k, to in enumerate(STEPS[status]):
            session.add(
                MatchTransition(
                    match_id=m.id,
                    action="x",
                    from_status=None,
                    to_status=to,
                    actor_id=user.id,
                    at=now - timedelta(days=40 * (i % 9) + 3 * (5 - k)),
                )
            )
    session.commit()


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_dashboards_take_a_constant_number_of_queries(app, session, quick_user, make_company):
    from csr_hub.extensions import db
    from csr_hub.services import reports

    company = make_company()
    central = quick_user("central_officer")
    director = quick_user("district_director", district_code="p50-1")
    did = director.district_id
    calls = {
        "service national": lambda: reports.dashboard(session, officer=True),
        "service ESA": lambda: reports.dashboard(session, did, officer=True),
        "page national": lambda: signed_in(app, central).get("/reports"),
        "page ESA": lambda: signed_in(app, director).get("/reports"),
        "companies page": lambda: signed_in(app, central).get("/reports/companies"),
        "export": lambda: signed_in(app, central).get("/reports/export.xlsx?table=by_school"),
        "API national": lambda: app.test_client().get("/api/v1/reports/summary"),
        "API ESA": lambda: signed_in(app, director).get("/api/v1/reports/summary?district=p50-1"),
        "public home": lambda: app.test_client().get("/"),
    }
    counts: dict[str, list[int]] = {name: [] for name in calls}
    for size in (3, 40):
        populate(session, size, central, company)
        for name, call in calls.items():
            session.rollback()
            with counting(db.engine) as statements:
                result = call()
            if hasattr(result, "status_code"):
                assert result.status_code == 200, (name, result.status_code)
            counts[name].append(len(statements))
    for name, (small, large) in counts.items():
        assert small == large, (name, small, large)  # 13× the data, not one query more
    assert counts["service national"][0] <= 14 and counts["service ESA"][0] <= 12, counts
    assert counts["API national"][0] <= 4, counts
    # the figures still count every row on the larger set: 43 schools, three needs each, less the cancelled
    from csr_hub.models import Match, Need

    cancelled = session.scalar(sa.select(sa.func.count(Need.id)).where(Need.cancelled.is_(True)))
    held = session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status.in_(reports.PLEDGED)))
    s = reports.summary(session)
    assert cancelled > 0 and s["needs_count"] == 43 * 3 - cancelled and s["pledged_count"] == held

"""Report figures are cached, and exact: any committed write to what they read drops the cache."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest
import sqlalchemy as sa


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


def _summary(app):
    return app.test_client().get("/api/v1/reports/summary").get_json()


def test_a_transition_shows_in_the_summary_at_once(app, session, api, make_user, make_need, make_offer):
    from csr_hub.extensions import db

    school_user, company_user = make_user("school_staff"), make_user("company_rep")
    need = make_need(school_user, quantity=10, estimated_cost_thb=100_000)
    offer = make_offer(company_user, quantity=10, value_thb=50_000)
    before = _summary(app)
    assert before["needs_count"] == 1 and before["pledged_count"] == 0
    with counting(db.engine) as statements:
        again = _summary(app)
    assert again == before and not [s for s in statements if "needs" in s.lower()]  # served from the cache
    school = api(school_user)
    r = school.post("/api/v1/matches", json={"need_id": need.id, "offer_id": offer.id, "quantity": 4})
    assert r.status_code == 201, r.get_json()
    assert _summary(app)["pledged_count"] == 0  # proposed: not pledged yet
    r = api(company_user).post(f"/api/v1/matches/{r.get_json()['id']}/actions", json={"action": "accept"})
    assert r.status_code == 200 and r.get_json()["status"] == "pledged"
    after = _summary(app)
    assert after["pledged_count"] == 1 and after["pledged_value_thb"] == 20_000
    devices = next(c for c in after["by_category"] if c["category"] == "devices")
    assert devices["pledged_count"] == 1
    # the home page, computed from the same figures, moved too
    assert app.test_client().get("/").status_code == 200


def test_any_committed_write_drops_the_figures_and_a_rollback_does_not(app, session, make_user, make_need):
    from csr_hub.models import Need

    need = make_need(make_user("school_staff"), estimated_cost_thb=1000)
    assert _summary(app)["needs_value_thb"] == 1000
    session.execute(sa.update(Need).where(Need.id == need.id).values(estimated_cost_thb=Decimal("2500.50")))
    # a session that wrote reads its own writes, not the cache
    from csr_hub.services import reports

    assert reports.summary(session)["needs_value_thb"] == 2500.5
    session.rollback()
    assert _summary(app)["needs_value_thb"] == 1000
    session.execute(sa.update(Need).where(Need.id == need.id).values(budget_thb=Decimal("400")))
    session.commit()  # a raw UPDATE, no ORM object: still seen
    s = _summary(app)
    assert s["budget_thb"] == 400 and s["gap_thb"] == 600


def test_writes_elsewhere_keep_the_cache(app, session, make_user, make_need):
    from csr_hub.extensions import db

    make_need(make_user("school_staff"))
    cache = app.extensions["csr_report_cache"]
    _summary(app)
    generation = cache.generation()
    make_user("central_officer")  # users are not in any figure
    assert cache.generation() == generation
    with counting(db.engine) as statements:
        _summary(app)
    assert not [s for s in statements if "needs" in s.lower()]


def test_the_cache_lives_in_redis_when_configured(database_url, tmp_path):
    import pytest

    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    try:
        client.ping()
    except Exception:
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    from csr_hub import create_app

    prefix = f"csrtest:{tmp_path.name}:"
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "t",
        "TESTING": True,
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "REDIS_PREFIX": prefix,
        "RATELIMIT_ENABLED": False,
    }
    one, two = create_app(config), create_app(config)
    try:
        assert one.extensions["csr_report_cache"].redis is not None
        a = one.test_client().get("/api/v1/reports/summary").get_json()
        assert client.keys(prefix + "reports:*")
        gen = two.extensions["csr_report_cache"].generation()
        with one.app_context():
            from csr_hub.extensions import db
            from csr_hub.models import School

            db.session.execute(sa.update(School).where(School.id == -1).values(pupils=1))
            db.session.commit()
        assert two.extensions["csr_report_cache"].generation() > gen  # one node's write, the other sees
        assert two.test_client().get("/api/v1/reports/summary").get_json() == a
    finally:
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)
        for app in (one, two):
            with app.app_context():
                from csr_hub.extensions import db

                db.engine.dispose()


class TestReadReplica:
    """``REPORTS_DATABASE_URL`` (here the same database): report queries go through the second bind, and a
    write on the primary still drops the figures they cached."""

    @pytest.fixture
    def app_config(self, database_url):
        return {"REPORTS_DATABASE_URL": database_url}

    def test_summary_reads_the_replica_and_stays_exact(self, app, session, make_user, make_need):
        from csr_hub.extensions import db
        from csr_hub.models import Need

        assert "reports" in db.engines
        need = make_need(make_user("school_staff"), estimated_cost_thb=1000)
        with counting(db.engines["reports"]) as on_replica:
            assert _summary(app)["needs_value_thb"] == 1000
        assert any("needs" in s.lower() for s in on_replica)
        session.execute(sa.update(Need).where(Need.id == need.id).values(estimated_cost_thb=3000))
        session.commit()
        assert _summary(app)["needs_value_thb"] == 3000

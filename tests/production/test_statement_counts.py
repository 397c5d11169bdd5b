"""The national figures' routes and the central match list take a constant number of statements.

Measured twice, on 3 and on 40 schools (three needs each, matches in every status): once with the figure
cache off (what a request costs when a write has just dropped the cache) and once with it on (a request
served from the cache runs no figure query at all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from test_reports_figures import quick_user  # noqa: E402,F401  (a fixture)
from test_reports_queries import counting, populate  # noqa: E402


def signed_in(app, user_id: str):
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = user_id
        sess["_fresh"] = True
    return c


def _routes(app, central, director):
    central, director = central.get_id(), director.get_id()
    return {
        "home": lambda: app.test_client().get("/"),
        "reports national": lambda: signed_in(app, central).get("/reports"),
        "reports ESA": lambda: signed_in(app, director).get("/reports"),
        "summary API": lambda: app.test_client().get("/api/v1/reports/summary"),
        "summary API ESA": lambda: signed_in(app, director).get("/api/v1/reports/summary?district=p50-1"),
        "director dashboard": lambda: signed_in(app, director).get("/dashboard"),
        "central dashboard": lambda: signed_in(app, central).get("/dashboard"),
        "central matches API": lambda: signed_in(app, central).get("/api/v1/matches?per_page=100"),
        "ESA matches API": lambda: signed_in(app, director).get("/api/v1/matches?per_page=100"),
    }


def _measure(app, session, quick_user, make_company, repeat: bool) -> dict[str, list[int]]:
    from csr_hub.extensions import db

    company = make_company()
    central = quick_user("central_officer")
    director = quick_user("district_director", district_code="p50-1")
    calls = _routes(app, central, director)
    counts: dict[str, list[int]] = {name: [] for name in calls}
    for size in (3, 40):
        populate(session, size, central, company)
        for name, call in calls.items():
            if repeat:
                call()  # fill the cache
            session.rollback()
            with counting(db.engine) as statements:
                r = call()
            assert r.status_code == 200, (name, r.status_code)
            counts[name].append(len(statements))
    return counts


class TestCacheOff:
    @pytest.fixture
    def app_config(self):
        return {"REPORT_CACHE_SECONDS": 0}

    def test_constant_without_the_cache(self, app, session, quick_user, make_company):
        counts = _measure(app, session, quick_user, make_company, repeat=False)
        for name, (small, large) in counts.items():
            assert small == large, (name, small, large)  # 13× the data, not one statement more
        assert counts["summary API"][0] <= 4, counts


def test_cached_figures_cost_no_figure_query(app, session, quick_user, make_company):
    counts = _measure(app, session, quick_user, make_company, repeat=True)
    for name, (small, large) in counts.items():
        assert small == large, (name, small, large)
    assert counts["summary API"][0] == 0, counts  # public, cached: not one statement
    assert counts["summary API ESA"][0] <= 3, counts  # the session's user and the ESA code only

"""Health and readiness for a load balancer: public, JSON, 503 when a dependency is down."""

from __future__ import annotations

import pytest

from proc_helpers import free_port


def test_healthz_and_readyz_without_redis(app, client):
    assert client.get("/healthz").status_code == 200
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


class TestRedisDown:
    @pytest.fixture
    def app_config(self):
        return {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}  # nothing listens there

    def test_readyz_says_503_and_figures_still_answer(self, app, client):
        r = client.get("/readyz")
        assert r.status_code == 503 and r.get_json()["redis"] == "unavailable"
        assert client.get("/api/v1/reports/summary").status_code == 200  # the cache steps aside

    def test_pages_lists_and_the_login_throttle_still_answer(self, app, client):
        # the page cache and the limiter step aside too (found by the contract probe: 500 before)
        app.config["RATELIMIT_ENABLED"] = True
        for path in ("/", "/needs", "/api/v1/needs", "/api/v1/offers"):
            assert client.get(path).status_code == 200, path
        r = client.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong-password-1"}
        )
        assert r.status_code == 401, r.get_json()


def test_healthz_with_the_database_down_is_json_503(app, client, monkeypatch):
    from csr_hub.extensions import db

    def down(*_a, **_k):
        raise RuntimeError("database down")

    monkeypatch.setattr(db.session, "execute", down)
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.get_json() == {"status": "unavailable", "database": "unavailable"}


def test_settings_follow_redis_url(monkeypatch, tmp_path):
    from csr_hub import config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    cfg = config.load(str(tmp_path), {"SECRET_KEY": "x", "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    cfg = config.load(str(tmp_path), {"SECRET_KEY": "x"})
    if not cfg.get("REDIS_URL"):  # (the environment may name one)
        assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    pg = config.load(str(tmp_path), {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgres://u@h/d"})
    assert pg["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["prepare_threshold"] is None
    bad = config.load(str(tmp_path), {"SECRET_KEY": "x", "JOBS_RETRY_INTERVALS": "5,30"})
    assert bad["JOBS_RETRY_INTERVALS"] == (5, 30)

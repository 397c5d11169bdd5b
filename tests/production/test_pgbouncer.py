"""PostgreSQL through PgBouncer in transaction pooling mode (SPEC "Production"): login, a list, a write."""

from __future__ import annotations

import os

import pytest

from proc_helpers import start_pgbouncer, stop

PGBOUNCER = "/usr/sbin/pgbouncer"


@pytest.fixture
def bouncer_url(db_kind, database_url, tmp_path):
    if db_kind != "postgresql":
        pytest.skip("PgBouncer stands in front of PostgreSQL")
    if not os.path.exists(PGBOUNCER):
        pytest.skip("pgbouncer is not installed (.ci/run installs it)")
    dbname = database_url.rsplit("/", 1)[1]
    proc, port = start_pgbouncer(tmp_path, dbname)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/{dbname}", proc
    finally:
        stop(proc)


def test_login_list_and_write_through_pgbouncer(app, bouncer_url, make_user):
    from conftest import PASSWORD

    from csr_hub import create_app

    url, proc = bouncer_url
    staff = make_user("school_staff")
    email, school_id = staff.email, staff.school_id
    node = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    assert node.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["prepare_threshold"] is None
    client = node.test_client()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    headers = {"X-CSRFToken": r.get_json()["csrf_token"]}
    # the same statements many times over: psycopg would prepare them server-side after five uses,
    # and PgBouncer hands each transaction a different server connection
    for _ in range(8):
        assert client.get("/api/v1/needs?status=all").status_code == 200
        assert client.get("/api/v1/auth/me").status_code == 200
    body = {
        "category": "devices",
        "title": "เครื่องพิมพ์ 2 เครื่อง",
        "quantity": 2,
        "unit": "เครื่อง",
        "estimated_cost_thb": 12000,
        "urgency": "normal",
    }
    created = client.post("/api/v1/needs", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["school_id"] == school_id
    listed = client.get("/api/v1/needs?status=all").get_json()
    assert listed["total"] == 1 and listed["items"][0]["title"] == body["title"]
    assert client.get("/readyz").get_json()["database"] == "ok"
    assert proc.poll() is None
    with node.app_context():
        from csr_hub.extensions import db

        db.engine.dispose()

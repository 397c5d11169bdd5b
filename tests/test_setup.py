"""Set-up from nothing: migrations on an empty database, reference data, demo data, idempotent commands."""

from __future__ import annotations

import os

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from csr_hub import create_app
from csr_hub.extensions import db
from csr_hub.models import District, Province, School, User

from conftest import _drop_database, _make_database, _pg_available

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path_factory):
    if request.param == "postgresql" and not _pg_available():
        if os.environ.get("CSR_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL required")
        pytest.skip("PostgreSQL not reachable")
    url = _make_database(request.param, tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    yield app
    with app.app_context():
        db.engine.dispose()
    _drop_database(url)


def test_cli_builds_a_database_from_nothing_and_reruns_cleanly(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):  # both commands are idempotent
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["seed-reference"])
        assert result.exit_code == 0, result.output
        assert "77 provinces" in result.output
    with empty_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Province.code))) == 77
        kinds = dict(
            db.session.execute(sa.select(District.kind, sa.func.count()).group_by(District.kind)).all()
        )
        assert kinds == {"primary": 183, "secondary": 62}
        covered = {p.code for d in db.session.scalars(sa.select(District)) for p in d.provinces}
        assert len(covered) == 77


def test_models_and_migrations_agree(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        # the trigram indexes exist only in the migration (PostgreSQL), on purpose
        diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name.endswith("_trgm"))]
        assert diff == []


def test_seed_demo_twice_gives_the_same_data(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "district_director" in first.output and "central_officer" in first.output
    with empty_app.app_context():
        counts = {
            m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (School, User)
        }
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    with empty_app.app_context():
        again = {
            m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (School, User)
        }
        roles = set(db.session.scalars(sa.select(User.role)))
    assert counts == again
    assert roles == {"school_staff", "company_rep", "district_director", "central_officer", "admin"}


def test_create_user_for_every_role(app, runner, session, make_school):
    school = make_school()
    cases = [
        ["create-user", "a@example.org", "--role", "admin", "--password", "a-long-password-1"],
        ["create-user", "c@example.org", "--role", "central_officer", "--password", "a-long-password-1"],
        [
            "create-user",
            "d@example.org",
            "--role",
            "district_director",
            "--district",
            "p50-1",
            "--password",
            "a-long-password-1",
        ],
        [
            "create-user",
            "s@example.org",
            "--role",
            "school_staff",
            "--school",
            school.code,
            "--password",
            "a-long-password-1",
        ],
        [
            "create-user",
            "r@example.org",
            "--role",
            "company_rep",
            "--company",
            "0105536000313",
            "--company-name",
            "ACME",
            "--password",
            "a-long-password-1",
        ],
    ]
    for args in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    users = {u.email: u for u in session.scalars(sa.select(User))}
    assert all(u.status == "active" for u in users.values())
    assert users["r@example.org"].company.verified is True
    assert users["d@example.org"].district.code == "p50-1"


def test_create_user_prompts_for_a_hidden_password(app, runner, session):
    result = runner.invoke(
        args=["create-user", "p@example.org", "--role", "admin"],
        input="a-long-password-1\na-long-password-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "a-long-password-1" not in result.output
    assert session.scalar(sa.select(User).where(User.email == "p@example.org")) is not None


@pytest.mark.parametrize(
    "args",
    [
        [
            "create-user",
            "x@example.org",
            "--role",
            "district_director",
            "--district",
            "nope",
            "--password",
            "a-long-password-1",
        ],
        [
            "create-user",
            "x@example.org",
            "--role",
            "school_staff",
            "--school",
            "0000000000",
            "--password",
            "a-long-password-1",
        ],
        [
            "create-user",
            "x@example.org",
            "--role",
            "company_rep",
            "--company",
            "1234567890123",
            "--password",
            "a-long-password-1",
        ],
        ["create-user", "x@example.org", "--role", "admin", "--password", "short"],
    ],
)
def test_create_user_refuses_bad_input_and_creates_nothing(app, runner, session, args):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CSR_ENV", "production")
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("CSR_ENV", "production")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "given,expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url_schemes_are_normalised(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_development_keeps_a_generated_secret_key(monkeypatch, tmp_path):
    from csr_hub import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CSR_ENV", raising=False)
    first = config.load(str(tmp_path), {})
    second = config.load(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").exists()


def test_seed_demo_follows_a_low_central_threshold(empty_app):
    """Below the default threshold the demo's approvals go on to a central officer; seeding still works."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
            "TESTING": True,
            "CSR_CENTRAL_THRESHOLD_THB": 100000,
        }
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    from csr_hub.models import Match, MatchTransition

    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(Match.status)))
        central_steps = db.session.scalar(
            sa.select(sa.func.count(MatchTransition.id)).where(
                MatchTransition.from_status == "district_approved"
            )
        )
        db.engine.dispose()
    assert statuses == ["approved", "completed", "pledged", "proposed"]
    assert central_steps == 2  # the completed 200,000-baht and the approved 150,000-baht matches

"""Fixtures: the app on SQLite and on PostgreSQL (a fresh database per test run), clients, factories.

Every test that uses ``app`` runs once per database. PostgreSQL is used when reachable (DATABASE_URL or
the local server); with CSR_REQUIRE_POSTGRES=1 an unreachable server fails the run instead of skipping.

Each test starts from the migrated database with reference data only. On PostgreSQL the other tables are
emptied with ``TRUNCATE`` (which row triggers do not see); on SQLite the test database file is replaced by
a copy of a template made once per run. Neither deletes rows, so the audit log's append-only triggers
(UPDATE and DELETE refused on both databases) stay as strict in the tests as in production.
"""

from __future__ import annotations

import re

import contextlib
import os
import shutil
import sqlite3
import uuid
from datetime import timedelta
from itertools import count

import pytest
import sqlalchemy as sa

from csr_hub.domain import policy
from csr_hub.domain.reference import make_tax_id, today_bangkok

PG_ADMIN_URL = os.environ.get("CSR_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REFERENCE_TABLES = {"provinces", "districts", "district_provinces", "alembic_version"}
PASSWORD = "correct-horse-battery-9"


def _pg_available() -> bool:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(sa.text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def _make_database(kind: str, tmp_path_factory) -> str:
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        return f"sqlite:///{path}"
    name = f"csr_test_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    eng = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


DB_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """Argon2id at production strength costs ~0.3 s a hash: tests keep the algorithm, with small parameters."""
    from argon2 import PasswordHasher

    from csr_hub.services import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    dummy = getattr(accounts, "_dummy_hash", None)  # the hash unknown e-mails are checked against
    if dummy is not None:
        dummy.cache_clear()
    yield
    if dummy is not None:
        dummy.cache_clear()


#: the SQLite test database's path → the migrated template it is restored from before each test
_SQLITE_TEMPLATES: dict[str, str] = {}


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture(scope="session", params=DB_KINDS)
def database_url(request, tmp_path_factory):
    """A migrated database with reference data, made once per run for each database kind."""
    kind = request.param
    if kind == "postgresql" and not _pg_available():
        if os.environ.get("CSR_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (CSR_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable")
    url = _make_database(kind, tmp_path_factory)
    from csr_hub import create_app
    from csr_hub.extensions import db
    from csr_hub.services import seed
    import flask_migrate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade(
            directory=os.path.join(os.path.dirname(__file__), "..", "migrations"), revision="heads"
        )
        seed.seed_reference(db.session)
        db.session.commit()
        db.engine.dispose()
    if kind == "sqlite":
        _SQLITE_TEMPLATES[url] = _save_template(_sqlite_path(url))
    yield url
    _drop_database(url)


def _save_template(path: str) -> str:
    """A self-contained copy of the migrated SQLite file (the backup API folds the WAL in)."""
    template = path + ".template"
    src, dst = sqlite3.connect(path), sqlite3.connect(template)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return template


def _restore_sqlite(url: str) -> None:
    """Put a fresh copy of the template where the test database was. The old file (and its WAL and
    shared-memory files) is removed first, not overwritten: a connection some earlier test left open
    keeps reading the old file and never sees a half-copied one."""
    path = _sqlite_path(url)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    fresh = path + ".copy"
    shutil.copyfile(_SQLITE_TEMPLATES[url], fresh)
    os.replace(fresh, path)


def _truncate(db) -> None:
    """PostgreSQL: empty every table but the reference data (TRUNCATE fires no row trigger)."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config():
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    from csr_hub import create_app
    from csr_hub.extensions import db

    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "SMTP_HOST": None,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    config.update(app_config)
    if database_url in _SQLITE_TEMPLATES:
        _restore_sqlite(database_url)
    app = create_app(config)
    with app.app_context():
        if database_url not in _SQLITE_TEMPLATES:
            _truncate(db)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_kind(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def session(app):
    from csr_hub.extensions import db

    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = count(1)


def district(session, code: str):
    from csr_hub.models import District

    return session.scalar(sa.select(District).where(District.code == code))


@pytest.fixture
def make_school(session):
    from csr_hub.models import School

    def make(district_code: str = "p50-1", quality_group: str = "core", **kw) -> School:
        d = district(session, district_code)
        n = next(_seq)
        s = School(
            code=kw.pop("code", f"10{n:08d}"),
            name_th=kw.pop("name_th", f"โรงเรียนทดสอบ {n}"),
            name_en=kw.pop("name_en", f"Test School {n}"),
            district_id=d.id,
            province_code=kw.pop("province_code", d.province_code),
            quality_group=quality_group,
            pupils=kw.pop("pupils", 100),
            teachers=kw.pop("teachers", 8),
            **kw,
        )
        session.add(s)
        session.commit()
        return s

    return make


@pytest.fixture
def make_company(session):
    from csr_hub.models import Company

    def make(verified: bool = True, province_code: str = "10", **kw) -> Company:
        n = next(_seq)
        c = Company(
            name=kw.pop("name", f"Test Company {n}"),
            tax_id=kw.pop("tax_id", make_tax_id(f"0105{n:08d}")),
            province_code=province_code,
            verified=verified,
            **kw,
        )
        session.add(c)
        session.commit()
        return c

    return make


@pytest.fixture
def make_user(session, make_school, make_company):
    from csr_hub.models import User
    from csr_hub.services import accounts

    def make(
        role: str,
        status: str = "active",
        school=None,
        company=None,
        district_code: str | None = None,
        email: str | None = None,
        **kw,
    ) -> User:
        n = next(_seq)
        if role == "school_staff" and school is None:
            school = make_school()
        if role == "company_rep" and company is None:
            company = make_company()
        d = district(session, district_code or "p50-1") if role == "district_director" else None
        u = User(
            email=email or f"{role}{n}@example.org",
            password_hash=accounts.hash_password(PASSWORD),
            full_name=kw.pop("full_name", f"{role} {n}"),
            role=role,
            status=status,
            school_id=school.id if school else None,
            company_id=company.id if company else None,
            district_id=d.id if d else None,
            **kw,
        )
        session.add(u)
        session.commit()
        return u

    return make


@pytest.fixture
def make_need(session):
    from csr_hub.services import posts

    def make(user, **data):
        body = {
            "category": "devices",
            "title": "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง",
            "description": "",
            "quantity": 20,
            "unit": "เครื่อง",
            "estimated_cost_thb": 300000,
            "urgency": "normal",
            "needed_by": (today_bangkok() + timedelta(days=60)).isoformat(),
        }
        body.update(data)
        need = posts.create_need(session, user, body)
        session.commit()
        return need

    return make


@pytest.fixture
def make_offer(session):
    from csr_hub.services import posts

    def make(user, **data):
        body = {
            "category": "devices",
            "title": "50 refurbished laptops",
            "description": "Core i5 laptops",
            "quantity": 50,
            "unit": "units",
            "value_thb": 500000,
            "provinces": [],
            "available_until": (today_bangkok() + timedelta(days=90)).isoformat(),
        }
        body.update(data)
        offer = posts.create_offer(session, user, body)
        session.commit()
        return offer

    return make


def fresh_otp(user) -> str:
    """Enrol the user's second factor if need be, forget the last used code, and give the current one."""
    import pyotp

    from csr_hub.extensions import db
    from csr_hub.services import accounts

    if not user.totp_enrolled:
        accounts.enrol_totp(user)
    user.totp_last_step = 0
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).now()


class Api:
    """A JSON client logged in through ``POST /api/v1/auth/login`` that sends the CSRF header."""

    def __init__(self, client, user=None, password: str = PASSWORD, token: str | None = None):
        self.client = client
        self.csrf = None
        self.headers = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user is not None:
            body = {"email": user.email, "password": password}
            if policy.needs_totp(user):  # enrolled, so that the session reaches pages too
                body["otp"] = fresh_otp(user)
            r = client.post("/api/v1/auth/login", json=body)
            assert r.status_code == 200, r.get_json()
            self.csrf = r.get_json()["csrf_token"]
            self.headers["X-CSRFToken"] = self.csrf

    def _call(self, method, url, headers=None, **kw):
        h = dict(self.headers)
        h.update(headers or {})
        return getattr(self.client, method)(url, headers=h, **kw)

    def get(self, url, **kw):
        return self._call("get", url, **kw)

    def post(self, url, json=None, **kw):
        return self._call("post", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self._call("patch", url, json=json, **kw)

    def delete(self, url, **kw):
        return self._call("delete", url, **kw)


@pytest.fixture
def api(app):
    """``api(user)`` → a logged-in JSON client of its own (own cookie jar)."""

    def make(user=None, token=None):
        return Api(app.test_client(), user, token=token)

    return make


def csrf_token(client) -> str:
    """A CSRF token for this client's session: the API's for a signed-in client, else the login form's
    (``/api/v1/auth/csrf`` is not public)."""
    r = client.get("/api/v1/auth/csrf")
    if r.status_code == 200:
        return r.get_json()["csrf_token"]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def page_login(app):
    """``page_login(user)`` → a test client logged in through the real login form."""

    def make(user, password: str = PASSWORD):
        c = app.test_client()
        token = csrf_token(c)
        data = {"email": user.email, "password": password, "csrf_token": token}
        if policy.needs_totp(user):  # pages need an enrolled second factor for these roles
            data["otp"] = fresh_otp(user)
        r = c.post("/login", data=data)
        assert r.status_code == 302, r.data[:500]
        return c

    return make


#: tables a refused request may still write to (the audit log records failed logins, for one)
SIDE_TABLES = {"audit_events", "idempotency_records"}


#: columns a login itself writes (the TOTP step just used, enrolment by fresh_otp): not business data
LOGIN_BOOKKEEPING = {"totp_last_step", "totp_secret", "totp_enrolled"}


def snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every business table: compare before and after a refused request."""
    from csr_hub.extensions import db

    session.rollback()
    out = {}
    for t in db.metadata.sorted_tables:
        if t.name in SIDE_TABLES or t.name in REFERENCE_TABLES:
            continue
        cols = [c for c in t.columns if c.name not in LOGIN_BOOKKEEPING]
        out[t.name] = sorted(tuple(str(v) for v in row) for row in session.execute(sa.select(*cols)))
    return out


# --- browser tests -------------------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "screenshots")


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a thread; yields its base URL.

    Commit or roll back ``session`` before driving the browser: on SQLite an open transaction in the test
    thread holds the write lock the server needs.
    """
    import threading

    from werkzeug.serving import make_server

    from csr_hub.extensions import db

    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def _playwright_browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CSR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (CSR_REQUIRE_BROWSER=1)")
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser):
    """A fresh browser context and page, 360 px wide like a phone unless a test resizes it."""
    context = _playwright_browser.new_context(viewport={"width": 360, "height": 800}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> str:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.abspath(os.path.join(SCREENSHOTS, f"{name}.png"))
    page.screenshot(path=path, full_page=True)
    return path


@contextlib.contextmanager
def recorded_statements():
    """The SQL statements the app's engine runs inside the block (a list, filled as they run)."""
    from sqlalchemy import event

    from csr_hub.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

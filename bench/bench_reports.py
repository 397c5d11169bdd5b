"""The reports at national scale: median time and SQL statements of the dashboards and the summary API.

    .venv/bin/python bench/bench_reports.py --fresh             # a new PostgreSQL database, 100k needs
    .venv/bin/python bench/bench_reports.py --database-url URL --skip-data   # measure an existing one again

With ``--fresh`` it creates (and afterwards drops, unless ``--keep``) a PostgreSQL database of its own,
runs the migrations and seeds the reference data. The needs and offers come from ``bench/datagen.py`` when
it is there (100,000 needs and 5,000 offers by default), else from a smaller generator here. Matches,
which datagen does not make, are added here in every status with their transitions spread over the past
year, and the committed quantities set to agree with them.

Requests go through the app (``app.test_client()``: routing, templates, serialisation all count), signed in
as a central officer or an ESA director. For each it prints the median and 95th percentile wall time over
``--repeat`` runs after one warm-up, and the number of SQL statements one request runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

PG_ADMIN = os.environ.get("CSR_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PATHS = {  # status → the transitions that lead there
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
WEIGHTS = {
    "proposed": 12,
    "pledged": 10,
    "district_approved": 3,
    "approved": 15,
    "delivered": 10,
    "completed": 30,
    "declined": 8,
    "rejected": 5,
    "withdrawn": 7,
}
HOLDING = {"pledged", "district_approved", "approved", "delivered", "completed"}


def _money(x) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fresh_database() -> str:
    name = f"csr_bench_reports_{uuid.uuid4().hex[:8]}"
    eng = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    eng = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


def make_app(url: str):
    from csr_hub import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )


def prepare(url: str) -> None:
    import flask_migrate

    from csr_hub.extensions import db
    from csr_hub.services import seed

    app = make_app(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seed.seed_reference(db.session)
        db.session.commit()
        db.engine.dispose()


def small_generator(url: str, needs: int, offers: int, seed: int) -> None:
    """A plain stand-in for datagen: schools over every ESA, needs and offers with short texts."""
    from csr_hub.domain.reference import CATEGORIES, make_tax_id
    from csr_hub.extensions import db
    from csr_hub.models import Company, District, Need, Offer, School

    rng = random.Random(seed)
    app = make_app(url)
    now = datetime.now(timezone.utc)
    with app.app_context(), db.engine.begin() as conn:
        districts = list(conn.execute(sa.select(District.id, District.province_code)))
        n_schools = max(10, needs // 4)
        conn.execute(
            sa.insert(School),
            [
                {
                    "code": f"98{i:08d}",
                    "name_th": f"โรงเรียนทดสอบ {i}",
                    "name_en": f"Bench School {i}",
                    "district_id": districts[i % len(districts)][0],
                    "province_code": districts[i % len(districts)][1],
                    "quality_group": rng.choice(("core", "stand_alone", "stand_alone", "merging")),
                }
                for i in range(n_schools)
            ],
        )
        school_ids = list(conn.scalars(sa.select(School.id)))
        conn.execute(
            sa.insert(Company),
            [
                {
                    "name": f"บริษัททดสอบ {i} จำกัด",
                    "tax_id": make_tax_id(f"0998{i:08d}"),
                    "province_code": "10",
                    "verified": True,
                    "show_publicly": True,
                    "created_at": now,
                }
                for i in range(max(5, offers // 3))
            ],
        )
        company_ids = list(conn.scalars(sa.select(Company.id)))
        cats = list(CATEGORIES)
        for start in range(0, needs, 5000):
            conn.execute(
                sa.insert(Need),
                [
                    {
                        "school_id": rng.choice(school_ids),
                        "category": rng.choice(cats),
                        "title": "ความต้องการ",
                        "description": "",
                        "quantity": rng.randint(1, 50),
                        "unit": "ชิ้น",
                        "estimated_cost_thb": _money(rng.uniform(1000, 500000)),
                        "budget_thb": _money(rng.choice((0, 0, 0, 1000, 20000))),
                        "urgency": "normal",
                        "urgency_rank": 1,
                        "cancelled": rng.random() < 0.05,
                        "committed_quantity": 0,
                        "search_text": "",
                        "item_kinds": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for _ in range(min(5000, needs - start))
                ],
            )
        conn.execute(
            sa.insert(Offer),
            [
                {
                    "company_id": rng.choice(company_ids),
                    "category": rng.choice(cats),
                    "title": "ข้อเสนอ",
                    "description": "",
                    "quantity": rng.randint(50, 500),
                    "unit": "ชิ้น",
                    "value_thb": _money(rng.uniform(10000, 2000000)),
                    "withdrawn": False,
                    "committed_quantity": 0,
                    "search_text": "",
                    "item_kinds": "",
                    "nationwide": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in range(offers)
            ],
        )


def add_matches(url: str, count: int, seed: int) -> dict[str, int]:
    """Matches in every status with their transitions over the past year; committed quantities to agree."""
    from csr_hub.domain import money
    from csr_hub.extensions import db
    from csr_hub.models import Match, MatchTransition, Need, Offer, School, User
    from csr_hub.services import accounts

    rng = random.Random(seed)
    app = make_app(url)
    now = datetime.now(timezone.utc)
    statuses, weights = list(WEIGHTS), list(WEIGHTS.values())
    with app.app_context(), db.engine.begin() as conn:
        pw = accounts.hash_password("bench-password-123")
        conn.execute(
            sa.insert(User),
            [
                {
                    "email": "bench.central@example.org",
                    "password_hash": pw,
                    "full_name": "Bench central",
                    "role": "central_officer",
                    "status": "active",
                    "district_id": None,
                },
                {
                    "email": "bench.director@example.org",
                    "password_hash": pw,
                    "full_name": "Bench director",
                    "role": "district_director",
                    "status": "active",
                    "district_id": conn.scalar(
                        sa.select(School.district_id)
                        .group_by(School.district_id)
                        .order_by(sa.func.count().desc())
                        .limit(1)
                    ),
                },
            ],
        )
        actor = conn.scalar(sa.select(User.id).where(User.email == "bench.central@example.org"))
        needs = list(
            conn.execute(
                sa.select(Need.id, Need.quantity, School.district_id)
                .join(School, Need.school_id == School.id)
                .where(Need.cancelled.is_(False))
            )
        )
        offers = {
            o.id: [o.quantity, o.value_thb, o.quantity]
            for o in conn.execute(
                sa.select(Offer.id, Offer.quantity, Offer.value_thb).where(Offer.withdrawn.is_(False))
            )
        }
        offer_ids = list(offers)
        rng.shuffle(needs)
        next_id = (conn.scalar(sa.select(sa.func.max(Match.id))) or 0) + 1
        match_rows, steps, made = [], [], {s: 0 for s in statuses}
        for need_id, need_qty, district_id in needs[:count]:
            oid = rng.choice(offer_ids)
            o = offers[oid]
            status = rng.choices(statuses, weights)[0]
            qty = rng.randint(1, max(1, min(need_qty, 5)))
            if status in HOLDING and o[2] < qty:
                continue
            if status in HOLDING:
                o[2] -= qty
            value = money.pro_rata(o[1], o[0], qty)
            received = rng.randint(0, qty) if status == "completed" else None
            start = now - timedelta(days=rng.uniform(5, 360))
            at = start
            for k, to in enumerate(PATHS[status]):
                if k:
                    at = min(now, at + timedelta(days=rng.expovariate(1 / 6)))
                steps.append(
                    {
                        "match_id": next_id,
                        "action": "bench",
                        "from_status": PATHS[status][k - 1] if k else None,
                        "to_status": to,
                        "actor_id": actor,
                        "at": at,
                        "note": "",
                    }
                )
            match_rows.append(
                {
                    "id": next_id,
                    "need_id": need_id,
                    "offer_id": oid,
                    "quantity": qty,
                    "value_thb": value,
                    "status": status,
                    "proposed_by": rng.choice(("school", "company")),
                    "proposed_by_user_id": actor,
                    "score": round(rng.uniform(30, 95), 1),
                    "parts": {},
                    "received_quantity": received,
                    "received_value_thb": money.pro_rata(value, qty, received)
                    if received is not None
                    else None,
                    "version": len(PATHS[status]),
                    "district_id": district_id,
                    "created_at": start,
                    "updated_at": at,
                }
            )
            made[status] += 1
            next_id += 1
        for start in range(0, len(match_rows), 5000):
            conn.execute(sa.insert(Match), match_rows[start : start + 5000])
        for start in range(0, len(steps), 10000):
            conn.execute(sa.insert(MatchTransition), steps[start : start + 10000])
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('matches', 'id'), (SELECT max(id) FROM matches))"
                )
            )
        held = sa.case(
            (Match.status == "completed", sa.func.coalesce(Match.received_quantity, 0)), else_=Match.quantity
        )
        need_sum = (
            sa.select(sa.func.coalesce(sa.func.sum(held), 0))
            .where(Match.need_id == Need.id, Match.status.in_(HOLDING))
            .scalar_subquery()
        )
        offer_sum = (
            sa.select(sa.func.coalesce(sa.func.sum(Match.quantity), 0))
            .where(Match.offer_id == Offer.id, Match.status.in_(HOLDING))
            .scalar_subquery()
        )
        conn.execute(sa.update(Need).values(committed_quantity=need_sum))
        conn.execute(sa.update(Offer).values(committed_quantity=offer_sum))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # VACUUM too: it sets the visibility map, which index-only scans need (autovacuum would, later)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM ANALYZE"))
        db.engine.dispose()
    return made


def measure(url: str, repeat: int) -> list[tuple[str, float, float, int, int]]:
    from csr_hub.extensions import db
    from csr_hub.models import District, User

    app = make_app(url)
    out = []
    with app.app_context():
        central = db.session.scalar(sa.select(User).where(User.email == "bench.central@example.org"))
        director = db.session.scalar(sa.select(User).where(User.email == "bench.director@example.org"))
        esa = db.session.get(District, director.district_id).code

        def client(user):
            c = app.test_client()
            if user is not None:
                with c.session_transaction() as s:
                    s["_user_id"], s["_fresh"] = user.get_id(), True
            return c

        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        cases = [
            ("GET /reports (central officer, national)", central, "/reports"),
            ("GET /api/v1/reports/summary (national)", None, "/api/v1/reports/summary"),
            (f"GET /reports (director, ESA {esa})", director, "/reports"),
            (
                f"GET /api/v1/reports/summary?district={esa}",
                director,
                f"/api/v1/reports/summary?district={esa}",
            ),
            ("GET / (public home)", None, "/"),
            ("GET /reports/companies (central)", central, "/reports/companies"),
            (
                "GET /reports/export.csv?table=by_school (national)",
                central,
                "/reports/export.csv?table=by_school",
            ),
            ("GET /reports/export.xlsx?table=by_district", central, "/reports/export.xlsx?table=by_district"),
        ]
        for label, user, path in cases:
            c = client(user)
            r = c.get(path)  # warm-up (caches, plans)
            assert r.status_code == 200, (path, r.status_code)
            times, counts = [], []
            for _ in range(repeat):
                db.session.remove()
                statements.clear()
                t0 = time.perf_counter()
                r = c.get(path)
                times.append(time.perf_counter() - t0)
                counts.append(len(statements))
                assert r.status_code == 200
            p95 = sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]
            out.append((label, statistics.median(times), p95, max(counts), len(r.data)))
        db.engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument(
        "--fresh", action="store_true", help="create a PostgreSQL database of its own (dropped after)"
    )
    p.add_argument("--keep", action="store_true", help="keep the --fresh database")
    p.add_argument("--skip-data", action="store_true", help="measure the database as it is")
    p.add_argument("--needs", type=int, default=100_000)
    p.add_argument("--offers", type=int, default=5_000)
    p.add_argument("--matches", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    if a.repeat < 1 or min(a.needs, a.offers, a.matches) < 0:
        p.error("counts must be positive")
    url = a.database_url
    if a.fresh or not url:
        url = fresh_database()
        a.fresh = True
        print(f"database: {url.rsplit('/', 1)[1]} (fresh)")
    try:
        if not a.skip_data:
            if a.fresh:
                prepare(url)
            t0 = time.perf_counter()
            try:
                from datagen import generate

                print(f"bench/datagen.py: {a.needs:,} needs, {a.offers:,} offers")
                generate(url, needs=a.needs, offers=a.offers, seed=a.seed)
            except ImportError:
                n, o = min(a.needs, 20_000), min(a.offers, 2000)
                print(f"bench/datagen.py not found: {n:,} needs, {o:,} offers from this script")
                small_generator(url, n, o, a.seed)
            made = add_matches(url, a.matches, a.seed)
            print(
                f"matches: {sum(made.values()):,} ({', '.join(f'{k} {v:,}' for k, v in made.items())}); "
                f"data ready in {time.perf_counter() - t0:.1f} s"
            )
        rows = measure(url, a.repeat)
        width = max(len(r[0]) for r in rows)
        print(f"\n{'request':<{width}}  median ms   p95 ms  SQL statements  bytes")
        for label, median, p95, count, size in rows:
            print(f"{label:<{width}}  {median * 1000:9.1f} {p95 * 1000:8.1f}  {count:14d}  {size:,}")
    finally:
        if a.fresh and not a.keep:
            drop_database(url)


if __name__ == "__main__":
    main()

"""Filtered, paginated lists of needs and offers at national scale: timings, SQL statements, query plans.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/csr_bench   # filled by bench/datagen.py
    .venv/bin/python bench/bench_lists.py [--repeat 15] [--explain] [--only api|page]

For each filter combination, through the app (``app.test_client()``, so routing, serialisation and
templates count), prints the median and 95th percentile of the wall time, the rows listed and the number
of SQL statements one request runs. ``--explain`` runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the list's
statements (the count and the page of rows) and prints the plans, so a missing index shows up as a
sequential scan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

COMBOS = [
    ("needs, default (open, newest)", "needs", ""),
    ("needs, category + province", "needs", "category=devices&province=50"),
    ("needs, ESA + all statuses, by urgency", "needs", "district=p40-1&status=all&sort=urgency"),
    (
        "needs, stand-alone + critical, needed soonest",
        "needs",
        "quality_group=stand_alone&urgency=critical&sort=needed_by",
    ),
    ("needs, by value, page 50", "needs", "sort=value&page=50"),
    (
        "needs, q=โน้ตบุ๊ก (Thai)",
        "needs",
        "q=%E0%B9%82%E0%B8%99%E0%B9%89%E0%B8%95%E0%B8%9A%E0%B8%B8%E0%B9%8A%E0%B8%81",
    ),
    (
        "needs, q=บ้านพักครู + province",
        "needs",
        "q=%E0%B8%9A%E0%B9%89%E0%B8%B2%E0%B8%99%E0%B8%9E%E0%B8%B1%E0%B8%81"
        "%E0%B8%84%E0%B8%A3%E0%B8%B9&province=57",
    ),
    ("needs, q=solar panels (English)", "needs", "q=solar+panels"),
    ("needs, busiest school, all statuses (API only)", "needs", "status=all&school_id={school_id}"),
    ("offers, default", "offers", ""),
    ("offers, serves province 50", "offers", "province=50"),
    ("offers, serves ESA s20-1, by value", "offers", "district=s20-1&sort=value"),
    (
        "offers, q=แท็บเล็ต",
        "offers",
        "q=%E0%B9%81%E0%B8%97%E0%B9%87%E0%B8%9A%E0%B9%80%E0%B8%A5%E0%B9%87%E0%B8%95",
    ),
    ("offers, expired", "offers", "status=expired"),
]


class Counter:
    """SQL statements run on the engine (``before_cursor_execute``), with their parameters."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        self.statements.clear()
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hook)


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        status = r.status_code
        assert status == 200, (url, status, r.get_data(as_text=True)[:300])
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, status


def rows_in(r, api: bool) -> tuple[int, int | None]:
    if api:
        body = r.get_json()
        return len(body["items"]), body["total"]
    return r.get_data(as_text=True).count('<li class="card">'), None


def explain(conn, statement: str, parameters) -> list[str]:
    if conn.dialect.name == "postgresql":
        sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement
    else:
        sql = "EXPLAIN QUERY PLAN " + statement
    result = conn.exec_driver_sql(sql, parameters if parameters else ())
    return [" ".join(str(c) for c in row) for row in result]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--explain", action="store_true", help="print the query plans of each list's statements")
    p.add_argument("--only", choices=("api", "page"), default=None)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    a = p.parse_args(argv)

    from csr_hub import create_app
    from csr_hub.extensions import db
    from csr_hub.models import Need, Offer, School

    config = {"TESTING": True, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench", "SMTP_HOST": None}
    if a.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = a.database_url
    app = create_app(config)
    with app.app_context():
        engine = db.engine
        needs = db.session.scalar(sa.select(sa.func.count(Need.id)))
        offers = db.session.scalar(sa.select(sa.func.count(Offer.id)))
        busiest = db.session.execute(
            sa.select(Need.school_id, sa.func.count())
            .group_by(Need.school_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).first()
        school_id = busiest[0] if busiest else 0
        print(
            f"{engine.dialect.name}: {needs:,} needs, {offers:,} offers, "
            f"{db.session.scalar(sa.select(sa.func.count(School.id))):,} schools "
            f"(busiest school: {busiest[1] if busiest else 0} needs); {a.repeat} runs each\n"
        )
        db.session.remove()
        client = app.test_client()
        kinds = [k for k in ("api", "page") if a.only in (None, k)]
        header = (
            f"{'list':<48} {'kind':<5} {'median ms':>9} {'p95 ms':>7} {'rows':>5} {'total':>7} {'SQL':>4}"
        )
        print(header)
        print("-" * len(header))
        plans = []
        for name, kind_of_list, query in COMBOS:
            query = query.format(school_id=school_id)
            for kind in kinds:
                if kind == "page" and "school_id" in query:  # the list pages take no school filter
                    continue
                base = f"/api/v1/{kind_of_list}" if kind == "api" else f"/{kind_of_list}"
                url = f"{base}?{query}" if query else base
                client.get(url)  # warm the caches (the first request compiles templates and statements)
                with Counter(engine) as counted:
                    r = client.get(url)
                shown, total = rows_in(r, kind == "api")
                med, p95, _ = timed(client, url, a.repeat)
                print(
                    f"{name:<48} {kind:<5} {med:>9.1f} {p95:>7.1f} {shown:>5} "
                    f"{'' if total is None else format(total, ','):>7} {len(counted.statements):>4}"
                )
                if a.explain and kind == "api":
                    listing = [
                        (s, prm)
                        for s, prm in counted.statements
                        if ("FROM needs" in s or "FROM offers" in s)
                        and s.lstrip().upper().startswith("SELECT")
                    ]
                    plans.append((name, listing))
        if plans:
            print("\nQuery plans (EXPLAIN ANALYZE of each list's count and page statements)")
            with engine.connect() as conn:
                for name, listing in plans:
                    print(f"\n=== {name}")
                    for statement, parameters in listing:
                        print("--- " + " ".join(statement.split())[:300])
                        for line in explain(conn, statement, parameters):
                            print("    " + line)
        engine.dispose()


if __name__ == "__main__":
    main()

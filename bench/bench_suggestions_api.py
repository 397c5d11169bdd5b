"""Live suggestions through the API at national scale: ``GET /api/v1/needs/<id>/suggestions`` (and the
offers' side), wall time per request and SQL statements per request, on a database filled by datagen.

    createdb -h 127.0.0.1 -U postgres csr_bench_sugg
    .venv/bin/python bench/bench_suggestions_api.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/csr_bench_sugg --setup

``--setup`` migrates an empty database, loads the reference data and runs ``bench/datagen.py``
(``--needs``, default 100,000, and ``--offers``, default 5,000) when no generated rows are there yet.
Requests go through ``app.test_client()``, so routing, the suggestion service, the matcher and JSON
serialisation all count; no network. Each sampled need (and offer) is requested ``--repeat`` times after a
warm-up request; the figures are the median and 95th percentile over all the requests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def setup(app, needs: int, offers: int, seed: int) -> None:
    import flask_migrate

    from csr_hub.extensions import db
    from csr_hub.models import Offer, Province
    from csr_hub.services import seed as seed_service

    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Province)):
            seed_service.seed_reference(db.session)
            db.session.commit()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) or 0
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
        db.engine.dispose()
    if have < offers:
        from datagen import generate

        generate(url, needs=needs, offers=offers, seed=seed)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument(
        "--setup", action="store_true", help="migrate, seed reference data and generate rows if missing"
    )
    p.add_argument("--needs", type=int, default=100_000)
    p.add_argument("--offers", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--samples", type=int, default=40, help="needs (and offers) sampled")
    p.add_argument("--repeat", type=int, default=5, help="requests per sampled need")
    p.add_argument("--limit", type=int, default=10)
    a = p.parse_args(argv)
    if not a.database_url:
        p.error("give --database-url or DATABASE_URL (a PostgreSQL database)")

    from csr_hub import create_app
    from csr_hub.domain.reference import today_bangkok
    from csr_hub.extensions import db
    from csr_hub.models import Need, Offer, offer_provinces

    app = create_app({"SQLALCHEMY_DATABASE_URI": a.database_url, "TESTING": True, "RATELIMIT_ENABLED": False})
    if a.setup:
        setup(app, a.needs, a.offers, a.seed)
    rng = random.Random(a.seed)
    with app.app_context():
        today = today_bangkok()
        n_open_offers = db.session.scalar(
            sa.select(sa.func.count()).select_from(Offer).where(Offer.status_clause("open", today))
        )
        n_open_needs = db.session.scalar(
            sa.select(sa.func.count()).select_from(Need).where(Need.status_clause("open"))
        )
        need_ids = list(db.session.scalars(sa.select(Need.id).where(Need.status_clause("open"))))
        offer_ids = list(db.session.scalars(sa.select(Offer.id).where(Offer.status_clause("open", today))))
        n_links = db.session.scalar(sa.select(sa.func.count()).select_from(offer_provinces))
        dialect = db.engine.dialect.name
        db.session.remove()
    print(
        f"database: {dialect}; {n_open_needs:,} open needs, {n_open_offers:,} open offers "
        f"({n_links:,} offer-province rows)"
    )
    if not need_ids or not offer_ids:
        raise SystemExit("no open needs or offers: run with --setup")

    client = app.test_client()
    statements: list[int] = [0]

    def count(*_args, **_kw) -> None:
        statements[-1] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)

    def measure(kind: str, ids: list[int]) -> None:
        times: list[float] = []
        items: list[int] = []
        per_request: set[int] = set()
        for obj_id in rng.sample(ids, min(a.samples, len(ids))):
            url = f"/api/v1/{kind}/{obj_id}/suggestions?limit={a.limit}"
            client.get(url)  # warm-up: caches of the matcher and the connection pool
            for _ in range(a.repeat):
                statements.append(0)
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:300])
                per_request.add(statements[-1])
            items.append(len(r.get_json()["items"]))
        print(
            f"GET /api/v1/{kind}/<id>/suggestions?limit={a.limit}: {len(times)} requests over {len(items)} {kind}: "
            f"median {statistics.median(times):.1f} ms, p95 {_pct(times, 0.95):.1f} ms, max {max(times):.1f} ms; "
            f"SQL statements per request {sorted(per_request)}; items per answer median "
            f"{statistics.median(items):.0f}"
        )

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f}")
    measure("needs", need_ids)
    measure("offers", offer_ids)


if __name__ == "__main__":
    main()

"""``make bench``: the national data set in a fresh PostgreSQL database, gunicorn, and a mixed load.

    .venv/bin/python bench/bench_http.py [--scale 0.25] [--seconds 20] [--runs 3] [--workers 2] [--clients 16]

1. creates a fresh database ``csr_bench_<time>`` on ``BENCH_PG`` (default the local server), migrates it,
   seeds the reference data and loads ``bench/datagen.py``'s data set (``--scale 1`` = 100,000 needs, 5,000
   offers, ~25,000 schools), plus accounts (officers enrolled in TOTP) and matches in every stage;
2. starts gunicorn with ``gunicorn.conf.py`` in production mode (``--redis`` adds REDIS_URL);
3. runs locust headless (``bench/locustfile.py``) with ``--clients`` simulated users in all (16 by
   default): the mixed load gives one to every route and the rest to the floor (``/healthz``); with
   ``--each`` every route then runs alone with all the clients, each of its runs right after a run of
   the floor alone (``--floor-seconds``), so each route's throughput is read against the floor's measured
   on the same server at the same moment of a shared machine (run side by side, a slow route would hold
   every thread and slow the floor down with it);
4. prints per route req/s, p50, p95, errors and the ratio to the floor — medians over ``--runs`` — with
   the 1-minute load average after each run (the machine is shared) and the largest gunicorn worker's
   RSS; then drops the database (``--keep`` keeps it; ``--load-only`` loads, keeps it and stops).

The machine is shared: keep runs short (the defaults take a few minutes) and read small differences as
noise.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

PASSWORD = "bench-password-2569"
#: officers and directors each (TOTP codes are once-only: runs of 8 or 16 clients take fresh accounts)
ACCOUNTS_PER_ROLE = 48
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(admin_url: str) -> str:
    name = "csr_bench_" + datetime.now().strftime("%Y%m%d%H%M%S")
    eng = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    eng = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    eng.dispose()


def load(url: str, scale: float, seed: int) -> dict:
    """Schema, reference data, the data set, accounts and matches; returns what the load needs."""
    import flask_migrate
    import pyotp
    from datagen import generate

    from csr_hub import create_app
    from csr_hub.extensions import db
    from csr_hub.models import District, Match, MatchTransition, Need, Offer, School, User
    from csr_hub.services import seed as seeding

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        seeding.seed_reference(db.session)
        db.session.commit()
    t0 = time.perf_counter()
    counts = generate(url, needs=int(100_000 * scale), offers=max(50, int(5_000 * scale)), seed=seed)
    rng = random.Random(seed)
    with app.app_context():
        s = db.session
        pw = bench_password_hash()
        bangkok = s.scalar(sa.select(District).where(District.code == "p10-1")) or s.scalar(
            sa.select(District)
        )
        out: dict = {"accounts": {"central_officer": [], "district_director": [], "school_staff": []}}
        for i in range(ACCOUNTS_PER_ROLE):
            for role, district_id in (("central_officer", None), ("district_director", bangkok.id)):
                secret = pyotp.random_base32()
                u = User(
                    email=f"bench-{role}-{i}@example.org",
                    password_hash=pw,
                    full_name=f"{role} {i}",
                    role=role,
                    status="active",
                    district_id=district_id,
                    totp_secret=secret,
                    totp_enrolled=True,
                )
                s.add(u)
                out["accounts"][role].append({"email": u.email, "totp_secret": secret})
        big = s.execute(
            sa.select(Need.school_id, sa.func.count())
            .group_by(Need.school_id)
            .order_by(sa.func.count().desc())
            .limit(4)
        ).all()
        for i, (school_id, _) in enumerate(big):
            u = User(
                email=f"bench-school-{i}@example.org",
                password_hash=pw,
                full_name=f"school {i}",
                role="school_staff",
                status="active",
                school_id=school_id,
            )
            s.add(u)
            ids = list(s.scalars(sa.select(Need.id).where(Need.school_id == school_id).limit(50)))
            out["accounts"]["school_staff"].append({"email": u.email, "need_ids": ids})
        s.commit()
        need_ids = list(s.scalars(sa.select(Need.id).order_by(Need.id)))
        offers = s.execute(sa.select(Offer.id, Offer.value_thb, Offer.quantity, Offer.nationwide)).all()
        out["need_ids"] = rng.sample(need_ids, min(500, len(need_ids)))
        out["offer_ids"] = [o.id for o in rng.sample(offers, min(200, len(offers)))]
        out["nationwide_offer_ids"] = [o.id for o in offers if o.nationwide][:50] or out["offer_ids"][:50]
        # matches in every stage, about one per 20 needs, for the lists, the queues and the figures
        staff = s.scalar(sa.select(User.id).where(User.role == "school_staff"))
        school_district = dict(s.execute(sa.select(School.id, School.district_id)).all())
        need_school = dict(s.execute(sa.select(Need.id, Need.school_id)).all())
        stages = [
            "proposed",
            "pledged",
            "district_approved",
            "approved",
            "delivered",
            "completed",
            "declined",
        ]
        now = datetime.now(timezone.utc)
        rows, seen = [], set()
        for nid in rng.sample(need_ids, len(need_ids) // 20):
            o = rng.choice(offers)
            if (nid, o.id) in seen:
                continue
            seen.add((nid, o.id))
            st = rng.choice(stages)
            unit = Decimal(o.value_thb) / max(1, o.quantity)
            rows.append(
                dict(
                    need_id=nid,
                    offer_id=o.id,
                    quantity=1,
                    value_thb=round(unit, 2),
                    status=st,
                    proposed_by="school",
                    proposed_by_user_id=staff,
                    score=50.0,
                    parts={},
                    received_quantity=1 if st == "completed" else None,
                    received_value_thb=round(unit, 2) if st == "completed" else None,
                    version=1,
                    district_id=school_district[need_school[nid]],
                    created_at=now - timedelta(days=rng.randint(0, 300)),
                    updated_at=now,
                )
            )
        for i in range(0, len(rows), 5000):
            s.execute(sa.insert(Match), rows[i : i + 5000])
        s.flush()
        trans = [
            dict(
                match_id=mid,
                action="propose",
                from_status=None,
                to_status="proposed",
                actor_id=staff,
                at=at,
                note="",
            )
            for mid, at in s.execute(sa.select(Match.id, Match.created_at))
        ]
        for i in range(0, len(trans), 5000):
            s.execute(sa.insert(MatchTransition), trans[i : i + 5000])
        s.commit()
        out["matches"] = len(rows)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("ANALYZE"))
        db.engine.dispose()
    out["counts"] = counts
    out["password"] = PASSWORD
    out["load_seconds"] = round(time.perf_counter() - t0, 1)
    return out


def bench_password_hash() -> str:
    """The accounts' password hash with small Argon2 parameters: 16 clients log in at the start of each run,
    and at production strength (~0.3 s of CPU each) the logins would weigh on the first seconds measured."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


class RssWatch(threading.Thread):
    """The largest RSS of any gunicorn worker (the master's children), sampled every half second."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master, self.peak, self.stop_flag = master_pid, 0, False

    def run(self) -> None:
        import psutil

        while not self.stop_flag:
            try:
                for child in psutil.Process(self.master).children():
                    self.peak = max(self.peak, child.memory_info().rss)
            except Exception:
                pass
            time.sleep(0.5)


def sample_need_ids(url: str, n: int, seed: int) -> list[int]:
    """``n`` needs drawn from the loaded database (the same ones for the same seed)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ids = list(conn.scalars(sa.text("SELECT id FROM needs ORDER BY id")))
    finally:
        engine.dispose()
    return random.Random(seed).sample(ids, min(n, len(ids)))


def start_gunicorn(
    url: str, port: int, workers: int, threads: int, redis: str | None, app_dir: Path = ROOT
) -> subprocess.Popen:
    env = {
        **os.environ,
        "CSR_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": url,
        "PORT": str(port),
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "RATELIMIT_ENABLED": "0",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
        env["REDIS_PREFIX"] = f"csrbench:{port}:"
    log = Path(os.environ.get("BENCH_GUNICORN_LOG", f"/tmp/csr_bench_gunicorn_{port}.log"))
    with open(log, "wb") as errors:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "csr_hub:create_app()"],
            cwd=str(app_dir),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not start (its log: {log})")


def user_counts(routes: list[str], clients: int) -> dict[str, int]:
    """Simulated users per route: ``clients`` in all (0: each route's own ``fixed_count``).

    One route: all of them. More routes: one each (their own count), the rest to the floor.
    """
    from locustfile import ROUTES

    counts = {r: ROUTES[r].fixed_count for r in routes}
    if clients <= 0:
        return counts
    if len(routes) == 1:
        return {routes[0]: clients}
    others = [r for r in routes if r != "floor"]
    counts["floor"] = max(1, clients - sum(counts[r] for r in others))
    return counts


def run_locust(
    host: str, cfg: dict, seconds: int, counts: dict[str, int], out: Path, run: int = 0
) -> dict[str, dict]:
    users = sum(counts.values())
    cfg_file = out.with_suffix(
        ".config.json"
    )  # a file: thousands of need ids outgrow an environment variable
    cfg_file.write_text(json.dumps(cfg))
    env = {
        **os.environ,
        "BENCH_CONFIG_FILE": str(cfg_file),
        "BENCH_ROUTES": ",".join(counts),
        "BENCH_USERS": json.dumps(counts),
        "BENCH_RUN": str(run),
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=str(ROOT),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stats: dict[str, dict] = {}
    with open(f"{out}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] in ("Aggregated", "(login)"):
                continue
            stats[row["Name"]] = {
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "n": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
            }
    return stats


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 0.25)))
    p.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument(
        "--clients",
        type=int,
        default=int(os.environ.get("BENCH_CLIENTS", 16)),
        help="simulated users in all (0: one per route, two on the floor)",
    )
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS"), help="a REDIS_URL for the app")
    p.add_argument(
        "--routes", default=os.environ.get("BENCH_ROUTES", ""), help="comma-separated; default all"
    )
    p.add_argument("--no-cache", action="store_true", help="REPORT_CACHE_SECONDS=0: figures per request")
    p.add_argument(
        "--stale",
        type=int,
        default=None,
        metavar="SECONDS",
        help="REPORT_STALE_SECONDS for the app (figures and public pages at most this old after a write)",
    )
    p.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    )
    p.add_argument("--database-url", help="use this loaded database instead of making one")
    p.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    p.add_argument("--load-only", action="store_true", help="load the data set, keep the database, stop")
    p.add_argument(
        "--each", action="store_true", help="also run every route alone, each run after the floor's"
    )
    p.add_argument("--floor-seconds", type=int, default=int(os.environ.get("BENCH_FLOOR_SECONDS", 10)))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--need-ids",
        type=int,
        default=0,
        help="draw need pages and suggestions from this many needs (the load's 500 by default): with many,"
        " most of them are cold (never cached)",
    )
    p.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="serve the app from this copy of the tree (before/after comparisons on a shared tree)",
    )
    a = p.parse_args(argv)
    from locustfile import ROUTES

    routes = [r for r in a.routes.split(",") if r] or list(ROUTES)
    unknown = [r for r in routes if r not in ROUTES]
    if unknown:
        p.error(f"unknown route(s) {', '.join(unknown)}; known: {', '.join(ROUTES)}")
    if "floor" not in routes:
        routes.insert(0, "floor")
    if a.no_cache:
        os.environ["REPORT_CACHE_SECONDS"] = "0"
    if a.stale is not None:
        if a.stale < 0:
            p.error("--stale must be 0 or more seconds")
        os.environ["REPORT_STALE_SECONDS"] = str(a.stale)
    made = a.database_url is None
    url = a.database_url or make_database(a.pg)
    cfg_path = Path(os.environ.get("BENCH_CFG_FILE", "/tmp/csr_bench_config.json"))
    proc = None
    try:
        if made:
            cfg = load(url, a.scale, a.seed)
            cfg_path.write_text(json.dumps(cfg))
            print(f"loaded {cfg['counts']} and {cfg['matches']:,} matches in {cfg['load_seconds']} s")
            if a.load_only:
                a.keep = True
                return
        else:
            cfg = json.loads(cfg_path.read_text())
        if a.need_ids > 0:
            cfg["need_ids"] = sample_need_ids(url, a.need_ids, a.seed)
        port = free_port()
        proc = start_gunicorn(url, port, a.workers, a.threads, a.redis, a.app_dir)
        watch = RssWatch(proc.pid)
        watch.start()
        host = f"http://127.0.0.1:{port}"
        # the mixed load (every route at once), then with --each every route alone after the floor alone
        sets: list[tuple[str, list[tuple[list[str], int]]]] = [("mixed load", [(routes, a.seconds)])]
        if a.each:
            sets += [(r, [(["floor"], a.floor_seconds), ([r], a.seconds)]) for r in routes if r != "floor"]
        print(
            f"\n{a.workers} workers × {a.threads} threads, {a.seconds} s × {a.runs} runs (medians), "
            f"cache {'off' if a.no_cache else 'on'}, Redis {'on' if a.redis else 'off'}; "
            f"needs {cfg['counts']['needs']:,}, matches {cfg.get('matches', 0):,}"
        )
        print(f"{'route':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'× floor':>8}")
        counter = itertools.count()
        for title, phases in sets:
            runs: list[dict[str, dict]] = []
            loads: list[float] = []
            for i in range(a.runs):
                run: dict[str, dict] = {}
                for chosen, seconds in phases:
                    counts = user_counts(chosen, a.clients)
                    out = Path(f"/tmp/csr_bench_{os.getpid()}_{i}")
                    run.update(run_locust(host, cfg, seconds, counts, out, next(counter)))
                runs.append(run)
                loads.append(os.getloadavg()[0])

            def med(name: str, key: str, runs=runs) -> float:
                vals = [r[name][key] for r in runs if name in r]
                return statistics.median(vals) if vals else 0.0

            floor = med("/healthz", "rps") or 1.0
            users = sum(counts.values())
            load_avg = " ".join(f"{x:.2f}" for x in loads)
            how = (
                f"{counts.get('floor', 0)} of them on the floor" if len(phases) == 1 else "floor alone first"
            )
            print(
                f"-- {title} ({users} users, {how}; load average after each run {load_avg}; "
                f"largest worker RSS so far {watch.peak / 2**20:.0f} MB)"
            )
            names = sorted({n for r in runs for n in r}, key=lambda n: (n != "/healthz", n))
            for n in names:
                errors = sum(r[n]["errors"] for r in runs if n in r)
                print(
                    f"{n:44} {med(n, 'rps'):8.1f} {med(n, 'p50'):8.0f} {med(n, 'p95'):8.0f} {errors:7d} "
                    f"{med(n, 'rps') / floor:8.2f}",
                    flush=True,
                )
        watch.stop_flag = True
        print(f"largest worker RSS: {watch.peak / 2**20:.0f} MB")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if made and not a.keep:
            drop_database(a.pg, url)
        elif made:
            print(f"database kept: {url}")


if __name__ == "__main__":
    main()

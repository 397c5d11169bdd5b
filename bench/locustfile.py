"""The mixed load of ``make bench`` (bench/bench_http.py starts it): one user class per route, run side by side.

Each class loops over its one route with no think time, so a route's requests per second against the
floor's (``/healthz``, run in the same load) is its cost relative to the cheapest thing the app does.
Accounts and ids come from the environment that bench_http.py sets (BENCH_*).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time

import pyotp
from locust import HttpUser, constant, task

#: the accounts and ids ``bench_http.py`` loaded, from the file it names (or the variable, for a short one)
CFG = json.loads(
    open(os.environ["BENCH_CONFIG_FILE"], encoding="utf-8").read()
    if os.environ.get("BENCH_CONFIG_FILE")
    else os.environ.get("BENCH_CONFIG", "{}")
)
_lock = threading.Lock()
_next: dict[str, int] = {}


def _account(role: str) -> dict:
    """A distinct account per simulated user (one-time codes cannot be shared)."""
    with _lock:
        i = _next.get(role, 0)
        _next[role] = i + 1
    accounts = CFG["accounts"][role]
    # each run its own accounts (up to 16 users a role): one-time codes are once-only
    offset = int(os.environ.get("BENCH_RUN", 0)) * 16
    return accounts[(offset + i) % len(accounts)]


class Base(HttpUser):
    abstract = True
    wait_time = constant(0)
    fixed_count = 1
    role: str | None = None

    def on_start(self) -> None:
        self.csrf = None
        if self.role is None:
            return
        acc = _account(self.role)
        body = {"email": acc["email"], "password": CFG["password"]}
        if acc.get("totp_secret"):
            body["otp"] = pyotp.TOTP(acc["totp_secret"]).now()
        r = self.client.post("/api/v1/auth/login", json=body, name="(login)")
        if r.status_code == 401 and acc.get("totp_secret"):
            time.sleep(31 - time.time() % 30)  # an earlier run used this code: take the next one
            body["otp"] = pyotp.TOTP(acc["totp_secret"]).now()
            r = self.client.post("/api/v1/auth/login", json=body, name="(login)")
        if r.status_code != 200:
            return
        self.csrf = r.json()["csrf_token"]
        # production cookies are Secure and this is plain HTTP: keep them as ordinary cookies
        for name, value in r.cookies.items():
            self.client.cookies.set(name, value)
        self.account = acc


def route(name: str, path_fn, role: str | None = None, users: int = 1, method: str = "GET", body_fn=None):
    def go(self):
        path = path_fn()
        if method == "GET":
            self.client.get(path, name=name)
            return
        headers = {"X-CSRFToken": self.csrf or ""}
        with self.client.post(path, json=body_fn(self), name=name, headers=headers, catch_response=True) as r:
            if r.status_code in (201, 409):  # 409: that pair is already proposed (expected under load)
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    return type("Route", (Base,), {"role": role, "fixed_count": users, "go": task(go)})


need_ids, offer_ids, nationwide = (
    CFG.get("need_ids", [1]),
    CFG.get("offer_ids", [1]),
    CFG.get("nationwide_offer_ids", [1]),
)
thai = ["คอมพิวเตอร์", "โน้ตบุ๊ก", "อินเทอร์เน็ต", "บ้านพักครู", "หนังสือ", "โต๊ะเรียน"]


def _propose(self):
    acc = self.account
    return {"need_id": random.choice(acc["need_ids"]), "offer_id": random.choice(nationwide), "quantity": 1}


ROUTES = {
    "floor": route("/healthz", lambda: "/healthz", users=2),
    "home": route("/", lambda: "/"),
    "needs_page": route("/needs", lambda: "/needs"),
    "needs_api": route("/api/v1/needs", lambda: "/api/v1/needs"),
    "thai_search": route("/api/v1/needs?q=", lambda: "/api/v1/needs?q=" + random.choice(thai)),
    "need_page": route("/needs/<id>", lambda: f"/needs/{random.choice(need_ids)}"),
    "need_suggestions": route(
        "/api/v1/needs/<id>/suggestions", lambda: f"/api/v1/needs/{random.choice(need_ids)}/suggestions"
    ),
    "offer_suggestions_nationwide": route(
        "/api/v1/offers/<nationwide>/suggestions",
        lambda: f"/api/v1/offers/{random.choice(nationwide)}/suggestions",
    ),
    "summary": route("/api/v1/reports/summary", lambda: "/api/v1/reports/summary"),
    "reports_national": route("/reports (central)", lambda: "/reports", role="central_officer"),
    "matches_central": route("/api/v1/matches (central)", lambda: "/api/v1/matches", role="central_officer"),
    "dashboard_director": route("/dashboard (director)", lambda: "/dashboard", role="district_director"),
    "dashboard_central": route("/dashboard (central)", lambda: "/dashboard", role="central_officer"),
    "reports_director": route("/reports (director)", lambda: "/reports", role="district_director"),
    "propose": route(
        "POST /api/v1/matches",
        lambda: "/api/v1/matches",
        role="school_staff",
        method="POST",
        body_fn=_propose,
    ),
}

_wanted = [r for r in os.environ.get("BENCH_ROUTES", ",".join(ROUTES)).split(",") if r]
#: users per route for this run (bench_http.py's --clients), e.g. {"floor": 8, "home": 8}
_counts = json.loads(os.environ.get("BENCH_USERS", "{}"))
for _name in _wanted:
    ROUTES[_name].__name__ = ROUTES[_name].__qualname__ = _name
    if _name in _counts:
        ROUTES[_name].fixed_count = int(_counts[_name])
    globals()[f"User_{_name}"] = ROUTES[_name]

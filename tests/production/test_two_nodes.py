"""Two gunicorn nodes behind nginx, on one PostgreSQL and one Redis, behave as one (SPEC "Production").

A session, a throttle count, an idempotency key and a job started on one node hold on the other. Runs in
production mode (``CSR_ENV=production``, so the session cookie is Secure: the test carries it by hand
over plain HTTP). Redis db 14 is this test's own; it is emptied before and after.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import requests

from proc_helpers import ROOT, free_port, start, stop, wait_for_http, wait_for_port

NGINX = "/usr/sbin/nginx"
REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception:
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    return client


class Node:
    """A requests session that keeps the cookies itself (they are Secure; we speak plain HTTP)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def call(self, method: str, path: str, cookies_from: Node | None = None, **kw) -> requests.Response:
        jar = (cookies_from or self).cookies
        headers = dict(kw.pop("headers", {}))
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        csrf = (cookies_from or self).csrf
        if csrf and method != "GET":
            headers["X-CSRFToken"] = csrf
        r = requests.request(
            method, self.base + path, headers=headers, timeout=30, allow_redirects=False, **kw
        )
        for c in r.cookies:
            jar[c.name] = c.value
        return r


@pytest.fixture
def cluster(db_kind, database_url, tmp_path):
    if db_kind != "postgresql":
        pytest.skip("the nodes share one PostgreSQL")
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (.ci/run installs it)")
    client = _redis()
    client.flushdb()
    tag = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "CSR_ENV": "production",
        "SECRET_KEY": "two-nodes-" + tag,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"csrtest:{tag}:",
        "JOBS_QUEUE": f"csrtest-{tag}",
        "JOBS_RETRY_INTERVALS": "1",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "PROXY_FIX_HOPS": "1",
        "WTF_CSRF_ENABLED": "1",
        "RATELIMIT_ENABLED": "1",
    }
    env.pop("RATELIMIT_STORAGE_URI", None)
    procs: list[subprocess.Popen] = []
    ports = [free_port(), free_port()]
    try:
        for i, port in enumerate(ports):
            node_env = {**env, "PORT": str(port), "GUNICORN_ACCESSLOG": str(tmp_path / f"access{i}.log")}
            gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
            procs.append(
                start(
                    [gunicorn, "-c", "gunicorn.conf.py", "csr_hub:create_app()"],
                    tmp_path / f"node{i}.log",
                    node_env,
                )
            )
        lb = free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
  upstream csr {{ server 127.0.0.1:{ports[0]}; server 127.0.0.1:{ports[1]}; }}
  server {{
    listen 127.0.0.1:{lb};
    client_max_body_size 11m;
    location / {{
      proxy_pass http://csr;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""
        )
        procs.append(start([NGINX, "-c", str(conf), "-g", "daemon off;"], tmp_path / "nginx.log"))
        for port in ports:
            wait_for_http(f"http://127.0.0.1:{port}/healthz")
        wait_for_port(lb, procs[-1])
        yield {
            "a": f"http://127.0.0.1:{ports[0]}",
            "b": f"http://127.0.0.1:{ports[1]}",
            "lb": f"http://127.0.0.1:{lb}",
            "env": env,
            "tmp": tmp_path,
        }
    finally:
        for p in reversed(procs):
            stop(p)
        client.flushdb()


@pytest.mark.slow
def test_two_nodes_behind_nginx_act_as_one(app, cluster, make_user, make_need):
    from conftest import PASSWORD

    staff, central = make_user("school_staff"), make_user("central_officer")
    victim = make_user("company_rep")
    make_need(staff)
    a, b, lb = Node(cluster["a"]), Node(cluster["b"]), Node(cluster["lb"])

    # ready on both, Redis included
    for node in (a, b, lb):
        r = node.call("GET", "/readyz")
        assert r.status_code == 200 and r.json()["redis"] == "ok", r.text

    # a session made on node A holds on node B; logout on B ends it on A
    r = a.call("POST", "/api/v1/auth/login", json={"email": staff.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    a.csrf = r.json()["csrf_token"]
    assert b.call("GET", "/api/v1/auth/me", cookies_from=a).json()["email"] == staff.email

    # an idempotency key used on A answers the same on B and applies nothing twice
    body = {
        "category": "devices",
        "title": "โปรเจกเตอร์ 3 เครื่อง",
        "quantity": 3,
        "unit": "เครื่อง",
        "estimated_cost_thb": 45000,
        "urgency": "normal",
    }
    key = {"Idempotency-Key": "two-nodes-" + uuid.uuid4().hex}
    first = a.call("POST", "/api/v1/needs", json=body, headers=key)
    again = b.call("POST", "/api/v1/needs", json=body, headers=key, cookies_from=a)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert first.json()["id"] == again.json()["id"]
    mine = b.call("GET", "/api/v1/needs?status=all&per_page=100", cookies_from=a).json()
    assert sum(1 for n in mine["items"] if n["title"] == body["title"]) == 1

    # through nginx, the session works whichever node answers
    for _ in range(6):
        assert lb.call("GET", "/api/v1/auth/me", cookies_from=a).status_code == 200
    logs = [(cluster["tmp"] / f"access{i}.log").read_text() for i in (0, 1)]
    assert all("/api/v1/auth/me" in log for log in logs)  # both nodes served some

    assert b.call("POST", "/api/v1/auth/logout", cookies_from=a).status_code == 204
    assert a.call("GET", "/api/v1/auth/me").status_code == 401

    # the failed-login throttle counts across the nodes: 10 per account, then 429 on either
    wrong = {"email": victim.email, "password": "wrong-password-123"}
    codes = [
        (a if i % 2 else b).call("POST", "/api/v1/auth/login", json=wrong).status_code for i in range(10)
    ]
    assert codes == [401] * 10, codes
    r = a.call("POST", "/api/v1/auth/login", json=wrong)
    assert (
        r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and r.headers.get("Retry-After")
    )
    assert b.call("POST", "/api/v1/auth/login", json=wrong).status_code == 429

    # a job started on A is followed on B, and a worker runs it
    officer = Node(cluster["a"])
    r = officer.call("POST", "/api/v1/auth/login", json={"email": central.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    officer.csrf = r.json()["csrf_token"]
    started = officer.call("POST", "/api/v1/match-runs", json={"per_need": 3})
    assert started.status_code == 202, started.text
    job = started.json()["job"]
    assert job["status"] == "queued"
    seen = b.call("GET", f"/api/v1/jobs/{job['id']}", cookies_from=officer)
    assert seen.status_code == 200 and seen.json()["status"] == "queued"
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    done = subprocess.run(
        [flask, "--app", "csr_hub", "jobs", "worker", "--burst"],
        env=cluster["env"],
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    seen = b.call("GET", f"/api/v1/jobs/{job['id']}", cookies_from=officer).json()
    assert seen["status"] == "done" and seen["progress"] == 100 and seen["result"]["needs"] == 2, seen

"""Settings from the environment; ``create_app``'s mapping wins over them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

TRUE = {"1", "true", "yes", "on"}


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://``, ``postgresql://`` and ``postgresql+psycopg://``; always use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path, env: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise RuntimeError("SECRET_KEY must be set when CSR_ENV=production")
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    env_get = lambda name, default=None: overrides.get(name, os.environ.get(name, default))  # noqa: E731
    env = env_get("CSR_ENV", "development")
    ipath = Path(instance_path)
    ipath.mkdir(parents=True, exist_ok=True)
    if "SECRET_KEY" in overrides:
        secret = overrides["SECRET_KEY"]
    else:
        secret = _secret_key(ipath, env)
    db_url = (
        overrides.get("SQLALCHEMY_DATABASE_URI")
        or env_get("DATABASE_URL")
        or ("sqlite:///" + str(ipath / "csr_hub.sqlite3"))
    )
    production = env == "production"
    cfg: dict[str, Any] = {
        "CSR_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "REDIS_URL": env_get("REDIS_URL"),
        #: a web server's worker (gunicorn.conf.py sets it): never runs ``flask db``, so the migration
        #: tool (Flask-Migrate and Alembic, ~30 MB per process) is not loaded
        "CSR_WEB_ONLY": _bool(env_get("CSR_WEB_ONLY"), False),
        "SMTP_HOST": env_get("SMTP_HOST"),
        "SMTP_PORT": int(env_get("SMTP_PORT", 25) or 25),
        "SMTP_USER": env_get("SMTP_USER"),
        "SMTP_PASSWORD": env_get("SMTP_PASSWORD"),
        "SMTP_FROM": env_get("SMTP_FROM", "csr-hub@localhost"),
        "SMTP_STARTTLS": _bool(env_get("SMTP_STARTTLS"), False),
        "CSR_CENTRAL_THRESHOLD_THB": float(env_get("CSR_CENTRAL_THRESHOLD_THB", 500000)),
        # the clock (services/clock.py): whole days in Asia/Bangkok
        "CSR_ANSWER_DAYS": int(env_get("CSR_ANSWER_DAYS", 14)),
        "CSR_APPROVAL_DAYS": int(env_get("CSR_APPROVAL_DAYS", 7)),
        "CSR_NEED_REVIEW_DAYS": int(env_get("CSR_NEED_REVIEW_DAYS", 120)),
        # LINE Messaging API; without the secret and the token LINE is not offered
        "LINE_CHANNEL_SECRET": env_get("LINE_CHANNEL_SECRET"),
        "LINE_CHANNEL_ACCESS_TOKEN": env_get("LINE_CHANNEL_ACCESS_TOKEN"),
        "LINE_API_BASE_URL": env_get("LINE_API_BASE_URL", "https://api.line.me"),
        "LINE_BOT_ID": env_get("LINE_BOT_ID", ""),
        # the site's public address, for links in messages sent outside a request (LINE pushes)
        "CSR_BASE_URL": env_get("CSR_BASE_URL", "http://localhost:5000"),
        "RATELIMIT_ENABLED": _bool(env_get("RATELIMIT_ENABLED"), True),
        # several nodes count one throttle: Redis when there is one, unless set apart
        "RATELIMIT_STORAGE_URI": env_get("RATELIMIT_STORAGE_URI") or env_get("REDIS_URL") or "memory://",
        #: jobs without Redis: ``sync`` (in the request, after its commit) or ``thread``
        "JOBS_IN_PROCESS": env_get("JOBS_IN_PROCESS", "sync"),
        #: seconds between a failed job's attempts on RQ
        "JOBS_RETRY_INTERVALS": _ints(env_get("JOBS_RETRY_INTERVALS", "10,60,300")),
        #: exports with more rows than this run as a job (SPEC "Jobs")
        "EXPORT_JOB_ROWS": int(env_get("EXPORT_JOB_ROWS", 10_000)),
        #: the longest a cached report figure may be served (time-derived parts: days waiting, months)
        "REPORT_CACHE_SECONDS": int(env_get("REPORT_CACHE_SECONDS", 60)),
        "REPORT_CACHE_LOCAL_MB": int(env_get("REPORT_CACHE_LOCAL_MB", 32)),
        #: seconds a report figure or anonymous public page may be served after a write made it old
        #: (0: never; see services/reporting/cache.py); a bound on the work under a stream of writes
        "REPORT_STALE_SECONDS": int(env_get("REPORT_STALE_SECONDS", 0)),
        #: read-only report queries on a replica (a second bind), when given
        "REPORTS_DATABASE_URL": env_get("REPORTS_DATABASE_URL"),
        #: the daily clock's hour and minute in Asia/Bangkok, for ``jobs scheduler``
        "CSR_TICK_AT": env_get("CSR_TICK_AT", "01:00"),
        #: proxies in front of the app (nginx, a load balancer) whose X-Forwarded-* headers are trusted
        "PROXY_FIX_HOPS": int(env_get("PROXY_FIX_HOPS", 0) or 0),
        #: keys of this app in a shared Redis (report cache, scheduler); the limiter's keys too
        "REDIS_PREFIX": env_get("REDIS_PREFIX", "csr:"),
        "RATELIMIT_KEY_PREFIX": env_get("RATELIMIT_KEY_PREFIX", env_get("REDIS_PREFIX", "csr:")),
        "JOBS_QUEUE": env_get("JOBS_QUEUE", "csr_hub"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # a Redis outage leaves each node counting on its own, not failing the request
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "WTF_CSRF_ENABLED": _bool(env_get("WTF_CSRF_ENABLED"), True),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "BABEL_DEFAULT_LOCALE": "th",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Bangkok",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "UPLOAD_FOLDER": str(ipath / "uploads"),
        "JSON_SORT_KEYS": False,
    }
    for key, value in overrides.items():
        if key not in ("DATABASE_URL",):
            cfg[key] = value
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    for key in ("RATELIMIT_ENABLED", "WTF_CSRF_ENABLED"):
        cfg[key] = _bool(cfg[key], True)
    cfg["CSR_CENTRAL_THRESHOLD_THB"] = float(cfg["CSR_CENTRAL_THRESHOLD_THB"])
    cfg["JOBS_RETRY_INTERVALS"] = _ints(cfg["JOBS_RETRY_INTERVALS"])
    for key in (
        "EXPORT_JOB_ROWS",
        "REPORT_CACHE_SECONDS",
        "REPORT_CACHE_LOCAL_MB",
        "REPORT_STALE_SECONDS",
        "PROXY_FIX_HOPS",
    ):
        cfg[key] = int(cfg[key] or 0)
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    else:
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", pg_engine_options())
    replica = cfg.get("REPORTS_DATABASE_URL")
    if replica:
        binds = dict(cfg.get("SQLALCHEMY_BINDS") or {})
        url = normalise_database_url(replica)
        options = pg_engine_options() if url.startswith("postgresql") else {}
        binds.setdefault("reports", {"url": url, **options})
        cfg["SQLALCHEMY_BINDS"] = binds
    return cfg


def pg_engine_options() -> dict[str, Any]:
    """PostgreSQL through PgBouncer in transaction pooling mode works too.

    ``prepare_threshold=None``: psycopg never makes server-side prepared statements, which would live on
    one server connection while PgBouncer hands the next transaction another. Nothing else keeps session
    state (no SET, no advisory locks, no LISTEN, no temporary tables).
    """
    return {
        "pool_pre_ping": True,
        "pool_size": int(os.environ.get("DB_POOL_SIZE", 5)),
        "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", 5)),
        "pool_recycle": 1800,
        "connect_args": {"prepare_threshold": None, "connect_timeout": 10},
    }


def _ints(value: Any) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return tuple(int(v) for v in str(value).split(",") if v.strip())

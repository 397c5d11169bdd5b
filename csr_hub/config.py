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
        "SMTP_HOST": env_get("SMTP_HOST"),
        "SMTP_PORT": int(env_get("SMTP_PORT", 25) or 25),
        "SMTP_USER": env_get("SMTP_USER"),
        "SMTP_PASSWORD": env_get("SMTP_PASSWORD"),
        "SMTP_FROM": env_get("SMTP_FROM", "csr-hub@localhost"),
        "SMTP_STARTTLS": _bool(env_get("SMTP_STARTTLS"), False),
        "CSR_CENTRAL_THRESHOLD_THB": float(env_get("CSR_CENTRAL_THRESHOLD_THB", 500000)),
        "RATELIMIT_ENABLED": _bool(env_get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env_get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
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
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    else:
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    return cfg

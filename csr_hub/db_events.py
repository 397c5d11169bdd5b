"""SQLite: WAL, a long busy timeout, and ``BEGIN IMMEDIATE`` for write transactions.

A request that may write (POST, PUT, PATCH, DELETE; CLI commands) takes the write lock when its
transaction starts, so concurrent writers queue on the busy timeout instead of failing when they try to
upgrade a read lock. Reads use a plain deferred ``BEGIN``: in WAL mode they never block a writer.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: set by the request hook (and CLI) when the current unit of work is expected to write
write_intent: ContextVar[bool] = ContextVar("csr_write_intent", default=False)


def install(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through the engine
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")

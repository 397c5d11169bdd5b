"""Report figures cached, and dropped by the commit of any write that could change them.

Every figure is keyed by a *generation*: a number that moves on whenever a transaction that wrote to a
table the reports read (needs, offers, matches, their transitions, schools, districts, companies)
commits. The write is seen at the connection (any INSERT, UPDATE, DELETE or TRUNCATE, ORM or not), so no
caller has to remember to invalidate. A figure computed before the commit is stored under the old
generation and never read again: after a commit the next request computes afresh — exact, not "eventually".

With ``REDIS_URL`` the generation and the figures live in Redis, shared by every worker and node. Without
it they live in this process; a write made by another process then shows after at most
``REPORT_CACHE_SECONDS`` (the same bound also keeps the time-derived parts — days waiting, the month
window — current). A session that has written in its open transaction bypasses the cache, so it reads
its own writes.

Under a steady stream of writes (proposals every second at national scale) "exact" means the national
figures and the public pages are computed again after every write. ``stale_seconds``
(``REPORT_STALE_SECONDS``, 0 by default: off) bounds that work instead: a figure or page computed at most
that many seconds ago may be served after a write has made it old, so each is computed at most once per
window whatever the write rate. Only where it is harmless: report figures and anonymous public pages, never
a dashboard's queue (what someone is about to act on), never outside a request (exports, jobs, the CLI),
and never to a user who wrote in the last window (they see their own change at once).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import re
import threading
import time
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from csr_hub.domain.reference import today_bangkok

log = logging.getLogger(__name__)

#: tables whose rows the figures are made of
TABLES = frozenset(
    {
        "needs",
        "offers",
        "offer_provinces",
        "matches",
        "match_transitions",
        "schools",
        "districts",
        "companies",
        "need_photos",  # the lists and pages the page cache keeps show them
        "vocabulary_terms",  # terms added on /vocabulary/ change search and suggestions
        "suggestions",  # the batch match's stored suggestions
        "partnerships",  # a director's dashboard keeps its ESA's partnerships rendered
    }
)
#: groups of those tables with a generation of their own, moved only by a write to one of them (as well
#: as the whole generation): what is kept of every open offer (``suggestion_rows.offer_snapshot``) lives
#: through the proposals, notifications and needs written meanwhile
GROUPS: dict[str, frozenset[str]] = {
    "offers": frozenset({"offers", "offer_provinces", "companies", "vocabulary_terms"}),
}
_WRITE = re.compile(
    r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|truncate)\s+(?:table\s+)?\"?(\w+)", re.I
)
_WROTE = "csr_report_tables_written"


#: a write whose tables cannot be told (a TRUNCATE names many): it moves every group
_ANY = "*"


def _touched(statement: str) -> str | None:
    """The table of ours a statement writes to (``_ANY`` when it cannot be told), or None."""
    m = _WRITE.match(statement)
    if m is None:
        return None
    if statement.lstrip()[:8].lower() == "truncate":
        return _ANY  # a TRUNCATE names many tables: be safe
    table = m.group(1).lower()
    return table if table in TABLES else None


class FigureCache:
    """Figures keyed by (generation, function, arguments); in Redis when given, else in this process."""

    def __init__(
        self,
        redis=None,
        ttl: int = 60,
        prefix: str = "csr:reports:",
        local_bytes: int = 32 * 2**20,
        stale_seconds: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.ttl = ttl
        #: how long after it was computed a figure may still be served once a write has made it old
        self.stale_seconds = max(0, int(stale_seconds))
        self.clock = clock
        #: whether the caller at hand may be served a stale copy, and what to do when a write commits;
        #: the web layer sets both (:mod:`csr_hub.web.freshness`): outside a request nothing is stale
        self.allow_stale: Callable[[FigureCache], bool] = lambda _cache: False
        self.on_write: Callable[[FigureCache], None] = lambda _cache: None
        self.prefix = prefix
        #: without Redis, what this process keeps at most (the oldest entries go first)
        self.local_bytes = local_bytes
        self._gen = 0
        self._groups: dict[str, int] = {}
        self._local: dict[str, tuple[float, bytes]] = {}
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = self.stale_hits = 0

    # the generation
    def generation(self, group: str | None = None) -> int:
        """The whole generation, or one group's (``GROUPS``): a number that moves on at every committed
        write to the tables (of the group)."""
        name = "gen" if group is None else f"gen:{group}"
        if self.redis is not None:
            return int(self.redis.get(self.prefix + name) or 0)
        return self._gen if group is None else self._groups.get(group, 0)

    def bump(self, tables: frozenset[str] | set[str] | None = None) -> None:
        """A write committed to ``tables`` (None or ``_ANY`` among them: to any): the whole generation
        moves on, and each group's that the write touched."""
        groups = [
            g for g, members in GROUPS.items() if tables is None or _ANY in tables or members & set(tables)
        ]
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=False)
                pipe.incr(self.prefix + "gen")
                for g in groups:
                    pipe.incr(f"{self.prefix}gen:{g}")
                pipe.execute()
            except Exception:  # Redis down: nothing is served from it either
                log.warning("could not bump the report generation in Redis", exc_info=True)
        with self._lock:
            self._gen += 1
            for g in groups:
                self._groups[g] = self._groups.get(g, 0) + 1
            if not self.stale_seconds:
                self._local.clear()
                self._size = 0
                return
            # keep the latest copies (served within their window) and who wrote lately (another
            # user's write must not make them stale-able again); the rest is never read again
            self._local = {k: v for k, v in self._local.items() if k.startswith(_KEPT_ON_BUMP)}
            self._size = sum(len(v[1]) for v in self._local.values())

    # the figures
    def _get(self, key: str) -> bytes | None:
        if self.redis is not None:
            return self.redis.get(self.prefix + key)
        hit = self._local.get(key)
        if hit is None or hit[0] < self.clock():
            return None
        return hit[1]

    def _set(self, key: str, value: bytes, ttl: int | None = None) -> None:
        ttl = self.ttl if ttl is None else ttl
        if self.redis is not None:
            self.redis.set(self.prefix + key, value, ex=ttl)
            return
        if len(value) > self.local_bytes:
            return
        with self._lock:
            old = self._local.pop(key, None)
            self._size += len(value) - (len(old[1]) if old else 0)
            self._local[key] = (self.clock() + ttl, value)
            while self._size > self.local_bytes:  # dicts keep insertion order: the oldest first
                _oldest, (_until, dropped) = next(iter(self._local.items()))
                del self._local[_oldest]
                self._size -= len(dropped)

    def key(self, name: str, *parts: Any) -> str:
        """A key under the current generation and today's Bangkok date: what is stored under it is never read
        after the next write, nor on another day (an offer that ended yesterday is expired now, not within
        ``REPORT_CACHE_SECONDS``)."""
        raw = repr((name, parts, today_bangkok()))
        return f"{self.generation()}:{name}:{hashlib.sha1(raw.encode()).hexdigest()}"

    def lookup(self, key: str, stale_ok: bool = False) -> Any | None:
        """The value stored under ``key`` (a fresh copy), or None; None too when the store is unreachable.

        With ``stale_ok`` (and a stale window), a miss may be answered by the latest value computed for the
        same name and arguments under an earlier generation, if that was within the window."""
        try:
            found = self._get(key)
            if found is None and stale_ok and self.stale_seconds:
                found = self._get(_latest(key))
                if found is not None:
                    self.stale_hits += 1
                    return pickle.loads(found)
        except Exception:
            log.warning("report cache unavailable", exc_info=True)
            return None
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return pickle.loads(found)  # a fresh copy: callers may change what they get

    def store(self, key: str, value: Any) -> None:
        try:
            raw = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._set(key, raw)
            if self.stale_seconds:  # the copy a stale look-up may serve, for the window only
                self._set(_latest(key), raw, ttl=min(self.stale_seconds, self.ttl))
        except Exception:
            log.warning("could not store in the report cache", exc_info=True)

    def get_or_compute(
        self, name: str, args: tuple, kwargs: dict, compute: Callable[[], Any], stale_ok: bool = False
    ) -> Any:
        try:
            key = self.key(name, args, sorted(kwargs.items()))
        except Exception:
            log.warning("report cache unavailable; computing", exc_info=True)
            return compute()
        found = self.lookup(key, stale_ok=stale_ok)
        if found is not None:
            return found
        value = compute()
        self.store(key, value)
        return value

    # who wrote lately (they are never served a stale copy)
    def mark_wrote(self, user_id: Any) -> None:
        if not self.stale_seconds or user_id is None:
            return
        try:
            self._set(f"{_WROTE_MARK}{user_id}", b"1", ttl=self.stale_seconds)
        except Exception:
            log.warning("could not note a write in the report cache", exc_info=True)

    def wrote_lately(self, user_id: Any) -> bool:
        if not self.stale_seconds or user_id is None:
            return False
        try:
            return self._get(f"{_WROTE_MARK}{user_id}") is not None
        except Exception:
            return True  # unsure: serve nothing stale


_LATEST = "latest:"
_WROTE_MARK = "wrote:"
_KEPT_ON_BUMP = (_LATEST, _WROTE_MARK)


def _latest(key: str) -> str:
    """The key of the latest copy of ``key`` whatever its generation (``gen:name:hash`` → ``latest:name:hash``)."""
    return _LATEST + key.split(":", 1)[1]


#: the cache of each engine (one per app); engines that share a cache (a read replica's) map to it
_caches: dict[int, FigureCache] = {}


def install(engine: Engine, cache: FigureCache, *also: Engine) -> FigureCache:
    """Watch ``engine``'s writes; figures read through ``engine`` (or ``also``) use ``cache``."""
    for e in (engine, *also):
        _caches[id(e)] = cache

    @event.listens_for(engine, "after_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany):
        table = _touched(statement)
        if table is not None:
            conn.info.setdefault(_WROTE, set()).add(table)

    @event.listens_for(engine, "commit")
    def _committing(conn):
        tables = conn.info.pop(_WROTE, None)
        if tables:
            cache.bump(tables)  # before the commit: a reader racing it stores under a generation about to go
            _pending().append((cache, frozenset(tables)))
            cache.on_write(cache)  # the web layer notes who wrote: they are served no stale copy

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn):
        try:
            conn.info.pop(_WROTE, None)
        except sa_exc.SQLAlchemyError:  # an invalidated connection (its process died): nothing to forget
            pass

    return cache


#: per thread: caches to bump again once the commit is through (see :func:`_after_commit`)
_thread = threading.local()


def _pending() -> list[tuple[FigureCache, frozenset[str]]]:
    if not hasattr(_thread, "caches"):
        _thread.caches = []
    return _thread.caches


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Bump again after the commit: a figure computed between the two bumps read the old rows."""
    pending = _pending()
    while pending:
        cache, tables = pending.pop()
        cache.bump(tables)


def cache_for(session: Session) -> FigureCache | None:
    if isinstance(session, scoped_session):
        session = session()
    try:
        bind = session.get_bind()
    except Exception:
        return None
    cache = _caches.get(id(bind))
    if cache is None or cache.ttl <= 0:  # REPORT_CACHE_SECONDS=0 turns the cache off
        return None
    if session.new or session.dirty or session.deleted:
        return None
    if session.in_transaction():
        conn = session.connection()
        if conn.info.get(_WROTE):
            return None  # read your own uncommitted writes
    return cache


def cached(fn: Callable) -> Callable:
    """Serve ``fn(session, …)`` from the session's engine's cache when it has one."""

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        cache = cache_for(session)
        if cache is None:
            return fn(session, *args, **kwargs)
        return cache.get_or_compute(
            f"{fn.__module__}.{fn.__qualname__}",
            args,
            kwargs,
            lambda: fn(session, *args, **kwargs),
            stale_ok=cache.allow_stale(cache),
        )

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper

"""The national batch (``flask --app csr_hub match run [--allocate]``) and ``match reindex``.

``run`` scores every open need against every open offer (``matching.batch_suggest``: blocked by
province and category, vectorised), replaces the ``suggestions`` table with each need's best
``per_need`` offers, and with ``allocate`` proposes an allocation: the quantities that maximise
Σ weight × units — weight the pair's score, × ``EQUITY_WEIGHT`` for a stand-alone school's need — without
taking any need or offer above its remaining quantity. The optimum is exact per connected block
(``allocation.allocate``, HiGHS); a greedy allocation is computed beside it and both totals are
reported. The proposal is stored in ``suggestions.allocated_quantity``; no match is created: people
propose matches, the batch only points at them.

Stored ``parts`` are compact — ``{part: score}`` — because a national run stores a million rows and
the full Thai and English reasons would weigh about 2 KB each; pages and the API explain a pair
live (``services/suggestions.py``).

Storing: each need's winners are written to a temporary file as soon as its block is scored (so the run
never holds a million scores), then, once the allocation is known, replace the table's rows: on
PostgreSQL ``TRUNCATE`` and ``COPY`` in the caller's transaction — no dead rows, and readers see the old
rows until the commit — elsewhere ``DELETE`` and batched INSERTs.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import allocation, matching
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need, Offer, Suggestion
from csr_hub.models.base import utcnow
from csr_hub.services.posts import analyse_text
from csr_hub.services.suggestion_rows import open_need_views, open_offer_views, province_table

#: the allocation's objective multiplies a stand-alone school's pairs by this (OBEC asked to close
#: the gap); the score already ranks them up through its equity part, this tips contested units
EQUITY_WEIGHT = {"stand_alone": 1.25, "merging": 1.0, "core": 1.0}
#: pairs per need handed to the allocation: the best few carry the optimum and keep memory down
ALLOCATE_TOP = 5
#: rows per INSERT statement when storing suggestions (not PostgreSQL: it copies them)
INSERT_BATCH = 10_000
#: the columns of a stored row, in the order of the spooled lines and of COPY
_COLUMNS = ("need_id", "offer_id", "score", "rank", "parts", "allocated_quantity", "created_at")


@dataclass
class RunResult:
    needs: int  # open needs scored
    offers: int  # open offers scored
    stored: int  # suggestion rows stored
    allocated: allocation.Allocation | None = None
    greedy: allocation.Allocation | None = None
    pairs_allocated_over: int = 0  # candidate pairs handed to the allocation
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase


def run(
    session: Session,
    *,
    per_need: int = 10,
    allocate: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Score, store and (optionally) allocate. ``progress(done, total)`` gets cumulative need counts.

    Runs in the caller's transaction and does not commit.
    """
    if per_need < 1:
        raise ValueError("per_need must be at least 1")
    started = time.perf_counter()
    today = today_bangkok()
    provinces = province_table(session)
    needs = open_need_views(session, provinces)
    offers = open_offer_views(session, provinces, today)
    total = len(needs)
    out = RunResult(needs=len(needs), offers=len(offers), stored=0)
    weight = {n.id: EQUITY_WEIGHT.get(n.quality_group, 1.0) for n in needs} if allocate else {}
    pairs: list[tuple[int, int, float]] = []  # each need's best ALLOCATE_TOP, for the allocation
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:

        def keep(need_id: int, winners: list[tuple[int, matching.Score]]) -> None:
            for rank, (offer_id, s) in enumerate(winners, 1):
                parts = json.dumps({name: part.score for name, part in s.parts.items()})
                spool.write(f"{need_id}\t{offer_id}\t{s.total!r}\t{rank}\t{parts}\n")
            if allocate:
                pairs.extend((need_id, o, s.total * weight[need_id]) for o, s in winners[:ALLOCATE_TOP])
            out.stored += len(winners)

        matching.batch_suggest(
            needs,
            offers,
            today,
            per_need=per_need,
            progress=(lambda done: progress(done, total)) if progress else None,
            sink=keep,
        )
        out.seconds["load and score"] = time.perf_counter() - started
        allocated: dict[tuple[int, int], int] = {}
        if allocate and out.stored:
            need_cap = {n.id: n.remaining for n in needs}
            offer_cap = {o.id: o.remaining for o in offers}
            del needs, offers, weight
            out.pairs_allocated_over = len(pairs)
            out.allocated = allocation.allocate(pairs, need_cap, offer_cap)
            out.greedy = allocation.greedy_allocate(pairs, need_cap, offer_cap)
            del pairs
            allocated = out.allocated.by_pair()
            out.seconds["allocate"] = time.perf_counter() - started - sum(out.seconds.values())
        spool.seek(0)
        _replace_rows(session, spool, allocated)
    out.seconds["store"] = time.perf_counter() - started - sum(out.seconds.values())
    return out


def _lines(spool: IO[str], allocated: dict[tuple[int, int], int], created: str) -> Iterator[str]:
    """The spooled rows as COPY text lines, each with its allocated quantity and the run's time."""
    for line in spool:
        need_id, offer_id, _rest = line.split("\t", 2)
        qty = allocated.get((int(need_id), int(offer_id)), 0) if allocated else 0
        yield f"{line[:-1]}\t{qty}\t{created}\n"


def _replace_rows(session: Session, spool: IO[str], allocated: dict[tuple[int, int], int]) -> None:
    """The suggestions table's rows become the spooled ones (in the caller's transaction)."""
    created = utcnow()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))  # not for ever behind a reader
        conn.execute(sa.text("TRUNCATE suggestions RESTART IDENTITY"))
        copy_sql = f"COPY suggestions ({', '.join(_COLUMNS)}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cur, cur.copy(copy_sql) as copy:
            chunk: list[str] = []
            for line in _lines(spool, allocated, created.isoformat()):
                chunk.append(line)
                if len(chunk) >= INSERT_BATCH:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
        return
    session.execute(sa.delete(Suggestion))
    rows: list[dict] = []
    for line in spool:
        need_id, offer_id, score, rank, parts = line[:-1].split("\t")
        rows.append(
            {
                "need_id": int(need_id),
                "offer_id": int(offer_id),
                "score": float(score),
                "rank": int(rank),
                "allocated_quantity": allocated.get((int(need_id), int(offer_id)), 0),
                "parts": json.loads(parts),
                "created_at": created,
            }
        )
        if len(rows) >= INSERT_BATCH:
            session.execute(sa.insert(Suggestion), rows)
            rows = []
    if rows:
        session.execute(sa.insert(Suggestion), rows)


@dataclass
class ReindexStep:
    kind: str  # "needs" or "offers"
    done: int  # rows of this kind analysed so far
    total: int
    changed: int  # rows of this kind whose search column or item kinds changed so far


def reindex(session: Session, batch_size: int = 1000) -> Iterator[ReindexStep]:
    """Recompute ``search_text`` and ``item_kinds`` of every need and offer (after a vocabulary change).

    Yields after each batch, so the caller can commit and move a progress bar; rows are read by id
    ranges (no OFFSET) and only the rows that changed are written. A text shared by many posts is
    analysed once.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cache: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, model in (("needs", Need), ("offers", Offer)):
        total = session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        done = changed = 0
        last = 0
        table = model.__table__
        update = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                search_text=sa.bindparam("b_search"),
                item_kinds=sa.bindparam("b_kinds"),
                updated_at=table.c.updated_at,
            )
        )  # the post itself did not change
        while True:
            batch = session.execute(
                sa.select(model.id, model.title, model.description, model.search_text, model.item_kinds)
                .where(model.id > last)
                .order_by(model.id)
                .limit(batch_size)
            ).all()
            if not batch:
                break
            writes = []
            for row in batch:
                key = (row.title or "", row.description or "")
                fresh = cache.get(key)
                if fresh is None:
                    fresh = cache[key] = analyse_text(*key)
                if (row.search_text or "", row.item_kinds or "") != fresh:
                    writes.append({"b_id": row.id, "b_search": fresh[0], "b_kinds": fresh[1]})
            if writes:
                session.connection().execute(update, writes)
            done += len(batch)
            changed += len(writes)
            last = batch[-1].id
            if len(cache) > 50_000:
                cache.clear()
            yield ReindexStep(kind, done, max(total, done), changed)
        if done == 0:
            yield ReindexStep(kind, 0, 0, 0)

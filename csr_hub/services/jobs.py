"""Background jobs: a row in ``jobs`` for every job, run on RQ when ``REDIS_URL`` is set, else in-process.

A feature hands work over with :func:`enqueue` inside its own transaction; the job is dispatched once that
transaction commits (so a worker never looks for a row that is not there yet, and a rolled-back request
starts nothing). The job function is named by ``"module:function"`` and called as
``func(session, progress, **params)``: ``progress(percent)`` records how far it got (visible at once on
every node), its return value (a JSON object or None) becomes the job's ``result``, and an exception fails
the attempt. An attempt that fails is retried — on RQ with backoff (``JOBS_RETRY_INTERVALS`` seconds),
in-process at once — and the last failure leaves the job ``failed`` with its reason.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from csr_hub.models import Job

log = logging.getLogger(__name__)

QUEUE_NAME = "csr_hub"  # the default; JOBS_QUEUE overrides it
#: seconds between attempts on RQ (three retries after the first attempt)
DEFAULT_RETRY_INTERVALS = (10, 60, 300)
#: how long a job may run on a worker before RQ stops it
DEFAULT_TIMEOUT = 3600
_PENDING = "csr_jobs_pending"


class Runner:
    """Where jobs of one app go: an RQ queue (``redis`` given) or this process."""

    def __init__(
        self,
        engine: Engine,
        redis=None,
        mode: str = "sync",
        retry_intervals: tuple[int, ...] = DEFAULT_RETRY_INTERVALS,
        timeout: int = DEFAULT_TIMEOUT,
        app=None,
        queue_name: str = QUEUE_NAME,
    ) -> None:
        self.queue_name = queue_name
        self.engine = engine
        self.redis = redis
        self.mode = mode
        self.retry_intervals = tuple(retry_intervals)
        self.timeout = timeout
        self.app = app

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_intervals)

    def queue(self):
        from rq import Queue

        return Queue(self.queue_name, connection=self.redis)

    def dispatch(self, job_id: str) -> None:
        if self.redis is not None:
            from rq import Retry

            retry = Retry(max=len(self.retry_intervals), interval=list(self.retry_intervals))
            self.queue().enqueue_call(
                "csr_hub.services.jobs.execute_queued",
                args=(job_id,),
                job_id=job_id,
                timeout=self.timeout,
                retry=retry if self.retry_intervals else None,
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
            )
            return
        if self.mode == "thread":
            threading.Thread(target=self._run_in_process, args=(job_id,), daemon=True).start()
        else:
            self._run_in_process(job_id)

    def _run_in_process(self, job_id: str) -> None:
        def go() -> None:
            for attempt in range(1, self.max_attempts + 1):
                if run(self.engine, job_id, final=attempt == self.max_attempts):
                    return

        if self.app is not None:
            with self.app.app_context():
                go()
        else:
            go()


#: the worker process (set by ``jobs worker``); its forked work horses open their own connections
_WORKER_PID: dict[str, int] = {}

#: the runner of each engine (one per app), set by :func:`install`
_runners: dict[int, Runner] = {}


def install(runner: Runner) -> None:
    _runners[id(runner.engine)] = runner


def runner_for(session: Session) -> Runner:
    engine = session.get_bind()
    found = _runners.get(id(engine))
    return found if found is not None else Runner(engine)


def new_id() -> str:
    return uuid.uuid4().hex


def enqueue(session: Session, kind: str, user, func_path: str, **params: Any) -> Job:
    """Record a job in the caller's transaction; it starts once that transaction commits."""
    _resolve(func_path)  # fail now, in the caller, for a name that does not exist
    job = Job(
        id=new_id(),
        kind=kind,
        status="queued",
        progress=0,
        func_path=func_path,
        params=params,
        user_id=getattr(user, "id", None),
        attempts=0,
    )
    session.add(job)
    session.flush()
    real = session() if isinstance(session, scoped_session) else session
    real.info.setdefault(_PENDING, []).append((runner_for(session), job.id))
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for runner, job_id in pending or ():
        try:
            runner.dispatch(job_id)
        except Exception as exc:  # Redis down: the job stays visible, failed with the reason
            log.exception("could not dispatch job %s", job_id)
            _finish(runner.engine, job_id, "failed", error=f"could not start: {_reason(exc)}")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _resolve(func_path: str) -> Callable:
    module, _, name = func_path.partition(":")
    if not name:
        module, _, name = func_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:500]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _finish(engine: Engine, job_id: str, status: str, **values: Any) -> None:
    with Session(engine) as s, s.begin():
        s.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(status=status, updated_at=_now(), finished_at=_now(), **values)
        )


def set_progress(engine: Engine, job_id: str, percent: float) -> None:
    """Record progress in its own short transaction, so every node sees it at once."""
    pct = max(0, min(100, int(percent)))
    with Session(engine) as s, s.begin():
        s.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.progress != pct, Job.status == "running")
            .values(progress=pct, updated_at=_now())
        )


def run(engine: Engine, job_id: str, final: bool = True) -> bool:
    """One attempt at a job. True when it is over (done, or failed for good); False to try again."""
    with Session(engine) as s, s.begin():
        job = s.get(Job, job_id)
        if job is None or job.status in ("done", "failed"):
            return True
        job.status, job.attempts, job.started_at, job.progress = "running", job.attempts + 1, _now(), 0
        func_path, params, attempt = job.func_path, dict(job.params or {}), job.attempts
    last = [-1]
    session = Session(engine)
    # SQLite has one writer: a second transaction would wait on the job's own, so there progress is
    # written in the job's transaction (seen when it commits); elsewhere at once, in its own
    apart = engine.dialect.name != "sqlite"

    def progress(percent: float) -> None:
        if int(percent) != last[0]:
            last[0] = int(percent)
            if apart:
                set_progress(engine, job_id, percent)
            else:
                session.execute(
                    sa.update(Job).where(Job.id == job_id).values(progress=max(0, min(100, int(percent))))
                )

    try:
        result = _resolve(func_path)(session, progress, **params)
        session.commit()
    except Exception as exc:
        session.rollback()
        reason = _reason(exc)
        log.warning("job %s attempt %s failed: %s", job_id, attempt, reason)
        if final:
            _finish(engine, job_id, "failed", error=reason)
            return True
        with Session(engine) as s, s.begin():
            s.execute(
                sa.update(Job)
                .where(Job.id == job_id)
                .values(status="queued", error=f"attempt {attempt} failed: {reason}", updated_at=_now())
            )
        return False
    finally:
        session.close()
    _finish(
        engine, job_id, "done", progress=100, result=result if isinstance(result, dict) else None, error=None
    )
    return True


def execute_queued(job_id: str) -> None:
    """The function RQ runs: one attempt; raising lets RQ retry it with backoff."""
    from rq import get_current_job

    from csr_hub.extensions import db

    engine = db.engine
    if os.getpid() != _WORKER_PID.get("pid", os.getpid()):
        engine.dispose(close=False)  # RQ forked a work horse: never share the parent's connections
    rq_job = get_current_job()
    retries_left = getattr(rq_job, "retries_left", None) or 0
    if not run(engine, job_id, final=retries_left <= 0):
        raise RuntimeError(f"job {job_id} failed; RQ retries it ({retries_left} left)")


# --- job functions of this area ------------------------------------------------------------------------
def match_run_job(
    session: Session, progress: Callable[[float], None], per_need: int = 10, allocate: bool = False
):
    """The batch match (``match run``) as a job: scoring is 90 % of the bar, storing the rest."""
    from csr_hub.services import batch

    def scored(done: int, total: int) -> None:
        progress(90 * done / total if total else 90)

    result = batch.run(session, per_need=per_need, allocate=allocate, progress=scored)
    out: dict[str, Any] = {
        "needs": result.needs,
        "offers": result.offers,
        "stored": result.stored,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
    }
    if allocate and result.allocated is not None:
        out["allocated_pairs"] = len(result.allocated.assignments)
        out["allocated_units"] = sum(q for _, _, q in result.allocated.assignments)
    return out


def tick_job(session: Session, progress: Callable[[float], None], today: str | None = None):
    """The daily clock (SPEC "The clock") as a job: ``services.clock.tick`` for ``today`` (ISO date)."""
    from datetime import date

    from csr_hub.services import clock  # written by the clock's owner

    result = clock.tick(session, date.fromisoformat(today) if today else None)
    if hasattr(result, "as_dict"):
        return result.as_dict()
    return {"summary": str(result)} if result is not None else None

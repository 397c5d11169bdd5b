"""``flask --app csr_hub jobs worker`` and ``jobs scheduler``: the job queue's two processes.

The worker runs RQ jobs (with RQ's scheduler, which re-enqueues failed attempts after their backoff). The
scheduler enqueues the daily clock (``jobs tick``) once a day at ``CSR_TICK_AT`` (Asia/Bangkok); a key set
with NX in Redis makes that once per day however many schedulers run.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from csr_hub.domain.reference import BANGKOK


def _require_redis():
    from csr_hub import redis_client

    client = redis_client(current_app)
    if client is None:
        raise click.ClickException("REDIS_URL is not set: without it jobs run in the web process itself.")
    return client


@click.command("worker")
@click.option("--burst", is_flag=True, help="stop once the queue is empty")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run queued jobs (RQ worker with its scheduler, for retries with backoff)."""
    from rq import Worker

    from csr_hub.services import jobs

    client = _require_redis()
    jobs._WORKER_PID["pid"] = os.getpid()
    runner = current_app.extensions["csr_jobs"]
    Worker([runner.queue()], connection=client).work(burst=burst, with_scheduler=not burst)


def tick_due(now: datetime, at: str) -> bool:
    hour, _, minute = at.partition(":")
    return (now.hour, now.minute) >= (int(hour), int(minute or 0))


def enqueue_tick_once(client, today: str, prefix: str = "csr:") -> str | None:
    """Enqueue today's clock unless some scheduler already did: the job id, or None."""
    from csr_hub.extensions import db
    from csr_hub.services import jobs

    if not client.set(f"{prefix}jobs:tick:{today}", "1", nx=True, ex=3 * 86400):
        return None
    job = jobs.enqueue(db.session, "tick", None, "csr_hub.services.jobs:tick_job", today=today)
    db.session.commit()
    return job.id


@click.command("scheduler")
@click.option("--once", is_flag=True, help="check once and stop (for cron or a test)")
@click.option("--interval", default=60, show_default=True, type=click.IntRange(1, 3600), help="seconds")
@with_appcontext
def scheduler_command(once: bool, interval: int) -> None:
    """Enqueue the daily clock (jobs tick) once a day at CSR_TICK_AT, Asia/Bangkok."""
    client = _require_redis()
    prefix = current_app.config.get("REDIS_PREFIX", "csr:")
    at = current_app.config.get("CSR_TICK_AT", "01:00")
    click.echo(f"scheduler: the clock runs daily at {at} Asia/Bangkok")
    while True:
        now = datetime.now(BANGKOK)
        if tick_due(now, at):
            job_id = enqueue_tick_once(client, now.date().isoformat(), prefix)
            if job_id:
                click.echo(f"{now:%Y-%m-%d %H:%M}: enqueued the clock (job {job_id})")
        if once:
            return
        time.sleep(interval)


def init_app(app: Flask) -> None:
    """Add ``worker`` and ``scheduler`` to the ``jobs`` group (made here only when no one else made it)."""
    group = app.cli.commands.get("jobs")
    if group is None:

        @click.group("jobs")
        def jobs_group() -> None:
            """Background jobs: the clock, the worker and the scheduler."""

        group = jobs_group
        app.cli.add_command(group)
    if isinstance(group, click.Group):
        group.add_command(worker_command)
        group.add_command(scheduler_command)

"""Commands registered by the factory: ``flask --app csr_hub …``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import accounts, mail, notify, seed
from csr_hub.services.errors import ServiceError


@click.command("seed-reference")
@with_appcontext
def seed_reference() -> None:
    """Load the 77 provinces and the 245 ESAs (idempotent)."""
    n_prov, n_dist = seed.seed_reference(db.session)
    db.session.commit()
    click.echo(f"Reference data: {n_prov} provinces, {n_dist} Educational Service Areas.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load a believable demo: schools, companies, users of every role, needs, offers, matches (idempotent)."""
    logins = seed.seed_demo(db.session, threshold=current_app.config["CSR_CENTRAL_THRESHOLD_THB"])
    db.session.commit()
    click.echo("Demo data loaded. Demo logins (password for all: %s):" % seed.DEMO_PASSWORD)
    for role, email in logins:
        click.echo(f"  {role:<18} {email}")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
)
@click.option("--school", "school_code", help="OBEC school code (school_staff)")
@click.option("--company", "company_tax_id", help="13-digit tax id (company_rep)")
@click.option("--company-name", help="name of the company, when it does not exist yet")
@click.option("--district", "district_code", help="ESA code (district_director)")
@click.option("--full-name", default="", help="the person's name")
@click.option("--password", help="leave out to be asked (hidden)")
@with_appcontext
def create_user(
    email, role, school_code, company_tax_id, company_name, district_code, full_name, password
) -> None:
    """Create an active account of any role."""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            db.session,
            email,
            role,
            password,
            full_name=full_name,
            school_code=school_code,
            company_tax_id=company_tax_id,
            company_name=company_name,
            district_code=district_code,
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message}{' — ' + details if details else ''}") from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.group("match")
def match_group() -> None:
    """The batch matcher."""


#: assignments printed by ``match run --allocate`` (all of them are stored in suggestions.allocated_quantity)
SHOWN_ASSIGNMENTS = 20


@match_group.command("run")
@click.option(
    "--allocate", is_flag=True, help="also propose a capacity-respecting allocation (exact, vs greedy)"
)
@click.option(
    "--per-need",
    default=10,
    show_default=True,
    type=click.IntRange(1, 50),
    help="suggestions stored per need",
)
@with_appcontext
def match_run(allocate: bool, per_need: int) -> None:
    """Score all open needs against all open offers and store the suggestions."""
    from tqdm import tqdm

    from csr_hub.services import batch

    bar = tqdm(desc="scoring needs", unit="need")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)  # the matcher reports the cumulative count
        if done >= total:
            bar.close()  # scoring is over; allocating and storing are timed below

    try:
        result = batch.run(db.session, per_need=per_need, allocate=allocate, progress=progress)
    finally:
        bar.close()
    db.session.commit()
    click.echo(
        f"{result.needs:,} open needs × {result.offers:,} open offers: "
        f"{result.stored:,} suggestions stored (at most {per_need} per need)."
    )
    click.echo("Time: " + ", ".join(f"{phase} {s:.1f} s" for phase, s in result.seconds.items()) + ".")
    if not allocate:
        return
    best, greedy = result.allocated, result.greedy
    if best is None or greedy is None:
        click.echo("Allocation: nothing to allocate.")
        return
    units = sum(q for _, _, q in best.assignments)
    gain = (best.total - greedy.total) / greedy.total * 100 if greedy.total else 0.0
    click.echo(
        f"Allocation over the best {batch.ALLOCATE_TOP} offers of each need "
        f"({result.pairs_allocated_over:,} pairs, {best.blocks:,} blocks, {best.solved_exactly:,} "
        f"solved by HiGHS): {len(best.assignments):,} pairs, {units:,} units."
    )
    click.echo(
        f"Total equity-weighted score × units: exact {best.total:,.1f}, greedy {greedy.total:,.1f} "
        f"({gain:+.2f} %)."
    )
    if best.assignments:
        click.echo(
            "Proposed allocation (need → offer: quantity), largest first; every pair is in "
            "suggestions.allocated_quantity, no match is created:"
        )
        largest = sorted(best.assignments, key=lambda a: (-a[2], a[0], a[1]))[:SHOWN_ASSIGNMENTS]
        for need_id, offer_id, qty in largest:
            click.echo(f"  need {need_id} → offer {offer_id}: {qty:,}")
        if len(best.assignments) > SHOWN_ASSIGNMENTS:
            click.echo(f"  … and {len(best.assignments) - SHOWN_ASSIGNMENTS:,} more")


@match_group.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def match_reindex(batch_size: int) -> None:
    """Recompute every need's and offer's search column and item kinds (after a vocabulary change)."""
    from tqdm import tqdm

    from csr_hub.services import batch

    bars: dict[str, tqdm] = {}
    changed: dict[str, int] = {}
    done: dict[str, int] = {}
    try:
        for step in batch.reindex(db.session, batch_size=batch_size):
            db.session.commit()  # one batch at a time: an interrupted run keeps what it did
            bar = bars.get(step.kind)
            if bar is None:
                bar = bars[step.kind] = tqdm(total=step.total, desc=f"reindexing {step.kind}", unit="row")
            bar.update(step.done - bar.n)
            changed[step.kind], done[step.kind] = step.changed, step.done
    finally:
        for bar in bars.values():
            bar.close()
    for kind in ("needs", "offers"):
        click.echo(f"{kind}: {done.get(kind, 0):,} analysed, {changed.get(kind, 0):,} changed.")


@click.group("notify")
def notify_group() -> None:
    """Notification e-mails."""


@notify_group.command("retry")
@with_appcontext
def notify_retry() -> None:
    """Send the e-mails still pending (SMTP was down)."""
    mail.configure(current_app.config)
    sent, failed = mail.send_pending(db.session, limit=10_000, reclaim_stale=True)
    click.echo(f"sent {sent}, still pending {failed}")
    from csr_hub.services import line

    if line.configured(current_app.config):
        sent, failed = line.send_pending(db.session, limit=10_000, reclaim_stale=True)
        click.echo(f"LINE: sent {sent}, still pending {failed}")


@click.group("jobs")
def jobs_group() -> None:
    """Background work: the clock (``tick``) and, where configured, the job queue."""


@jobs_group.command("tick")
@click.option("--today", "today", default=None, help="the day to run the clock for, YYYY-MM-DD (Bangkok)")
@with_appcontext
def jobs_tick(today: str | None) -> None:
    """Deadlines, reminders, expiry and escalation for one day; idempotent (a second run does nothing more)."""
    from datetime import date

    from csr_hub.domain.reference import today_bangkok
    from csr_hub.services import clock

    try:
        day = date.fromisoformat(today) if today else today_bangkok()
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD", param_hint="--today") from None
    result = clock.tick(db.session, day)
    db.session.commit()
    mail.configure(current_app.config)
    sent = notify.deliver_due(db.session)
    for line in result.lines():
        click.echo(line)
    if sent:
        click.echo(f"  {sent:>6,}  messages sent (e-mail, LINE)")


def init_app(app: Flask) -> None:
    from csr_hub.db_events import write_intent

    if not app.testing:
        write_intent.set(True)  # commands write; take the SQLite write lock at BEGIN
    from csr_hub.cli_matching import register as register_matching

    for cmd in (seed_reference, seed_demo, create_user, match_group, notify_group, jobs_group):
        app.cli.add_command(cmd)
    for cmd in register_matching(match_group):  # match evaluate, match calibrate, vocabulary export
        app.cli.add_command(cmd)
    mail.configure(app.config)

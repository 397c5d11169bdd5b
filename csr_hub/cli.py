"""Commands registered by the factory: ``flask --app csr_hub …``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from csr_hub.extensions import db
from csr_hub.services import accounts, notify, seed
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
    logins = seed.seed_demo(db.session)
    db.session.commit()
    click.echo("Demo data loaded. Demo logins (password for all: %s):" % seed.DEMO_PASSWORD)
    for role, email in logins:
        click.echo(f"  {role:<18} {email}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True,
              type=click.Choice(["school_staff", "company_rep", "district_director", "central_officer", "admin"]))
@click.option("--school", "school_code", help="OBEC school code (school_staff)")
@click.option("--company", "company_tax_id", help="13-digit tax id (company_rep)")
@click.option("--company-name", help="name of the company, when it does not exist yet")
@click.option("--district", "district_code", help="ESA code (district_director)")
@click.option("--full-name", default="", help="the person's name")
@click.option("--password", help="leave out to be asked (hidden)")
@with_appcontext
def create_user(email, role, school_code, company_tax_id, company_name, district_code, full_name, password) -> None:
    """Create an active account of any role."""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(db.session, email, role, password, full_name=full_name, school_code=school_code,
                                    company_tax_id=company_tax_id, company_name=company_name,
                                    district_code=district_code)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message}{' — ' + details if details else ''}") from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.group("match")
def match_group() -> None:
    """The batch matcher."""


@match_group.command("run")
@click.option("--allocate", is_flag=True, help="also propose a capacity-respecting allocation")
@click.option("--per-need", default=10, show_default=True, help="suggestions stored per need")
@with_appcontext
def match_run(allocate: bool, per_need: int) -> None:
    """Score all open needs against all open offers and store the suggestions."""
    from csr_hub.services import batch
    report = batch.run(db.session, per_need=per_need, allocate=allocate, echo=click.echo)
    db.session.commit()
    click.echo(report)


@click.group("notify")
def notify_group() -> None:
    """Notification e-mails."""


@notify_group.command("retry")
@with_appcontext
def notify_retry() -> None:
    """Send the e-mails still pending (SMTP was down)."""
    notify.configure(current_app.config)
    sent, failed = notify.send_pending(db.session, limit=10_000, reclaim_stale=True)
    click.echo(f"sent {sent}, still pending {failed}")


def init_app(app: Flask) -> None:
    from csr_hub.db_events import write_intent

    if not app.testing:
        write_intent.set(True)  # commands write; take the SQLite write lock at BEGIN
    for cmd in (seed_reference, seed_demo, create_user, match_group, notify_group):
        app.cli.add_command(cmd)
    notify.configure(app.config)

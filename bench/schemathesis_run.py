"""Fuzz the JSON API against its own OpenAPI document with schemathesis (in-process, the WSGI app).

Builds a throw-away database (SQLite by default, or --database-url), loads reference and demo data, then for
every documented operation generates requests from the document — valid ones and, with --negative, invalid
ones — as an anonymous caller and with the bearer token of each role, and checks each answer:

* no 500 (``not_a_server_error``);
* the status code is one the document lists, and the body matches the documented schema;
* the content type is the documented one.

Prints one line per operation and a summary; exits 1 on any failure.

    .venv/bin/python bench/schemathesis_run.py                 # 25 examples per operation and caller
    .venv/bin/python bench/schemathesis_run.py --examples 100 --negative
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

ROLES = ("anonymous", "school_staff", "company_rep", "district_director", "central_officer", "admin")


def build_app(database_url: str | None):
    import flask_migrate

    from csr_hub import create_app
    from csr_hub.extensions import db
    from csr_hub.services import seed

    tmp = tempfile.mkdtemp(prefix="csr-fuzz-")
    url = database_url or f"sqlite:///{tmp}/fuzz.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "fuzz",
            "TESTING": False,
            "RATELIMIT_ENABLED": False,
            "UPLOAD_FOLDER": f"{tmp}/uploads",
            "SMTP_HOST": None,
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        seed.seed_reference(db.session)
        seed.seed_demo(db.session)
        db.session.commit()
    return app


def tokens(app) -> dict[str, str | None]:
    """A bearer token for one demo user of each role (no CSRF needed with a token)."""
    import sqlalchemy as sa

    from csr_hub.extensions import db
    from csr_hub.models import User
    from csr_hub.services import accounts

    out: dict[str, str | None] = {"anonymous": None}
    with app.app_context():
        for role in ROLES[1:]:
            user = db.session.scalar(
                sa.select(User).where(User.role == role, User.status == "active").order_by(User.id)
            )
            out[role] = accounts.create_token(db.session, user)[0]
        db.session.commit()
    return out


def spare_token(app, role: str) -> str:
    import sqlalchemy as sa

    from csr_hub.extensions import db
    from csr_hub.models import User
    from csr_hub.services import accounts

    with app.app_context():
        user = db.session.scalar(
            sa.select(User).where(User.role == role, User.status == "active").order_by(User.id)
        )
        token = accounts.create_token(db.session, user)[0]
        db.session.commit()
    return token


def run(app, examples: int, negative: bool, roles: tuple[str, ...]) -> int:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import CHECKS

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    wanted = (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
    checks = [c for c in CHECKS.get_all() if c.__name__ in wanted]
    assert len(checks) == len(wanted), [c.__name__ for c in checks]
    bearer = tokens(app)
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    failures: list[str] = []
    calls = Counter()
    statuses = Counter()
    started = time.monotonic()
    for result in schema.get_all_operations():
        op = result.ok()
        for role in roles:
            headers = {"Authorization": f"Bearer {bearer[role]}"} if bearer[role] else {}
            if op.label == "DELETE /auth/tokens/current" and bearer[role]:
                # revoking the caller's token would leave the rest of the run anonymous: a throw-away one
                headers = {"Authorization": f"Bearer {spare_token(app, role)}"}
            for mode in modes:
                seen: list[str] = []

                @settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=op.as_strategy(generation_mode=mode))
                def check(case):
                    calls[op.label] += 1
                    try:
                        response = case.call_and_validate(headers=headers, checks=checks)
                        statuses[response.status_code] += 1
                    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported below
                        parts = getattr(exc, "exceptions", None) or [exc]
                        what = "; ".join(" ".join(str(p).split())[:200] for p in parts)
                        message = f"{op.label} as {role} ({mode.value}): {what} [{case.as_curl_command()}]"
                        if message not in seen:
                            seen.append(message)
                        raise

                try:
                    check()
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
                    if not seen and type(exc).__name__ in ("Unsatisfiable", "NoNegativeData"):
                        continue  # nothing invalid can be made for an operation without inputs
                    failures.extend(
                        seen[:3]
                        or [
                            f"{op.label} as {role} ({mode.value}): {type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:300]}"
                        ]
                    )
        print(f"{op.label:<55} {calls[op.label]:>5} calls", flush=True)
    elapsed = time.monotonic() - started
    print(
        f"\n{sum(calls.values())} requests over {len(calls)} operations x {len(roles)} callers in {elapsed:.0f} s; "
        f"status codes: {dict(sorted(statuses.items()))}"
    )
    if failures:
        print(f"\n{len(failures)} FAILURES")
        for f in failures:
            print("  -", f)
        return 1
    print("no failures: no 500, every response matches the documented status codes, types and schemas")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=25, help="examples per operation, caller and mode")
    parser.add_argument("--negative", action="store_true", help="also send invalid data")
    parser.add_argument("--database-url", default=os.environ.get("FUZZ_DATABASE_URL"))
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args()
    app = build_app(args.database_url)
    return run(app, args.examples, args.negative, tuple(args.roles.split(",")))


if __name__ == "__main__":
    sys.exit(main())

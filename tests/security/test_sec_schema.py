"""The OpenAPI document matches the app: every API route is documented, and a short schemathesis run finds
no 500 and no answer outside the documented status codes, content types and schemas.

The long run (more examples, invalid data, every role) is ``bench/schemathesis_run.py``.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings

from csr_hub.web.api.openapi import ROUTES, document

from sec_helpers import world  # noqa: F401

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def test_every_api_route_is_documented_and_nothing_else(app):
    documented = {(re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper()) for path, method, *_ in ROUTES}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule[len("/api/v1") :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method))
    assert served - documented == set(), f"API routes missing from openapi.ROUTES: {served - documented}"
    assert documented - served == set(), f"documented routes the app does not serve: {documented - served}"
    doc = document()
    assert (
        doc["openapi"].startswith("3.")
        and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    )


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, world):
    import schemathesis
    from schemathesis.checks import CHECKS as ALL

    from csr_hub.extensions import db
    from csr_hub.services import accounts

    token = accounts.create_token(db.session, world.a.rep)[0]
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [c for c in ALL.get_all() if c.__name__ in CHECKS]  # the OpenAPI checks register with the loader
    assert len(checks) == len(CHECKS)
    problems = []
    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1
        if op.label == "DELETE /auth/tokens/current":
            continue  # would revoke the token the rest of the run uses (covered in test_sec_accounts)
        for headers in ({}, {"Authorization": f"Bearer {token}"}):

            @settings(
                max_examples=2,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=op.as_strategy())
            def check(case):
                case.call_and_validate(headers=headers, checks=checks)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together below
                problems.append(
                    f"{op.label} {'with token' if headers else 'anonymous'}: "
                    f"{' '.join(str(exc).split())[:400]}"
                )
    assert operations >= 30
    assert not problems, "\n".join(problems)

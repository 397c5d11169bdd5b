"""Deny by default: every route is either in access.PUBLIC or refuses anonymous callers, and names its roles.

The walk covers whatever is registered on the app, so a route added tomorrow without a decision about who
may call it fails here.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from csr_hub.web import access

from sec_helpers import csrf_token  # noqa: F401

IGNORED_METHODS = {"HEAD", "OPTIONS"}
#: endpoints outside PUBLIC whose view decides itself (documented reason each)
SELF_GUARDED = {
    # public for the national figures; ?district= needs a login and a scope, checked in the view
    "api.report_summary",
}


def _url_for_rule(rule) -> str:
    """A concrete URL for a rule: integer parts become 1, other parts 'x'."""
    values = {
        name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()
    }
    return rule.build(values)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            yield rule, method


def test_public_list_names_only_real_endpoints(app):
    registered = {rule.endpoint: rule.methods for rule in app.url_map.iter_rules()}
    for endpoint, methods in access.PUBLIC.items():
        assert endpoint in registered, f"PUBLIC names {endpoint}, which does not exist"
        assert methods <= registered[endpoint], (
            f"PUBLIC allows {methods - registered[endpoint]} on {endpoint}"
        )


def test_every_route_is_public_or_refuses_anonymous_callers(app, client):
    token = csrf_token(client)  # a valid CSRF token, so that pages answer about the login, not the token
    checked = 0
    leaks = []
    for rule, method in _routes(app):
        if access.is_public(rule.endpoint, method):
            continue
        url = _url_for_rule(rule)
        kwargs = {}
        if method != "GET":
            kwargs = {"json": {}} if url.startswith("/api/") else {"data": {"csrf_token": token}}
        r = client.open(url, method=method, **kwargs)
        checked += 1
        if url.startswith("/api/"):
            ok = r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
        else:
            ok = r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
        if not ok:
            leaks.append((method, url, r.status_code, r.headers.get("Location")))
    assert not leaks, f"routes that answer anonymous callers without being in access.PUBLIC: {leaks}"
    assert checked >= 40  # the app's protected routes, pages and API


def test_every_protected_view_names_its_roles(app):
    """Beyond the login check: each non-public view carries ``roles_required`` (its ``roles`` attribute),
    so a logged-in user of the wrong role is refused by the view itself."""
    missing = []
    for rule, method in _routes(app):
        if access.is_public(rule.endpoint, method) or rule.endpoint in SELF_GUARDED:
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "roles"):
            missing.append(rule.endpoint)
    assert not missing, f"views without roles_required: {sorted(set(missing))}"


def test_anonymous_page_redirect_keeps_the_path_and_query(client):
    r = client.get("/dashboard?x=1")
    assert r.status_code == 302
    assert r.headers["Location"] == "/login?next=/dashboard?x%3D1"


def test_unknown_api_path_is_a_json_404_not_a_login_prompt(client):
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"

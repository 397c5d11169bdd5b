"""Role × route matrix: every state-changing route, pages and API, tried by every role.

Each cell is the expected status; every 401/403 must leave the database exactly as it was. The roles act
inside one tenant (school A, company A, ESA A) so that a refusal is about the role, not the scope; tenant
isolation is tested in test_sec_tenants.py. A final check makes sure no write route of the app is missing
from the matrix.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

import pytest

from csr_hub.domain.reference import today_bangkok

from conftest import fresh_otp
from sec_helpers import (  # noqa: F401
    JPEG,
    PDF,
    ROLES,
    Api,
    build_tenant,
    csrf_token,
    files,
    make_match,
    snapshot,
)

FUTURE = (today_bangkok() + timedelta(days=60)).isoformat()

API, PAGE = "api", "page"


@dataclass
class Case:
    name: str
    kind: str  # api | page
    method: str
    endpoint: str  # the url_map endpoint it exercises
    url: Callable[[Any], str]
    #: expected status of the roles allowed past the role check, in the order they act
    allowed: dict[str, int]
    body: Callable[[Any, str], Any] = lambda o, role: {}
    pending_as: str = "school_staff"
    multipart: bool = False
    #: what a role outside ``allowed`` gets (403 on pages and API alike)
    denied: int = 403


def need_form(**kw):
    data = {
        "category": "devices",
        "title": "แท็บเล็ต 5 เครื่อง",
        "description": "",
        "quantity": "5",
        "unit": "เครื่อง",
        "estimated_cost_thb": "50000",
        "needed_by": FUTURE,
        "urgency": "normal",
    }
    data.update(kw)
    return data


def offer_form(**kw):
    data = {
        "category": "devices",
        "title": "Tablets for schools",
        "description": "",
        "quantity": "10",
        "unit": "units",
        "value_thb": "80000",
        "available_until": FUTURE,
    }
    data.update(kw)
    return data


def _action(name, action, match_key, allowed, extra=None, kind=API):
    body = {"action": action, **(extra or {})}
    if kind == API:
        return Case(
            name,
            API,
            "POST",
            "api.match_action",
            lambda o: f"/api/v1/matches/{o[match_key].id}/actions",
            allowed,
            lambda o, r: dict(body),
        )
    return Case(
        name,
        PAGE,
        "POST",
        "matches.act",
        lambda o: f"/matches/{o[match_key].id}/actions",
        allowed,
        lambda o, r: dict(body),
    )


SCHOOL_CODES = {"central_officer": "1050199991", "admin": "1050199992"}
PAGE_SCHOOL_CODES = {"central_officer": "1050199993", "admin": "1050199994"}

CASES: list[Case] = [
    # --- API ---------------------------------------------------------------------------------------
    Case(
        "confirm need",
        API,
        "POST",
        "api.confirm_need",
        lambda o: f"/api/v1/needs/{o['need_edit'].id}/confirm",
        {"school_staff": 200},
    ),
    Case(
        "add vocabulary term (page)",
        PAGE,
        "POST",
        "vocabulary.add_term",
        lambda o: "/vocabulary/terms",
        {"central_officer": 302},
        # a new word each run: the merged vocabulary is cached per process, across the two databases
        lambda o, r: {"item_code": "laptop", "term": f"โน้ตบุ๊กมือสอง{uuid.uuid4().hex[:8]}"},
    ),
    Case(
        "create need",
        API,
        "POST",
        "api.create_need",
        lambda o: "/api/v1/needs",
        {"school_staff": 201},
        lambda o, r: {
            "category": "devices",
            "title": "Tablets",
            "quantity": 5,
            "estimated_cost_thb": 50000,
            "needed_by": FUTURE,
        },
    ),
    Case(
        "edit need",
        API,
        "PATCH",
        "api.update_need",
        lambda o: f"/api/v1/needs/{o['need_edit'].id}",
        {"school_staff": 200, "district_director": 200, "central_officer": 200},
        lambda o, r: {"title": "แก้ไขแล้ว"} if r == "school_staff" else {"budget_thb": 1000},
    ),
    Case(
        "cancel need",
        API,
        "POST",
        "api.cancel_need",
        lambda o: f"/api/v1/needs/{o['need_cancel'].id}/cancel",
        {"school_staff": 200},
    ),
    Case(
        "create offer",
        API,
        "POST",
        "api.create_offer",
        lambda o: "/api/v1/offers",
        {"company_rep": 201},
        lambda o, r: {"category": "devices", "title": "Tablets", "quantity": 5, "value_thb": 50000},
        pending_as="company_rep",
    ),
    Case(
        "edit offer",
        API,
        "PATCH",
        "api.update_offer",
        lambda o: f"/api/v1/offers/{o['offer_edit'].id}",
        {"company_rep": 200},
        lambda o, r: {"title": "Edited"},
        pending_as="company_rep",
    ),
    Case(
        "withdraw offer",
        API,
        "POST",
        "api.withdraw_offer",
        lambda o: f"/api/v1/offers/{o['offer_withdraw'].id}/withdraw",
        {"company_rep": 200},
        pending_as="company_rep",
    ),
    Case(
        "propose match",
        API,
        "POST",
        "api.create_match",
        lambda o: "/api/v1/matches",
        {"school_staff": 201, "company_rep": 409},
        lambda o, r: {"need_id": o["need_propose"].id, "offer_id": o["offer"].id, "quantity": 1},
    ),
    _action("accept", "accept", "m_accept", {"company_rep": 200}),
    _action("decline", "decline", "m_decline", {"company_rep": 200}),
    _action("approve (ESA)", "approve", "m_approve", {"central_officer": 409, "district_director": 200}),
    _action(
        "reject (ESA)",
        "reject",
        "m_reject",
        {"central_officer": 409, "district_director": 200},
        {"note": "ไม่ผ่านเกณฑ์"},
    ),
    _action("approve (central)", "approve", "m_central", {"district_director": 409, "central_officer": 200}),
    _action("deliver", "deliver", "m_deliver", {"company_rep": 200}),
    _action("confirm", "confirm", "m_confirm", {"school_staff": 200}, {"received_quantity": 1}),
    _action("withdraw", "withdraw", "m_withdraw", {"school_staff": 200, "company_rep": 409}),
    Case(
        "verify user",
        API,
        "POST",
        "api.verify_user",
        lambda o: f"/api/v1/users/{o['verify_api'].id}/verify",
        {"district_director": 200, "admin": 200},
    ),
    Case(
        "add school",
        API,
        "POST",
        "api.create_school",
        lambda o: "/api/v1/schools",
        {"central_officer": 201, "admin": 201},
        lambda o, r: {
            "code": SCHOOL_CODES.get(r, "1050199990"),
            "name_th": "โรงเรียนใหม่",
            "district_code": "p50-1",
        },
    ),
    Case(
        "upload photo",
        API,
        "POST",
        "api.create_upload",
        lambda o: f"/api/v1/matches/{o['m_upload'].id}/uploads",
        {"company_rep": 403, "school_staff": 201},
        lambda o, r: files("photo.jpg", JPEG, kind="photo"),
        multipart=True,
    ),
    Case(
        "upload delivery note",
        API,
        "POST",
        "api.create_upload",
        lambda o: f"/api/v1/matches/{o['m_upload'].id}/uploads",
        {"school_staff": 403, "company_rep": 201},
        lambda o, r: files("note.pdf", PDF, kind="delivery_note"),
        pending_as="company_rep",
        multipart=True,
    ),
    Case(
        "revoke token (none in use)",
        API,
        "DELETE",
        "api.revoke_token",
        lambda o: "/api/v1/auth/tokens/current",
        {r: 404 for r in ROLES if r != "anonymous"},
    ),
    # --- pages ------------------------------------------------------------------------------------
    Case(
        "post need (page)",
        PAGE,
        "POST",
        "needs.new_need",
        lambda o: "/needs/new",
        {"school_staff": 302},
        lambda o, r: need_form(post_anyway="1"),  # past the duplicate warning (the school has similar needs)
    ),
    Case(
        "edit need (page)",
        PAGE,
        "POST",
        "needs.edit_need",
        lambda o: f"/needs/{o['need_edit_page'].id}/edit",
        {"school_staff": 302},
        lambda o, r: need_form(title="แก้ไขจากหน้าเว็บ"),
    ),
    Case(
        "cancel need (page)",
        PAGE,
        "POST",
        "needs.cancel_need",
        lambda o: f"/needs/{o['need_cancel_page'].id}/cancel",
        {"school_staff": 302},
    ),
    Case(
        "set budget (page)",
        PAGE,
        "POST",
        "needs.set_budget",
        lambda o: f"/needs/{o['need_edit_page'].id}/budget",
        {"district_director": 302, "central_officer": 302},
        lambda o, r: {"budget_thb": "2500"},
    ),
    Case(
        "add a photo to a need (page)",
        PAGE,
        "POST",
        "needs.upload_need_photo",
        lambda o: f"/needs/{o['need_photo_page'].id}/photo",
        {"school_staff": 303},
        lambda o, r: {"photo": (io.BytesIO(JPEG), "room.jpg")},
        multipart=True,
    ),
    Case(
        "remove a need's photo (page)",
        PAGE,
        "POST",
        "needs.remove_need_photo",
        lambda o: f"/needs/{o['need_photo_page'].id}/photo/remove",
        {"school_staff": 303},
    ),
    Case(
        "post offer (page)",
        PAGE,
        "POST",
        "offers.new_offer",
        lambda o: "/offers/new",
        {"company_rep": 302},
        lambda o, r: offer_form(),
        pending_as="company_rep",
    ),
    Case(
        "edit offer (page)",
        PAGE,
        "POST",
        "offers.edit_offer",
        lambda o: f"/offers/{o['offer_edit_page'].id}/edit",
        {"company_rep": 302},
        lambda o, r: offer_form(title="Edited on the page"),
        pending_as="company_rep",
    ),
    Case(
        "withdraw offer (page)",
        PAGE,
        "POST",
        "offers.withdraw_offer",
        lambda o: f"/offers/{o['offer_withdraw_page'].id}/withdraw",
        {"company_rep": 302},
        pending_as="company_rep",
    ),
    Case(
        "propose match (page)",
        PAGE,
        "POST",
        "matches.propose",
        lambda o: "/matches",
        {"school_staff": 303, "company_rep": 303},
        lambda o, r: {
            "need_id": str(o["need_propose_page"].id),
            "offer_id": str(o["offer"].id),
            "quantity": "1",
        },
    ),
    _action("accept (page)", "accept", "p_accept", {"company_rep": 303}, kind=PAGE),
    _action("decline (page)", "decline", "p_decline", {"company_rep": 303}, kind=PAGE),
    _action(
        "approve ESA (page)",
        "approve",
        "p_approve",
        {"central_officer": 409, "district_director": 303},
        kind=PAGE,
    ),
    _action(
        "reject ESA (page)",
        "reject",
        "p_reject",
        {"central_officer": 409, "district_director": 303},
        {"note": "ไม่ผ่าน"},
        kind=PAGE,
    ),
    _action(
        "approve central (page)",
        "approve",
        "p_central",
        {"district_director": 409, "central_officer": 303},
        kind=PAGE,
    ),
    _action("deliver (page)", "deliver", "p_deliver", {"company_rep": 303}, kind=PAGE),
    _action(
        "confirm (page)", "confirm", "p_confirm", {"school_staff": 303}, {"received_quantity": "1"}, kind=PAGE
    ),
    _action(
        "withdraw (page)", "withdraw", "p_withdraw", {"school_staff": 303, "company_rep": 409}, kind=PAGE
    ),
    Case(
        "verify user (page)",
        PAGE,
        "POST",
        "dashboard.verify",
        lambda o: f"/dashboard/verify/{o['verify_page'].id}",
        {"district_director": 302, "admin": 302},
    ),
    Case(
        "upload photo (page)",
        PAGE,
        "POST",
        "uploads.upload",
        lambda o: f"/matches/{o['p_upload'].id}/uploads",
        {"company_rep": 403, "school_staff": 303},
        lambda o, r: files("photo.jpg", JPEG, kind="photo"),
        multipart=True,
    ),
    Case(
        "upload delivery note (page)",
        PAGE,
        "POST",
        "uploads.upload",
        lambda o: f"/matches/{o['p_upload'].id}/uploads",
        {"school_staff": 403, "company_rep": 303},
        lambda o, r: files("note.pdf", PDF, kind="delivery_note"),
        pending_as="company_rep",
        multipart=True,
    ),
    Case(
        "change user (admin page)",
        PAGE,
        "POST",
        "admin.update_user",
        lambda o: f"/admin/users/{o['user_admin_page'].id}",
        {"admin": 302},
        lambda o, r: {
            "role": "school_staff",
            "status": "disabled",
            "school_code": o["tenant"].school.code,
            "company_tax_id": "",
            "district_code": "",
        },
    ),
    Case(
        "add school (admin page)",
        PAGE,
        "POST",
        "admin.create_school",
        lambda o: "/admin/schools",
        {"central_officer": 302, "admin": 302},
        lambda o, r: {
            "code": PAGE_SCHOOL_CODES.get(r, "1050199995"),
            "name_th": "โรงเรียนจากหน้าเว็บ",
            "district_code": "p50-1",
        },
    ),
    Case(
        "edit school (admin page)",
        PAGE,
        "POST",
        "admin.update_school",
        lambda o: f"/admin/schools/{o['school_admin_page'].id}",
        {"central_officer": 302, "admin": 302},
        lambda o, r: {
            "quality_group": "merging",
            "pupils": "120" if r == "admin" else "110",
            "teachers": "9",
        },
    ),
    # --- partnerships (issue 17) ----------------------------------------------------------------------
    Case(
        "propose partnership",
        API,
        "POST",
        "api.create_partnership",
        lambda o: "/api/v1/partnerships",
        {"company_rep": 201},
        lambda o, r: {
            "school_id": o["tenant"].school.id,
            "starts_on": today_bangkok().isoformat(),
            "ends_on": (today_bangkok() + timedelta(days=365)).isoformat(),
            "plan": "ปีละ 10 เครื่อง",
            "yearly_value_thb": 100000,
        },
        pending_as="company_rep",
    ),
    Case(
        "accept partnership",
        API,
        "POST",
        "api.partnership_action",
        lambda o: f"/api/v1/partnerships/{o['partnership_api'].id}/actions",
        {"district_director": 200},
        lambda o, r: {"action": "accept"},
        pending_as="company_rep",
    ),
    Case(
        "propose partnership (page)",
        PAGE,
        "POST",
        "partnerships.new_partnership",
        lambda o: "/partnerships/new",
        {"company_rep": 303},
        lambda o, r: {
            "school_code": o["tenant"].school.code,
            "starts_on": (today_bangkok() + timedelta(days=400)).isoformat(),
            "ends_on": (today_bangkok() + timedelta(days=700)).isoformat(),
            "plan": "แผน",
            "yearly_value_thb": "5000",
        },
        pending_as="company_rep",
    ),
    Case(
        "accept partnership (page)",
        PAGE,
        "POST",
        "partnerships.act",
        lambda o: f"/partnerships/{o['partnership_page'].id}/actions",
        {"district_director": 303},
        lambda o, r: {"action": "accept"},
        pending_as="company_rep",
    ),
    # --- jobs (issue 13) ----------------------------------------------------------------------------------
    Case(
        "start the batch match",
        API,
        "POST",
        "api.start_match_run",
        lambda o: "/api/v1/match-runs",
        {"central_officer": 202, "admin": 202},
    ),
    Case(
        "start the batch match (page)",
        PAGE,
        "POST",
        "ops.match_run",
        lambda o: "/jobs/match-run",
        {"central_officer": 303, "admin": 303},
    ),
]

#: write routes that change only the caller's own account or session: tried in test_self_service_routes
SELF_SERVICE = {
    "api.logout",
    "auth.logout",
    "auth.account",
    "auth.erase",
    "auth.totp",
    "notifications.mark_read",
    "api.read_notification",
    "line.channels",
}
#: write routes open to anonymous callers (login, registration, tokens): tested in test_sec_accounts.py
PUBLIC_WRITES = {"api.login", "api.create_token", "api.register", "auth.login", "auth.register"}
#: called by LINE's servers, authenticated by the X-Line-Signature HMAC of the body, not by a login
SIGNED_WEBHOOKS = {"line.webhook"}


@pytest.fixture
def objects(app, session, make_school, make_company, make_user, make_need, make_offer):
    """Tenant A, national officers, and one fresh object (or match in the right status) per case."""
    threshold = float(app.config["CSR_CENTRAL_THRESHOLD_THB"])
    central = make_user("central_officer")
    admin = make_user("admin")
    t = build_tenant(
        session,
        make_school,
        make_company,
        make_user,
        make_need,
        make_offer,
        "p50-1",
        "50",
        (),
        threshold,
        central,
    )
    # one unit is worth the threshold: a match of it needs central approval
    big = make_offer(t.rep, title="Solar roof for a school", quantity=5, value_thb=threshold * 5)
    o: dict[str, Any] = {"tenant": t, "central": central, "admin": admin, "offer": t.offer}

    def need(title="ครุภัณฑ์"):
        return make_need(t.staff, title=title, quantity=5, estimated_cost_thb=50000)

    for key in (
        "need_edit",
        "need_cancel",
        "need_propose",
        "need_edit_page",
        "need_cancel_page",
        "need_propose_page",
        "need_photo_page",
    ):
        o[key] = need()
    for key in ("offer_edit", "offer_withdraw", "offer_edit_page", "offer_withdraw_page"):
        o[key] = make_offer(t.rep, title="Projectors", quantity=5, value_thb=10000)
    for prefix in ("m", "p"):
        for key, status in (
            ("accept", "proposed"),
            ("decline", "proposed"),
            ("approve", "pledged"),
            ("reject", "pledged"),
            ("deliver", "approved"),
            ("confirm", "delivered"),
            ("withdraw", "pledged"),
            ("upload", "delivered"),
        ):
            o[f"{prefix}_{key}"] = make_match(session, t, status, threshold, central, need=need())
        o[f"{prefix}_central"] = make_match(session, t, "pledged", threshold, central, need=need(), offer=big)
        from sec_helpers import act

        act(session, t.director, o[f"{prefix}_central"], "approve", threshold)
        assert o[f"{prefix}_central"].status == "district_approved"
    from datetime import date

    from csr_hub.services import partnerships

    for i, key in enumerate(("partnership_api", "partnership_page")):
        plan = {"plan": "แผน", "yearly_value_thb": 1000, "school_id": t.school.id}
        dates = {"starts_on": date(2040 + 2 * i, 1, 1), "ends_on": date(2040 + 2 * i, 12, 31)}
        o[key] = partnerships.create(session, t.rep, {**plan, **dates})
    o["verify_api"] = make_user("school_staff", status="pending", school=t.school)
    o["verify_page"] = make_user("school_staff", status="pending", school=t.school)
    o["user_admin_page"] = make_user("school_staff", school=t.school)
    o["school_admin_page"] = make_school("p50-1")
    session.commit()
    return o


def _clients(app, o) -> dict[tuple[str, str], Any]:
    """A logged-in client per role (and per pending kind), pages and API sharing one cookie jar."""
    t = o["tenant"]
    users = {
        "school_staff": t.staff,
        "company_rep": t.rep,
        "district_director": t.director,
        "central_officer": o["central"],
        "admin": o["admin"],
        ("pending", "school_staff"): t.pending_staff,
        ("pending", "company_rep"): t.pending_rep,
    }
    out = {}
    for key, user in users.items():
        api = Api(app.test_client(), user)
        out[key if isinstance(key, tuple) else (key, "")] = api
    anon = Api(app.test_client())
    anon.csrf = csrf_token(anon.client)
    out[("anonymous", "")] = anon
    return out


def _send(api: Api, case: Case, o, role: str):
    url = case.url(o)
    body = case.body(o, role)
    if case.kind == API:
        if case.multipart:
            return api._call(case.method.lower(), url, data=body, content_type="multipart/form-data")
        return api._call(case.method.lower(), url, json=body if case.method != "DELETE" else None)
    data = dict(body)
    data["csrf_token"] = api.csrf
    return api.client.open(
        url, method=case.method, data=data, content_type="multipart/form-data" if case.multipart else None
    )


def _expected(case: Case, role: str) -> int:
    if role == "anonymous":
        return 401 if case.kind == API else 302
    if role == "pending" and "pending" not in case.allowed:
        return 403
    return case.allowed.get(role, case.denied)


def _order(case: Case) -> list[str]:
    denied = [r for r in ROLES if r not in case.allowed]
    return denied + list(case.allowed)


def test_role_route_matrix(app, session, objects):
    clients = _clients(app, objects)
    table = []
    mismatches = []
    baseline = snapshot(session)
    for case in CASES:
        for role in _order(case):
            api = clients[("pending", case.pending_as)] if role == "pending" else clients[(role, "")]
            r = _send(api, case, objects, role)
            want = _expected(case, role)
            table.append((case.name, role, r.status_code))
            if r.status_code != want:
                mismatches.append(
                    f"{case.name} as {role}: {r.status_code} (expected {want}) "
                    f"{r.get_data(as_text=True)[:200]!r}"
                )
            if (
                role == "anonymous"
                and case.kind == PAGE
                and not r.headers.get("Location", "").startswith("/login?next=")
            ):
                mismatches.append(f"{case.name} as anonymous: not sent to the login page")
            if r.status_code in (401, 403):
                if case.kind == API:
                    code = r.get_json()["error"]["code"]
                    expected_codes = (
                        {"unauthorized"} if r.status_code == 401 else {"forbidden", "account_pending"}
                    )
                    if code not in expected_codes:
                        mismatches.append(f"{case.name} as {role}: error code {code}")
                    if role == "pending" and code != "account_pending":
                        mismatches.append(f"{case.name} as pending: {code}, expected account_pending")
                now = snapshot(session)
                if now != baseline:
                    changed = [k for k in now if now[k] != baseline.get(k)]
                    mismatches.append(
                        f"{case.name} as {role}: refused ({r.status_code}) but changed {changed}"
                    )
            baseline = snapshot(session) if r.status_code not in (401, 403) else baseline
    print(f"\nrole × route matrix: {len(CASES)} routes × {len(ROLES)} roles = {len(table)} requests")
    assert not mismatches, "\n".join(mismatches)
    assert len(table) == len(CASES) * len(ROLES)


def test_matrix_covers_every_write_route(app):
    """A new write route must get a row in the matrix (or be listed as self-service or public)."""
    covered = {c.endpoint for c in CASES} | SELF_SERVICE | PUBLIC_WRITES | SIGNED_WEBHOOKS
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert writes - covered == set(), f"write routes missing from the role × route matrix: {writes - covered}"


def test_self_service_routes(app, session, make_user, make_school, make_company):
    """Routes that act only on the caller's own account: every logged-in role may, anonymous may not."""
    school, company = make_school(), make_company()
    people = {
        "pending": make_user("school_staff", status="pending", school=school),
        "school_staff": make_user("school_staff", school=school),
        "company_rep": make_user("company_rep", company=company),
        "district_director": make_user("district_director"),
        "central_officer": make_user("central_officer"),
        "admin": make_user("admin"),
    }
    new_password = "another-long-passphrase-42"
    steps = [  # (endpoint, method, url, data, expected for a logged-in role)
        ("notifications.mark_read", "POST", "/notifications/read", {}, lambda r: 302),
        (
            "auth.totp",
            "POST",
            "/account/totp",
            {"otp": "000000"},
            lambda r: 200 if r in ("district_director", "central_officer", "admin") else 403,
        ),
        ("api.logout", "POST", "/api/v1/auth/logout", None, lambda r: 204),
        # nobody has a notification 1 here: another user's (or none) answers 404, anonymous 401; a pending
        # account's every write through the API is account_pending (SPEC, Accounts)
        (
            "api.read_notification",
            "POST",
            "/api/v1/notifications/1/read",
            None,
            lambda r: 403 if r == "pending" else 404,
        ),
        ("line.channels", "POST", "/account/notifications", {}, lambda r: 302),  # one's own channel choices
        ("auth.logout", "POST", "/logout", {}, lambda r: 302),
        (
            "auth.account",
            "POST",
            "/account",
            {"current_password": None, "new_password": new_password},
            lambda r: 302,
        ),
        ("auth.erase", "POST", "/account/erase", {}, lambda r: 302),
    ]
    assert {s[0] for s in steps} == SELF_SERVICE
    passwords = {role: None for role in people}
    from conftest import PASSWORD

    mismatches = []
    anon = Api(app.test_client())
    token = csrf_token(anon.client)
    for endpoint, method, url, data, expect in steps:
        before = snapshot(session)
        if data is None:
            r = anon.client.open(url, method=method, json={})
            ok = r.status_code == 401
        else:
            r = anon.client.open(url, method=method, data={**data, "csrf_token": token})
            ok = r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
        if not ok or snapshot(session) != before:
            mismatches.append(f"{endpoint} as anonymous: {r.status_code}")
        for role, user in people.items():
            pw = passwords[role] or PASSWORD
            if role in ("district_director", "central_officer", "admin") and endpoint != "auth.totp":
                # pages need an enrolled second factor: log in with a fresh code (conftest.fresh_otp)
                api = Api(app.test_client())
                r = api.client.post(
                    "/api/v1/auth/login", json={"email": user.email, "password": pw, "otp": fresh_otp(user)}
                )
                assert r.status_code == 200, (endpoint, role, r.get_json())
                api.csrf = r.get_json()["csrf_token"]
                api.headers["X-CSRFToken"] = api.csrf
            else:
                if role in ("district_director", "central_officer", "admin"):
                    user.totp_enrolled, user.totp_secret = False, None  # enrolment starts afresh
                    session.commit()
                api = Api(app.test_client(), user, password=pw)
            body = dict(data or {})
            if "current_password" in body:
                body["current_password"] = pw
            if data is None:
                r = api.post(url, json={})
            else:
                r = api.client.open(url, method=method, data={**body, "csrf_token": api.csrf})
            if r.status_code != expect(role):
                mismatches.append(f"{endpoint} as {role}: {r.status_code} (expected {expect(role)})")
            if endpoint == "auth.account":
                passwords[role] = new_password
    assert not mismatches, "\n".join(mismatches)

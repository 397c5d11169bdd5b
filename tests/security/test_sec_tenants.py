"""Tenant isolation: two schools in two ESAs, two companies. Each user of one tenant tries every object of
the other by id — read where private, edit, cancel, propose, accept … confirm, withdraw, verify, upload,
export — and gets 403 or 404 with nothing changed. A director's scope comes from the school's ESA in the
database, never from what the request says.
"""

from __future__ import annotations

import io

from csr_hub.domain.workflow import ACTIONS
from csr_hub.models import Match, School
from csr_hub.services import uploads

from sec_helpers import JPEG, PDF, Api, act, files, snapshot, world  # noqa: F401

#: the action the page's buttons would offer for a match in this status
NEXT_ACTION = {
    "proposed": "accept",
    "pledged": "approve",
    "approved": "deliver",
    "delivered": "confirm",
    "completed": "withdraw",
}


def _attach(app, session, tenant) -> None:
    """A photo and a delivery note on the victim's delivered match."""
    m = tenant.matches["delivered"]
    folder = app.config["UPLOAD_FOLDER"]
    tenant.photo = uploads.save(session, tenant.staff, m.id, "photo", "p.jpg", io.BytesIO(JPEG), folder)
    tenant.note = uploads.save(session, tenant.rep, m.id, "delivery_note", "n.pdf", io.BytesIO(PDF), folder)
    session.commit()


def _attempts(victim):
    """(label, method, url, json or form data, kind) for everything of the victim tenant."""
    out = []
    for status, m in victim.matches.items():
        out += [
            (f"read match {status}", "GET", f"/api/v1/matches/{m.id}", None, "api"),
            (f"match page {status}", "GET", f"/matches/{m.id}", None, "page"),
            (f"uploads of {status}", "GET", f"/api/v1/matches/{m.id}/uploads", None, "api"),
            (f"certificate {status}", "GET", f"/reports/certificate/{m.id}", None, "page"),
        ]
        for action in ACTIONS:
            body = {
                "action": action,
                "note": "x",
                "received_quantity": 1,
                # a forged scope in the body changes nothing: scope is read from the database
                "district_code": "p50-1",
                "district_id": 1,
                "school_id": 1,
                "company_id": 1,
            }
            out.append((f"{action} {status}", "POST", f"/api/v1/matches/{m.id}/actions", body, "api"))
        page_action = NEXT_ACTION[status]
        out.append(
            (
                f"{page_action} {status} (page)",
                "POST",
                f"/matches/{m.id}/actions",
                {"action": page_action, "note": "x", "received_quantity": "1"},
                "page",
            )
        )
    d = victim.matches["delivered"]
    out += [
        ("photo file", "GET", f"/api/v1/matches/{d.id}/uploads/{victim.photo.id}", None, "api"),
        ("note file (page)", "GET", f"/matches/{d.id}/uploads/{victim.note.id}", None, "page"),
        (
            "upload photo",
            "POST",
            f"/api/v1/matches/{d.id}/uploads",
            lambda: files("x.jpg", JPEG, kind="photo"),
            "multipart",
        ),
        (
            "upload note",
            "POST",
            f"/api/v1/matches/{d.id}/uploads",
            lambda: files("x.pdf", PDF, kind="delivery_note"),
            "multipart",
        ),
        (
            "upload photo (page)",
            "POST",
            f"/matches/{d.id}/uploads",
            lambda: files("x.jpg", JPEG, kind="photo"),
            "page-multipart",
        ),
        ("edit need", "PATCH", f"/api/v1/needs/{victim.need.id}", {"title": "mine now"}, "api"),
        ("set budget", "PATCH", f"/api/v1/needs/{victim.need.id}", {"budget_thb": 1}, "api"),
        ("cancel need", "POST", f"/api/v1/needs/{victim.need.id}/cancel", {}, "api"),
        ("edit offer", "PATCH", f"/api/v1/offers/{victim.offer.id}", {"title": "mine now"}, "api"),
        ("withdraw offer", "POST", f"/api/v1/offers/{victim.offer.id}/withdraw", {}, "api"),
        ("edit need form", "GET", f"/needs/{victim.need.id}/edit", None, "page"),
        (
            "edit need (page)",
            "POST",
            f"/needs/{victim.need.id}/edit",
            {"title": "mine now", "quantity": "1", "category": "devices", "estimated_cost_thb": "1"},
            "page",
        ),
        ("cancel need (page)", "POST", f"/needs/{victim.need.id}/cancel", {}, "page"),
        ("set budget (page)", "POST", f"/needs/{victim.need.id}/budget", {"budget_thb": "1"}, "page"),
        ("edit offer form", "GET", f"/offers/{victim.offer.id}/edit", None, "page"),
        (
            "edit offer (page)",
            "POST",
            f"/offers/{victim.offer.id}/edit",
            {"title": "mine now", "quantity": "1", "category": "devices", "value_thb": "1"},
            "page",
        ),
        ("withdraw offer (page)", "POST", f"/offers/{victim.offer.id}/withdraw", {}, "page"),
        (
            "propose with their need and offer",
            "POST",
            "/api/v1/matches",
            {"need_id": victim.need.id, "offer_id": victim.offer.id, "quantity": 1},
            "api",
        ),
        (
            "propose with their need and offer (page)",
            "POST",
            "/matches",
            {"need_id": str(victim.need.id), "offer_id": str(victim.offer.id), "quantity": "1"},
            "page",
        ),
        ("verify their staff", "POST", f"/api/v1/users/{victim.pending_staff.id}/verify", {}, "api"),
        ("verify their staff (page)", "POST", f"/dashboard/verify/{victim.pending_staff.id}", {}, "page"),
        ("their ESA's figures", "GET", f"/api/v1/reports/summary?district={victim.esa}", None, "api"),
        ("their ESA's report page", "GET", f"/reports?district={victim.esa}", None, "page"),
        (
            "their ESA's export",
            "GET",
            f"/reports/export.csv?table=summary&district={victim.esa}",
            None,
            "page",
        ),
    ]
    return out


def _send(api: Api, method, url, body, kind):
    body = body() if callable(body) else body
    if kind == "api":
        return api._call(method.lower(), url, json=body if method != "GET" else None)
    if kind == "multipart":
        return api._call(method.lower(), url, data=body, content_type="multipart/form-data")
    data = dict(body or {})
    if method != "GET":
        data["csrf_token"] = api.csrf
    return api.client.open(
        url,
        method=method,
        data=data if method != "GET" else None,
        content_type="multipart/form-data" if kind == "page-multipart" else None,
    )


def test_each_tenant_can_touch_nothing_of_the_other(app, session, world):
    _attach(app, session, world.a)
    _attach(app, session, world.b)
    bad = []
    tried = 0
    for attacker, victim in ((world.a, world.b), (world.b, world.a)):
        before = snapshot(session)
        attempts = _attempts(victim)
        for user in (attacker.staff, attacker.rep, attacker.director):
            api = Api(app.test_client(), user)
            for label, method, url, body, kind in attempts:
                r = _send(api, method, url, body, kind)
                tried += 1
                if r.status_code not in (403, 404):
                    bad.append(f"{user.role} of {attacker.esa} → {label}: {r.status_code}")
                elif r.mimetype == "application/json" and r.get_json()["error"]["code"] not in (
                    "forbidden",
                    "not_found",
                ):
                    bad.append(f"{user.role} → {label}: {r.get_json()['error']['code']}")
            # lists answer 200 but show nothing of the other tenant, whatever filter the caller sends
            for url in (
                f"/api/v1/matches?district={victim.esa}",
                f"/api/v1/matches?need_id={victim.need.id}",
                f"/api/v1/matches?offer_id={victim.busy_offer.id}",
                "/api/v1/matches?per_page=100",
            ):
                r = api.get(url)
                tried += 1
                theirs = {m.id for m in victim.matches.values()}
                if r.status_code not in (200, 422) or (
                    r.status_code == 200 and theirs & {i["id"] for i in r.get_json()["items"]}
                ):
                    bad.append(f"{user.role} of {attacker.esa} lists {url}: {r.status_code}")
            r = api.get("/api/v1/users?status=pending&per_page=100")
            if r.status_code == 200 and victim.pending_staff.id in {u["id"] for u in r.get_json()["items"]}:
                bad.append(f"{user.role} of {attacker.esa} sees the other ESA's pending staff")
        assert snapshot(session) == before, f"{attacker.esa} changed something of {victim.esa}"
        # control: the same reads by the victim's own people succeed, so the refusals above are not typos
        owners = [Api(app.test_client(), u) for u in (victim.staff, victim.rep, victim.director)]
        for label, method, url, body, kind in attempts:
            if method == "GET" and "certificate" not in label:
                codes = {_send(o, method, url, body, kind).status_code for o in owners}
                if 200 not in codes:
                    bad.append(f"control: no owner of {victim.esa} can {label} ({url}): {codes}")
    print(f"\ntenant isolation: {tried} cross-tenant requests, all refused")
    assert not bad, "\n".join(bad)


def test_director_scope_comes_from_the_schools_esa_in_the_database(app, session, world):
    """The match's school moves to ESA A in the database: director A may now act, director B may not —
    whatever either sends in the request."""
    m = world.b.matches["pledged"]
    director_a = Api(app.test_client(), world.a.director)
    director_b = Api(app.test_client(), world.b.director)
    forged = {"action": "reject", "note": "x", "district_code": world.b.esa}
    assert director_a.post(f"/api/v1/matches/{m.id}/actions", json=forged).status_code in (403, 404)
    school = session.get(School, world.b.school.id)
    school.district_id = world.a.director.district_id
    session.commit()
    r = director_b.post(f"/api/v1/matches/{m.id}/actions", json={**forged, "district_code": world.b.esa})
    assert r.status_code in (403, 404)
    r = director_a.post(f"/api/v1/matches/{m.id}/actions", json={"action": "approve"})
    assert r.status_code == 200, r.get_json()
    assert session.get(Match, m.id).status == "approved"


def test_a_forged_district_in_the_report_url_is_refused(app, session, world):
    director_a = Api(app.test_client(), world.a.director)
    assert director_a.get(f"/api/v1/reports/summary?district={world.a.esa}").status_code == 200
    assert director_a.get(f"/api/v1/reports/summary?district={world.b.esa}").status_code == 403

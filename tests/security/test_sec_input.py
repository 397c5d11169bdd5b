"""Mass assignment and CSRF.

Fields a user may not set (ids, status, owners, quantities held, verified, role …) are ignored or refused
on every create and update, pages and API. Every form and every session-authenticated API write needs
its CSRF token (the tests run with CSRF on).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Company, Match, Need, Offer, School, Upload, User

from sec_helpers import JPEG, Api, csrf_token, files, snapshot, world  # noqa: F401

FUTURE = (today_bangkok() + timedelta(days=60)).isoformat()

#: what an attacker adds to every body
FORGED = {
    "id": 999999,
    "status": "fulfilled",
    "school_id": None,
    "company_id": None,
    "remaining_quantity": 0,
    "committed_quantity": 3,
    "cancelled": True,
    "withdrawn": True,
    "verified": True,
    "role": "admin",
    "created_by_id": None,
    "district_id": None,
    "district_code": "p10-1",
    "created_at": "2000-01-01",
    "search_text": "injected",
    "item_kinds": "injected",
    "nationwide": False,
    "urgency_rank": 3,
    "version": 42,
    "value_thb": None,
    "proposed_by": None,
    "proposed_by_user_id": None,
    "score": 100,
    "received_quantity": 5,
    "session_version": 99,
    "totp_enrolled": True,
    "password_hash": "x",
    "privacy_accepted_at": None,
    "verified_at": "2000-01-01",
    "budget_thb": 123456,
}


def _forged(w, **extra):
    """FORGED with the other tenant's ids."""
    body = dict(FORGED)
    body.update(
        school_id=w.b.school.id,
        company_id=w.b.company.id,
        created_by_id=w.b.staff.id,
        district_id=w.b.director.district_id,
        proposed_by_user_id=w.b.rep.id,
        proposed_by="company",
    )
    body.update(extra)
    return body


def _as_form(body: dict) -> dict:
    return {k: ("" if v is None else str(v)) for k, v in body.items()}


def test_api_creates_and_updates_ignore_fields_a_user_may_not_set(app, session, world):
    w = world
    staff, rep = Api(app.test_client(), w.a.staff), Api(app.test_client(), w.a.rep)
    # need: create, then update
    r = staff.post(
        "/api/v1/needs",
        json=_forged(
            w,
            category="devices",
            title="แท็บเล็ต",
            quantity=4,
            estimated_cost_thb=40000,
            needed_by=FUTURE,
            value_thb=1,
        ),
    )
    assert r.status_code == 201, r.get_json()
    need = session.get(Need, r.get_json()["id"])
    assert need.id != 999999 and need.school_id == w.a.school.id and need.created_by_id == w.a.staff.id
    assert (need.committed_quantity, need.cancelled, need.budget_thb, need.status) == (0, False, 0, "open")
    assert "injected" not in need.search_text and need.urgency_rank == 1
    r = staff.patch(f"/api/v1/needs/{need.id}", json=_forged(w, title="แท็บเล็ต 4 เครื่อง"))
    assert r.status_code == 200, (
        r.get_json()
    )  # its own need, nothing held: the edit applies, the forged keys not
    session.expire_all()
    need = session.get(Need, need.id)
    assert need.title == "แท็บเล็ต 4 เครื่อง"
    assert need.school_id == w.a.school.id and need.committed_quantity == 0 and not need.cancelled
    assert need.budget_thb == 0  # only the ESA director or a central officer sets the budget
    # offer: create, then update
    r = rep.post(
        "/api/v1/offers",
        json=_forged(w, category="devices", title="Tablets", quantity=4, value_thb=8000, provinces=["50"]),
    )
    assert r.status_code == 201, r.get_json()
    offer = session.get(Offer, r.get_json()["id"])
    assert offer.company_id == w.a.company.id and offer.created_by_id == w.a.rep.id
    assert (offer.committed_quantity, offer.withdrawn, offer.nationwide) == (0, False, False)
    r = rep.patch(f"/api/v1/offers/{offer.id}", json=_forged(w, title="Tablets (new)", value_thb=9000))
    assert r.status_code == 200, r.get_json()
    session.expire_all()
    offer = session.get(Offer, offer.id)
    assert offer.company_id == w.a.company.id and offer.committed_quantity == 0 and not offer.withdrawn
    assert offer.title == "Tablets (new)"
    # match: propose, then act
    r = staff.post(
        "/api/v1/matches",
        json=_forged(w, need_id=need.id, offer_id=offer.id, quantity=2, value_thb=1, status="approved"),
    )
    assert r.status_code == 201, r.get_json()
    m = session.get(Match, r.get_json()["id"])
    assert (m.status, m.proposed_by, m.proposed_by_user_id, m.received_quantity) == (
        "proposed",
        "school",
        w.a.staff.id,
        None,
    )
    assert float(m.value_thb) == 4500.0 and m.district_id == w.a.director.district_id and m.version == 1
    r = rep.post(
        f"/api/v1/matches/{m.id}/actions",
        json=_forged(w, action="accept", quantity=4, status="completed", need_id=w.b.need.id),
    )
    assert r.status_code == 200, r.get_json()
    session.expire_all()
    m = session.get(Match, m.id)
    assert (m.status, m.quantity, m.need_id) == ("pledged", 2, need.id)
    assert session.get(Need, need.id).committed_quantity == 2


def test_api_registration_and_verification_ignore_role_status_and_owners(app, session, world, client):
    w = world
    body = {
        **FORGED,
        "email": "new@school.example",
        "password": "a-good-passphrase-77",
        "full_name": "ครูใหม่",
        "role": "school_staff",
        "school_code": w.a.school.code,
        "status": "active",
        "school_id": w.b.school.id,
        "company_id": w.b.company.id,
        "district_id": 1,
        "verified": True,
    }
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.get_json()
    user = session.get(User, r.get_json()["id"])
    assert (user.role, user.status, user.school_id, user.company_id, user.district_id) == (
        "school_staff",
        "pending",
        w.a.school.id,
        None,
        None,
    )
    assert user.session_version == 1 and not user.totp_enrolled and user.id != 999999
    before = snapshot(session)
    r = client.post("/api/v1/auth/register", json={**body, "email": "boss@x.example", "role": "admin"})
    assert r.status_code == 422 and "role" in r.get_json()["error"]["fields"]
    assert snapshot(session) == before
    company = {
        **FORGED,
        "email": "csr@new.example",
        "password": "a-good-passphrase-77",
        "full_name": "CSR",
        "role": "company_rep",
        "company_name": "New Co",
        "company_tax_id": "0105599999994",
        "province_code": "10",
        "verified": True,
    }
    from csr_hub.domain.reference import make_tax_id

    company["company_tax_id"] = make_tax_id("010559999999")
    r = client.post("/api/v1/auth/register", json=company)
    assert r.status_code == 201, r.get_json()
    assert (
        session.scalar(sa.select(Company).where(Company.tax_id == company["company_tax_id"])).verified
        is False
    )
    director = Api(app.test_client(), w.a.director)
    r = director.post(
        f"/api/v1/users/{user.id}/verify",
        json={"role": "admin", "status": "disabled", "school_id": w.b.school.id},
    )
    assert r.status_code == 200
    session.expire_all()
    user = session.get(User, user.id)
    assert (user.role, user.status, user.school_id) == ("school_staff", "active", w.a.school.id)
    central = Api(app.test_client(), w.central)
    r = central.post(
        "/api/v1/schools",
        json={
            **FORGED,
            "code": "1050188881",
            "name_th": "โรงเรียนใหม่",
            "district_code": "p50-1",
            "pupils": 10,
        },
    )
    assert r.status_code == 201, r.get_json()
    assert (
        r.get_json()["id"] != 999999
        and session.get(School, r.get_json()["id"]).district_id == w.a.director.district_id
    )


def test_pages_ignore_fields_a_user_may_not_set(app, session, world, page_login):
    w = world
    staff, rep = page_login(w.a.staff), page_login(w.a.rep)
    t_staff, t_rep = csrf_token(staff), csrf_token(rep)
    form = _as_form(
        _forged(
            w,
            category="devices",
            title="เครื่องพิมพ์",
            quantity="3",
            estimated_cost_thb="9000",
            needed_by=FUTURE,
            urgency="high",
            unit="เครื่อง",
            description="",
        )
    )
    r = staff.post("/needs/new", data={**form, "csrf_token": t_staff})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    need = session.scalar(sa.select(Need).order_by(Need.id.desc()))
    assert need.title == "เครื่องพิมพ์" and need.school_id == w.a.school.id and need.budget_thb == 0
    assert (need.committed_quantity, need.cancelled, need.created_by_id) == (0, False, w.a.staff.id)
    r = staff.post(
        f"/needs/{need.id}/edit", data={**form, "title": "เครื่องพิมพ์ 3 เครื่อง", "csrf_token": t_staff}
    )
    assert r.status_code == 302
    session.expire_all()
    need = session.get(Need, need.id)
    assert need.title == "เครื่องพิมพ์ 3 เครื่อง" and need.school_id == w.a.school.id and need.budget_thb == 0
    offer_form = _as_form(
        _forged(
            w,
            category="devices",
            title="Printers",
            quantity="3",
            value_thb="9000",
            available_until=FUTURE,
            unit="units",
            description="",
        )
    )
    r = rep.post("/offers/new", data={**offer_form, "csrf_token": t_rep})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    offer = session.scalar(sa.select(Offer).order_by(Offer.id.desc()))
    assert offer.company_id == w.a.company.id and offer.committed_quantity == 0 and not offer.withdrawn
    r = rep.post(
        f"/offers/{offer.id}/edit", data={**offer_form, "title": "Printers (A4)", "csrf_token": t_rep}
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Offer, offer.id).company_id == w.a.company.id
    r = staff.post(
        "/matches",
        data={
            **_as_form(_forged(w)),
            "need_id": str(need.id),
            "offer_id": str(offer.id),
            "quantity": "1",
            "csrf_token": t_staff,
        },
    )
    assert r.status_code in (302, 303)
    m = session.scalar(sa.select(Match).where(Match.need_id == need.id))
    assert (m.status, m.proposed_by, m.proposed_by_user_id, m.version) == (
        "proposed",
        "school",
        w.a.staff.id,
        1,
    )
    # the director's budget form sets the budget and nothing else
    director = page_login(w.a.director)
    r = director.post(
        f"/needs/{need.id}/budget",
        data={
            **_as_form(_forged(w)),
            "budget_thb": "500",
            "title": "hijacked",
            "csrf_token": csrf_token(director),
        },
    )
    assert r.status_code == 302
    session.expire_all()
    need = session.get(Need, need.id)
    assert float(need.budget_thb) == 500 and need.title == "เครื่องพิมพ์ 3 เครื่อง"
    # uploads: the stored name, the type and the match come from the server
    d = w.a.matches["delivered"]
    r = staff.post(
        f"/matches/{d.id}/uploads",
        data={
            **files("../../etc/passwd.jpg", JPEG, kind="photo"),
            "stored_name": "../../evil.sh",
            "content_type": "text/html",
            "match_id": str(w.b.matches["delivered"].id),
            "csrf_token": t_staff,
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    up = session.scalar(sa.select(Upload))
    assert up.match_id == d.id and up.content_type == "image/jpeg" and up.original_name == "passwd.jpg"
    assert ".." not in up.stored_name and "/" not in up.stored_name and up.stored_name != "../../evil.sh"


def test_page_registration_and_account_ignore_role_and_status(app, session, world, client, page_login):
    w = world
    token = csrf_token(client)
    base = {
        "full_name": "ครูสมร",
        "email": "somorn@school.example",
        "password": "a-good-passphrase-77",
        "school_code": w.a.school.code,
        "accept_privacy": "y",
        "csrf_token": token,
    }
    before = snapshot(session)
    assert client.post("/register", data={**base, "role": "admin"}).status_code == 422
    assert snapshot(session) == before
    r = client.post(
        "/register",
        data={
            **base,
            **_as_form({k: v for k, v in _forged(w).items() if k not in base}),
            "role": "school_staff",
            "csrf_token": token,
        },
    )
    assert r.status_code == 302
    user = session.scalar(sa.select(User).where(User.email == "somorn@school.example"))
    assert (user.role, user.status, user.school_id, user.company_id) == (
        "school_staff",
        "pending",
        w.a.school.id,
        None,
    )
    staff = page_login(w.a.staff)
    r = staff.post(
        "/account",
        data={
            "current_password": "wrong-password-x",
            "new_password": "x" * 12,
            "role": "admin",
            "email": "me@evil.example",
            "status": "active",
            "csrf_token": csrf_token(staff),
        },
    )
    session.expire_all()
    me = session.get(User, w.a.staff.id)
    assert (me.role, me.email) == ("school_staff", w.a.staff.email)


# --- CSRF --------------------------------------------------------------------------------------------
#: API writes that need no CSRF token by contract (they create a session or use none)
CSRF_FREE = {"api.login", "api.create_token", "api.register", "line.webhook"}  # the last: HMAC-signed by LINE


def _tampered(token: str) -> str:
    """The real token with one character of its signature changed. Not the last ones: base64's final
    character carries padding bits, so changing it can leave the decoded signature the same (this test
    once passed a "forged" token that way)."""
    i = len(token) - 5
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def test_every_form_and_session_api_write_needs_its_csrf_token(app, session, world):
    """Walk every write route of the app as a logged-in user (session cookie), without a token and with a
    forged one: 400 csrf_failed, nothing changed."""
    rules = [
        (rule, m)
        for rule in app.url_map.iter_rules()
        for m in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
    ]
    ids = {
        "need_id": world.a.need.id,
        "offer_id": world.a.offer.id,
        "match_id": world.a.matches["pledged"].id,
        "user_id": world.a.pending_staff.id,
        "upload_id": 1,
    }
    checked = 0
    bad = []
    for who in (world.a.staff, world.a.rep, world.a.director, world.admin):
        api = Api(app.test_client(), who)
        before = snapshot(session)
        for rule, method in rules:
            if rule.endpoint in CSRF_FREE:
                continue
            url = rule.build({k: ids.get(k, 1) for k in rule.arguments})[1]
            for token in (None, "forged-token", _tampered(api.csrf)):
                headers = {"X-CSRFToken": token} if token else {}
                if url.startswith("/api/"):
                    r = api.client.open(
                        url, method=method, json={"action": "approve", "title": "x"}, headers=headers
                    )
                    ok = r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
                else:
                    data = {"action": "approve", "title": "x"}
                    if token:
                        data["csrf_token"] = token
                    r = api.client.open(url, method=method, data=data)
                    ok = r.status_code == 400
                checked += 1
                if not ok:
                    bad.append(f"{who.role} {method} {url} token={token!r}: {r.status_code}")
        if snapshot(session) != before:
            bad.append(f"{who.role}: a request without a valid CSRF token changed data")
    # the contract's exceptions: bearer tokens need no CSRF token, nor do login, tokens and registration
    token = app.test_client().post(
        "/api/v1/auth/tokens", json={"email": world.a.staff.email, "password": "correct-horse-battery-9"}
    )
    assert token.status_code == 201
    r = app.test_client().post(
        "/api/v1/needs",
        headers={"Authorization": f"Bearer {token.get_json()['token']}"},
        json={"category": "devices", "title": "Bearer", "quantity": 1, "estimated_cost_thb": 1},
    )
    assert r.status_code == 201
    assert checked > 100
    assert not bad, "\n".join(bad)


def test_anonymous_page_forms_need_the_token_too(client, session):
    before = snapshot(session)
    for url in ("/login", "/register"):
        for token in (None, "forged"):
            data = {
                "email": "a@b.example",
                "password": "whatever-123",
                "full_name": "x",
                "role": "school_staff",
            }
            if token:
                data["csrf_token"] = token
            assert client.post(url, data=data).status_code == 400, (url, token)
    assert snapshot(session) == before

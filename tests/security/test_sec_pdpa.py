"""Thailand's PDPA: a privacy notice and consent at registration, a download of one's own data, and erasure
that anonymises the account while the audit trail keeps its ids."""

from __future__ import annotations

import json

import sqlalchemy as sa

from csr_hub.extensions import db
from csr_hub.models import ApiToken, AuditEvent, MatchTransition, Need, Notification, User

from sec_helpers import PASSWORD, Api, csrf_token, world  # noqa: F401


def _everything(session) -> str:
    session.rollback()
    return "\n".join(
        str(v)
        for t in db.metadata.sorted_tables
        for row in session.execute(sa.select(*t.columns))
        for v in row
    )


def test_registration_shows_the_notice_and_needs_consent(client, make_school, session):
    page = client.get("/register").get_data(as_text=True)
    assert 'href="/privacy"' in page and 'name="accept_privacy"' in page
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "PDPA" in notice.get_data(as_text=True)
    school = make_school()
    form = {
        "role": "school_staff",
        "full_name": "ครูวิไล",
        "email": "wilai@school.example",
        "phone": "053-000000",
        "password": "a-good-passphrase-77",
        "school_code": school.code,
        "csrf_token": csrf_token(client),
    }
    r = client.post("/register", data=form)
    assert r.status_code == 422 and 'id="accept_privacy-error"' in r.get_data(as_text=True)
    assert session.scalar(sa.select(User.id).where(User.email == "wilai@school.example")) is None
    assert client.post("/register", data={**form, "accept_privacy": "y"}).status_code == 302
    user = session.scalar(sa.select(User).where(User.email == "wilai@school.example"))
    assert user.privacy_accepted_at is not None and user.phone == "053-000000"


def test_a_user_downloads_their_own_data_and_nobody_elses(app, session, world):
    w = world
    staff = Api(app.test_client(), w.a.staff)
    r = staff.client.get("/account/data.json")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(r.get_data(as_text=True))
    assert data["user"]["id"] == w.a.staff.id and data["user"]["email"] == w.a.staff.email
    assert set(data["needs_posted"]) == set(
        session.scalars(sa.select(Need.id).where(Need.created_by_id == w.a.staff.id))
    )
    assert any(e["action"] == "login" for e in data["audit_events"])
    text = r.get_data(as_text=True)
    for secret in (w.a.staff.password_hash, PASSWORD):
        assert secret not in text
    for other in (w.b.staff, w.a.rep, w.a.director):
        assert other.email not in text
    assert "password" not in data["user"] and "totp_secret" not in data["user"]
    assert app.test_client().get("/account/data.json").status_code == 302  # log in first
    assert (
        session.scalar(
            sa.select(AuditEvent.id).where(
                AuditEvent.action == "user.data_export", AuditEvent.actor_id == w.a.staff.id
            )
        )
        is not None
    )


def test_erasure_anonymises_the_account_and_keeps_the_audit_trail(app, session, world):
    w = world
    user = session.get(User, w.a.staff.id)
    user.phone = "081-234-5678"
    session.commit()
    email, name, uid = user.email, user.full_name, user.id
    staff = Api(app.test_client(), user)
    token = (
        app.test_client()
        .post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
        .get_json()["token"]
    )
    old_cookie = staff.client.get_cookie("session").value
    events_before = set(session.scalars(sa.select(AuditEvent.id).where(AuditEvent.actor_id == uid)))
    transitions_before = session.scalar(
        sa.select(sa.func.count(MatchTransition.id)).where(MatchTransition.actor_id == uid)
    )
    assert (
        events_before
        and transitions_before
        and session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == uid))
    )
    # erasure is a form with a CSRF token
    assert staff.client.post("/account/erase").status_code == 400
    r = staff.client.post("/account/erase", data={"csrf_token": staff.csrf})
    assert r.status_code == 302
    session.expire_all()
    user = session.get(User, uid)
    assert (user.email, user.full_name, user.phone, user.status) == (
        f"erased-{uid}@invalid.example",
        "—",
        "",
        "disabled",
    )
    assert user.totp_secret is None and user.privacy_accepted_at is None
    everything = _everything(session)
    for personal in (email, name, "081-234-5678"):
        assert personal not in everything, personal
    # the trail keeps its ids: every event and transition of the person is still there, plus the erasure
    events_after = set(session.scalars(sa.select(AuditEvent.id).where(AuditEvent.actor_id == uid)))
    assert events_before < events_after
    assert (
        session.scalar(sa.select(AuditEvent.action).where(AuditEvent.id == max(events_after))) == "user.erase"
    )
    assert (
        session.scalar(sa.select(sa.func.count(MatchTransition.id)).where(MatchTransition.actor_id == uid))
        == transitions_before
    )
    assert session.scalar(sa.select(sa.func.count(Need.id)).where(Need.created_by_id == uid)) > 0
    # the account is closed everywhere: cookie, token, password
    thief = app.test_client()
    thief.set_cookie("session", old_cookie)
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert (
        app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    assert (
        session.scalar(
            sa.select(sa.func.count(ApiToken.id)).where(
                ApiToken.user_id == uid, ApiToken.revoked_at.is_(None)
            )
        )
        == 0
    )
    assert (
        app.test_client().post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 401
    )
    # the match page still shows the history, with the anonymised name
    director = Api(app.test_client(), w.a.director)
    html = director.client.get(f"/matches/{w.a.matches['completed'].id}").get_data(as_text=True)
    assert "—" in html and name not in html
    # the e-mail address can be registered again by its owner
    r = app.test_client().post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": "a-good-passphrase-77",
            "full_name": "ครูคนเดิม",
            "role": "school_staff",
            "school_code": w.a.school.code,
        },
    )
    assert r.status_code == 201

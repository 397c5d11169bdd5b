"""The append-only audit log: what it records, the admins' page to read it, and that nothing edits it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from csr_hub.extensions import db
from csr_hub.models import AuditEvent
from csr_hub.services import audit

from sec_helpers import PASSWORD, Api, act, csrf_token, world  # noqa: F401


def _rows(session) -> list[tuple]:
    session.rollback()
    return [
        tuple(str(v) for v in row)
        for row in session.execute(sa.select(*AuditEvent.__table__.columns).order_by(AuditEvent.id))
    ]


def test_security_events_and_state_changes_are_recorded(app, session, world, client):
    w = world
    client.post("/api/v1/auth/login", json={"email": w.a.staff.email, "password": "wrong-password-0"})
    staff = Api(app.test_client(), w.a.staff)
    director = Api(app.test_client(), w.a.director)
    rep = Api(app.test_client(), w.a.rep)
    m = w.a.matches["proposed"]
    assert rep.post(f"/api/v1/matches/{m.id}/actions", json={"action": "accept"}).status_code == 200
    assert director.post(f"/api/v1/matches/{m.id}/actions", json={"action": "approve"}).status_code == 200
    assert director.post(f"/api/v1/users/{w.a.pending_staff.id}/verify").status_code == 200
    assert director.client.get(f"/reports/export.csv?table=summary&district={w.a.esa}").status_code == 200
    assert staff.client.get("/account/data.json").status_code == 200
    assert staff.post("/api/v1/auth/logout").status_code == 204
    events = {(e.action, e.actor_id, e.object_id) for e in session.scalars(sa.select(AuditEvent))}
    actions = {e[0] for e in events}
    for expected in (
        "login",
        "login.failed",
        "logout",
        "user.verify",
        "match.propose",
        "match.accept",
        "match.approve",
        "need.create",
        "offer.create",
        "report.export",
        "user.data_export",
    ):
        assert expected in actions, expected
    assert ("login.failed", w.a.staff.id, None) in events
    assert ("match.approve", w.a.director.id, m.id) in events
    assert ("user.verify", w.a.director.id, w.a.pending_staff.id) in events
    ips = set(
        session.scalars(sa.select(AuditEvent.ip).where(AuditEvent.action.in_(("login", "login.failed"))))
    )
    assert ips == {"127.0.0.1"}


ROW = re.compile(r'<tr><td class="num">(\d+)</td><td class="nowrap">[^<]*</td><td>([^<]+)</td>')


def _listed(response) -> list[tuple[int, str]]:
    return [(int(i), a) for i, a in ROW.findall(response.get_data(as_text=True))]


def test_admins_read_the_log_with_filters_and_pages(app, session, world, page_login):
    from csr_hub.domain.reference import BANGKOK

    w = world
    for i in range(3):
        app.test_client().post("/api/v1/auth/login", json={"email": w.b.rep.email, "password": f"bad-{i}"})
    admin = page_login(w.admin)
    r = admin.get("/admin/audit")
    assert r.status_code == 200
    listed = _listed(r)
    assert len(listed) == 50 and listed == sorted(listed, reverse=True)  # newest first, 50 a page
    r = admin.get("/admin/audit", query_string={"action": "login.failed", "actor": w.b.rep.email})
    assert [a for _, a in _listed(r)] == ["login.failed"] * 3
    m = w.a.matches["approved"]
    r = admin.get(
        "/admin/audit", query_string={"action": "match.*", "object_type": "match", "object_id": m.id}
    )
    assert [a for _, a in _listed(r)] == ["match.approve", "match.accept", "match.propose"]
    mine = session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.actor_id == w.a.director.id)
    )
    assert mine == 3  # approvals of the approved, delivered and completed matches
    r = admin.get("/admin/audit", query_string={"actor": str(w.a.director.id), "per_page": 2})
    assert len(_listed(r)) == 2 and 'rel="next"' in r.get_data(as_text=True)
    r = admin.get("/admin/audit", query_string={"actor": str(w.a.director.id), "per_page": 2, "page": 2})
    assert len(_listed(r)) == 1 and 'rel="prev"' in r.get_data(as_text=True)
    total = session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    first, last = session.execute(sa.select(sa.func.min(AuditEvent.at), sa.func.max(AuditEvent.at))).one()
    since, until = (d.astimezone(BANGKOK).date().isoformat() for d in (first, last))  # Bangkok days
    r = admin.get("/admin/audit", query_string={"since": since, "until": until, "per_page": 100})
    assert len(_listed(r)) == min(total, 100)
    r = admin.get("/admin/audit", query_string={"until": "2000-01-01"})
    assert _listed(r) == [] and r.status_code == 200
    for bad in ({"since": "yesterday"}, {"object_id": "-1"}, {"page": "x"}):
        r = admin.get("/admin/audit", query_string=bad)
        assert r.status_code == 422 and 'class="error"' in r.get_data(as_text=True), bad


def test_only_admins_may_read_the_log(app, world, page_login):
    w = world
    assert app.test_client().get("/admin/audit").status_code == 302
    for user in (w.a.staff, w.a.rep, w.a.director, w.central, w.a.pending_staff):
        assert Api(app.test_client(), user).client.get("/admin/audit").status_code == 403, user.role


def test_no_route_changes_or_deletes_an_audit_event(app, session, world):
    """Every write route of the app, tried as an admin and as a central officer with a valid CSRF token and
    a body naming audit events: the rows already written are all still there, unchanged."""
    before = _rows(session)
    assert len(before) > 20
    first = int(before[0][0])
    ids = {
        "need_id": world.a.need.id,
        "offer_id": world.a.offer.id,
        "match_id": world.a.matches["pledged"].id,
        "user_id": world.a.staff.id,
        "upload_id": 1,
        "event_id": first,
        "audit_id": first,
    }
    body = {
        "id": first,
        "action": "deleted",
        "audit_id": first,
        "event_id": first,
        "details": {},
        "at": "2000-01-01",
    }
    methods = {"POST", "PUT", "PATCH", "DELETE"}
    tried = 0
    for who in (world.admin, world.central):
        api = Api(app.test_client(), who)
        for rule in app.url_map.iter_rules():
            if rule.endpoint in ("api.logout", "auth.logout", "auth.erase", "auth.account"):
                continue  # would end this client's session; they write no audit change either
            for method in sorted(rule.methods & methods):
                url = rule.build({k: ids.get(k, first) for k in rule.arguments})[1]
                if url.startswith("/api/"):
                    api.client.open(url, method=method, json=body, headers={"X-CSRFToken": api.csrf})
                else:
                    api.client.open(
                        url,
                        method=method,
                        data={**{k: str(v) for k, v in body.items()}, "csrf_token": api.csrf},
                    )
                tried += 1
        for url in ("/admin/audit", f"/admin/audit/{first}", "/api/v1/audit", f"/api/v1/audit/{first}"):
            for method in methods:
                r = api.client.open(
                    url, method=method, data={"csrf_token": api.csrf}, headers={"X-CSRFToken": api.csrf}
                )
                assert r.status_code in (404, 405), (method, url, r.status_code)
    after = _rows(session)
    assert after[: len(before)] == before
    assert tried > 40


def test_the_orm_and_the_database_refuse_to_change_audit_events(app, session):
    audit.record(session, "test.event", ip="127.0.0.1", reason="x")
    session.commit()
    event = session.scalar(sa.select(AuditEvent))
    event.action = "rewritten"
    with pytest.raises(audit.AppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.scalar(sa.select(AuditEvent)))
    with pytest.raises(audit.AppendOnly):
        session.flush()
    session.rollback()
    for stmt in (sa.update(AuditEvent).values(action="x"), sa.delete(AuditEvent)):
        with pytest.raises(audit.AppendOnly):
            session.execute(stmt)
        session.rollback()
    # below the ORM: the database itself refuses both, on SQLite as on PostgreSQL
    for sql in ("UPDATE audit_events SET action = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(sql))
    assert session.scalars(sa.select(AuditEvent.action)).all() == ["test.event"]


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_an_empty_audit_log_without_deleting_from_it(session, run):
    """The fixtures give each test a fresh database (a copied SQLite file, a TRUNCATE on PostgreSQL), so
    the second of these runs sees nothing of the first's event although the triggers refuse DELETE."""
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
    audit.record(session, "test.run", reason=str(run))
    session.commit()
    assert session.scalars(sa.select(AuditEvent.action)).all() == ["test.run"]


def test_secrets_passed_as_details_are_dropped(session):
    audit.record(session, "test.secret", password=PASSWORD, token="csr_abc", note="kept")
    session.commit()
    details = session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "test.secret"))
    assert details == {"note": "kept"}

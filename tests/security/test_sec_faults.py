"""Integrity under faults: a failure halfway through a transition leaves no partial state, a repeated
request applies nothing twice, and a mail server that is down delays e-mails without losing them."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from csr_hub.extensions import db
from csr_hub.models import AuditEvent, Match, MatchTransition, Need, Notification, Offer
from csr_hub.services import matches, notify

from sec_helpers import Api, csrf_token, snapshot, world  # noqa: F401

SECRET_SQL = "UPDATE matches SET status='pledged' WHERE id=1 -- disk I/O error"


def _db_failure(*_args, **_kwargs):
    raise OperationalError(SECRET_SQL, {"password": "x"}, Exception("disk I/O error"))


def _state(session, match_id: int) -> tuple:
    session.rollback()
    m = session.get(Match, match_id)
    need, offer = session.get(Need, m.need_id), session.get(Offer, m.offer_id)
    history = [
        (t.action, t.to_status)
        for t in session.scalars(
            sa.select(MatchTransition)
            .where(MatchTransition.match_id == match_id)
            .order_by(MatchTransition.id)
        )
    ]
    audits = session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.object_id == match_id, AuditEvent.object_type == "match"
        )
    )
    return m.status, m.version, need.committed_quantity, offer.committed_quantity, history, audits


def _assert_clean_500(r, json_api: bool = True) -> None:
    assert r.status_code == 500
    text = r.get_data(as_text=True)
    assert SECRET_SQL not in text and "disk I/O" not in text and "Traceback" not in text
    if json_api:
        assert r.get_json() == {
            "error": {"code": "server_error", "message": r.get_json()["error"]["message"], "fields": {}}
        }


def test_a_database_error_after_the_match_update_rolls_everything_back(app, session, world, monkeypatch):
    w = world
    m = w.a.matches["proposed"]
    rep = Api(app.test_client(), w.a.rep)
    before, snap = _state(session, m.id), snapshot(session)
    monkeypatch.setattr(notify, "match_changed", _db_failure)
    r = rep.post(
        f"/api/v1/matches/{m.id}/actions", json={"action": "accept"}, headers={"Idempotency-Key": "k-1"}
    )
    _assert_clean_500(r)
    assert _state(session, m.id) == before and snapshot(session) == snap
    # the same on the page
    page = rep.client.post(f"/matches/{m.id}/actions", data={"action": "accept", "csrf_token": rep.csrf})
    _assert_clean_500(page, json_api=False)
    assert _state(session, m.id) == before
    # and on a proposal: no match is left behind
    staff = Api(app.test_client(), w.a.staff)
    count = session.scalar(sa.select(sa.func.count(Match.id)))
    r = staff.post("/api/v1/matches", json={"need_id": w.a.need.id, "offer_id": w.a.offer.id, "quantity": 1})
    _assert_clean_500(r)
    assert session.scalar(sa.select(sa.func.count(Match.id))) == count
    # the fault is gone: the client retries with the same key; it applies once, and once only
    monkeypatch.undo()
    for _ in range(3):
        r = rep.post(
            f"/api/v1/matches/{m.id}/actions", json={"action": "accept"}, headers={"Idempotency-Key": "k-1"}
        )
        assert r.status_code == 200 and r.get_json()["status"] == "pledged"
    status, version, need_q, offer_q, history, _ = _state(session, m.id)
    assert (status, version) == ("pledged", before[1] + 1)
    assert (need_q, offer_q) == (before[2] + m.quantity, before[3] + m.quantity)
    assert history == before[4] + [("accept", "pledged")]


def test_a_failure_between_the_two_quantity_updates_leaves_no_half_hold(app, session, world, monkeypatch):
    """The need's held quantity is already raised when the offer's update fails: both go back."""
    w = world
    m = w.a.matches["proposed"]
    before = _state(session, m.id)
    real = matches._hold

    def hold_then_fail(sess, model, obj_id, delta, today):
        if model is Offer:
            raise OperationalError("UPDATE offers ...", {}, Exception("connection reset"))
        return real(sess, model, obj_id, delta, today)

    monkeypatch.setattr(matches, "_hold", hold_then_fail)
    r = Api(app.test_client(), w.a.rep).post(f"/api/v1/matches/{m.id}/actions", json={"action": "accept"})
    _assert_clean_500(r)
    assert _state(session, m.id) == before


def test_a_worker_that_dies_before_commit_leaves_nothing(app, session, world):
    """The transition runs in its own connection, which is then dropped without a commit (a killed worker)."""
    from sqlalchemy.orm import Session

    w = world
    m = w.a.matches["proposed"]
    before = _state(session, m.id)
    session.commit()
    with Session(db.engine) as other:
        rep = other.get(type(w.a.rep), w.a.rep.id)
        matches.act(other, rep, m.id, {"action": "accept"}, app.config["CSR_CENTRAL_THRESHOLD_THB"])
        other.flush()
        other.connection().invalidate()  # the process is gone: no COMMIT ever reaches the database
    assert _state(session, m.id) == before


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize(
    "app_config", [{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": _closed_port(), "SMTP_TIMEOUT": 2}]
)
def test_smtp_down_commits_the_transition_and_keeps_mail_pending_for_retry(app, session, world, runner):
    w = world
    m = w.a.matches["proposed"]
    r = Api(app.test_client(), w.a.rep).post(f"/api/v1/matches/{m.id}/actions", json={"action": "accept"})
    assert r.status_code == 200 and r.get_json()["status"] == "pledged"
    session.rollback()
    assert session.get(Match, m.id).status == "pledged"
    pending = list(
        session.scalars(
            sa.select(Notification).where(
                Notification.match_id == m.id, Notification.email_status == "pending"
            )
        )
    )
    assert pending, "the notifications of the transition must wait for the mail server"
    waiting = session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.email_status == "pending")
    )
    # the mail server comes back: the retry command sends them, once
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, smtp_session, envelope):
            received.append(envelope.rcpt_tos)
            return "250 OK"

    port = _closed_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config["SMTP_PORT"] = port
        result = runner.invoke(args=["notify", "retry"])
        assert result.exit_code == 0, result.output
        session.rollback()
        statuses = set(
            session.scalars(
                sa.select(Notification.email_status).where(
                    Notification.match_id == m.id, Notification.id.in_([n.id for n in pending])
                )
            )
        )
        assert statuses == {"sent"}
        assert len(received) == waiting  # this transition's mails and the earlier ones still waiting
        runner.invoke(args=["notify", "retry"])
        assert len(received) == waiting  # nothing sent twice
    finally:
        controller.stop()

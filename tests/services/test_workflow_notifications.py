"""Notifications of the pledge workflow: in the app for each party and the approver whose turn it is, and
by e-mail through a real SMTP server (aiosmtpd on a loopback port) — retried when the server was down."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from csr_hub.models import Notification

from workflow_cast import THRESHOLD, cast  # noqa: F401  (fixtures)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return {
        "CSR_CENTRAL_THRESHOLD_THB": THRESHOLD,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_FROM": "csr-hub@example.org",
        "SMTP_TIMEOUT": 5,
    }


def act(api, user, match_id, action, **fields):
    r = api(user).post(f"/api/v1/matches/{match_id}/actions", json={"action": action, **fields})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def notified(session, match_id, word):
    session.rollback()
    return {
        n.user_id
        for n in session.scalars(
            sa.select(Notification).where(
                Notification.match_id == match_id, Notification.message_en.contains(word)
            )
        )
    }


def test_the_app_configures_notify_with_its_own_settings(app, smtp):
    from csr_hub.services import mail, notify

    assert mail._smtp_settings["SMTP_PORT"] == smtp.port  # configured when the app was created
    assert notify.smtp_settings()["SMTP_HOST"] == "127.0.0.1"


def test_each_party_and_the_approver_get_a_notification_and_an_email(
    app, api, cast, session, smtp, make_user
):
    smtp.start()
    second_rep = make_user("company_rep", company=cast.company)
    second_central = make_user("central_officer")
    r = api(cast.staff).post(
        "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 12}
    )
    assert r.status_code == 201
    match_id = r.get_json()["id"]
    steps = [
        ("propose", None, {cast.rep.id, second_rep.id}),
        ("accept", cast.rep, {cast.staff.id, second_rep.id, cast.director.id}),
        (
            "approve",
            cast.director,
            {cast.staff.id, cast.rep.id, second_rep.id, cast.central.id, second_central.id},
        ),
        ("approve", cast.central, {cast.staff.id, cast.rep.id, second_rep.id}),
        ("deliver", cast.rep, {cast.staff.id, second_rep.id}),
        ("confirm", cast.staff, {cast.rep.id, second_rep.id}),
    ]
    words = {
        "propose": "proposed a match",
        "accept": "accepted the match",
        "approve": "approved the match",
        "deliver": "marked the match delivered",
        "confirm": "confirmed receipt",
    }
    seen = 0
    for action, user, expected in steps:
        if user is not None:
            act(api, user, match_id, action, **({"received_quantity": 12} if action == "confirm" else {}))
        got = notified(session, match_id, words[action])
        if action == "approve":
            actor = cast.director if user is cast.director else cast.central
            got = {
                n.user_id
                for n in session.scalars(
                    sa.select(Notification).where(
                        Notification.match_id == match_id, Notification.message_en.startswith(actor.full_name)
                    )
                )
            }
        assert got == expected, (action, got, expected)
        seen += len(expected)
    # never the outsiders, never a pending account
    session.rollback()
    everyone = {
        n.user_id
        for n in session.scalars(sa.select(Notification).where(Notification.kind == "match_changed"))
    }
    for outsider in (cast.other_staff, cast.other_rep, cast.other_director, cast.admin, cast.pending_staff):
        assert outsider.id not in everyone
    # every notification went out by e-mail, once
    rows = list(session.scalars(sa.select(Notification).where(Notification.kind == "match_changed")))
    assert len(rows) == seen and {n.email_status for n in rows} == {"sent"}
    assert len(smtp.inbox.messages) == seen
    director_mail = smtp.inbox.to(cast.director.email)
    assert len(director_mail) == 1
    body = director_mail[0].get_content()
    assert f"#{match_id}" in body and "ให้คำมั่นแล้ว" in body and "Pledged" in body and "120,000" in body
    assert director_mail[0]["From"] == "csr-hub@example.org"
    assert len(smtp.inbox.to(cast.central.email)) == 1 and len(smtp.inbox.to(second_central.email)) == 1


def test_with_smtp_down_the_transition_commits_and_retry_sends_later(app, api, cast, session, smtp, runner):
    # nothing listens on smtp.port yet
    r = api(cast.staff).post(
        "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 3}
    )
    assert r.status_code == 201
    match_id = r.get_json()["id"]
    assert act(api, cast.rep, match_id, "accept")["status"] == "pledged"
    session.rollback()
    rows = list(
        session.scalars(
            sa.select(Notification).where(Notification.kind == "match_changed").order_by(Notification.id)
        )
    )
    assert rows and {n.email_status for n in rows} == {"pending"}
    # each was tried after its transition committed (the proposal's again with the acceptance's)
    assert [n.email_attempts for n in rows] == [2] + [1] * (len(rows) - 1)
    # every pending e-mail, the match's and any alert the posts raised (new_strong_match)
    every = list(session.scalars(sa.select(Notification).where(Notification.email_status == "pending")))
    assert {n.id for n in rows} <= {n.id for n in every}
    # the server comes up; the retry command sends each pending e-mail once
    smtp.start()
    result = runner.invoke(args=["notify", "retry"])
    assert result.exit_code == 0, result.output
    assert f"sent {len(every)}, still pending 0" in result.output
    session.rollback()
    assert {
        n.email_status
        for n in session.scalars(sa.select(Notification).where(Notification.kind == "match_changed"))
    } == {"sent"}
    assert len(smtp.inbox.messages) == len(every)
    assert len(smtp.inbox.to(cast.director.email)) == 1
    result = runner.invoke(args=["notify", "retry"])
    assert "sent 0, still pending 0" in result.output and len(smtp.inbox.messages) == len(every)


def test_without_smtp_notifications_are_in_the_app_only(app, api, cast, session, smtp):
    from csr_hub.services import notify

    app.config["SMTP_HOST"] = None
    assert notify.smtp_settings() is None
    r = api(cast.rep).post(
        "/api/v1/matches", json={"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": 2}
    )
    assert r.status_code == 201
    session.rollback()
    rows = list(session.scalars(sa.select(Notification).where(Notification.kind == "match_changed")))
    assert {n.user_id for n in rows} == {cast.staff.id} and {n.email_status for n in rows} == {"none"}

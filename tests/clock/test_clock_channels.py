"""The notifications API's scope, per-message failure handling of outbound mail (one bad message among
good ones: the good ones are delivered, the bad one is marked failed with its reason, nothing is left
``sending``, retries back off), and LINE: the webhook's signature and binding, channel choices, and pushes
recorded by a local fake Messaging API server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from csr_hub.models import LineLink, Notification
from csr_hub.services import notify


SECRET = "line-test-secret"
TOKEN = "line-test-access-token"
LINE_USER = "U" + "a" * 32


class SmtpServer:
    """aiosmtpd on a loopback port, keeping what it receives."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeLine:
    """A local stand-in for the Messaging API: checks the bearer token, records pushes."""

    def __init__(self, fail_for: set[str] | None = None):
        self.pushes: list[dict] = []
        self.refused: list[str] = []
        self.fail_for = fail_for or set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    fake.refused.append(self.path)
                    return self._answer(401, {"message": "Authentication failed"})
                if self.path != "/v2/bot/message/push":
                    return self._answer(404, {"message": "Not found"})
                data = json.loads(body)
                if data.get("to") in fake.fail_for:
                    return self._answer(500, {"message": "try later"})
                fake.pushes.append(data)
                return self._answer(200, {"sentMessages": [{"id": str(len(fake.pushes)), "quoteToken": "q"}]})

            def _answer(self, code, payload):
                raw = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def texts_to(self, to: str) -> list[str]:
        return [m["text"] for p in self.pushes if p["to"] == to for m in p["messages"]]


@pytest.fixture
def fake_line():
    with FakeLine() as fake:
        yield fake


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp, fake_line):
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_FROM": "csr-hub@example.org",
        "SMTP_TIMEOUT": 5,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": fake_line.url,
        "CSR_BASE_URL": "https://csr.example.org",
    }


def add(session, user, message="ทดสอบ", kind="match_changed", **kw):
    (n,) = notify.notify_users(
        session, [user.id], kind, message_th=message, message_en=message + " (en)", **kw
    )
    session.commit()
    return n


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_body(text: str, user_id: str = LINE_USER) -> bytes:
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": 1700000000000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": "01HXXXXXXXXXXXXXXXXXXXXXXX",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "r" * 32,
        "message": {"id": "1", "type": "text", "quoteToken": "q", "text": text},
    }
    return json.dumps({"destination": "U" + "0" * 32, "events": [event]}).encode()


# -- the notifications API ---------------------------------------------------------------------------
def test_notifications_api_lists_own_newest_first_and_marks_read(app, api, session, make_user):
    me, other = make_user("school_staff"), make_user("company_rep")
    first = add(session, me, "ข้อความแรก")
    second = add(session, me, "ข้อความที่สอง", kind="reminder", links={"need_id": 7})
    theirs = add(session, other, "ของคนอื่น")
    client = api(me)
    body = client.get("/api/v1/notifications").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    assert [i["id"] for i in body["items"]] == [second.id, first.id]
    item = body["items"][0]
    assert set(item) == {
        "id",
        "kind",
        "match_id",
        "need_id",
        "offer_id",
        "partnership_id",
        "message",
        "read",
        "created_at",
    }
    assert item["kind"] == "reminder" and item["need_id"] == 7 and item["match_id"] is None
    assert item["message"] == "ข้อความที่สอง (en)" and item["read"] is False
    th = client.get("/api/v1/notifications", headers={"Accept-Language": "th"}).get_json()
    assert th["items"][0]["message"] == "ข้อความที่สอง"
    # another user's: 404, and nothing changes
    r = client.post(f"/api/v1/notifications/{theirs.id}/read")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    session.rollback()
    assert session.get(Notification, theirs.id).read_at is None
    r = client.post(f"/api/v1/notifications/{first.id}/read")
    assert r.status_code == 200 and r.get_json()["read"] is True and r.get_json()["id"] == first.id
    unread = client.get("/api/v1/notifications?unread=1").get_json()
    assert [i["id"] for i in unread["items"]] == [second.id]
    assert client.get("/api/v1/notifications?per_page=1&page=2").get_json()["items"][0]["id"] == first.id
    assert client.get("/api/v1/notifications?page=x").status_code == 422
    assert client.get("/api/v1/notifications?unread=maybe").status_code == 422
    assert api().get("/api/v1/notifications").status_code == 401
    assert api().post(f"/api/v1/notifications/{first.id}/read").status_code == 401


def test_notifications_are_in_the_openapi_document(app, api):
    doc = api().get("/api/v1/openapi.json").get_json()
    assert "get" in doc["paths"]["/notifications"]
    assert "post" in doc["paths"]["/notifications/{notification_id}/read"]
    assert "post" in doc["paths"]["/needs/{need_id}/confirm"]
    assert "due_on" in doc["components"]["schemas"]["Match"]["properties"]
    assert "review_due" in doc["components"]["schemas"]["Need"]["properties"]


def test_the_notifications_page_groups_by_match(app, session, make_user, page_login):
    me = make_user("company_rep")
    add(session, me, "ข้อความไม่มีการจับคู่", kind="reminder")
    html = page_login(me).get("/notifications").get_data(as_text=True)
    assert "notification-groups" in html and "ข้อความไม่มีการจับคู่" in html


# -- mail: one bad message among good ones ------------------------------------------------------------
def test_a_bad_message_is_failed_with_its_reason_and_the_good_ones_are_delivered(
    app, session, smtp, make_user, runner
):
    smtp.start()
    users = [make_user("school_staff") for _ in range(3)]
    good1 = add(session, users[0], "ดีหนึ่ง")
    bad = add(session, users[1], "หัวเรื่อง\nBcc: victim@example.org")  # header injection: cannot be built
    good2 = add(session, users[2], "ดีสอง")
    result = runner.invoke(args=["notify", "retry"])
    assert result.exit_code == 0, result.output
    assert "sent 2, still pending 0" in result.output
    session.rollback()
    rows = {n.id: n for n in session.scalars(sa.select(Notification))}
    assert rows[good1.id].email_status == "sent" and rows[good2.id].email_status == "sent"
    assert rows[bad.id].email_status == "failed" and "cannot build" in rows[bad.id].email_error
    assert {n.email_status for n in rows.values()} <= {"sent", "failed"}  # none left sending
    assert len(smtp.messages) == 2
    assert all("victim@example.org" not in r for rcpts, _m in smtp.messages for r in rcpts)
    again = runner.invoke(args=["notify", "retry"])
    assert again.exit_code == 0 and "sent 0, still pending 0" in again.output


def test_an_unreachable_server_backs_off_and_never_leaves_claims(app, session, smtp, make_user):
    user = make_user("school_staff")
    n = add(session, user, "รอส่ง")
    sent, pending = notify.send_pending(session)  # nothing listens yet
    assert (sent, pending) == (0, 1)
    session.rollback()
    row = session.get(Notification, n.id)
    assert row.email_status == "pending" and row.email_attempts == 1
    assert "unreachable" in row.email_error and row.email_next_at > datetime.now(timezone.utc)
    # the scheduler's sweep leaves it until its backoff has passed
    smtp.start()
    assert notify.send_pending(session, due_only=True) == (0, 0)
    session.execute(
        sa.update(Notification).values(email_next_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    )
    session.commit()
    assert notify.send_pending(session, due_only=True) == (1, 0)
    assert (
        notify.backoff(1)
        < notify.backoff(2)
        < notify.backoff(5)
        <= timedelta(minutes=notify.MAX_BACKOFF_MINUTES)
    )


def test_retry_gives_up_after_the_last_attempt(app, session, smtp, make_user):
    user = make_user("school_staff")
    n = add(session, user, "ไม่มีวันส่งได้")
    session.execute(sa.update(Notification).values(email_attempts=notify.MAX_ATTEMPTS - 1))
    session.commit()
    assert notify.send_pending(session) == (0, 0)
    session.rollback()
    row = session.get(Notification, n.id)
    assert row.email_status == "failed" and row.email_error.startswith("gave up after")


def test_retry_reclaims_abandoned_claims(app, session, smtp, make_user, runner):
    smtp.start()
    user = make_user("school_staff")
    n = add(session, user, "ค้างอยู่")
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    session.execute(sa.update(Notification).values(email_status="sending", email_claimed_at=old))
    session.commit()
    result = runner.invoke(args=["notify", "retry"])
    assert result.exit_code == 0 and "sent 1" in result.output
    session.rollback()
    assert session.get(Notification, n.id).email_status == "sent"


# -- LINE ---------------------------------------------------------------------------------------------
def link_code(session, user):
    from csr_hub.services import line

    link = line.link_for(session, user)
    session.commit()
    return link.link_code


def test_a_bad_signature_is_400_and_changes_nothing(app, session, make_user):
    from conftest import snapshot

    user = make_user("school_staff")
    code = link_code(session, user)
    body = webhook_body(f"รหัส {code}")
    before = snapshot(session)
    c = app.test_client()
    for sig in ("", "bad", sign(body, "another-secret")):
        r = c.post(
            "/line/webhook", data=body, headers={"X-Line-Signature": sig, "Content-Type": "application/json"}
        )
        assert r.status_code == 400
    assert snapshot(session) == before


def test_the_webhook_binds_the_line_user_sent_with_the_code(app, session, make_user, fake_line, page_login):
    user = make_user("school_staff")
    c = page_login(user)
    html = c.get("/account/notifications").get_data(as_text=True)
    assert "line-link" in html  # LINE is offered
    assert "การจับคู่เปลี่ยนสถานะ" in html and "A match changed" not in html  # each kind named in Thai
    from conftest import csrf_token

    r = c.post("/account/notifications", data={"csrf_token": csrf_token(c), "do": "code"})
    assert r.status_code == 302
    html = c.get("/account/notifications").get_data(as_text=True)
    session.rollback()
    code = session.scalar(sa.select(LineLink.link_code).where(LineLink.user_id == user.id))
    assert code and f'id="line-link-code">{code}<' in html
    body = webhook_body(f"สวัสดีค่ะ {code.lower()}")  # any case, inside a sentence
    r = app.test_client().post("/line/webhook", data=body, headers={"X-Line-Signature": sign(body)})
    assert r.status_code == 200
    session.rollback()
    link = session.scalar(sa.select(LineLink).where(LineLink.user_id == user.id))
    assert link.line_user_id == LINE_USER and link.link_code is None
    assert fake_line.texts_to(LINE_USER) and "เชื่อมบัญชี" in fake_line.texts_to(LINE_USER)[0]
    # a code used once binds nothing more
    other = "U" + "b" * 32
    body = webhook_body(code, other)
    assert (
        app.test_client()
        .post("/line/webhook", data=body, headers={"X-Line-Signature": sign(body)})
        .status_code
        == 200
    )
    session.rollback()
    assert session.scalar(sa.select(LineLink.line_user_id).where(LineLink.user_id == user.id)) == LINE_USER


def bind(app, session, user, line_user=LINE_USER):
    code = link_code(session, user)
    body = webhook_body(code, line_user)
    assert (
        app.test_client()
        .post("/line/webhook", data=body, headers={"X-Line-Signature": sign(body)})
        .status_code
        == 200
    )


def test_pushes_in_thai_with_a_link_and_per_kind_choices(app, session, make_user, fake_line, smtp):
    from csr_hub.services import line

    smtp.start()
    user = make_user("company_rep")
    bind(app, session, user)
    fake_line.pushes.clear()
    n = add(session, user, "มีการจับคู่ใหม่", links={"match_id": None, "need_id": 12})
    assert n.line_status == "pending" and n.email_status == "pending"
    assert line.send_pending(session) == (1, 0)
    (text,) = fake_line.texts_to(LINE_USER)
    assert text.startswith("มีการจับคู่ใหม่") and "https://csr.example.org/needs/12" in text
    assert fake_line.refused == []
    # e-mail off and LINE on for reminders: a reminder goes by LINE only
    session.rollback()
    line.set_preferences(session, user, {"reminder": {"email": False, "line": True}})
    session.commit()
    r = add(session, user, "เตือน", kind="reminder")
    assert (r.email_status, r.line_status) == ("none", "pending")
    m = add(session, user, "เปลี่ยน", kind="match_changed")
    assert (m.email_status, m.line_status) == ("none", "none")  # every other kind unticked: the app only


def test_a_failing_line_push_leaves_the_others_delivered(app, session, make_user, smtp):
    from csr_hub.services import line

    broken = "U" + "c" * 32
    with FakeLine(fail_for={broken}) as fake:
        app.config["LINE_API_BASE_URL"] = fake.url
        ok_user, bad_user = make_user("school_staff"), make_user("school_staff")
        bind(app, session, ok_user)
        bind(app, session, bad_user, broken)
        a = add(session, ok_user, "ก")
        b = add(session, bad_user, "ข")
        c = add(session, ok_user, "ค")
        assert line.send_pending(session) == (2, 1)
        session.rollback()
        rows = {n.id: n for n in session.scalars(sa.select(Notification))}
        assert rows[a.id].line_status == rows[c.id].line_status == "sent"
        assert rows[b.id].line_status == "pending" and rows[b.id].line_next_at is not None
        assert [t.split("\n")[0] for t in fake.texts_to(LINE_USER) if t[0] in "กค"] == ["ก", "ค"]


def test_a_wrong_access_token_is_refused_by_the_fake_and_marked_failed(app, session, make_user, fake_line):
    from csr_hub.services import line

    user = make_user("school_staff")
    bind(app, session, user)
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = "wrong"
    n = add(session, user, "ง")
    assert line.send_pending(session) == (0, 0)
    session.rollback()
    row = session.get(Notification, n.id)
    assert row.line_status == "failed" and "401" in row.line_error
    assert fake_line.refused


@pytest.mark.parametrize("app_config", [{"LINE_CHANNEL_SECRET": None, "LINE_CHANNEL_ACCESS_TOKEN": None}])
def test_without_the_settings_line_is_not_offered(app, session, make_user, page_login):
    user = make_user("school_staff")
    html = page_login(user).get("/account/notifications").get_data(as_text=True)
    assert "line-link" not in html
    body = webhook_body("ABCDEFGH")
    assert (
        app.test_client()
        .post("/line/webhook", data=body, headers={"X-Line-Signature": sign(body)})
        .status_code
        == 404
    )
    n = add(session, user, "จ")
    assert n.line_status == "none"


def test_a_match_transition_pushes_to_the_linked_party(
    app, api, session, make_user, make_need, make_offer, fake_line, smtp
):
    smtp.start()
    staff, rep = make_user("school_staff"), make_user("company_rep")
    bind(app, session, staff)
    fake_line.pushes.clear()
    need = make_need(staff, title="โปรเจคเตอร์ 2 เครื่อง", quantity=2)
    offer = make_offer(rep, title="Projectors", quantity=5, value_thb=50_000)
    r = api(rep).post("/api/v1/matches", json={"need_id": need.id, "offer_id": offer.id, "quantity": 2})
    assert r.status_code == 201
    match_id = r.get_json()["id"]
    texts = [t for t in fake_line.texts_to(LINE_USER) if f"#{match_id}" in t]
    assert len(texts) == 1 and f"https://csr.example.org/matches/{match_id}" in texts[0]
    assert "เสนอการจับคู่" in texts[0]  # in Thai
    session.rollback()
    n = session.scalar(
        sa.select(Notification).where(Notification.match_id == match_id, Notification.user_id == staff.id)
    )
    assert (n.line_status, n.email_status) == ("sent", "sent")


def test_a_pending_account_sees_no_notifications(app, api, session, make_user):
    pending = make_user("school_staff", status="pending")
    n = add(session, pending, "ของโรงเรียนที่อ้าง")
    client = api(pending)
    body = client.get("/api/v1/notifications").get_json()
    assert body["total"] == 0 and body["items"] == []
    assert client.post(f"/api/v1/notifications/{n.id}/read").status_code in (403, 404)
    session.rollback()
    assert session.get(Notification, n.id).read_at is None

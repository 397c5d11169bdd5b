"""LINE as a channel: link codes, the webhook's binding, and push messages in Thai with a link.

The Messaging API of a LINE Official Account through ``line-bot-sdk`` (v3, ``linebot.v3``). Without
``LINE_CHANNEL_SECRET`` and ``LINE_CHANNEL_ACCESS_TOKEN`` nothing here is offered. ``LINE_API_BASE_URL``
points the client elsewhere (tests run a local fake server). Pushes are claimed and settled like e-mail
(services/outbox.py): each message stands alone, passing faults back off, none is left ``sending``.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timezone
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from csr_hub.domain.policy import UserStatus
from csr_hub.models import ChannelPreference, LineLink, Notification, User
from csr_hub.services.outbox import Channel, Outcome, read_claimed, reason

log = logging.getLogger(__name__)

#: link codes: 8 characters that read unambiguously aloud and on a phone
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_RE = re.compile(r"\b([A-HJ-NP-Z2-9]{8})\b")
LINE_USER_RE = re.compile(r"^U[0-9a-f]{32}$")
#: a push's text is at most 5,000 characters
MAX_TEXT = 5000


def settings() -> Mapping[str, Any]:
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return current_app.config
    except ImportError:  # pragma: no cover
        pass
    return {}


def configured(config: Mapping[str, Any] | None = None) -> bool:
    cfg = settings() if config is None else config
    return bool(cfg.get("LINE_CHANNEL_SECRET") and cfg.get("LINE_CHANNEL_ACCESS_TOKEN"))


# -- linking ----------------------------------------------------------------------------------------
def link_for(session: Session, user: User) -> LineLink:
    """The user's link row, with a code to send while not linked (made on first use)."""
    link = session.scalar(sa.select(LineLink).where(LineLink.user_id == user.id))
    if link is None:
        link = LineLink(user_id=user.id)
        session.add(link)
    if link.line_user_id is None and not link.link_code:
        for _ in range(5):
            link.link_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with session.begin_nested():
                    session.flush()
                break
            except IntegrityError:  # a code already taken: draw again
                continue
    session.flush()
    return link


def unlink(session: Session, user: User) -> None:
    link = session.scalar(sa.select(LineLink).where(LineLink.user_id == user.id))
    if link is not None:
        link.line_user_id = None
        link.linked_at = None
        link.link_code = None
        session.flush()


def bind(session: Session, line_user_id: str, text: str) -> User | None:
    """A message to the official account carrying a link code binds its sender to that code's account."""
    if not LINE_USER_RE.match(line_user_id or ""):
        return None
    match = CODE_RE.search((text or "").upper())
    if match is None:
        return None
    link = session.scalar(sa.select(LineLink).where(LineLink.link_code == match.group(1)))
    if link is None:
        return None
    # one LINE user, one account: a LINE user linking a second account leaves the first
    session.execute(
        sa.update(LineLink)
        .where(LineLink.line_user_id == line_user_id, LineLink.id != link.id)
        .values(line_user_id=None, linked_at=None)
        .execution_options(synchronize_session=False)
    )
    link.line_user_id = line_user_id
    link.linked_at = datetime.now(timezone.utc)
    link.link_code = None
    session.flush()
    return session.get(User, link.user_id)


def parse_webhook(body: str, signature: str, secret: str) -> list[Any]:
    """The webhook's events; raises ``InvalidSignatureError`` on a bad ``X-Line-Signature``."""
    from linebot.v3 import WebhookParser

    return list(WebhookParser(secret).parse(body, signature or ""))


def handle_events(session: Session, events: list[Any]) -> list[User]:
    """Bind the senders of text messages carrying a link code; returns the accounts bound."""
    from linebot.v3.webhooks import MessageEvent, TextMessageContent

    bound = []
    for event in events:
        if not isinstance(event, MessageEvent) or not isinstance(event.message, TextMessageContent):
            continue
        user_id = getattr(event.source, "user_id", None)
        user = bind(session, user_id or "", event.message.text)
        if user is not None:
            bound.append((user, user_id))
    return [u for u, _ in bound]


# -- preferences ------------------------------------------------------------------------------------
def preferences(session: Session, user: User) -> dict[str, dict[str, bool]]:
    from csr_hub.services.notify import KINDS

    rows = {
        p.kind: p
        for p in session.scalars(sa.select(ChannelPreference).where(ChannelPreference.user_id == user.id))
    }
    return {
        k: {"email": rows[k].email if k in rows else True, "line": rows[k].line if k in rows else True}
        for k in KINDS
    }


def set_preferences(session: Session, user: User, chosen: Mapping[str, Mapping[str, bool]]) -> None:
    from csr_hub.services.notify import KINDS

    rows = {
        p.kind: p
        for p in session.scalars(sa.select(ChannelPreference).where(ChannelPreference.user_id == user.id))
    }
    for kind in KINDS:
        want = chosen.get(kind, {})
        row = rows.get(kind)
        if row is None:
            row = ChannelPreference(user_id=user.id, kind=kind)
            session.add(row)
        row.email = bool(want.get("email"))
        row.line = bool(want.get("line"))
    session.flush()


# -- pushing ------------------------------------------------------------------------------------------
def link_url(config: Mapping[str, Any], match_id: int | None, need_id: int | None) -> str:
    base = (config.get("CSR_BASE_URL") or "http://localhost:5000").rstrip("/")
    if match_id:
        return f"{base}/matches/{match_id}"
    if need_id:
        return f"{base}/needs/{need_id}"
    return f"{base}/notifications"


def push_text(config: Mapping[str, Any], to: str, text: str) -> None:
    """One push through the Messaging API; raises on any failure (``ApiException`` carries the status)."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, PushMessageRequest, TextMessage

    conf = Configuration(
        host=(config.get("LINE_API_BASE_URL") or "https://api.line.me").rstrip("/"),
        access_token=config["LINE_CHANNEL_ACCESS_TOKEN"],
    )
    with ApiClient(conf) as client:
        MessagingApi(client).push_message(
            PushMessageRequest(to=to, messages=[TextMessage(text=text[:MAX_TEXT])]), _request_timeout=10
        )


def _push(session: Session, config: Mapping[str, Any], claimed: list[int], out: Outcome) -> None:
    """Push the claimed notifications one by one, writing each one's fate into ``out``."""
    N = Notification
    linked = ((LineLink, LineLink.user_id == N.user_id),)
    rows = read_claimed(
        session, claimed, N.message_th, N.match_id, N.need_id, LineLink.line_user_id, outerjoin=linked
    )
    for row in rows:
        if row.status == UserStatus.DISABLED or not row.line_user_id:
            out.failed[row.id] = "no linked LINE account" if row.line_user_id is None else "account disabled"
            continue
        text = f"{row.message_th}\n{link_url(config, row.match_id, row.need_id)}"
        try:
            push_text(config, row.line_user_id, text)
            out.sent.append(row.id)
        except Exception as exc:
            status = getattr(exc, "status", None)
            if isinstance(status, int) and 400 <= status < 500 and status != 429:
                out.failed[row.id] = reason(exc)  # refused for good (a blocked bot, a bad id)
            else:
                out.retry[row.id] = reason(exc)  # unreachable, 429 or 5xx: back off


def _ready() -> Mapping[str, Any] | None:
    config = settings()
    return config if configured(config) else None


LINE = Channel("line", _ready, _push)
#: push pending LINE messages; see :meth:`Channel.send_pending` (nothing happens unless configured)
send_pending = LINE.send_pending

"""E-mail delivery of notifications: the SMTP settings, the message, and the e-mail outbox channel.

Only where SMTP is configured (``SMTP_HOST``); every notification stays in the app whatever happens here.
Claiming, retrying and giving up are the outbox's (services/outbox.py); this module builds the messages
and talks to the SMTP server.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Mapping

from sqlalchemy.orm import Session

from csr_hub.models import Notification, User
from csr_hub.services.outbox import Channel, Outcome, read_claimed, reason

log = logging.getLogger(__name__)

#: set by :func:`configure` when the app is created; an app context's own config wins (several apps
#: may live in one process: tests, a worker beside the web app)
_smtp_settings: dict[str, Any] | None = None
SMTP_KEYS = (
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_FROM",
    "SMTP_STARTTLS",
    "SMTP_TIMEOUT",
)


def configure(config: Mapping[str, Any]) -> None:
    global _smtp_settings
    _smtp_settings = _pick(config)


def _pick(config: Mapping[str, Any]) -> dict[str, Any] | None:
    return {k: config.get(k) for k in SMTP_KEYS} if config.get("SMTP_HOST") else None


def smtp_settings() -> dict[str, Any] | None:
    """The SMTP settings in force: the current app's, else the ones last configured; None = no e-mail."""
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return _pick(current_app.config)
    except ImportError:  # pragma: no cover
        pass
    return _smtp_settings


def _message(cfg: Mapping[str, Any], row) -> EmailMessage:
    """The e-mail of one notification row (id, message_th, message_en, email, lang, status), the reader's
    language first."""
    msg = EmailMessage()
    msg["From"] = cfg.get("SMTP_FROM") or "csr-hub@localhost"
    msg["To"] = row.email
    first = row.message_en if row.lang == "en" else row.message_th
    msg["Subject"] = "CSR Hub: " + first[:120]
    second = row.message_th if row.lang == "en" else row.message_en
    msg.set_content(f"{first}\n\n{second}\n")
    return msg


def _mail(session: Session, cfg: Mapping[str, Any], claimed: list[int], out: Outcome) -> None:
    """Send the claimed notifications over one SMTP connection, writing each one's fate into ``out``."""
    rows = read_claimed(
        session, claimed, Notification.message_th, Notification.message_en, User.email, User.lang
    )
    messages: list[tuple[int, EmailMessage]] = []
    for row in rows:
        if row.status == "disabled":
            out.failed[row.id] = "account disabled"
            continue
        try:
            messages.append((row.id, _message(cfg, row)))
        except Exception as exc:  # e.g. a line break in a header: this message can never be sent
            out.failed[row.id] = "cannot build the message: " + reason(exc)
    if not messages:
        return
    try:
        smtp = smtplib.SMTP(
            cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=float(cfg.get("SMTP_TIMEOUT") or 10)
        )
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP unavailable; %d e-mails stay pending", len(messages))
        for nid, _m in messages:
            out.retry[nid] = "server unreachable: " + reason(exc)
        return
    with smtp:
        try:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            for nid, _m in messages:
                out.retry[nid] = reason(exc)
            return
        _send_each(smtp, messages, out)


def _send_each(smtp: smtplib.SMTP, messages: list[tuple[int, EmailMessage]], out: Outcome) -> None:
    broken: str | None = None
    for nid, msg in messages:
        if broken is not None:
            out.retry[nid] = broken
            continue
        try:
            smtp.send_message(msg)
            out.sent.append(nid)
        except smtplib.SMTPRecipientsRefused as exc:
            out.failed[nid] = "recipient refused: " + reason(exc)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            broken = reason(exc)  # the connection is gone: the rest wait for the next try
            out.retry[nid] = broken
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                out.failed[nid] = "refused by the server: " + reason(exc)
            else:
                out.retry[nid] = reason(exc)
        except Exception as exc:  # a message the library cannot serialise
            out.failed[nid] = "cannot send the message: " + reason(exc)


EMAIL = Channel("email", smtp_settings, _mail)
#: e-mail pending notifications; see :meth:`Channel.send_pending` (nothing happens without SMTP)
send_pending = EMAIL.send_pending

"""Notifications: in the app always, by e-mail where SMTP is configured (retried until sent)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.domain.reference import STATUS_LABELS
from csr_hub.domain.workflow import Actor, whose_turn
from csr_hub.models import Match, Notification, User

log = logging.getLogger(__name__)

ACTION_WORDS = {
    "propose": ("เสนอการจับคู่", "proposed a match"),
    "accept": ("ตอบรับการจับคู่", "accepted the match"),
    "decline": ("ปฏิเสธการจับคู่", "declined the match"),
    "approve": ("อนุมัติการจับคู่", "approved the match"),
    "reject": ("ไม่อนุมัติการจับคู่", "rejected the match"),
    "deliver": ("แจ้งส่งมอบแล้ว", "marked the match delivered"),
    "confirm": ("ยืนยันการรับของ", "confirmed receipt"),
    "withdraw": ("ถอนการจับคู่", "withdrew the match"),
}

#: set by the web layer from the app config; None means no SMTP
_smtp_settings: dict[str, Any] | None = None


def configure(config: Mapping[str, Any]) -> None:
    global _smtp_settings
    _smtp_settings = dict(config) if config.get("SMTP_HOST") else None


def _recipients(session: Session, match: Match) -> set[int]:
    need, offer = match.need, match.offer
    ids: set[int] = set()
    ids.update(session.scalars(sa.select(User.id).where(User.role == "school_staff", User.status == "active",
                                                        User.school_id == need.school_id)))
    ids.update(session.scalars(sa.select(User.id).where(User.role == "company_rep", User.status == "active",
                                                        User.company_id == offer.company_id)))
    turn = whose_turn(match.status, match.proposed_by)
    if turn == Actor.DIRECTOR:
        ids.update(session.scalars(sa.select(User.id).where(User.role == "district_director", User.status == "active",
                                                            User.district_id == match.district_id)))
    elif turn == Actor.CENTRAL:
        ids.update(session.scalars(sa.select(User.id).where(User.role == "central_officer", User.status == "active")))
    return ids


def match_changed(session: Session, match: Match, actor: User, action: str) -> None:
    th, en = ACTION_WORDS.get(action, (action, action))
    st_th, st_en = STATUS_LABELS.get(match.status, (match.status, match.status))
    title = match.need.title[:80]
    value = money.format_baht(match.value_thb, "th")
    msg_th = f"{actor.full_name} {th} #{match.id} «{title}» ({match.quantity} {match.need.unit}, {value}) — สถานะ: {st_th}"
    msg_en = f"{actor.full_name} {en} #{match.id} “{title}” ({match.quantity} {match.need.unit}, " \
             f"{money.format_baht(match.value_thb, 'en')}) — status: {st_en}"
    email_status = "pending" if _smtp_settings else "none"
    for uid in sorted(_recipients(session, match)):
        if uid == actor.id:
            continue
        session.add(Notification(user_id=uid, match_id=match.id, message_th=msg_th, message_en=msg_en,
                                 email_status=email_status))


def send_pending(session: Session, limit: int = 200) -> tuple[int, int]:
    """Send e-mails of pending notifications; a failure stays pending to be retried. Returns (sent, failed)."""
    if not _smtp_settings:
        return 0, 0
    rows = list(session.scalars(sa.select(Notification).where(Notification.email_status == "pending")
                                .order_by(Notification.id).limit(limit)))
    sent = failed = 0
    if not rows:
        return 0, 0
    cfg = _smtp_settings
    try:
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=10)
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
    except (OSError, smtplib.SMTPException):
        log.warning("SMTP unavailable; %d e-mails stay pending", len(rows))
        for n in rows:
            n.email_attempts += 1
        session.commit()
        return 0, len(rows)
    with smtp:
        for n in rows:
            user = session.get(User, n.user_id)
            if user is None or user.status == "disabled":
                n.email_status = "failed"
                continue
            msg = EmailMessage()
            msg["From"] = cfg.get("SMTP_FROM") or "csr-hub@localhost"
            msg["To"] = user.email
            msg["Subject"] = "CSR Hub: " + (n.message_en if user.lang == "en" else n.message_th)[:120]
            msg.set_content(f"{n.message_th}\n\n{n.message_en}\n")
            try:
                smtp.send_message(msg)
                n.email_status = "sent"
                sent += 1
            except (OSError, smtplib.SMTPException):
                n.email_attempts += 1
                failed += 1
    session.commit()
    return sent, failed


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0

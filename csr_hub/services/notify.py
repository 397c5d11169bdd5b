"""Notifications: in the app always, by e-mail where SMTP is configured (retried until sent)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any, Iterable, Mapping

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
#: a notification claimed for sending longer ago than this is taken to be abandoned (its sender died)
STALE_SENDING_MINUTES = 15


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


def _recipients(session: Session, match: Match) -> set[int]:
    """Both parties (every active user of the school and of the company) and the approver whose turn it is."""
    need, offer = match.need, match.offer
    ids: set[int] = set()
    ids.update(
        session.scalars(
            sa.select(User.id).where(
                User.role == "school_staff", User.status == "active", User.school_id == need.school_id
            )
        )
    )
    ids.update(
        session.scalars(
            sa.select(User.id).where(
                User.role == "company_rep", User.status == "active", User.company_id == offer.company_id
            )
        )
    )
    turn = whose_turn(match.status, match.proposed_by)
    if turn == Actor.DIRECTOR:
        ids.update(
            session.scalars(
                sa.select(User.id).where(
                    User.role == "district_director",
                    User.status == "active",
                    User.district_id == match.district_id,
                )
            )
        )
    elif turn == Actor.CENTRAL:
        ids.update(
            session.scalars(sa.select(User.id).where(User.role == "central_officer", User.status == "active"))
        )
    return ids


def match_changed(session: Session, match: Match, actor: User, action: str) -> list[Notification]:
    """Add a notification for everyone concerned but the actor, in the caller's transaction."""
    th, en = ACTION_WORDS.get(action, (action, action))
    st_th, st_en = STATUS_LABELS.get(match.status, (match.status, match.status))
    title = match.need.title[:80]
    msg_th = (
        f"{actor.full_name} {th} #{match.id} «{title}» ({match.quantity} {match.need.unit}, "
        f"{money.format_baht(match.value_thb, 'th')}) — สถานะ: {st_th}"
    )
    msg_en = (
        f"{actor.full_name} {en} #{match.id} “{title}” ({match.quantity} {match.need.unit}, "
        f"{money.format_baht(match.value_thb, 'en')}) — status: {st_en}"
    )
    return notify_users(
        session,
        _recipients(session, match),
        Kind.MATCH_CHANGED,
        message_th=msg_th,
        message_en=msg_en,
        match_id=match.id,
        need_id=match.need_id,
        offer_id=match.offer_id,
        exclude=actor.id,
    )


class Kind:
    """The notification kinds of the spec (Notifications)."""

    MATCH_CHANGED = "match_changed"
    NEW_STRONG_MATCH = "new_strong_match"
    REMINDER = "reminder"
    ESCALATED = "escalated"
    PARTNERSHIP_CHANGED = "partnership_changed"


KINDS = (Kind.MATCH_CHANGED, Kind.NEW_STRONG_MATCH, Kind.REMINDER, Kind.ESCALATED, Kind.PARTNERSHIP_CHANGED)


def notify_users(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    *,
    message_th: str,
    message_en: str,
    match_id: int | None = None,
    need_id: int | None = None,
    offer_id: int | None = None,
    partnership_id: int | None = None,
    dedupe_key: str | None = None,
    exclude: int | None = None,
) -> list[Notification]:
    """Add one notification per user in the caller's transaction (the one door every feature uses).

    With ``dedupe_key``, a user who already has a notification with that key gets none (a reminder or an
    alert is sent once); the unique (user_id, dedupe_key) constraint holds this even when two runs race.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({int(u) for u in user_ids if u is not None and u != exclude})
    if not ids:
        return []
    if dedupe_key is not None:
        seen = set(
            session.scalars(
                sa.select(Notification.user_id).where(
                    Notification.dedupe_key == dedupe_key, Notification.user_id.in_(ids)
                )
            )
        )
        ids = [u for u in ids if u not in seen]
    email_status = "pending" if smtp_settings() else "none"
    out = []
    for uid in ids:
        n = Notification(
            user_id=uid,
            kind=kind,
            match_id=match_id,
            need_id=need_id,
            offer_id=offer_id,
            partnership_id=partnership_id,
            dedupe_key=dedupe_key,
            message_th=message_th,
            message_en=message_en,
            email_status=email_status,
        )
        session.add(n)
        out.append(n)
    return out


def _claim(session: Session, ids: Iterable[int]) -> list[int]:
    """Mark pending notifications ``sending`` (one attempt more); only the claims this call won."""
    won = []
    for nid in ids:
        res = session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, Notification.email_status == "pending")
            .values(email_status="sending", email_attempts=Notification.email_attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:
            won.append(nid)
    return won


def send_pending(
    session: Session, limit: int = 200, match_id: int | None = None, reclaim_stale: bool = False
) -> tuple[int, int]:
    """E-mail pending notifications (only those of ``match_id`` when given). Returns (sent, still pending).

    Commits: each notification is first claimed (``pending`` → ``sending``) in a short transaction, so two
    senders never mail the same one and no database lock is held while talking to the SMTP server. One
    that cannot be sent goes back to ``pending`` for ``flask notify retry``.
    """
    cfg = smtp_settings()
    if not cfg:
        return 0, 0
    if reclaim_stale:
        stale = datetime.now(timezone.utc) - timedelta(minutes=STALE_SENDING_MINUTES)
        session.execute(
            sa.update(Notification)
            .where(Notification.email_status == "sending", Notification.created_at < stale)
            .values(email_status="pending")
            .execution_options(synchronize_session=False)
        )
    q = sa.select(Notification.id).where(Notification.email_status == "pending")
    if match_id is not None:
        q = q.where(Notification.match_id == match_id)
    claimed = _claim(session, session.scalars(q.order_by(Notification.id).limit(limit)).all())
    session.commit()
    if not claimed:
        return 0, 0
    sent: list[int] = []
    dead: list[int] = []
    try:
        smtp = smtplib.SMTP(
            cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=float(cfg.get("SMTP_TIMEOUT") or 10)
        )
    except (OSError, smtplib.SMTPException):
        log.warning("SMTP unavailable; %d e-mails stay pending", len(claimed))
        smtp = None
    if smtp is not None:
        try:
            with smtp:
                if cfg.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if cfg.get("SMTP_USER"):
                    smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
                # plain rows, then end the read transaction: nothing is loaded while talking to the server
                rows = session.execute(
                    sa.select(
                        Notification.id,
                        Notification.message_th,
                        Notification.message_en,
                        User.email,
                        User.lang,
                        User.status,
                    )
                    .join(User, User.id == Notification.user_id)
                    .where(Notification.id.in_(claimed))
                    .order_by(Notification.id)
                ).all()
                session.commit()
                for row in rows:
                    if row.status == "disabled":
                        dead.append(row.id)
                        continue
                    try:
                        smtp.send_message(_message(cfg, row))
                        sent.append(row.id)
                    except smtplib.SMTPRecipientsRefused:
                        dead.append(row.id)
                    except (OSError, smtplib.SMTPException):
                        log.warning("sending notification %s failed; it stays pending", row.id)
        except (OSError, smtplib.SMTPException):
            log.warning("SMTP session failed; unsent e-mails stay pending")
    unsent = [i for i in claimed if i not in sent and i not in dead]
    for status, group in (("sent", sent), ("failed", dead), ("pending", unsent)):
        if group:
            session.execute(
                sa.update(Notification)
                .where(Notification.id.in_(group), Notification.email_status == "sending")
                .values(email_status=status)
                .execution_options(synchronize_session=False)
            )
    session.commit()
    return len(sent), len(claimed) - len(sent) - len(dead)


def send_for_match(session: Session, match_id: int) -> None:
    """After a transition committed: try to e-mail its notifications now. Never fails the caller: what
    cannot be sent stays pending for ``flask notify retry``."""
    if not smtp_settings():
        return
    try:
        send_pending(session, match_id=match_id)
    except Exception:  # the transition is committed; a mail or lock problem must not turn it into an error
        session.rollback()
        log.exception("sending the e-mails of match %s failed; they stay pending", match_id)


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


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )

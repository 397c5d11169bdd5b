"""Notifications: in the app always, by e-mail where SMTP is configured (retried until sent)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.policy import Role
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
                User.role == Role.SCHOOL_STAFF, User.status == "active", User.school_id == need.school_id
            )
        )
    )
    ids.update(
        session.scalars(
            sa.select(User.id).where(
                User.role == Role.COMPANY_REP, User.status == "active", User.company_id == offer.company_id
            )
        )
    )
    turn = whose_turn(match.status, match.proposed_by)
    if turn == Actor.DIRECTOR:
        ids.update(
            session.scalars(
                sa.select(User.id).where(
                    User.role == Role.DISTRICT_DIRECTOR,
                    User.status == "active",
                    User.district_id == match.district_id,
                )
            )
        )
    elif turn == Actor.CENTRAL:
        ids.update(
            session.scalars(
                sa.select(User.id).where(User.role == Role.CENTRAL_OFFICER, User.status == "active")
            )
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
    mail_on = smtp_settings() is not None
    email_off, line_to = _channels(session, ids, kind)
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
            email_status="pending" if mail_on and uid not in email_off else "none",
            line_status="pending" if uid in line_to else "none",
        )
        session.add(n)
        out.append(n)
    return out


#: a message that failed for a passing reason (server down, timeout) is retried after 1, 2, 4 … minutes,
#: at most :data:`MAX_BACKOFF_MINUTES` apart, and given up (``failed``) after :data:`MAX_ATTEMPTS`
MAX_ATTEMPTS = 8
MAX_BACKOFF_MINUTES = 12 * 60


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(0, attempts - 1), MAX_BACKOFF_MINUTES))


def _reason(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text[:300]


class Outcome:
    """What became of one claimed message: ``sent``, ``failed`` (for good) or ``retry`` (back off)."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.failed: dict[int, str] = {}
        self.retry: dict[int, str] = {}


def _channels(session: Session, ids: list[int], kind: str) -> tuple[set[int], set[int]]:
    """(users who turned e-mail off for ``kind``, users to reach by LINE for it)."""
    from csr_hub.models import ChannelPreference, LineLink
    from csr_hub.services import line

    prefs = {
        p.user_id: p
        for p in session.scalars(
            sa.select(ChannelPreference).where(
                ChannelPreference.user_id.in_(ids), ChannelPreference.kind == kind
            )
        )
    }
    email_off = {u for u, p in prefs.items() if not p.email}
    line_to: set[int] = set()
    if line.configured():
        linked = session.scalars(
            sa.select(LineLink.user_id).where(LineLink.user_id.in_(ids), LineLink.line_user_id.is_not(None))
        )
        line_to = {u for u in linked if u not in prefs or prefs[u].line}
    return email_off, line_to


def _claim(session: Session, ids: Iterable[int], channel: str = "email") -> list[int]:
    """Mark pending messages ``sending`` (one attempt more); only the claims this call won."""
    status, attempts, claimed_at = _columns(channel)[:3]
    now = datetime.now(timezone.utc)
    won = []
    for nid in ids:
        values: dict[str, Any] = {status.key: "sending", attempts.key: attempts + 1}
        if claimed_at is not None:
            values[claimed_at.key] = now
        res = session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:
            won.append(nid)
    return won


def _columns(channel: str):
    """(status, attempts, claimed_at, error, next_at) columns of a channel."""
    if channel == "email":
        N = Notification
        return N.email_status, N.email_attempts, N.email_claimed_at, N.email_error, N.email_next_at
    N = Notification
    return N.line_status, N.line_attempts, None, N.line_error, N.line_next_at


def _pending_ids(
    session: Session, channel: str, limit: int, match_id: int | None, due_only: bool, reclaim_stale: bool
) -> list[int]:
    status, _attempts, claimed_at, _error, next_at = _columns(channel)
    now = datetime.now(timezone.utc)
    if reclaim_stale:  # a sender that died left these claimed: give them back
        stale = now - timedelta(minutes=STALE_SENDING_MINUTES)
        since = sa.func.coalesce(claimed_at, Notification.created_at) if claimed_at is not None else None
        session.execute(
            sa.update(Notification)
            .where(status == "sending", (since if since is not None else Notification.created_at) < stale)
            .values({status.key: "pending"})
            .execution_options(synchronize_session=False)
        )
    q = sa.select(Notification.id).where(status == "pending")
    if match_id is not None:
        q = q.where(Notification.match_id == match_id)
    if due_only:
        q = q.where(sa.or_(next_at.is_(None), next_at <= now))
    return list(session.scalars(q.order_by(Notification.id).limit(limit)))


def _settle(session: Session, channel: str, claimed: list[int], out: Outcome) -> tuple[int, int]:
    """Write every claimed message's outcome; none is left ``sending``. Returns (sent, still pending)."""
    status, attempts, _claimed_at, error, next_at = _columns(channel)
    now = datetime.now(timezone.utc)
    unknown = [i for i in claimed if i not in out.sent and i not in out.failed and i not in out.retry]
    for i in unknown:
        out.retry[i] = "not attempted"
    if out.sent:
        session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(out.sent), status == "sending")
            .values({status.key: "sent", error.key: "", next_at.key: None})
            .execution_options(synchronize_session=False)
        )
    for nid, why in out.failed.items():
        session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "sending")
            .values({status.key: "failed", error.key: why[:300], next_at.key: None})
            .execution_options(synchronize_session=False)
        )
    still = 0
    tries = dict(
        session.execute(sa.select(Notification.id, attempts).where(Notification.id.in_(out.retry))).all()
    )
    for nid, why in out.retry.items():
        n = int(tries.get(nid) or 0)
        if n >= MAX_ATTEMPTS:
            values = {
                status.key: "failed",
                error.key: f"gave up after {n} attempts: {why}"[:300],
                next_at.key: None,
            }
        else:
            values = {status.key: "pending", error.key: why[:300], next_at.key: now + backoff(n)}
            still += 1
        session.execute(
            sa.update(Notification)
            .where(Notification.id == nid, status == "sending")
            .values(values)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return len(out.sent), still


def send_pending(
    session: Session,
    limit: int = 200,
    match_id: int | None = None,
    reclaim_stale: bool = False,
    due_only: bool = False,
) -> tuple[int, int]:
    """E-mail pending notifications (only those of ``match_id`` when given). Returns (sent, still pending).

    Commits: each notification is first claimed (``pending`` → ``sending``) in a short transaction, so two
    senders never mail the same one and no database lock is held while talking to the SMTP server. Each
    message stands alone: one that cannot be built (a header with a line break) or is refused is marked
    ``failed`` with its reason, one that met a passing fault goes back to ``pending`` with a backoff
    (``due_only`` leaves those not yet due), and whatever happens none stays ``sending``.
    """
    cfg = smtp_settings()
    if not cfg:
        return 0, 0
    ids = _pending_ids(session, "email", limit, match_id, due_only, reclaim_stale)
    claimed = _claim(session, ids)
    session.commit()
    if not claimed:
        return 0, 0
    out = Outcome()
    try:
        _mail(session, cfg, claimed, out)
    except Exception as exc:  # never leave claims behind, whatever went wrong
        session.rollback()
        log.exception("sending e-mails failed")
        for nid in claimed:
            if nid not in out.sent and nid not in out.failed:
                out.retry.setdefault(nid, _reason(exc))
    finally:
        result = _settle(session, "email", claimed, out)
    return result


def _mail(session: Session, cfg: Mapping[str, Any], claimed: list[int], out: Outcome) -> None:
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
    messages: list[tuple[int, EmailMessage]] = []
    for row in rows:
        if row.status == "disabled":
            out.failed[row.id] = "account disabled"
            continue
        try:
            messages.append((row.id, _message(cfg, row)))
        except Exception as exc:  # e.g. a line break in a header: this message can never be sent
            out.failed[row.id] = "cannot build the message: " + _reason(exc)
    if not messages:
        return
    try:
        smtp = smtplib.SMTP(
            cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=float(cfg.get("SMTP_TIMEOUT") or 10)
        )
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP unavailable; %d e-mails stay pending", len(messages))
        for nid, _m in messages:
            out.retry[nid] = "server unreachable: " + _reason(exc)
        return
    with smtp:
        try:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            for nid, _m in messages:
                out.retry[nid] = _reason(exc)
            return
        broken: str | None = None
        for nid, msg in messages:
            if broken is not None:
                out.retry[nid] = broken
                continue
            try:
                smtp.send_message(msg)
                out.sent.append(nid)
            except smtplib.SMTPRecipientsRefused as exc:
                out.failed[nid] = "recipient refused: " + _reason(exc)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                broken = _reason(exc)  # the connection is gone: the rest wait for the next try
                out.retry[nid] = broken
            except smtplib.SMTPResponseException as exc:
                if 500 <= exc.smtp_code < 600:
                    out.failed[nid] = "refused by the server: " + _reason(exc)
                else:
                    out.retry[nid] = _reason(exc)
            except Exception as exc:  # a message the library cannot serialise
                out.failed[nid] = "cannot send the message: " + _reason(exc)


def deliver_due(session: Session, limit: int = 1000) -> int:
    """Send what is due on every configured channel (the scheduler's and ``jobs tick``'s sweep)."""
    sent = 0
    try:
        sent += send_pending(session, limit=limit, reclaim_stale=True, due_only=True)[0]
    except Exception:
        session.rollback()
        log.exception("the e-mail sweep failed")
    try:
        from csr_hub.services import line

        sent += line.send_pending(session, limit=limit, reclaim_stale=True, due_only=True)[0]
    except Exception:
        session.rollback()
        log.exception("the LINE sweep failed")
    return sent


def send_for_match(session: Session, match_id: int) -> None:
    """After a transition committed: try to send its notifications now. Never fails the caller: what
    cannot be sent stays pending for ``flask notify retry``."""
    from csr_hub.services import line

    for name, send in (("e-mails", send_pending), ("LINE messages", line.send_pending)):
        try:
            send(session, match_id=match_id)
        except (
            Exception
        ):  # the transition is committed; a mail or lock problem must not turn it into an error
            session.rollback()
            log.exception("sending the %s of match %s failed; they stay pending", name, match_id)


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

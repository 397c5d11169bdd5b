"""Notifications in the app: who is told of what, and the one door every feature adds them through.

Every notification is shown in the app; where a channel is configured it also goes out by e-mail
(services/mail.py) or LINE (services/line.py), through the outbox those share (services/outbox.py).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.domain.policy import Role, UserStatus
from csr_hub import labels
from csr_hub.labels import _p
from csr_hub.domain.workflow import Actor, whose_turn
from csr_hub.models import Match, Notification, User
from csr_hub.services import line, mail
from csr_hub.services.mail import configure, send_pending, smtp_settings  # noqa: F401 (callers' names)
from csr_hub.services.outbox import (  # noqa: F401 (callers' names)
    MAX_ATTEMPTS,
    MAX_BACKOFF_MINUTES,
    STALE_SENDING_MINUTES,
    Outcome,
    backoff,
)

log = logging.getLogger(__name__)


class Kind:
    """The notification kinds of the spec (Notifications)."""

    MATCH_CHANGED = "match_changed"
    NEW_STRONG_MATCH = "new_strong_match"
    REMINDER = "reminder"
    ESCALATED = "escalated"
    PARTNERSHIP_CHANGED = "partnership_changed"


#: what a notification may link to
LINKS = frozenset({"match_id", "need_id", "offer_id", "partnership_id"})

KINDS = (Kind.MATCH_CHANGED, Kind.NEW_STRONG_MATCH, Kind.REMINDER, Kind.ESCALATED, Kind.PARTNERSHIP_CHANGED)

#: what the actor did, as the message says it (the workflow's action codes)
ACTION_WORDS = {
    "propose": _p("match action", "proposed a match"),
    "accept": _p("match action", "accepted the match"),
    "decline": _p("match action", "declined the match"),
    "approve": _p("match action", "approved the match"),
    "reject": _p("match action", "rejected the match"),
    "deliver": _p("match action", "marked the match delivered"),
    "confirm": _p("match action", "confirmed receipt"),
    "withdraw": _p("match action", "withdrew the match"),
}
#: the messages (Thai and English from the one catalogue; a notification stores both)
MATCH_CHANGED = _p(
    "notification", "{actor} {action} #{id} “{title}” ({quantity} {unit}, {value}) — status: {status}"
)
MATCH_REF = _p("notification", "#{id} “{title}”")


def match_ref(match: Match) -> labels.Param:
    """``#12 “title”`` in the reader's language (one line: it may become an e-mail subject)."""
    title = " ".join(match.need.title.split())[:80]
    return lambda lang: labels.say(MATCH_REF, lang, id=match.id, title=title)


# -- who is told --------------------------------------------------------------------------------------
def users_for(session: Session, match: Match, actors: Iterable[Actor | None]) -> set[int]:
    """The active users standing as ``actors`` towards ``match`` (None among them is passed over)."""
    ids: set[int] = set()
    for actor in set(actors):
        if actor == Actor.DIRECTOR:
            who = sa.and_(User.role == Role.DISTRICT_DIRECTOR, User.district_id == match.district_id)
        elif actor == Actor.CENTRAL:
            who = User.role == Role.CENTRAL_OFFICER
        elif actor == Actor.SCHOOL:
            who = sa.and_(User.role == Role.SCHOOL_STAFF, User.school_id == match.need.school_id)
        elif actor == Actor.COMPANY:
            who = sa.and_(User.role == Role.COMPANY_REP, User.company_id == match.offer.company_id)
        else:
            continue
        ids.update(session.scalars(sa.select(User.id).where(who, User.status == UserStatus.ACTIVE)))
    return ids


def match_changed(session: Session, match: Match, actor: User, action: str) -> list[Notification]:
    """Tell both parties (every active user of the school and of the company) and the approver whose turn
    it is, but not the actor, in the caller's transaction."""
    msg_th, msg_en = labels.say_both(
        MATCH_CHANGED,
        actor=actor.full_name,
        action=ACTION_WORDS.get(action, action),
        id=match.id,
        title=match.need.title[:80],
        quantity=match.quantity,
        unit=match.need.unit,
        value=lambda lang: money.format_baht(match.value_thb, lang),
        status=labels.STATUSES.get(match.status, match.status),
    )
    turn = whose_turn(match.status, match.proposed_by)
    told = users_for(session, match, (Actor.SCHOOL, Actor.COMPANY, turn))
    return notify_users(session, told, Kind.MATCH_CHANGED, msg_th, msg_en, about=match, exclude=actor.id)


# -- the one door -------------------------------------------------------------------------------------
def notify_users(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    message_th: str,
    message_en: str,
    *,
    about: Match | None = None,
    links: Mapping[str, int | None] | None = None,
    dedupe_key: str | None = None,
    exclude: int | None = None,
) -> list[Notification]:
    """Add one notification per user in the caller's transaction (the one door every feature uses).

    ``about``: the match it is about (it is then linked to the match, its need and its offer); ``links``
    otherwise: what it links to, of ``need_id``, ``offer_id``, ``partnership_id``. With ``dedupe_key``, a
    user who already has a notification with that key gets none (a reminder or an alert is sent once); the
    unique (user_id, dedupe_key) constraint holds this even when two runs race.
    """
    if about is not None:
        links = {"match_id": about.id, "need_id": about.need_id, "offer_id": about.offer_id}
    links = dict(links or {})
    if set(links) - LINKS:
        raise ValueError(f"unknown links {sorted(set(links) - LINKS)}")
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
            **links,
            dedupe_key=dedupe_key,
            message_th=message_th,
            message_en=message_en,
            email_status="pending" if mail_on and uid not in email_off else "none",
            line_status="pending" if uid in line_to else "none",
        )
        session.add(n)
        out.append(n)
    return out


def _channels(session: Session, ids: list[int], kind: str) -> tuple[set[int], set[int]]:
    """(users who turned e-mail off for ``kind``, users to reach by LINE for it)."""
    from csr_hub.models import ChannelPreference, LineLink

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


# -- sending ------------------------------------------------------------------------------------------
#: the channels besides the app itself, by the name the logs give them
CHANNELS = (("e-mail", mail.EMAIL), ("LINE", line.LINE))


def deliver_due(session: Session, limit: int = 1000) -> int:
    """Send what is due on every configured channel (the scheduler's and ``jobs tick``'s sweep)."""
    sent = 0
    for name, channel in CHANNELS:
        try:
            sent += channel.send_pending(session, limit=limit, reclaim_stale=True, due_only=True)[0]
        except Exception:
            session.rollback()
            log.exception("the %s sweep failed", name)
    return sent


def send_for_match(session: Session, match_id: int) -> None:
    """After a transition committed: try to send its notifications now. Never fails the caller: what
    cannot be sent stays pending for ``flask notify retry``."""
    for name, channel in CHANNELS:
        try:
            channel.send_pending(session, match_id=match_id)
        except (
            Exception
        ):  # the transition is committed; a mail or lock problem must not turn it into an error
            session.rollback()
            log.exception("sending the %s messages of match %s failed; they stay pending", name, match_id)


def unread_select(user_id: Any) -> sa.Select:
    """The count of a user's unread notifications (``user_id`` a number, or ``User.id`` to correlate it)."""
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(unread_select(user_id)) or 0

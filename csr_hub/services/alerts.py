"""``new_strong_match`` alerts (SPEC, Notifications): a post that is a ``strong`` suggestion for the other
side's open posts tells that side's users, once per need–offer pair, for at most ``MAX_PAIRS`` pairs of
one post, in the caller's transaction (the request itself: no job queue is needed).

- An offer posted or edited → the staff of the schools whose open needs it matches ``strong``.
- A need posted → the reps of the companies whose open offers it matches ``strong``; and, while the
  school has an active partnership, the partner company's reps whatever the band (once per need and
  company).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.labels import _p, say_both
from csr_hub.domain.policy import Band, Role, UserStatus
from csr_hub.models import Need, Offer, User
from csr_hub.services import notify, suggestions

#: at most this many pairs of one post are announced (the best first)
MAX_PAIRS = 20


def _users(session: Session, role: Role, column, ids: Iterable[int]) -> dict[int, list[int]]:
    ids = sorted(set(ids))
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    rows = session.execute(
        sa.select(column, User.id).where(column.in_(ids), User.role == role, User.status == UserStatus.ACTIVE)
    )
    for owner, uid in rows:
        out.setdefault(owner, []).append(uid)
    return out


def pair_key(need_id: int, offer_id: int) -> str:
    return f"new_strong_match:{need_id}:{offer_id}"


@dataclass(frozen=True)
class Notice:
    """One ``new_strong_match`` to announce: to whom, what it says, which posts it links."""

    users: Sequence[int]
    th: str
    en: str
    need_id: int
    offer_id: int | None
    dedupe_key: str


def _send(session: Session, notices: Iterable[Notice], actor_id: int | None) -> int:
    """Add the notices (each once per user: ``dedupe_key``); the actor is not told. Returns how many."""
    sent = 0
    for n in notices:
        added = notify.notify_users(
            session,
            n.users,
            notify.Kind.NEW_STRONG_MATCH,
            message_th=n.th,
            message_en=n.en,
            links={"need_id": n.need_id, "offer_id": n.offer_id},
            dedupe_key=n.dedupe_key,
            exclude=actor_id,
        )
        sent += len(added)
    return sent


#: a strong pair, told to the side whose post was already there (``mine``); a partner school's new need
_NEW_OFFER = _p("notification", "A new offer strongly matches your need “{mine}”: {theirs} (score {score:g})")
_NEW_NEED = _p("notification", "A new need strongly matches your offer “{mine}”: {theirs} (score {score:g})")
_PARTNER_NEED = _p("notification", "Your partner school posted a new need: {title}")


def _strong(need: Need, offer: Offer, score: Any, users: dict[int, list[int]], saved: str) -> Notice:
    """The notice of one strong pair, to the other side of the post just ``saved`` ("need" / "offer")."""
    if saved == "offer":
        owner, words, mine, theirs = need.school_id, _NEW_OFFER, need.title, offer.title
    else:
        owner, words, mine, theirs = offer.company_id, _NEW_NEED, offer.title, need.title
    th, en = say_both(words, mine=mine, theirs=theirs, score=score.total)
    return Notice(users.get(owner, ()), th, en, need.id, offer.id, pair_key(need.id, offer.id))


def offer_saved(session: Session, offer: Offer, actor_id: int | None = None) -> int:
    """Tell the schools whose open needs this offer strongly matches. Returns the notifications added."""
    ranked = suggestions.for_offer(session, offer, limit=MAX_PAIRS, band=Band.STRONG)
    staff = _users(session, Role.SCHOOL_STAFF, User.school_id, (n.school_id for n, _ in ranked))
    return _send(session, [_strong(n, offer, s, staff, "offer") for n, s in ranked], actor_id)


def need_saved(session: Session, need: Need, actor_id: int | None = None) -> int:
    """Tell the companies whose open offers this need strongly matches, and the school's partners."""
    ranked = suggestions.for_need(session, need, limit=suggestions.MAX_LIMIT)
    partners = suggestions.partner_companies(session, need.school_id)
    strong = [(o, s) for o, s in ranked if s.band == Band.STRONG][:MAX_PAIRS]
    reps = _users(
        session, Role.COMPANY_REP, User.company_id, [o.company_id for o, _ in strong] + list(partners)
    )
    notices = [_strong(need, o, s, reps, "need") for o, s in strong]
    best_of: dict[int, Offer] = {}
    for offer, _s in ranked:
        best_of.setdefault(offer.company_id, offer)
    for company_id in sorted(partners):
        best = best_of.get(company_id)
        notices.append(
            Notice(
                reps.get(company_id, ()),
                *say_both(_PARTNER_NEED, title=need.title),
                need.id,
                best.id if best is not None else None,
                f"new_strong_match:partner:{need.id}:{company_id}",
            )
        )
    return _send(session, notices, actor_id)

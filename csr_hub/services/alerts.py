"""``new_strong_match`` alerts (SPEC, Notifications): a post that is a ``strong`` suggestion for the other
side's open posts tells that side's users, once per need–offer pair, for at most ``MAX_PAIRS`` pairs of
one post, in the caller's transaction (the request itself: no job queue is needed).

- An offer posted or edited → the staff of the schools whose open needs it matches ``strong``.
- A need posted → the reps of the companies whose open offers it matches ``strong``; and, while the
  school has an active partnership, the partner company's reps whatever the band (once per need and
  company).
"""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

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


def offer_saved(session: Session, offer: Offer, actor_id: int | None = None) -> int:
    """Tell the schools whose open needs this offer strongly matches. Returns the notifications added."""
    ranked = suggestions.for_offer(session, offer, limit=MAX_PAIRS, band=Band.STRONG)
    staff = _users(session, Role.SCHOOL_STAFF, User.school_id, (n.school_id for n, _ in ranked))
    sent = 0
    for need, score in ranked:
        sent += len(
            notify.notify_users(
                session,
                staff.get(need.school_id, ()),
                notify.Kind.NEW_STRONG_MATCH,
                message_th=f"ข้อเสนอใหม่ตรงกับความต้องการ “{need.title}”: {offer.title} (คะแนน {score.total:g})",
                message_en=f"A new offer strongly matches your need “{need.title}”: {offer.title} "
                f"(score {score.total:g})",
                need_id=need.id,
                offer_id=offer.id,
                dedupe_key=pair_key(need.id, offer.id),
                exclude=actor_id,
            )
        )
    return sent


def need_saved(session: Session, need: Need, actor_id: int | None = None) -> int:
    """Tell the companies whose open offers this need strongly matches, and the school's partners."""
    ranked = suggestions.for_need(session, need, limit=suggestions.MAX_LIMIT)
    partners = suggestions.partner_companies(session, need.school_id)
    strong = [(o, s) for o, s in ranked if s.band == Band.STRONG][:MAX_PAIRS]
    reps = _users(
        session, Role.COMPANY_REP, User.company_id, [o.company_id for o, _ in strong] + list(partners)
    )
    sent = 0
    for offer, score in strong:
        sent += len(
            notify.notify_users(
                session,
                reps.get(offer.company_id, ()),
                notify.Kind.NEW_STRONG_MATCH,
                message_th=f"ความต้องการใหม่ตรงกับข้อเสนอ “{offer.title}”: {need.title} (คะแนน {score.total:g})",
                message_en=f"A new need strongly matches your offer “{offer.title}”: {need.title} "
                f"(score {score.total:g})",
                need_id=need.id,
                offer_id=offer.id,
                dedupe_key=pair_key(need.id, offer.id),
                exclude=actor_id,
            )
        )
    best_of = {}
    for offer, _s in ranked:
        best_of.setdefault(offer.company_id, offer)
    for company_id in sorted(partners):
        offer = best_of.get(company_id)
        sent += len(
            notify.notify_users(
                session,
                reps.get(company_id, ()),
                notify.Kind.NEW_STRONG_MATCH,
                message_th=f"โรงเรียนคู่พัฒนาของคุณโพสต์ความต้องการใหม่: {need.title}",
                message_en=f"Your partner school posted a new need: {need.title}",
                need_id=need.id,
                offer_id=offer.id if offer is not None else None,
                dedupe_key=f"new_strong_match:partner:{need.id}:{company_id}",
                exclude=actor_id,
            )
        )
    return sent

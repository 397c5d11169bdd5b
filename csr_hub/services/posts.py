"""Needs and offers written: create, update, and close (a need is cancelled, an offer withdrawn).

A need and an offer go through the same steps (:func:`_create`, :func:`_update`, :func:`_close`); a
:class:`Side` holds what differs between them: the model, its own fields, its words, what follows a save.
The lists and the reading of one need or offer are in services/post_lists.py (re-exported here).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import analysis
from csr_hub.domain.policy import MatchStatus, Role, UserStatus
from csr_hub.domain.reference import URGENCY_RANK
from csr_hub.domain.workflow import HOLDING_STATUSES
from csr_hub.models import Match, Need, Offer, Province, User
from csr_hub.services import audit, duplicates, validation
from csr_hub.services.errors import AccountPending, Conflict, Forbidden
from csr_hub.services.listing import Page, paginate, parse_paging, search_terms  # noqa: F401 (callers' names)
from csr_hub.services.post_lists import (  # noqa: F401 (callers' names)
    NEED_LOAD,
    NEED_SORTS,
    OFFER_LOAD,
    get_need,
    get_offer,
    list_needs,
    list_offers,
    need_query,
    offer_query,
)

#: matches in these statuses still hold quantity that cancelling, withdrawing or editing would silently
#: release; a completed match is settled (its received quantity stays held) and blocks none of them
IN_FLIGHT = tuple(s for s in HOLDING_STATUSES if s != MatchStatus.COMPLETED)


def analyse_text(title: str, description: str) -> tuple[str, str]:
    """(search_text, item_kinds) stored with a post; bulk loaders call it too, so rows agree with the app."""
    pa = analysis.analyse_post(title or "", description or "")
    return pa.search, pa.item_kinds


def holds_quantity(session: Session, post: Need | Offer) -> bool:
    """Whether a match in flight holds quantity on this need or offer (it cannot be edited or closed)."""
    column = Match.need_id if isinstance(post, Need) else Match.offer_id
    q = sa.select(Match.id).where(column == post.id, Match.status.in_(IN_FLIGHT)).limit(1)
    return session.scalar(q) is not None


def can_edit_need(actor: User, need: Need) -> bool:
    return actor.role == Role.SCHOOL_STAFF and actor.school_id == need.school_id


def can_set_budget(actor: User, need: Need) -> bool:
    if actor.role == Role.CENTRAL_OFFICER:
        return True
    return actor.role == Role.DISTRICT_DIRECTOR and need.school.district_id == actor.district_id


def can_edit_offer(actor: User, offer: Offer) -> bool:
    return actor.role == Role.COMPANY_REP and actor.company_id == offer.company_id


# --- what differs between a need and an offer --------------------------------------------------------
#: why a need or an offer is refused, side by side; whole sentences, so that each is translated as one
IS_CLOSED = {"need": _l("This need is cancelled."), "offer": _l("This offer is withdrawn.")}
ALREADY_CLOSED = {
    "need": _l("This need is already cancelled."),
    "offer": _l("This offer is already withdrawn."),
}
HELD_ON_EDIT = {
    "need": _l("A match holds quantity on this need; it cannot be edited until the match is withdrawn."),
    "offer": _l("A match holds quantity on this offer; it cannot be edited until the match is withdrawn."),
}
HELD_ON_CLOSE = {
    "need": _l("Matches hold quantity on this need: withdraw them before cancelling."),
    "offer": _l("Matches hold quantity on this offer: withdraw them first."),
}


class Side:
    """A need's or an offer's part in the shared steps."""

    name = ""
    #: the flag set when it is closed ("cancelled" / "withdrawn"), and the audit action that sets it
    closed = ""
    close_action = ""
    #: fields that change nothing a match relies on (editable while a match holds quantity)
    free_fields: frozenset[str] = frozenset()

    def apply(self, post: Any, values: dict[str, Any]) -> None:
        """Set the given fields; the stored text analysis follows a new title or description."""
        for key, value in values.items():
            setattr(post, key, value)
        if "title" in values or "description" in values:
            post.search_text, post.item_kinds = analyse_text(post.title, post.description)

    def saved(self, session: Session, post: Any, actor: User, created: bool) -> None:
        """What follows a create or an update, in the same transaction."""


class NeedSide(Side):
    name, closed, close_action = "need", "cancelled", "cancel"
    free_fields = frozenset({"budget_thb"})

    def apply(self, post: Any, values: dict[str, Any]) -> None:
        super().apply(post, values)
        post.urgency_rank = URGENCY_RANK[post.urgency]

    def saved(self, session: Session, post: Any, actor: User, created: bool) -> None:
        duplicates.flag(session, post)  # stored on posting and on every edit, so reading it stays cheap
        if created:
            from csr_hub.services import alerts  # imported late: alerts → suggestions → posts

            alerts.need_saved(session, post, actor_id=actor.id)


class OfferSide(Side):
    name, closed, close_action = "offer", "withdrawn", "withdraw"

    def apply(self, post: Any, values: dict[str, Any]) -> None:
        values = dict(values)
        if "provinces" in values:
            post.provinces = values.pop("provinces") or []
            post.nationwide = not post.provinces
        super().apply(post, values)

    def saved(self, session: Session, post: Any, actor: User, created: bool) -> None:
        from csr_hub.services import alerts  # imported late: alerts → suggestions → posts

        alerts.offer_saved(session, post, actor_id=actor.id)


NEED, OFFER = NeedSide(), OfferSide()


# --- the shared steps ----------------------------------------------------------------------------------
def _may_write(actor: User, allowed: bool) -> None:
    if not allowed:
        raise Forbidden()
    if actor.status != UserStatus.ACTIVE:
        raise AccountPending()


def _lock(session: Session, post: Need | Offer) -> None:
    """Re-read the need or offer under its row lock before deciding on it. A concurrent ``accept`` takes
    the same lock in its conditional UPDATE (matches._hold), so cancel / withdraw / edit and accept are
    serialised: whichever comes second sees the other's result and answers 409. (PostgreSQL; on SQLite
    ``BEGIN IMMEDIATE`` already serialises the two write transactions and FOR UPDATE is left out.)"""
    model = type(post)
    session.execute(sa.select(model.id).where(model.id == post.id).with_for_update())
    session.refresh(post)


def _create(session: Session, actor: User, side: Side, post: Any, values: dict[str, Any], ip: str) -> Any:
    side.apply(post, values)
    session.add(post)
    session.flush()
    audit.record_on(session, f"{side.name}.create", post, by=actor, ip=ip)
    side.saved(session, post, actor, created=True)
    return post


def _update(session: Session, actor: User, side: Side, post: Any, values: dict[str, Any], ip: str) -> Any:
    _lock(session, post)
    if getattr(post, side.closed):
        raise Conflict(IS_CLOSED[side.name])
    content = {k: v for k, v in values.items() if k not in side.free_fields}
    if content and holds_quantity(session, post):
        raise Conflict(HELD_ON_EDIT[side.name])
    if "quantity" in content and content["quantity"] < post.committed_quantity:
        raise Conflict(_l("The quantity cannot go below what matches already hold."))
    side.apply(post, values)
    post.updated_at = datetime.now(timezone.utc)
    session.flush()
    audit.record_on(session, f"{side.name}.update", post, by=actor, ip=ip, fields=sorted(values))
    side.saved(session, post, actor, created=False)
    return post


def _close(session: Session, actor: User, side: Side, post: Any, ip: str) -> Any:
    _lock(session, post)
    if getattr(post, side.closed):
        raise Conflict(ALREADY_CLOSED[side.name])
    if holds_quantity(session, post):
        raise Conflict(HELD_ON_CLOSE[side.name])
    setattr(post, side.closed, True)
    setattr(post, f"{side.closed}_at", datetime.now(timezone.utc))
    audit.record_on(session, f"{side.name}.{side.close_action}", post, by=actor, ip=ip)
    return post


# --- needs -----------------------------------------------------------------------------------------
def create_need(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> Need:
    _may_write(actor, actor.role == Role.SCHOOL_STAFF and actor.school_id is not None)
    values = validation.need_input(data)
    return _create(session, actor, NEED, Need(school_id=actor.school_id, created_by_id=actor.id), values, ip)


def update_need(session: Session, actor: User, need: Need, data: dict[str, Any], ip: str = "") -> Need:
    """The school's staff change the content, the ESA's director or a central officer the budget; from
    anyone else a field is ignored, like every field a user may not set."""
    editor, budgeter = can_edit_need(actor, need), can_set_budget(actor, need)
    _may_write(actor, editor or budgeter)
    values = validation.need_changes(data, content=editor, budget=budgeter)
    return _update(session, actor, NEED, need, values, ip)


def cancel_need(session: Session, actor: User, need: Need, ip: str = "") -> Need:
    _may_write(actor, can_edit_need(actor, need))
    return _close(session, actor, NEED, need, ip)


# --- offers ----------------------------------------------------------------------------------------
def _province_rows(session: Session):
    """The offer schema's reader of ``provinces``: the codes' rows, every code known."""

    def read(value: Any) -> list[Province]:
        codes = validation.province_codes(value)
        if not codes:
            return []
        rows = list(session.scalars(sa.select(Province).where(Province.code.in_(codes))))
        if len(rows) != len(codes):
            raise ValueError(_l("Unknown province code."))
        return rows

    return read


def create_offer(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> Offer:
    _may_write(actor, actor.role == Role.COMPANY_REP and actor.company_id is not None)
    values = validation.offer_input(data, _province_rows(session))
    return _create(
        session, actor, OFFER, Offer(company_id=actor.company_id, created_by_id=actor.id), values, ip
    )


def update_offer(session: Session, actor: User, offer: Offer, data: dict[str, Any], ip: str = "") -> Offer:
    _may_write(actor, can_edit_offer(actor, offer))
    return _update(session, actor, OFFER, offer, validation.offer_changes(data, _province_rows(session)), ip)


def withdraw_offer(session: Session, actor: User, offer: Offer, ip: str = "") -> Offer:
    _may_write(actor, can_edit_offer(actor, offer))
    return _close(session, actor, OFFER, offer, ip)

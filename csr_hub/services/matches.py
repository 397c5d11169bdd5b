"""Matches: propose, act through the workflow, list what a user may see.

Capacity and transitions are guarded in the database: every transition is a conditional UPDATE on the
match's status and version, and every change to held quantity a conditional UPDATE on the need or offer
(``committed + q <= quantity``, also a CHECK). A lost race changes nothing and answers 409.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.domain.policy import MatchStatus, Role
from csr_hub.domain import money, policy, workflow
from csr_hub.domain.reference import today_bangkok
from csr_hub.domain.workflow import ACTIVE_STATUSES, Actor
from csr_hub.models import Match, Need, Offer, School, User
from csr_hub.services import clock, history, notify
from csr_hub.services.errors import AccountPending, Conflict, Forbidden, NotFound, ValidationFailed, invalid
from csr_hub.services.listing import Page, one, paginate, where_ids, where_statuses
from csr_hub.services.validation import NOTE_MAX, parse_int, text_problem


def actor_for(user: User, match_need: Need, match_offer: Offer) -> Actor:
    if user.role == Role.SCHOOL_STAFF and user.school_id == match_need.school_id:
        return Actor.SCHOOL
    if user.role == Role.COMPANY_REP and user.company_id == match_offer.company_id:
        return Actor.COMPANY
    if user.role == Role.DISTRICT_DIRECTOR and user.district_id == match_need.school.district_id:
        return Actor.DIRECTOR
    if user.role == Role.CENTRAL_OFFICER:
        return Actor.CENTRAL
    return Actor.NONE


def can_see(user: User, match: Match) -> bool:
    """Its school's staff, its company's reps, its ESA's director, officers; a pending account never
    (the private data of the school or company it claims stays hidden until it is verified)."""
    if not policy.is_active(user):
        return False
    if policy.is_national(user):
        return True
    return actor_for(user, match.need, match.offer) != Actor.NONE


def visible_query(user: User):
    q = sa.select(Match)
    if not policy.is_active(user):
        return q.where(sa.false())
    if user.role in (Role.CENTRAL_OFFICER, Role.ADMIN):
        return q
    if user.role == Role.SCHOOL_STAFF:
        return q.join(Need, Match.need_id == Need.id).where(Need.school_id == (user.school_id or -1))
    if user.role == Role.COMPANY_REP:
        return q.join(Offer, Match.offer_id == Offer.id).where(Offer.company_id == (user.company_id or -1))
    if user.role == Role.DISTRICT_DIRECTOR:
        return q.where(Match.district_id == (user.district_id or -1))
    return q.where(sa.false())


MATCH_LOAD = (
    joinedload(Match.need).joinedload(Need.school).joinedload(School.district),
    joinedload(Match.offer).joinedload(Offer.company),
    selectinload(Match.history),
)
#: lists load the related rows after the LIMIT: joined before it, PostgreSQL joined every match first
LIST_LOAD = (
    selectinload(Match.need).selectinload(Need.school).selectinload(School.district),
    selectinload(Match.offer).selectinload(Offer.company),
    selectinload(Match.history),
)


def get_match(session: Session, user: User, match_id: int) -> Match:
    return one(session, Match, match_id, MATCH_LOAD, lambda m: can_see(user, m))


def list_matches(session: Session, user: User, args: dict[str, Any], page: int, per_page: int) -> Page:
    from csr_hub.models import District

    errors: dict[str, list[object]] = {}
    q = visible_query(user)
    q = where_statuses(q, Match.status, args, workflow.STATUSES, errors)
    q = where_ids(q, args, {"need_id": Match.need_id, "offer_id": Match.offer_id}, errors)
    dcode = args.get("district")
    if dcode:
        district = session.scalar(sa.select(District).where(District.code == dcode))
        if district is None:
            errors["district"] = [_l("Unknown district (ESA) code.")]
        else:
            q = q.where(Match.district_id == district.id)
    sort = args.get("sort") or "newest"
    if sort not in SORTS:
        errors["sort"] = [_l("Choose one of the listed values.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return paginate(session, q, SORTS[sort], page, per_page, LIST_LOAD)


#: ``waiting``: longest in its current status first (a queue); ``updated_at`` is set by every transition
SORTS = {
    "newest": (Match.created_at.desc(), Match.id.desc()),
    "oldest": (Match.created_at.asc(), Match.id.asc()),
    "waiting": (Match.updated_at.asc(), Match.id.asc()),
    #: soonest due first (overdue ones lead), those without a deadline last (services/clock/deadlines.py)
    "due": (sa.nulls_last(Match.due_on.asc()), Match.id.asc()),
}


def _hold(session: Session, model, obj_id: int, delta: int, today) -> bool:
    """Change held quantity by ``delta`` if it stays within [0, quantity] (and, to take more, open)."""
    if delta == 0:
        return True
    stmt = (
        sa.update(model).where(model.id == obj_id).values(committed_quantity=model.committed_quantity + delta)
    )
    if delta > 0:
        stmt = stmt.where(model.committed_quantity + delta <= model.quantity)
        if model is Need:
            stmt = stmt.where(Need.cancelled.is_(False), Need.expired.is_(False))
        else:
            stmt = stmt.where(
                Offer.withdrawn.is_(False),
                sa.or_(Offer.available_until.is_(None), Offer.available_until >= today),
            )
    else:
        stmt = stmt.where(model.committed_quantity + delta >= 0)
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def propose(session: Session, user: User, data: dict[str, Any], ip: str = "") -> Match:
    if user.role not in (Role.SCHOOL_STAFF, Role.COMPANY_REP):
        raise Forbidden()
    data = data if isinstance(data, dict) else {}
    errors: dict[str, list[object]] = {}
    ids = {}
    for name in ("need_id", "offer_id"):
        try:
            ids[name] = parse_int(1, 2**31 - 1)(data.get(name))
        except ValueError as exc:
            errors[name] = [exc.args[0]]
    try:
        # any whole number from 1: one above what remains on the need or the offer is a 409 below, however
        # large (SPEC, Matches), not a 422
        quantity = parse_int(1, 2**63 - 1)(data.get("quantity"))
    except ValueError:
        errors["quantity"] = [_l("Enter a whole number of at least 1.")]
    try:
        note = _note(data.get("note"))
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    need = session.scalar(sa.select(Need).options(joinedload(Need.school)).where(Need.id == ids["need_id"]))
    offer = session.get(Offer, ids["offer_id"])
    if need is None or offer is None:
        raise ValidationFailed(fields={("need_id" if need is None else "offer_id"): [_l("Not found.")]})
    if user.role == Role.SCHOOL_STAFF and user.school_id == need.school_id:
        side = "school"
    elif user.role == Role.COMPANY_REP and user.company_id == offer.company_id:
        side = "company"
    else:
        raise Forbidden()
    if user.status != "active":
        raise AccountPending()
    today = today_bangkok()
    if need.status != "open" or offer.status_on(today) != "open":
        raise Conflict(_l("The need or the offer is not open."))
    if offer.provinces and need.school.province_code not in {p.code for p in offer.provinces}:
        raise Conflict(_l("This offer does not serve the school's province."))
    if quantity > need.remaining_quantity or quantity > offer.remaining_quantity:
        raise Conflict(_l("The quantity is more than what remains on the need or the offer."))
    existing = session.scalar(
        sa.select(Match.id).where(
            Match.need_id == need.id, Match.offer_id == offer.id, Match.status.in_(ACTIVE_STATUSES)
        )
    )
    if existing is not None:
        raise Conflict(_l("An active match of this need and offer already exists."))
    score, parts = _score(session, need, offer)
    match = Match(
        need_id=need.id,
        offer_id=offer.id,
        quantity=quantity,
        value_thb=money.pro_rata(offer.value_thb, offer.quantity, quantity),
        status="proposed",
        proposed_by=side,
        proposed_by_user_id=user.id,
        score=score,
        parts=parts,
        district_id=need.school.district_id,
        due_on=clock.due_on_for("proposed", today),
    )
    session.add(match)
    try:
        session.flush()
    except IntegrityError:  # a concurrent proposal of the same pair won (uq_matches_active_pair)
        raise Conflict(_l("An active match of this need and offer already exists.")) from None
    history.record_step(session, match, "propose", None, MatchStatus.PROPOSED, by=user, ip=ip, note=note)
    session.flush()
    notify.match_changed(session, match, user, "propose")
    return match


def _note(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid("note", _l("Enter text."))
    if (problem := text_problem(value, multiline=True)) is not None:
        raise invalid("note", problem)
    if len(value) > NOTE_MAX:
        raise invalid("note", _l("Use at most %(n)s characters.", n=f"{NOTE_MAX:,}"))
    return value.strip()


def _score(session: Session, need: Need, offer: Offer) -> tuple[float, dict]:
    try:
        from csr_hub.services import suggestions

        return suggestions.score_pair(session, need, offer)
    except Exception:  # the score is informative; a scoring problem must not block a proposal
        import logging

        logging.getLogger(__name__).exception("scoring failed")
        return 0.0, {}


def act(
    session: Session, user: User, match_id: int, data: dict[str, Any], threshold: object, ip: str = ""
) -> Match:
    """Take a workflow action. On any refusal nothing is written that the caller's rollback will not undo.

    A user who has no part in the match (another school, company or ESA, an admin) gets 403, not 404: the
    contract answers "not your scope" for actions. The caller rolls back on every ServiceError (the web
    layer's handlers do), which undoes a transition whose capacity update then failed.
    """
    data = data if isinstance(data, dict) else {}
    match = session.scalar(sa.select(Match).options(*MATCH_LOAD).where(Match.id == match_id))
    if match is None:
        raise NotFound()
    actor = actor_for(user, match.need, match.offer)
    if actor == Actor.NONE:
        raise Forbidden()
    if user.status != "active":
        raise AccountPending()
    action = data.get("action")
    if not isinstance(action, str) or action not in workflow.ACTIONS:
        raise invalid(
            "action", _l("Choose one of: accept, decline, approve, reject, deliver, confirm, withdraw.")
        )
    rules = dict(
        proposed_by=match.proposed_by,
        quantity=match.quantity,
        value_thb=match.value_thb,
        threshold_thb=money.to_decimal(threshold),
        escalated=match.escalated_at is not None,
    )
    try:
        decision = workflow.decide(action, match.status, actor, **rules)
    except workflow.Forbidden:
        raise Forbidden() from None
    except workflow.IllegalTransition:
        raise Conflict(
            _l("This action is not allowed while the match is %(status)s.", status=status_label(match.status))
        ) from None
    note = _note(data.get("note"))
    if action == "reject" and not note:
        raise invalid("note", _l("Give a reason for rejecting."))
    received = None
    if action == "confirm":
        try:
            received = parse_int(0, match.quantity)(data.get("received_quantity"))
        except ValueError:
            raise invalid(
                "received_quantity", _l("Enter the quantity received, from 0 to %(n)s.", n=match.quantity)
            ) from None
        decision = workflow.decide(action, match.status, actor, received_quantity=received, **rules)
    from_status, version = match.status, match.version
    now = datetime.now(timezone.utc)
    values: dict[str, Any] = {"status": decision.to_status, "version": version + 1, "updated_at": now}
    values["due_on"] = clock.due_on_for(decision.to_status, today_bangkok(), match.need.needed_by)
    if received is not None:
        values["received_quantity"] = received
        values["received_value_thb"] = money.pro_rata(match.value_thb, match.quantity, received)
    res = session.execute(
        sa.update(Match)
        .where(Match.id == match.id, Match.version == version, Match.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise Conflict(_l("Someone else changed this match just now; reload and try again."))
    today = today_bangkok()
    if not _hold(session, Need, match.need_id, decision.need_delta, today):
        raise Conflict(
            _l("The need does not have enough remaining quantity for this, or it is no longer open.")
        )
    if not _hold(session, Offer, match.offer_id, decision.offer_delta, today):
        raise Conflict(
            _l("The offer does not have enough remaining quantity for this, or it is no longer open.")
        )
    history.record_step(
        session, match, action, from_status, decision.to_status, by=user, ip=ip, note=note, at=now
    )
    session.flush()
    session.expire_all()
    match = session.scalar(sa.select(Match).options(*MATCH_LOAD).where(Match.id == match_id))
    notify.match_changed(session, match, user, action)
    return match


def status_label(status: str) -> str:
    """The status's label in the request's language (English outside a request)."""
    from flask_babel import get_locale

    from csr_hub import labels

    try:
        lang = str(get_locale() or "en")
    except Exception:  # outside a request
        lang = "en"
    return labels.label(labels.STATUSES, status, "th" if lang == "th" else "en")


def is_users_turn(user: User, match: Match) -> bool:
    """Is the match waiting for this user (the counterparty, the approver, the deliverer, the receiver)?"""
    if user.status != "active":
        return False
    turn = workflow.whose_turn(match.status, match.proposed_by)
    actor = actor_for(user, match.need, match.offer)
    escalated = match.escalated_at is not None
    if escalated and actor in workflow.approvers_turn(match.status, match.proposed_by, escalated):
        return True
    return turn is not None and turn == actor


def allowed_actions_for(user: User, match: Match) -> list[str]:
    if user.status != "active":
        return []
    actor = actor_for(user, match.need, match.offer)
    return workflow.allowed_actions(
        match.status, actor, proposed_by=match.proposed_by, escalated=match.escalated_at is not None
    )

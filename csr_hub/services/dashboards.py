"""What each role's landing page shows: its own posts, what waits for it, its approval queue, its figures,
and beside each waiting match the school's other open needs and the company's delivery record."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.policy import DELIVERED_OR_FURTHER, MatchStatus, NeedStatus, Role, role_of
from csr_hub.models import AuditEvent, Match, Need, Offer, User
from csr_hub.services import accounts, clock, duplicates, matches, posts, reports
from csr_hub.services.listing import Page, paginate

#: approval-queue cards per dashboard page (``/dashboard?page=N``): a large ESA's director pages through
#: its queue instead of one page rendering every waiting pledge
QUEUE_PAGE = 20
#: the queue's order in SQL, as ``clock.queue_order`` sorts a page: escalated first, then soonest due
#: (overdue first; a row the clock has not yet given a due date last), then oldest
QUEUE_ORDER = (Match.escalated_at.is_(None), sa.nulls_last(Match.due_on.asc()), Match.id.asc())
#: the key under which a role's builder returns its sections' loaders
SECTIONS = "sections"


def _queue(session: Session, user: User, waiting: Any, page: int) -> Page:
    """One page of the matches waiting for this approver, with how many wait in all (two statements and
    the page's related rows, however long the queue)."""
    q = matches.visible_query(user).where(waiting)
    found = paginate(session, q, QUEUE_ORDER, page, QUEUE_PAGE, matches.LIST_LOAD)
    found.items = clock.queue_order(found.items)
    return found


def _visible(session: Session, user: User, args: dict[str, str], n: int = 50) -> list[Match]:
    return matches.list_matches(session, user, args, 1, n).items


def _my_turn(session: Session, user: User, statuses: str) -> list[Match]:
    """Matches in ``statuses`` whose next step is the user's, the longest waiting first."""
    rows = _visible(session, user, {"status": statuses, "sort": "waiting"}, 100)
    return [m for m in rows if matches.is_users_turn(user, m)]


def _pending_users(session: Session, user: User) -> list[User]:
    return list(session.scalars(accounts.verifiable_users_query(user).limit(100)))


def _unrecognised(session: Session, model: Any, still_up: Any) -> list:
    """Posts the vocabulary found no item in (newest first), for the central officers to teach it."""
    query = sa.select(model).where(model.item_kinds == "", still_up).order_by(model.id.desc()).limit(50)
    return list(session.scalars(query))


def _school(session: Session, user: User, page: int) -> dict[str, Any]:
    mine = {"status": "all", "school_id": user.school_id}
    return {
        SECTIONS: {"needs": lambda: {"needs": posts.list_needs(session, mine, 1, 100).items}},
        "waiting": _my_turn(session, user, "proposed,delivered"),
        "matches": _visible(session, user, {}),
    }


def _company(session: Session, user: User, page: int) -> dict[str, Any]:
    mine = _visible(session, user, {})
    return {
        "offers": posts.list_offers(session, {"status": "all", "company_id": user.company_id}, 1, 100).items,
        "waiting": _my_turn(session, user, "proposed,approved"),
        "matches": mine,
        "certificates": [m for m in mine if m.status == MatchStatus.COMPLETED],
    }


def _queue_section(session: Session, user: User, waiting: Any, page: int) -> Callable[[], dict[str, Any]]:
    """The approval queue's rows, their page and the context beside each card, read when called."""

    def load() -> dict[str, Any]:
        queue = _queue(session, user, waiting, page)
        return {"queue": queue.items, "queue_page": queue, **context_for(session, queue.items)}

    return load


def _director(session: Session, user: User, page: int) -> dict[str, Any]:
    district = user.district
    code = district.code if district else ""
    return {
        SECTIONS: {
            "queue": _queue_section(session, user, Match.status == MatchStatus.PLEDGED, page),
            "needs": lambda: {"needs": posts.list_needs(session, {"district": code}, 1, 20).items},
            "duplicates": lambda: {
                "duplicates": duplicates.for_district(session, user.district_id) if user.district_id else []
            },
            "partnerships": dict,  # the template reads the ESA's partnerships when it is rendered
        },
        "summary": reports.summary(session, district_id=user.district_id),
        "pending_users": _pending_users(session, user),
    }


def _central(session: Session, user: User, page: int) -> dict[str, Any]:
    # an ESA-approved match, or a pledged one the clock escalated past its director
    waiting = sa.or_(
        Match.status == MatchStatus.DISTRICT_APPROVED,
        sa.and_(Match.status == MatchStatus.PLEDGED, Match.escalated_at.is_not(None)),
    )
    return {
        SECTIONS: {
            "queue": _queue_section(session, user, waiting, page),
            "unrecognised": lambda: {
                "unrecognised_needs": _unrecognised(session, Need, Need.cancelled.is_(False)),
                "unrecognised_offers": _unrecognised(session, Offer, Offer.withdrawn.is_(False)),
            },
        },
        "summary": reports.summary(session),
        "pending_users": _pending_users(session, user),
    }


def _admin(session: Session, user: User, page: int) -> dict[str, Any]:
    return {
        "summary": reports.summary(session),
        "pending_users": _pending_users(session, user),
        "audit": list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(100))),
        "user_count": session.scalar(sa.select(sa.func.count(User.id))),
    }


_BY_ROLE: dict[Role, Callable[[Session, User, int], dict[str, Any]]] = {
    Role.SCHOOL_STAFF: _school,
    Role.COMPANY_REP: _company,
    Role.DISTRICT_DIRECTOR: _director,
    Role.CENTRAL_OFFICER: _central,
    Role.ADMIN: _admin,
}


def context_for(session: Session, rows: list[Match]) -> dict[str, dict[int, int]]:
    """Beside each waiting match: its school's open needs, its company's delivered matches (two queries)."""
    schools = {m.need.school_id for m in rows}
    companies = {m.offer.company_id for m in rows}
    school_needs: dict[int, int] = {}
    company_record: dict[int, int] = {}
    if schools:
        school_needs = dict(
            session.execute(
                sa.select(Need.school_id, sa.func.count())  # count(*): from the index alone
                .where(Need.school_id.in_(schools), Need.status_clause(NeedStatus.OPEN))
                .group_by(Need.school_id)
            ).all()
        )
    if companies:
        company_record = dict(
            session.execute(
                sa.select(Offer.company_id, sa.func.count(Match.id))
                .join(Match, Match.offer_id == Offer.id)
                .where(Offer.company_id.in_(companies), Match.status.in_(DELIVERED_OR_FURTHER))
                .group_by(Offer.company_id)
            ).all()
        )
    return {"school_needs": school_needs, "company_record": company_record}


def parts_for(
    session: Session, user: User, page: int = 1
) -> tuple[dict[str, Any], dict[str, Callable[[], dict[str, Any]]]]:
    """The user's dashboard as what is always read and the sections a page may keep rendered (the
    approval queue, an ESA's newest needs: most of a director's page), each a loader of its rows called
    only when the section must be rendered; ``page`` is the approval queue's page (approvers only)."""
    build = _BY_ROLE.get(role_of(user))
    shown = build(session, user, page) if build else {}
    sections = shown.pop(SECTIONS, {})
    if "waiting" in shown:
        shown.update(context_for(session, shown["waiting"]))
    return shown, sections


def for_user(session: Session, user: User, page: int = 1) -> dict[str, Any]:
    """The user's dashboard, every section read: what their role sees, with the context of each match
    that waits."""
    shown, sections = parts_for(session, user, page)
    for load in sections.values():
        shown.update(load())
    return shown

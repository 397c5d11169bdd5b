"""Partnerships: a company adopts a school for one to five years; the school's ESA director decides."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.labels import _p, say_both
from csr_hub.domain.policy import (
    PartnershipStatus,
    Role,
    UserStatus,
    is_active,
    may_see_tenant,
    role_of,
)
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import (
    Company,
    Partnership,
    PartnershipTransition,
    School,
    User,
)
from csr_hub.services import history, notify
from csr_hub.services.scope import tenant_clause
from csr_hub.services.errors import AccountPending, Conflict, Forbidden, NotFound, ValidationFailed, invalid
from csr_hub.services.partnership_figures import (  # noqa: F401 (re-exported for the pages and the API)
    add_years,
    figures_by_district,
    for_district,
    open_needs,
    public_for_company,
    year_bounds,
    years,
)
from csr_hub.services.listing import Page, one, paginate, where_ids, where_statuses


def _covering(on: date | None):
    day = on or today_bangkok()
    return (
        Partnership.status == PartnershipStatus.ACTIVE.value,
        Partnership.starts_on <= day,
        Partnership.ends_on >= day,
    )


def active_partner_company_ids(session: Session, school_id: int, on: date | None = None) -> set[int]:
    """Companies with an active partnership with this school on ``on`` (default today, Asia/Bangkok)."""
    rows = session.scalars(
        sa.select(Partnership.company_id).where(Partnership.school_id == school_id, *_covering(on))
    )
    return set(rows)


def active_partner_school_ids(session: Session, company_id: int, on: date | None = None) -> set[int]:
    """Schools this company has an active partnership with on ``on`` (default today, Asia/Bangkok)."""
    rows = session.scalars(
        sa.select(Partnership.school_id).where(Partnership.company_id == company_id, *_covering(on))
    )
    return set(rows)


# -- rules ------------------------------------------------------------------------------------------------
MAX_YEARS = 5
ACTIONS = ("accept", "decline", "end")
#: the statuses that block a second, overlapping partnership of the same pair
OPEN_STATUSES = (PartnershipStatus.PROPOSED.value, PartnershipStatus.ACTIVE.value)


class Side(StrEnum):
    """How the acting user stands towards one partnership."""

    COMPANY = "company"  # a rep of the partner company
    DIRECTOR = "director"  # a director of the school's ESA
    NONE = "none"


#: (action, from status) → (who may take it, to status, note required)
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[Side], str, bool]] = {
    ("accept", PartnershipStatus.PROPOSED): (frozenset({Side.DIRECTOR}), PartnershipStatus.ACTIVE, False),
    ("decline", PartnershipStatus.PROPOSED): (frozenset({Side.DIRECTOR}), PartnershipStatus.DECLINED, True),
    ("end", PartnershipStatus.ACTIVE): (
        frozenset({Side.COMPANY, Side.DIRECTOR}),
        PartnershipStatus.ENDED,
        True,
    ),
}


def side_of(user: User, p: Partnership) -> Side:
    if not is_active(user):
        return Side.NONE
    role = role_of(user)
    if role == Role.COMPANY_REP and user.company_id == p.company_id:
        return Side.COMPANY
    if role == Role.DISTRICT_DIRECTOR and user.district_id == p.district_id:
        return Side.DIRECTOR
    return Side.NONE


def may_ever(action: str, side: Side) -> bool:
    return any(a == action and side in who for (a, _s), (who, _to, _n) in TRANSITIONS.items())


def allowed_actions(user: User, p: Partnership) -> list[str]:
    side = side_of(user, p)
    return [a for (a, s), (who, _to, _n) in TRANSITIONS.items() if s == p.status and side in who]


def can_see(user: User, p: Partnership) -> bool:
    return may_see_tenant(user, school_id=p.school_id, company_id=p.company_id, district_id=p.district_id)


def visible_query(user: User):
    return sa.select(Partnership).where(
        tenant_clause(
            user,
            school_id=Partnership.school_id,
            company_id=Partnership.company_id,
            district_id=Partnership.district_id,
        )
    )


LOAD = (
    joinedload(Partnership.school).joinedload(School.district),
    joinedload(Partnership.company),
    selectinload(Partnership.history).joinedload(PartnershipTransition.actor),
)


# -- use cases --------------------------------------------------------------------------------------------
def _overlapping(session: Session, company_id: int, school_id: int, start: date, end: date, skip: int = 0):
    return session.scalar(
        sa.select(Partnership.id).where(
            Partnership.company_id == company_id,
            Partnership.school_id == school_id,
            Partnership.status.in_(OPEN_STATUSES),
            Partnership.starts_on <= end,
            Partnership.ends_on >= start,
            Partnership.id != skip,
        )
    )


def create(session: Session, user: User, data: dict[str, Any], ip: str = "") -> Partnership:
    """Propose a partnership; ``data`` is already validated (see the marshmallow input schema)."""
    if role_of(user) != Role.COMPANY_REP or not user.company_id:
        raise Forbidden()
    if not is_active(user):
        raise AccountPending()
    # the school's row is locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) so two
    # simultaneous proposals of the same pair cannot both pass the overlap check
    school = session.scalar(sa.select(School).where(School.id == data["school_id"]).with_for_update())
    if school is None:
        raise invalid("school_id", _l("Unknown school."))
    start, end = data["starts_on"], data["ends_on"]
    if _overlapping(session, user.company_id, school.id, start, end):
        raise Conflict(_l("Your company already has a proposed or active partnership with this school then."))
    p = Partnership(
        company_id=user.company_id,
        school_id=school.id,
        district_id=school.district_id,
        starts_on=start,
        ends_on=end,
        plan=data["plan"],
        yearly_value_thb=data["yearly_value_thb"],
        status=PartnershipStatus.PROPOSED.value,
        proposed_by_user_id=user.id,
    )
    session.add(p)
    session.flush()
    history.record_step(session, p, "propose", None, p.status, by=user, ip=ip)
    session.flush()
    _notify(session, p, user, "propose")
    return p


def act(session: Session, user: User, partnership_id: int, data: dict[str, Any], ip: str = "") -> Partnership:
    """Take ``data["action"]``: 403 (role or scope) before 409 (status) before 422 (the note)."""
    p = session.get(Partnership, partnership_id)
    if p is None:
        raise NotFound()
    if not is_active(user):  # a pending account may not write, whatever it claims
        raise AccountPending()
    side = side_of(user, p)
    if side == Side.NONE:
        raise Forbidden()
    action = data.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise invalid("action", _l("Choose one of: accept, decline, end."))
    if not may_ever(action, side):
        raise Forbidden()
    row = TRANSITIONS.get((action, p.status))
    if row is None or side not in row[0]:
        raise Conflict(_l("This action is not allowed while the partnership is %(status)s.", status=p.status))
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise invalid("note", _l("Enter text."))
    note = note.replace("\x00", "").strip()
    if len(note) > 2000:
        raise invalid("note", _l("Use at most %(n)s characters.", n="2,000"))
    if row[2] and not note:
        raise invalid("note", _l("Give a reason."))
    to_status = str(row[1])
    if action == "accept" and _overlapping(
        session, p.company_id, p.school_id, p.starts_on, p.ends_on, skip=p.id
    ):
        raise Conflict(_l("Your company already has a proposed or active partnership with this school then."))
    from_status, version = p.status, p.version
    now = datetime.now(timezone.utc)
    res = session.execute(
        sa.update(Partnership)
        .where(Partnership.id == p.id, Partnership.version == version, Partnership.status == from_status)
        .values(status=to_status, version=version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise Conflict(_l("Someone else changed this partnership just now; reload and try again."))
    history.record_step(session, p, action, from_status, to_status, by=user, ip=ip, note=note, at=now)
    session.flush()
    session.expire_all()
    p = session.get(Partnership, partnership_id)
    _notify(session, p, user, action)
    return p


def get(session: Session, user: User, partnership_id: int) -> Partnership:
    return one(session, Partnership, partnership_id, LOAD, lambda p: can_see(user, p))


def list_partnerships(session: Session, user: User, args: dict[str, Any], page: int, per_page: int) -> Page:
    errors: dict[str, list[object]] = {}
    q = visible_query(user)
    statuses = PartnershipStatus._value2member_map_
    q = where_statuses(q, Partnership.status, args, statuses, errors, everything="all")
    q = where_ids(q, args, {"school_id": Partnership.school_id, "company_id": Partnership.company_id}, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return paginate(session, q, (Partnership.created_at.desc(), Partnership.id.desc()), page, per_page, LOAD)


# -- notifications ---------------------------------------------------------------------------------------
_WORDS = {
    "propose": _p("partnership action", "proposed a school partnership"),
    "accept": _p("partnership action", "accepted the partnership"),
    "decline": _p("partnership action", "declined the partnership"),
    "end": _p("partnership action", "ended the partnership"),
}
CHANGED = _p("notification", "{actor} {action} #{id}: {company} — {school}")


def _notify(session: Session, p: Partnership, actor: User, action: str) -> None:
    """``partnership_changed`` to every party but the actor: the company's reps, the school's staff and its
    ESA's directors (the actor's colleagues included, as for a match)."""
    active = User.status == UserStatus.ACTIVE.value
    company = set(
        session.scalars(
            sa.select(User.id).where(
                User.role == Role.COMPANY_REP.value, User.company_id == p.company_id, active
            )
        )
    )
    school = set(
        session.scalars(
            sa.select(User.id).where(
                sa.or_(
                    sa.and_(User.role == Role.SCHOOL_STAFF.value, User.school_id == p.school_id),
                    sa.and_(User.role == Role.DISTRICT_DIRECTOR.value, User.district_id == p.district_id),
                ),
                active,
            )
        )
    )
    # every party's users but the one who acted, as for a match: the actor's colleagues learn of it too
    recipients = company | school
    school_row = session.get(School, p.school_id)
    company_row = session.get(Company, p.company_id)
    names = {"th": school_row.name_th, "en": school_row.name_en or school_row.name_th} if school_row else {}
    notify.notify_users(
        session,
        recipients,
        notify.Kind.PARTNERSHIP_CHANGED,
        *say_both(
            CHANGED,
            actor=actor.full_name,
            action=_WORDS.get(action, action),
            id=p.id,
            company=company_row.name if company_row else "",
            school=lambda lang: names.get(lang, ""),
        ),
        links={"partnership_id": p.id},
        exclude=actor.id,
    )

"""Who may do what, once: roles, statuses, the status groups and named predicates.

Pure Python (no Flask, no SQLAlchemy). The services call :func:`require`; views and templates ask
:func:`can` (a Jinja global); the role decorators read :data:`ROLE_GROUPS`. The enums are ``StrEnum`` so a
stored ``"pledged"`` and ``MatchStatus.PLEDGED`` compare equal and serialise as the same JSON string.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Callable


class Role(StrEnum):
    SCHOOL_STAFF = "school_staff"
    COMPANY_REP = "company_rep"
    DISTRICT_DIRECTOR = "district_director"
    CENTRAL_OFFICER = "central_officer"
    ADMIN = "admin"


class UserStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    PLEDGED = "pledged"
    DISTRICT_APPROVED = "district_approved"
    APPROVED = "approved"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class NeedStatus(StrEnum):
    OPEN = "open"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class OfferStatus(StrEnum):
    OPEN = "open"
    EXHAUSTED = "exhausted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class Band(StrEnum):
    """How sure the matcher is; ordered best first."""

    STRONG = "strong"
    POSSIBLE = "possible"
    WEAK = "weak"


BAND_ORDER: tuple[Band, ...] = (Band.STRONG, Band.POSSIBLE, Band.WEAK)

# -- roles in groups (the one table the decorators and predicates read) ---------------------------------
#: self-registration may create these roles only
SELF_REGISTERED_ROLES = frozenset({Role.SCHOOL_STAFF, Role.COMPANY_REP})
#: roles that must enrol a TOTP second factor at their first page login
TOTP_ROLES = frozenset({Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN})
#: roles that see every ESA (national scope)
NATIONAL_ROLES = frozenset({Role.CENTRAL_OFFICER, Role.ADMIN})
#: roles that approve matches
APPROVER_ROLES = frozenset({Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER})
#: roles that manage schools and reference data
REFERENCE_MANAGERS = frozenset({Role.CENTRAL_OFFICER, Role.ADMIN})
#: roles that may set a need's government budget
BUDGET_SETTERS = frozenset({Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER})

ROLE_GROUPS: dict[str, frozenset[Role]] = {
    "school": frozenset({Role.SCHOOL_STAFF}),
    "company": frozenset({Role.COMPANY_REP}),
    "director": frozenset({Role.DISTRICT_DIRECTOR}),
    "central": frozenset({Role.CENTRAL_OFFICER}),
    "admin": frozenset({Role.ADMIN}),
    "national": NATIONAL_ROLES,
    "approver": APPROVER_ROLES,
    "reference": REFERENCE_MANAGERS,
    "budget": BUDGET_SETTERS,
    "totp": TOTP_ROLES,
}

# -- status groups (defined once; every layer imports these) --------------------------------------------
#: a match in one of these blocks a second match of the same pair
ACTIVE = frozenset(
    {
        MatchStatus.PROPOSED,
        MatchStatus.PLEDGED,
        MatchStatus.DISTRICT_APPROVED,
        MatchStatus.APPROVED,
        MatchStatus.DELIVERED,
    }
)
#: a match in one of these holds quantity on its need and offer (a completed one: its received quantity)
HOLDING = frozenset(
    {
        MatchStatus.PLEDGED,
        MatchStatus.DISTRICT_APPROVED,
        MatchStatus.APPROVED,
        MatchStatus.DELIVERED,
        MatchStatus.COMPLETED,
    }
)
#: waiting for an approver
WAITING_APPROVAL = frozenset({MatchStatus.PLEDGED, MatchStatus.DISTRICT_APPROVED})
#: nothing leaves these
FINAL = frozenset(
    {
        MatchStatus.COMPLETED,
        MatchStatus.DECLINED,
        MatchStatus.REJECTED,
        MatchStatus.WITHDRAWN,
        MatchStatus.EXPIRED,
    }
)
#: the report stages: a match counts in a stage once it reached it and did not drop out
PLEDGED_OR_FURTHER = HOLDING
APPROVED_OR_FURTHER = frozenset({MatchStatus.APPROVED, MatchStatus.DELIVERED, MatchStatus.COMPLETED})
DELIVERED_OR_FURTHER = frozenset({MatchStatus.DELIVERED, MatchStatus.COMPLETED})
#: need statuses that count in reports as "not cancelled"
COUNTED_NEED_STATUSES = frozenset({NeedStatus.OPEN, NeedStatus.FULFILLED})


def role_of(user: Any) -> Role | None:
    role = getattr(user, "role", None)
    try:
        return Role(role) if role is not None else None
    except ValueError:
        return None


def has_role(user: Any, *groups: str | Role) -> bool:
    """Is the user in one of the named role groups (or roles)?"""
    role = role_of(user)
    if role is None:
        return False
    for g in groups:
        if isinstance(g, Role) or g in Role._value2member_map_:
            if role == g:
                return True
        elif role in ROLE_GROUPS.get(str(g), frozenset()):
            return True
    return False


def is_active(user: Any) -> bool:
    return getattr(user, "status", None) == UserStatus.ACTIVE


def is_pending(user: Any) -> bool:
    return getattr(user, "status", None) == UserStatus.PENDING


def needs_totp(user: Any) -> bool:
    return role_of(user) in TOTP_ROLES


def is_national(user: Any) -> bool:
    return role_of(user) in NATIONAL_ROLES


# -- named predicates ------------------------------------------------------------------------------------
def may_verify(actor: Any, target: Any, target_district_id: int | None = None) -> bool:
    """A director verifies school staff of its ESA; a central officer verifies company reps."""
    if not is_active(actor) or not is_pending(target):
        return False
    if role_of(target) == Role.SCHOOL_STAFF:
        return (
            role_of(actor) == Role.DISTRICT_DIRECTOR
            and target_district_id is not None
            and getattr(actor, "district_id", None) == target_district_id
        )
    if role_of(target) == Role.COMPANY_REP:
        return role_of(actor) == Role.CENTRAL_OFFICER
    return False


def may_see_tenant(
    actor: Any, *, school_id: int | None = None, company_id: int | None = None, district_id: int | None = None
) -> bool:
    """May the actor read the private data of this school / company / ESA? Pending users never may."""
    if not is_active(actor):
        return False
    role = role_of(actor)
    if role in NATIONAL_ROLES:
        return True
    if role == Role.SCHOOL_STAFF:
        return school_id is not None and getattr(actor, "school_id", None) == school_id
    if role == Role.COMPANY_REP:
        return company_id is not None and getattr(actor, "company_id", None) == company_id
    if role == Role.DISTRICT_DIRECTOR:
        return district_id is not None and getattr(actor, "district_id", None) == district_id
    return False


def may_see_match(actor: Any, match: Any) -> bool:
    need, offer = match.need, match.offer
    return may_see_tenant(
        actor, school_id=need.school_id, company_id=offer.company_id, district_id=match.district_id
    )


def report_scope(actor: Any, district_id: int | None) -> bool:
    """May the actor read the reports of ``district_id`` (None: national, which is public)?"""
    if district_id is None:
        return True
    return may_see_tenant(actor, district_id=district_id)


#: named abilities for :func:`can`; each takes (user, obj) and answers True or False
_ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    "verify": lambda u, target: may_verify(u, target, getattr(target, "district_id_for_verify", None)),
    "see_match": may_see_match,
    "manage_reference": lambda u, _o: is_active(u) and role_of(u) in REFERENCE_MANAGERS,
    "manage_vocabulary": lambda u, _o: is_active(u) and role_of(u) == Role.CENTRAL_OFFICER,
    "set_budget": lambda u, _o: is_active(u) and role_of(u) in BUDGET_SETTERS,
    "post_need": lambda u, _o: is_active(u) and role_of(u) == Role.SCHOOL_STAFF,
    "post_offer": lambda u, _o: is_active(u) and role_of(u) == Role.COMPANY_REP,
    "see_national": lambda u, _o: is_active(u) and role_of(u) in NATIONAL_ROLES,
    "approve": lambda u, _o: is_active(u) and role_of(u) in APPROVER_ROLES,
    "decide_partnership": lambda u, _o: is_active(u) and role_of(u) == Role.DISTRICT_DIRECTOR,
    "propose_partnership": lambda u, _o: is_active(u) and role_of(u) == Role.COMPANY_REP,
    "manage_users": lambda u, _o: is_active(u) and role_of(u) == Role.ADMIN,
    "download_certificate": lambda u, m: (
        is_active(u)
        and role_of(u) == Role.COMPANY_REP
        and getattr(m, "status", None) == MatchStatus.COMPLETED
        and getattr(getattr(m, "offer", None), "company_id", None) == getattr(u, "company_id", None)
    ),
}


def register_ability(name: str, predicate: Callable[[Any, Any], bool]) -> None:
    """Let a feature name an ability next to its rule (kept here so there is one table)."""
    _ABILITIES[name] = predicate


def can(user: Any, ability: str, obj: Any = None) -> bool:
    """Templates and views ask this, never ``user.role == …``."""
    pred = _ABILITIES.get(ability)
    if pred is None:
        raise KeyError(f"unknown ability {ability!r}")
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return bool(pred(user, obj))


class PolicyDenied(Exception):
    """The actor may not do this (403)."""

    def __init__(self, ability: str, code: str = "forbidden") -> None:
        super().__init__(ability)
        self.ability = ability
        self.code = code


def require(user: Any, ability: str, obj: Any = None) -> None:
    """Raise :class:`PolicyDenied` unless ``can(user, ability, obj)``; pending users get ``account_pending``."""
    if not can(user, ability, obj):
        raise PolicyDenied(ability, "account_pending" if is_pending(user) else "forbidden")

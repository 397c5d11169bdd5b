"""Schools as reference data: central officers and admins add them and keep their figures up to date.

The API (``POST /api/v1/schools``) and the admin pages both call these functions, so one place decides what a
valid school is.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from csr_hub.domain.policy import REFERENCE_MANAGERS, can
from csr_hub.domain.reference import QUALITY_GROUPS, SCHOOL_CODE_RE
from csr_hub.models import Company, District, Province, School, User
from csr_hub.services import audit
from csr_hub.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from csr_hub.services.validation import Collector, parse_choice, parse_int, parse_text

EDITORS = REFERENCE_MANAGERS
#: the figures an editor may change on an existing school
EDITABLE = ("quality_group", "pupils", "teachers")


def _check_actor(actor: User) -> None:
    if not can(actor, "manage_reference"):
        raise Forbidden()


def schools_query(session: Session | None, args: dict[str, Any] | None = None) -> sa.Select:
    """Schools matching the filters ``q`` (code or Thai/English name), ``quality_group``, ``district`` (ESA
    code) and ``province``; every bad filter is reported at once (422 with each field).

    Also callable as ``schools_query(args)`` (the admin pages' listing helper passes only the filters); the
    ESA and province filters then need a session and are skipped when there is none.
    """
    if args is None and not isinstance(session, Session):
        session, args = None, session  # type: ignore[assignment]
    args = args or {}
    q = sa.select(School)
    errors: dict[str, list] = {}
    group = (args.get("quality_group") or "").strip()
    if group and group not in QUALITY_GROUPS:
        errors["quality_group"] = [_l("Choose one of the listed values.")]
    district = None
    code = (args.get("district") or "").strip()
    if code and session is not None:
        district = session.scalar(sa.select(District).where(District.code == code))
        if district is None:
            errors["district"] = [_l("Unknown district (ESA) code.")]
    province = (args.get("province") or "").strip()
    if province and session is not None and session.get(Province, province) is None:
        errors["province"] = [_l("Unknown province code.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if group:
        q = q.where(School.quality_group == group)
    if district is not None:
        q = q.where(School.district_id == district.id)
    if province:
        q = q.where(School.province_code == province)
    text = (args.get("q") or "").strip()[:100]
    if text:
        q = q.where(
            sa.or_(
                School.name_th.contains(text, autoescape=True),
                School.name_en.icontains(text, autoescape=True),
                School.code.contains(text, autoescape=True),
            )
        )
    return q


def companies_query(args: dict[str, Any]) -> sa.Select:
    """Verified companies whose name contains ``q`` (the public list)."""
    q = sa.select(Company).where(Company.verified.is_(True))
    text = (args.get("q") or "").strip()[:100]
    if text:
        q = q.where(Company.name.icontains(text, autoescape=True))
    return q


def get_school(session: Session, school_id: int) -> School:
    s = session.scalar(sa.select(School).options(joinedload(School.district)).where(School.id == school_id))
    if s is None:
        raise NotFound()
    return s


def create_school(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> School:
    """A new school. Raises Forbidden, ValidationFailed (per field) or Conflict (the code exists)."""
    _check_actor(actor)
    c = Collector(data)
    c.take("code", parse_text(10, 10), required=True, partial=False)
    c.take("name_th", parse_text(200, 1), required=True, partial=False)
    c.take("name_en", parse_text(200), required=False, partial=False, default="")
    c.take("district_code", parse_text(16, 1), required=True, partial=False)
    c.take("province_code", parse_text(2, 2), required=False, partial=False)
    c.take("quality_group", parse_choice(QUALITY_GROUPS), required=False, partial=False, default="core")
    c.take("pupils", parse_int(0, 100_000), required=False, partial=False, default=0)
    c.take("teachers", parse_int(0, 10_000), required=False, partial=False, default=0)
    out = c.out
    if "code" in out and not SCHOOL_CODE_RE.match(out["code"]):
        c.add("code", _l("OBEC school codes have 10 digits."))
    district = None
    if out.get("district_code"):
        district = session.scalar(
            sa.select(District)
            .options(selectinload(District.provinces))
            .where(District.code == out["district_code"])
        )
        if district is None:
            c.add("district_code", _l("Unknown district (ESA) code."))
    province = out.get("province_code") or (district.province_code if district else None)
    if out.get("province_code"):
        if session.get(Province, out["province_code"]) is None:
            c.add("province_code", _l("Unknown province code."))
        elif district is not None and out["province_code"] not in [p.code for p in district.provinces]:
            c.add("province_code", _l("The ESA does not cover this province."))
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    if session.scalar(sa.select(School.id).where(School.code == out["code"])) is not None:
        raise Conflict(_l("A school with this code already exists."))
    s = School(
        code=out["code"],
        name_th=out["name_th"],
        name_en=out.get("name_en") or "",
        district_id=district.id,
        province_code=province,
        quality_group=out.get("quality_group") or "core",
        pupils=out.get("pupils") or 0,
        teachers=out.get("teachers") or 0,
    )
    session.add(s)
    session.flush()
    audit.record(session, "school.create", actor_id=actor.id, object_type="school", object_id=s.id, ip=ip)
    return s


def update_school(
    session: Session, actor: User, school_id: int, data: dict[str, Any], ip: str = ""
) -> School:
    """Change a school's quality group, pupils or teachers (only the keys given). Other keys are ignored."""
    _check_actor(actor)
    s = get_school(session, school_id)
    c = Collector(data)
    c.take("quality_group", parse_choice(QUALITY_GROUPS), required=True, partial=True)
    c.take("pupils", parse_int(0, 100_000), required=True, partial=True)
    c.take("teachers", parse_int(0, 10_000), required=True, partial=True)
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    changes = {k: {"from": getattr(s, k), "to": v} for k, v in c.out.items() if getattr(s, k) != v}
    for k, change in changes.items():
        setattr(s, k, change["to"])
    if changes:
        session.flush()
        details = {k: f"{v['from']} → {v['to']}" for k, v in changes.items()}
        audit.record_on(session, "school.update", s, by=actor, ip=ip, **details)
    return s

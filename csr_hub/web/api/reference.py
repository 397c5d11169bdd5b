"""Provinces, ESAs, schools, companies."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy.orm import joinedload, selectinload

from csr_hub.domain.reference import QUALITY_GROUPS, SCHOOL_CODE_RE
from csr_hub.extensions import db
from csr_hub.models import Company, District, Province, School
from csr_hub.services import audit
from csr_hub.services.errors import Conflict, NotFound, ValidationFailed
from csr_hub.services.posts import paginate
from csr_hub.services.validation import Collector, parse_choice, parse_int, parse_text
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp, serialize
from csr_hub.web.api.helpers import idempotent, json_body, list_answer, paging
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def _district_by_code(code: str | None, field: str = "district") -> District | None:
    if not code:
        return None
    d = db.session.scalar(sa.select(District).where(District.code == code))
    if d is None:
        raise ValidationFailed(fields={field: [_l("Unknown district (ESA) code.")]})
    return d


@bp.get("/provinces")
def provinces():
    page, per_page = paging()
    q = sa.select(Province)
    region = request.args.get("region")
    if region:
        q = q.where(Province.region == region)
    return list_answer(paginate(db.session, q, (Province.code,), page, per_page), serialize.province)


@bp.get("/districts")
def districts():
    page, per_page = paging()
    q = sa.select(District)
    kind = request.args.get("kind")
    if kind:
        if kind not in ("primary", "secondary"):
            raise ValidationFailed(fields={"kind": [_l("Choose one of the listed values.")]})
        q = q.where(District.kind == kind)
    province = request.args.get("province")
    if province:
        if db.session.get(Province, province) is None:
            raise ValidationFailed(fields={"province": [_l("Unknown province code.")]})
        from csr_hub.models import district_provinces
        q = q.where(District.id.in_(sa.select(district_provinces.c.district_id)
                                    .where(district_provinces.c.province_code == province)))
    return list_answer(paginate(db.session, q, (District.code,), page, per_page, (selectinload(District.provinces),)),
                       serialize.district)


@bp.get("/schools")
def schools():
    page, per_page = paging()
    q = sa.select(School)
    errors = {}
    d = None
    try:
        d = _district_by_code(request.args.get("district"))
    except ValidationFailed as e:
        errors.update(e.fields)
    province = request.args.get("province")
    if province and db.session.get(Province, province) is None:
        errors["province"] = [_l("Unknown province code.")]
    group = request.args.get("quality_group")
    if group and group not in QUALITY_GROUPS:
        errors["quality_group"] = [_l("Choose one of the listed values.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if d is not None:
        q = q.where(School.district_id == d.id)
    if province:
        q = q.where(School.province_code == province)
    if group:
        q = q.where(School.quality_group == group)
    text = request.args.get("q")
    if text:
        like = f"%{text.strip()[:100]}%"
        q = q.where(sa.or_(School.name_th.like(like), School.name_en.ilike(like), School.code.like(like)))
    return list_answer(paginate(db.session, q, (School.code,), page, per_page, (joinedload(School.district),)),
                       serialize.school)


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    s = db.session.scalar(sa.select(School).options(joinedload(School.district)).where(School.id == school_id))
    if s is None:
        raise NotFound()
    return jsonify(serialize.school(s))


@bp.post("/schools")
@roles_required("central_officer", "admin")
@idempotent
def create_school():
    data = json_body()
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
        district = db.session.scalar(sa.select(District).options(selectinload(District.provinces))
                                     .where(District.code == out["district_code"]))
        if district is None:
            c.add("district_code", _l("Unknown district (ESA) code."))
    province = out.get("province_code") or (district.province_code if district else None)
    if out.get("province_code"):
        if db.session.get(Province, out["province_code"]) is None:
            c.add("province_code", _l("Unknown province code."))
        elif district is not None and out["province_code"] not in [p.code for p in district.provinces]:
            c.add("province_code", _l("The ESA does not cover this province."))
    if c.errors:
        raise ValidationFailed(fields=c.errors)
    if db.session.scalar(sa.select(School.id).where(School.code == out["code"])) is not None:
        raise Conflict(_l("A school with this code already exists."))
    s = School(code=out["code"], name_th=out["name_th"], name_en=out.get("name_en") or "", district_id=district.id,
               province_code=province, quality_group=out.get("quality_group") or "core",
               pupils=out.get("pupils") or 0, teachers=out.get("teachers") or 0)
    db.session.add(s)
    db.session.flush()
    audit.record(db.session, "school.create", actor_id=current_user.id, object_type="school", object_id=s.id)
    db.session.commit()
    s = db.session.scalar(sa.select(School).options(joinedload(School.district)).where(School.id == s.id))
    return jsonify(serialize.school(s)), 201


@bp.get("/companies")
def companies():
    page, per_page = paging()
    q = sa.select(Company).where(Company.verified.is_(True))
    text = request.args.get("q")
    if text:
        q = q.where(Company.name.ilike(f"%{text.strip()[:100]}%"))
    return list_answer(paginate(db.session, q, (Company.name, Company.id), page, per_page), serialize.company)

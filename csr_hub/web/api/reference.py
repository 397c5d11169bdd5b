"""Provinces, ESAs, schools, companies."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy.orm import joinedload, selectinload

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.models import Company, District, Province, School
from csr_hub.services import schools as schools_service
from csr_hub.services.errors import NotFound, ValidationFailed
from csr_hub.services.posts import paginate
from csr_hub.web.access import roles_required
from csr_hub.web.security import client_ip
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

        q = q.where(
            District.id.in_(
                sa.select(district_provinces.c.district_id).where(
                    district_provinces.c.province_code == province
                )
            )
        )
    return list_answer(
        paginate(db.session, q, (District.code,), page, per_page, (selectinload(District.provinces),)),
        serialize.district,
    )


@bp.get("/schools")
def schools():
    page, per_page = paging()
    q = schools_service.schools_query(db.session, request.args)
    return list_answer(
        paginate(db.session, q, (School.code,), page, per_page, (joinedload(School.district),)),
        serialize.school,
    )


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    s = db.session.scalar(
        sa.select(School).options(joinedload(School.district)).where(School.id == school_id)
    )
    if s is None:
        raise NotFound()
    return jsonify(serialize.school(s))


@bp.post("/schools")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN)
@idempotent
def create_school():
    s = schools_service.create_school(db.session, current_user, json_body(), ip=client_ip())
    db.session.commit()
    s = schools_service.get_school(db.session, s.id)
    return jsonify(serialize.school(s)), 201


@bp.get("/companies")
def companies():
    page, per_page = paging()
    q = schools_service.companies_query(request.args)
    return list_answer(paginate(db.session, q, (Company.name, Company.id), page, per_page), serialize.company)

"""Provinces, ESAs, schools, companies."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy.orm import joinedload, selectinload

from csr_hub.domain.policy import Role
from csr_hub.domain.reference import REGIONS
from csr_hub.extensions import db
from csr_hub.models import Company, District, Province, School
from csr_hub.services import schools as schools_service
from csr_hub.services.errors import ValidationFailed
from csr_hub.services.posts import paginate
from csr_hub.web.access import roles_required
from csr_hub.web.security import client_ip
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body, list_answer, paging
from csr_hub.web.api.schemas.reference import COMPANY, DISTRICT, KINDS, PROVINCE, SCHOOL
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def _province_arg() -> str | None:
    """The ``province`` filter, a code that exists (else 422), or None when not given."""
    province = request.args.get("province")
    if province and db.session.get(Province, province) is None:
        raise ValidationFailed(fields={"province": [_l("Unknown province code.")]})
    return province or None


@bp.get("/provinces")
def provinces():
    page = paging()  # first: a bad page is reported before a bad filter
    q = sa.select(Province)
    if region := request.args.get("region"):
        if region not in REGIONS:
            raise ValidationFailed(fields={"region": [_l("Choose one of the listed values.")]})
        q = q.where(Province.region == region)
    return list_answer(paginate(db.session, q, (Province.code,), *page), PROVINCE)


@bp.get("/districts")
def districts():
    page = paging()
    q = sa.select(District)
    if kind := request.args.get("kind"):
        if kind not in KINDS:
            raise ValidationFailed(fields={"kind": [_l("Choose one of the listed values.")]})
        q = q.where(District.kind == kind)
    if province := _province_arg():
        from csr_hub.models import district_provinces

        q = q.where(
            District.id.in_(
                sa.select(district_provinces.c.district_id).where(
                    district_provinces.c.province_code == province
                )
            )
        )
    load = (selectinload(District.provinces),)
    return list_answer(paginate(db.session, q, (District.code,), *page, load), DISTRICT)


@bp.get("/schools")
def schools():
    page = paging()
    q = schools_service.schools_query(db.session, request.args)
    return list_answer(paginate(db.session, q, (School.code,), *page, (joinedload(School.district),)), SCHOOL)


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    return jsonify(SCHOOL.dump(schools_service.get_school(db.session, school_id)))


@bp.post("/schools")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN)
@idempotent
def create_school():
    s = schools_service.create_school(db.session, current_user, json_body(), ip=client_ip())
    db.session.commit()
    return jsonify(SCHOOL.dump(schools_service.get_school(db.session, s.id))), 201


@bp.get("/companies")
def companies():
    page = paging()
    q = schools_service.companies_query(request.args)
    if province := _province_arg():  # where the company is registered
        q = q.where(Company.province_code == province)
    return list_answer(paginate(db.session, q, (Company.name, Company.id), *page), COMPANY)

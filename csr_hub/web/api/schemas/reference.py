"""Reference data (SPEC "Reference data"): provinces, ESAs, schools, companies."""

from __future__ import annotations

from marshmallow import fields

from csr_hub.domain.reference import QUALITY_GROUPS, REGIONS
from csr_hub.web.api.schemas.fields import Codes, Out, enum, many

KINDS = ("primary", "secondary")


class ProvinceOut(Out):
    code = fields.String(metadata={"description": "2-digit Thai province code (ISO 3166-2:TH)"})
    name_th, name_en = many(fields.String, 2)
    region = enum(REGIONS)
    latitude, longitude = many(fields.Float, 2)


class DistrictOut(Out):
    id = fields.Integer()
    code, name_th, name_en = many(fields.String, 3)
    kind = enum(KINDS)
    province_code = fields.String(metadata={"description": "its seat"})
    province_codes = Codes(attribute="provinces", metadata={"description": "every province it covers"})


class SchoolOut(Out):
    id = fields.Integer()
    code = fields.String(metadata={"description": "OBEC's 10-digit school code"})
    name_th, name_en, province_code = many(fields.String, 3)
    district_code = fields.String(attribute="district.code")
    quality_group = enum(QUALITY_GROUPS)
    pupils, teachers = many(fields.Integer, 2)


class SchoolInput(Out):
    """``POST /schools`` (central officer, admin); ``csr_hub/services/schools.py`` reads it."""

    code, name_th, district_code = many(fields.String, 3, required=True)
    name_en, province_code = many(fields.String, 2)
    quality_group = enum(QUALITY_GROUPS)
    pupils, teachers = many(fields.Integer, 2, metadata={"minimum": 0})


class CompanyOut(Out):
    id = fields.Integer()
    name = fields.String()
    tax_id = fields.String(metadata={"description": "13 digits"})
    province_code = fields.String(allow_none=True)
    verified = fields.Boolean()


PROVINCE, DISTRICT, SCHOOL, COMPANY = ProvinceOut(), DistrictOut(), SchoolOut(), CompanyOut()

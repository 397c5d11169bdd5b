"""Donation records (one per completed match) and a company's annual statement."""

from __future__ import annotations

from marshmallow import fields

from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS
from csr_hub.web.api.schemas.fields import Money, Out, enum, many


class DonationOut(Out):
    """One completed match, with what the Revenue Department's e-Donation entry asks for."""

    match_id, company_id, school_id, received_quantity = many(fields.Integer, 4)
    company_name, company_tax_id, school_code, school_name_th = many(fields.String, 4)
    district_code, title, unit = many(fields.String, 3)
    category = enum(CATEGORIES)
    value_thb = Money(metadata={"description": "the value received, baht"})
    received_on = fields.Date(metadata={"description": "the day of the school's confirmation (Asia/Bangkok)"})


class Counted(Out):
    donations_count = fields.Integer()
    value_thb = Money()


ByCategory = Counted.from_dict({"category": enum(CATEGORIES)}, name="StatementByCategory")
ByProvince = Counted.from_dict({"province_code": fields.String()}, name="StatementByProvince")
ByQualityGroup = Counted.from_dict({"quality_group": enum(QUALITY_GROUPS)}, name="StatementByQualityGroup")


class StatementOut(Counted):
    """Its figures equal the sums of ``/donations`` for the same company and year."""

    company_id, year, schools_count = many(fields.Integer, 3)
    by_category = fields.List(fields.Nested(ByCategory))
    by_province = fields.List(fields.Nested(ByProvince))
    by_quality_group = fields.List(fields.Nested(ByQualityGroup))


DONATION, STATEMENT = DonationOut(), StatementOut()

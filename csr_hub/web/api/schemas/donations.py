"""Donation record and annual statement shapes (marshmallow), for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

NUMBER = {"type": "number"}


class DonationOut(Schema):
    match_id = fields.Integer()
    company_id = fields.Integer()
    company_name = fields.String()
    company_tax_id = fields.String()
    school_id = fields.Integer()
    school_code = fields.String()
    school_name_th = fields.String()
    district_code = fields.String()
    category = fields.String()
    title = fields.String()
    unit = fields.String()
    received_quantity = fields.Integer()
    value_thb = fields.Float(metadata={"description": "the value received, baht"})
    received_on = fields.Date(metadata={"description": "the day of the school's confirmation (Asia/Bangkok)"})


def _group(key: str) -> type[Schema]:
    return Schema.from_dict(
        {key: fields.String(), "donations_count": fields.Integer(), "value_thb": fields.Float()},
        name=f"Statement_{key}",
    )


class StatementOut(Schema):
    company_id = fields.Integer()
    year = fields.Integer()
    donations_count = fields.Integer()
    value_thb = fields.Float()
    schools_count = fields.Integer()
    by_category = fields.List(fields.Nested(_group("category")))
    by_province = fields.List(fields.Nested(_group("province_code")))
    by_quality_group = fields.List(fields.Nested(_group("quality_group")))


def openapi_schemas() -> dict[str, Any]:
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    def name(schema: Any) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        return "StatementGroup" + cls.__name__.split("_", 1)[-1].title().replace("_", "")

    spec = APISpec("donations", "1", "3.0.3", plugins=[MarshmallowPlugin(schema_name_resolver=name)])
    spec.components.schema("Donation", schema=DonationOut)
    spec.components.schema("Statement", schema=StatementOut)
    return spec.to_dict()["components"]["schemas"]


def openapi_routes() -> list[tuple]:
    paging = [
        {"name": n, "in": "query", "schema": {"type": "integer", "minimum": 1}} for n in ("page", "per_page")
    ]
    filters = [
        {
            "name": "year",
            "in": "query",
            "schema": {"type": "integer"},
            "description": "Gregorian year of receipt",
        },
        *(
            {"name": n, "in": "query", "schema": {"type": "string"}}
            for n in ("company_id", "school_id", "district")
        ),
    ]
    listed = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Donation"}},
            **{k: {"type": "integer"} for k in ("total", "page", "per_page")},
        },
        "required": ["items", "total", "page", "per_page"],
    }
    ident = [{"name": "company_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    year = [
        {
            "name": "year",
            "in": "query",
            "schema": {"type": "integer"},
            "description": "YYYY; default this year",
        }
    ]
    return [
        (
            "/donations",
            "get",
            "Donation records (completed matches) the caller may see",
            paging + filters,
            None,
            listed,
            200,
            False,
        ),
        (
            "/companies/{company_id}/statement",
            "get",
            "A company's annual CSR statement (its reps, central officers, admins)",
            ident + year,
            None,
            {"$ref": "#/components/schemas/Statement"},
            200,
            False,
        ),
    ]

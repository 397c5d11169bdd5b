"""Partnership request and response schemas (marshmallow): one description of the fields for the API,
the pages and the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

from csr_hub.domain import money
from csr_hub.domain.policy import PartnershipStatus
from csr_hub.services import partnerships as svc
from csr_hub.services.errors import ValidationFailed
from csr_hub.services.validation import parse_int, parse_money, parse_text

_DATE_LOW, _DATE_HIGH = date(2000, 1, 1), date(2200, 12, 31)
REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class Parsed(fields.Field):
    """A field read by one of the shared parse functions, so pages, API and posts say the same thing."""

    def __init__(self, parse: Callable[[Any], Any], **kw: Any) -> None:
        kw.setdefault("error_messages", REQUIRED)
        super().__init__(**kw)
        self.parse = parse

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.parse(value)
        except ValueError as exc:
            raise ValidationError(exc.args[0] if exc.args else _l("Not valid.")) from None


def parse_date(value: Any) -> date:
    if isinstance(value, date):
        d = value
    else:
        try:
            if not isinstance(value, str) or len(value.strip()) != 10:
                raise ValueError
            d = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None
    if not _DATE_LOW <= d <= _DATE_HIGH:
        raise ValueError(_l("Enter a date as YYYY-MM-DD."))
    return d


class PartnershipInput(Schema):
    """``POST /partnerships``: unknown fields (``company_id``, ``status``, …) are ignored."""

    class Meta:
        unknown = EXCLUDE

    school_id = Parsed(
        parse_int(1, 2**31 - 1),
        required=True,
        metadata={"type": "integer", "description": "the school adopted"},
    )
    starts_on = Parsed(parse_date, required=True, metadata={"type": "string", "format": "date"})
    ends_on = Parsed(
        parse_date,
        required=True,
        metadata={"type": "string", "format": "date", "description": "after starts_on, ≤ 5 years"},
    )
    plan = Parsed(
        parse_text(5000, 1, multiline=True),
        required=True,
        metadata={"type": "string", "minLength": 1, "maxLength": 5000},
    )
    yearly_value_thb = Parsed(
        parse_money, required=True, metadata={"type": "number", "minimum": 0, "maximum": 1_000_000_000}
    )

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("starts_on"), data.get("ends_on")
        if isinstance(start, date) and isinstance(end, date):
            if end <= start:
                raise ValidationError(_l("The end date must be after the start date."), "ends_on")
            if end > svc.add_years(start, svc.MAX_YEARS):
                raise ValidationError(_l("A partnership lasts at most five years."), "ends_on")


class ActionInput(Schema):
    class Meta:
        unknown = EXCLUDE

    action = fields.String(
        required=True,
        error_messages={**REQUIRED, "invalid": _l("Choose one of: accept, decline, end.")},
        metadata={"enum": list(svc.ACTIONS)},
    )
    note = fields.String(load_default="", allow_none=True, error_messages={"invalid": _l("Enter text.")})


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate ``data``; every problem becomes a 422 with ``fields``."""
    try:
        return schema.load(data if isinstance(data, dict) else {})
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(
            fields={k: (v if isinstance(v, list) else [v]) for k, v in messages.items()}
        ) from None


class Money(fields.Field):
    """Baht as a JSON number with at most 2 decimals."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("metadata", {"type": "number"})
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return money.to_json(value)


class IsoDate(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class TransitionOut(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_id = fields.Integer()
    at = fields.Function(
        lambda t: t.at.isoformat() if t.at else None, metadata={"type": "string", "format": "date-time"}
    )
    note = fields.String()


class YearOut(Schema):
    year_start = IsoDate(metadata={"type": "string", "format": "date"})
    year_end = IsoDate(metadata={"type": "string", "format": "date"})
    planned_value_thb = Money()
    pledged_value_thb = Money()
    delivered_value_thb = Money()


class PartnershipOut(Schema):
    id = fields.Integer()
    company_id = fields.Integer()
    school_id = fields.Integer()
    starts_on = IsoDate(metadata={"type": "string", "format": "date"})
    ends_on = IsoDate(metadata={"type": "string", "format": "date"})
    plan = fields.String()
    yearly_value_thb = Money()
    status = fields.String(metadata={"enum": [s.value for s in PartnershipStatus]})
    history = fields.List(fields.Nested(TransitionOut))
    years = fields.List(fields.Nested(YearOut))


_out = PartnershipOut()


def dump(p: Any, years: list[dict[str, Any]]) -> dict[str, Any]:
    data = {
        "id": p.id,
        "company_id": p.company_id,
        "school_id": p.school_id,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "plan": p.plan,
        "yearly_value_thb": p.yearly_value_thb,
        "status": p.status,
        "history": list(p.history),
        "years": years,
    }
    return _out.dump(data)


# -- the OpenAPI document (csr_hub/web/api/openapi.py adds these) ---------------------------------------------
def openapi_schemas() -> dict[str, Any]:
    """The components these schemas describe, converted by apispec's marshmallow plugin."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec("partnerships", "1", "3.0.3", plugins=[MarshmallowPlugin(schema_name_resolver=_name)])
    for name, sch in (
        ("PartnershipInput", PartnershipInput),
        ("PartnershipActionInput", ActionInput),
        ("Partnership", PartnershipOut),
    ):
        spec.components.schema(name, schema=sch)
    out = spec.to_dict()["components"]["schemas"]
    for name in ("PartnershipInput", "PartnershipActionInput"):
        out[name].pop("additionalProperties", None)  # other fields are ignored, not refused
    return out


def openapi_routes() -> list[tuple]:
    """Rows for the route table of csr_hub/web/api/openapi.py."""
    paging = [
        {"name": n, "in": "query", "schema": {"type": "integer", "minimum": 1}} for n in ("page", "per_page")
    ]
    ident = [{"name": "partnership_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    filters = [
        {"name": n, "in": "query", "schema": {"type": "string"}}
        for n in ("status", "school_id", "company_id")
    ]
    ref = {"$ref": "#/components/schemas/Partnership"}
    listed = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref},
            **{k: {"type": "integer"} for k in ("total", "page", "per_page")},
        },
        "required": ["items", "total", "page", "per_page"],
    }
    return [
        (
            "/partnerships",
            "get",
            "Partnerships the caller may see",
            paging + filters,
            None,
            listed,
            200,
            False,
        ),
        (
            "/partnerships",
            "post",
            "Propose to adopt a school for one to five years (company rep)",
            [],
            "PartnershipInput",
            ref,
            201,
            False,
        ),
        (
            "/partnerships/{partnership_id}",
            "get",
            "A partnership, its history and years",
            ident,
            None,
            ref,
            200,
            False,
        ),
        (
            "/partnerships/{partnership_id}/actions",
            "post",
            "accept / decline (the school's ESA director, a proposed one) or end (an active one, with a note)",
            ident,
            "PartnershipActionInput",
            ref,
            200,
            False,
        ),
    ]


def _name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return {"TransitionOut": "PartnershipTransition", "YearOut": "PartnershipYear"}.get(
        cls.__name__, cls.__name__
    )

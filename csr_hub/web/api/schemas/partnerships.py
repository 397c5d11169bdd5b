"""Partnership request and response schemas (marshmallow): one description of the fields for the API,
the pages and the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates_schema

from csr_hub.domain.policy import PartnershipStatus
from csr_hub.services import partnerships as svc
from csr_hub.services.validation import REQUIRED, Input, Parsed, amount, load, parse_int, text
from csr_hub.web.api.schemas.fields import Money, Out, enum, many
from csr_hub.web.api.schemas.matches import TransitionOut

__all__ = ["ActionInput", "PartnershipInput", "PartnershipOut", "dump", "load"]
_DATE_LOW, _DATE_HIGH = date(2000, 1, 1), date(2200, 12, 31)


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


class PartnershipInput(Input):
    """``POST /partnerships``: unknown fields (``company_id``, ``status``, …) are ignored."""

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
    plan = text(5000, 1, multiline=True, required=True)
    yearly_value_thb = amount(required=True)

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("starts_on"), data.get("ends_on")
        if isinstance(start, date) and isinstance(end, date):
            if end <= start:
                raise ValidationError(_l("The end date must be after the start date."), "ends_on")
            if end > svc.add_years(start, svc.MAX_YEARS):
                raise ValidationError(_l("A partnership lasts at most five years."), "ends_on")


class ActionInput(Input):
    action = fields.String(
        required=True,
        error_messages={**REQUIRED, "invalid": _l("Choose one of: accept, decline, end.")},
        metadata={"enum": list(svc.ACTIONS)},
    )
    note = fields.String(load_default="", allow_none=True, error_messages={"invalid": _l("Enter text.")})


class YearOut(Out):
    """One partnership year (12 months from ``starts_on``), its matches counted by the report rules."""

    year_start, year_end = many(fields.Date, 2)
    planned_value_thb, pledged_value_thb, delivered_value_thb = many(Money, 3)


class PartnershipOut(Out):
    id, company_id, school_id = many(fields.Integer, 3)
    starts_on, ends_on = many(fields.Date, 2)
    plan = fields.String()
    yearly_value_thb = Money()
    status = enum(PartnershipStatus)
    history = fields.List(fields.Nested(TransitionOut))
    years = fields.List(fields.Nested(YearOut))


_out = PartnershipOut()


def dump(p: Any, years: list[dict[str, Any]]) -> dict[str, Any]:
    """A partnership with its years (``services.partnerships.years``)."""
    return _out.dump({"years": years, **{name: getattr(p, name) for name in _out.fields if name != "years"}})

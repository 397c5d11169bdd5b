"""Needs, offers and their suggestions (SPEC "Needs and offers", "Suggestions"). What a client may send is
``csr_hub/services/validation.py``'s ``NeedInput`` / ``NeedUpdate`` / ``OfferInput``."""

from __future__ import annotations

from marshmallow import fields

from csr_hub.domain.policy import Band, NeedStatus, OfferStatus
from csr_hub.domain.reference import CATEGORIES, URGENCIES, today_bangkok
from csr_hub.web.api.schemas.fields import Codes, Ids, Money, Number, Out, enum, many, when


class PostOut(Out):
    """What needs and offers share."""

    id = fields.Integer()
    category = enum(CATEGORIES)
    title, description, unit = many(fields.String, 3)
    quantity = fields.Integer()
    remaining_quantity = fields.Integer(metadata={"description": "what no match holds yet"})
    created_at, updated_at = when(), when()


class NeedOut(PostOut):
    school_id = fields.Integer()
    school_code = fields.String(attribute="school.code")
    district_code = fields.String(attribute="school.district.code")
    province_code = fields.String(attribute="school.province_code")
    estimated_cost_thb = Money(bounded=True)
    budget_thb = Money(bounded=True, metadata={"description": "government budget already allocated to it"})
    needed_by = fields.Date(allow_none=True)
    urgency = enum(URGENCIES)
    status = enum(NeedStatus)
    possible_duplicates = Ids(
        attribute="shown_duplicates", metadata={"description": "suspected duplicates of this school's needs"}
    )
    review_due = fields.Boolean()


class OfferOut(PostOut):
    company_id = fields.Integer()
    value_thb = Money(bounded=True)
    provinces = Codes(metadata={"description": "province codes served; empty for nationwide"})
    available_until = fields.Date(allow_none=True)
    status = fields.Function(
        lambda o: o.status_on(today_bangkok()),
        metadata={"type": "string", "enum": [s.value for s in OfferStatus], "description": "derived"},
    )


class PartOut(Out):
    """One part of a score, in plain words."""

    score, weight = Number(), Number()
    reason_th, reason_en = many(fields.String, 2)


class Parts(fields.Dict):
    """``{category, item, text, location, quantity, deadline, equity: Part}`` as the matcher gave them."""

    def __init__(self, **kw) -> None:
        super().__init__(keys=fields.String(), values=fields.Nested(PartOut), **kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return dict(value or {})


class ScoredOut(Out):
    score = Number(metadata={"minimum": 0, "maximum": 100})
    band = enum(Band)
    parts = Parts()


class OfferSuggestion(ScoredOut):
    offer = fields.Nested(OfferOut)


class NeedSuggestion(ScoredOut):
    need = fields.Nested(NeedOut)


class OfferSuggestions(Out):
    items = fields.List(fields.Nested(OfferSuggestion), required=True)


class NeedSuggestions(Out):
    items = fields.List(fields.Nested(NeedSuggestion), required=True)


NEED, OFFER = NeedOut(), OfferOut()

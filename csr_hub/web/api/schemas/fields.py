"""What every response schema is made of: the base schema, money, lists of codes, a passed-through value."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields

from csr_hub.domain import money
from csr_hub.services.validation import MAX_MONEY


class Out(Schema):
    """A response shape. ``unknown = EXCLUDE`` only keeps apispec from writing ``additionalProperties: false``
    (a dump never reads unknown keys); the routes' own extras (a job's ``job``) stay documentable."""

    class Meta:
        unknown = EXCLUDE


class Money(fields.Field):
    """Baht as a JSON number with at most 2 decimals (``money.to_json``); ``bounded``: an amount a user
    entered (0 to the validation's maximum), not a sum."""

    def __init__(self, *, bounded: bool = False, **kw: Any) -> None:
        limits = {"minimum": 0, "maximum": int(MAX_MONEY)} if bounded else {}
        kw["metadata"] = {"type": "number", **limits, **kw.get("metadata", {})}
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return money.to_json(value)


class Number(fields.Field):
    """A number passed through as it is (a score already rounded by the matcher)."""

    def __init__(self, **kw: Any) -> None:
        kw["metadata"] = {"type": "number", **kw.get("metadata", {})}
        super().__init__(**kw)


class Ids(fields.List):
    """A list of ids, ``[]`` where the row holds none."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(fields.Integer(), **kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


class Codes(fields.Field):
    """The ``code`` of each related row (a district's provinces, the provinces an offer serves)."""

    def __init__(self, **kw: Any) -> None:
        kw["metadata"] = {"type": "array", "items": {"type": "string"}, **kw.get("metadata", {})}
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kwargs):
        return [row.code for row in value]


def many(kind: type[fields.Field], n: int, **kw: Any) -> list[fields.Field]:
    """``n`` fields of one kind, for ``a, b, c = many(fields.Integer, 3)``."""
    return [kind(**kw) for _ in range(n)]


def enum(values, **kw: Any) -> fields.String:
    """A string out of a fixed set (documented as an ``enum``)."""
    metadata = {"enum": [getattr(v, "value", v) for v in values], **kw.pop("metadata", {})}
    return fields.String(metadata=metadata, **kw)


def when(**kw: Any) -> fields.DateTime:
    """A timestamp, ISO 8601 with its offset."""
    return fields.DateTime(format="iso", **kw)

"""Field rules shared by the pages and the API: one place decides what a valid need or offer is.

The parse functions below read one raw value (a page's string, a JSON value) each; the marshmallow input
schemas at the end are built from them, so the services (which the pages and the API both call), the API
and the OpenAPI document (``csr_hub/web/api/openapi.py`` reads these schemas) share one set of rules.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from csr_hub.domain import money
from csr_hub.domain.reference import CATEGORIES, URGENCIES, today_bangkok
from csr_hub.services.errors import ValidationFailed

MAX_QUANTITY = 1_000_000
MAX_MONEY = Decimal(1_000_000_000)
#: a need's or offer's title, description and unit (pages: the forms' ``maxlength``)
TITLE_MAX, DESCRIPTION_MAX, UNIT_MAX = 200, 5000, 50
#: a note on a match action or proposal
NOTE_MAX = 2000

#: bidirectional embeddings, overrides and isolates: they make displayed text differ from stored text
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: what a multi-line text (a description, a note) may contain below U+0020
MULTILINE_CONTROLS = frozenset("\n\t\r")
#: deeper JSON than this is refused (400) before anything reads it
MAX_JSON_DEPTH = 64


def text_problem(value: str, *, multiline: bool = False) -> object | None:
    """Why this text may not be stored, or None: a lone surrogate (not Unicode, the databases refuse it),
    a C0/C1 control character (line breaks and tabs allowed in multi-line fields), a bidi override."""
    for ch in value:
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF:
            return _l("The text is not valid Unicode.")
        if o < 0x20 or 0x7F <= o <= 0x9F:
            if not (multiline and ch in MULTILINE_CONTROLS):
                return _l("The text contains control characters that are not allowed.")
        elif ch in BIDI_CONTROLS:
            return _l("The text contains direction-changing characters that are not allowed.")
    return None


def check_text(value: str, *, multiline: bool = False) -> str:
    """The value, or ValueError with the reason (for :meth:`Collector.take` and the services' own checks)."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return value


def json_problems(data: Any) -> tuple[bool, dict[str, list[object]]]:
    """Walk a parsed JSON body without recursion: (too deep?, {top-level field: [why]}) for every string
    (keys included) that is not valid Unicode or holds controls or bidi overrides (multi-line allowed)."""
    fields: dict[str, list[object]] = {}
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, top = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True, {}
        if isinstance(value, dict):
            for k, v in value.items():
                name = top or str(k)
                if isinstance(k, str) and (problem := text_problem(k, multiline=False)) is not None:
                    fields.setdefault(_printable(name), [problem])
                stack.append((v, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((v, depth + 1, top) for v in value)
        elif isinstance(value, str) and (problem := text_problem(value, multiline=True)) is not None:
            fields.setdefault(_printable(top or "body"), [problem])
    return False, fields


def _printable(name: str) -> str:
    return name.encode("utf-8", "replace").decode("utf-8")[:100] if text_problem(name) is None else "body"


class Collector:
    """Collect per-field errors while reading a mapping of raw values."""

    def __init__(self, data: dict[str, Any]):
        self.data = data if isinstance(data, dict) else {}
        self.errors: dict[str, list[object]] = {}
        self.out: dict[str, Any] = {}

    def add(self, field: str, message: object) -> None:
        self.errors.setdefault(field, []).append(message)

    def take(
        self, field: str, parse: Callable[[Any], Any], *, required: bool, partial: bool, default: Any = None
    ) -> None:
        present = field in self.data
        value = self.data.get(field)
        if not present or (value is None and required):
            if required and not (partial and not present):
                self.add(field, _l("This field is required."))
            elif not partial:
                self.out[field] = default
            return
        if value is None:
            self.out[field] = default
            return
        try:
            self.out[field] = parse(value)
        except ValueError as exc:
            self.add(field, exc.args[0] if exc.args else _l("Not valid."))


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_INT_RE = re.compile(r"^-?[0-9]{1,15}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


#: the request's mark that its values came from a JSON body (on the request, not ``g``: an app context
#: may outlive one request, as in tests and tasks)
JSON_TYPED = "csr_hub.json_typed"


def json_typed() -> bool:
    """Whether the values come from a JSON body (``api.helpers.json_body``): there a number is a JSON
    number, never a string (SPEC: quantity an integer, money a JSON number); a page's form sends text."""
    return has_request_context() and bool(request.environ.get(JSON_TYPED))


def parse_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, str) and json_typed()):
            raise ValueError(_l("Enter a whole number."))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            text = value.strip().replace(",", "").translate(_THAI_DIGITS)
            if not _INT_RE.match(text):
                raise ValueError(_l("Enter a whole number."))
            value = int(text)
        if not isinstance(value, int):
            raise ValueError(_l("Enter a whole number."))
        if not low <= value <= high:
            raise ValueError(_l("Enter a number from %(low)s to %(high)s.", low=f"{low:,}", high=f"{high:,}"))
        return value

    return parse


def parse_money(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and json_typed()):
        raise ValueError(_l("Enter an amount in baht."))
    if not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(_l("Enter an amount in baht."))
    text = (
        repr(value)
        if isinstance(value, float)
        else str(value).replace(",", "").strip().translate(_THAI_DIGITS)
    )
    if len(text) > 40:
        raise ValueError(_l("Enter an amount from 0 to 1,000,000,000 baht."))
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l("Enter an amount in baht.")) from None
    if not d.is_finite():
        raise ValueError(_l("Enter an amount in baht."))
    if d < 0 or d > MAX_MONEY:
        raise ValueError(_l("Enter an amount from 0 to 1,000,000,000 baht."))
    return money.to_decimal(d)


def parse_text(max_len: int, min_len: int = 0, *, multiline: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_l("Enter text."))
        value = check_text(value, multiline=multiline).strip()
        if len(value) < min_len:
            raise ValueError(_l("This field is required."))
        if len(value) > max_len:
            raise ValueError(_l("Use at most %(n)s characters.", n=f"{max_len:,}"))
        return value

    return parse


def parse_future_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        d = value
    elif isinstance(value, str):
        text = value.strip().translate(_THAI_DIGITS)
        if not _DATE_RE.match(text):
            raise ValueError(_l("Enter a date as YYYY-MM-DD."))
        try:
            d = date.fromisoformat(text)
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None
    else:
        raise ValueError(_l("Enter a date as YYYY-MM-DD."))
    if d < today_bangkok():
        raise ValueError(_l("The date cannot be in the past."))
    if d.year > 2200:
        raise ValueError(_l("Enter a date as YYYY-MM-DD."))
    return d


def parse_choice(choices) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(_l("Choose one of the listed values."))
        return value

    return parse


parse_category = parse_choice(CATEGORIES)
parse_urgency = parse_choice(URGENCIES)


# -- the input schemas: one per resource, read by the services and described in the OpenAPI document --------
REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class Parsed(fields.Field):
    """A field read by one of the parse functions above. Required: left out or ``null`` → "This field is
    required."; optional: left out or ``null`` means ``default``. ``metadata`` describes it to OpenAPI."""

    def __init__(self, parse: Callable[[Any], Any], *, required: bool = False, default: Any = None, **kw):
        kw["error_messages"] = {**REQUIRED, **kw.get("error_messages", {})}
        if not required:
            kw.setdefault("allow_none", True)
            kw["load_default"] = default
        super().__init__(required=required, **kw)
        self.parse = parse
        self.default = default

    def read(self, value: Any) -> Any:
        return self.parse(value)

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if value is None and not self.required and self.allow_none:
            return self.default() if callable(self.default) else self.default
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.read(value)
        except ValueError as exc:
            raise ValidationError(exc.args[0] if exc.args else _l("Not valid.")) from None


def whole(low: int, high: int, **kw: Any) -> Parsed:
    return Parsed(parse_int(low, high), metadata={"type": "integer", "minimum": low, "maximum": high}, **kw)


def amount(**kw: Any) -> Parsed:
    doc = {"type": "number", "minimum": 0, "maximum": int(MAX_MONEY), **kw.pop("metadata", {})}
    return Parsed(parse_money, metadata=doc, **kw)


def text(max_len: int, min_len: int = 0, *, multiline: bool = False, **kw: Any) -> Parsed:
    doc = {"type": "string", "maxLength": max_len, **({"minLength": min_len} if min_len else {})}
    return Parsed(parse_text(max_len, min_len, multiline=multiline), metadata=doc, **kw)


def future_date(**kw: Any) -> Parsed:
    doc = {"type": "string", "format": "date", "description": "today or later (Asia/Bangkok)"}
    return Parsed(parse_future_date, metadata=doc, **kw)


def choice(choices, **kw: Any) -> Parsed:
    return Parsed(parse_choice(choices), metadata={"type": "string", "enum": list(choices)}, **kw)


class Input(Schema):
    """Fields a user may not set (``id``, ``status``, ``school_id`` …) are ignored, not refused."""

    class Meta:
        unknown = EXCLUDE


class PostInput(Input):
    """The fields needs and offers share."""

    category = choice(CATEGORIES, required=True)
    title = text(TITLE_MAX, 1, required=True)
    description = text(DESCRIPTION_MAX, multiline=True, default="")
    quantity = whole(1, MAX_QUANTITY, required=True)
    unit = text(UNIT_MAX, default="")


class NeedInput(PostInput):
    """``POST /needs`` (school staff, for their own school)."""

    estimated_cost_thb = amount(required=True)
    needed_by = future_date()
    urgency = choice(URGENCIES, default="normal")


class NeedUpdate(NeedInput):
    """``PATCH /needs/{id}``: the school's staff change the content; ``budget_thb`` is read only from the
    ESA's director or a central officer (ignored from anyone else)."""

    urgency = choice(URGENCIES, required=True)
    budget_thb = amount(required=True, metadata={"description": "the ESA's director or a central officer"})


NEED_CONTENT = tuple(name for name in NeedUpdate._declared_fields if name != "budget_thb")


def province_codes(value: Any) -> list[str]:
    """A list of 2-digit province codes (the services check that they exist)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(_l("Give a list of province codes (empty for nationwide)."))
    if len(set(value)) > 77 or not all(re.fullmatch(r"[0-9]{2}", c) for c in value):
        raise ValueError(_l("Unknown province code."))
    return sorted(set(value))


class _Provinces(Parsed):
    def read(self, value: Any) -> Any:
        return self.parent.read_provinces(value)


class OfferInput(PostInput):
    """``POST /offers`` and ``PATCH /offers/{id}`` (partial) by the company's reps. ``read_provinces`` turns
    the list of codes into what the service stores (its default only checks their shape)."""

    value_thb = amount(required=True)
    available_until = future_date()
    provinces = _Provinces(
        province_codes,
        default=list,
        metadata={
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{2}$"},
            "description": "province codes served; empty for nationwide",
        },
    )

    def __init__(self, read_provinces: Callable[[Any], Any] = province_codes, **kw: Any) -> None:
        super().__init__(**kw)
        self.read_provinces = read_provinces


def load(schema: Schema, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Validate ``data`` (not a mapping: as if empty); every problem becomes a 422 with ``fields``."""
    try:
        return schema.load(data if isinstance(data, dict) else {}, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(
            fields={k: (v if isinstance(v, list) else [v]) for k, v in messages.items()}
        ) from None


def need_input(data: Any) -> dict[str, Any]:
    return load(NeedInput(), data)


def need_changes(data: Any, *, content: bool, budget: bool) -> dict[str, Any]:
    """The fields of a PATCH this user may change: the content (the school's staff), the budget (its
    ESA's director, a central officer); the others are ignored like every field a user may not set."""
    names = (*(NEED_CONTENT if content else ()), *(("budget_thb",) if budget else ()))
    return load(NeedUpdate(only=names), data, partial=True)


def offer_input(data: Any, read_provinces: Callable[[Any], Any] = province_codes) -> dict[str, Any]:
    return load(OfferInput(read_provinces), data)


def offer_changes(data: Any, read_provinces: Callable[[Any], Any] = province_codes) -> dict[str, Any]:
    return load(OfferInput(read_provinces), data, partial=True)

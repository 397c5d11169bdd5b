"""Field rules shared by the pages and the API: one place decides what a valid need or offer is."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from csr_hub.domain import money
from csr_hub.domain.reference import CATEGORIES, URGENCIES, today_bangkok

MAX_QUANTITY = 1_000_000
MAX_MONEY = Decimal(1_000_000_000)


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


def parse_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
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
    if isinstance(value, bool) or value is None:
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


def parse_text(max_len: int, min_len: int = 0) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_l("Enter text."))
        value = value.replace("\x00", "").strip()
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


def post_fields(c: Collector, *, partial: bool) -> None:
    """The fields needs and offers share."""
    c.take("category", parse_category, required=True, partial=partial)
    c.take("title", parse_text(200, 1), required=True, partial=partial)
    c.take("description", parse_text(5000), required=False, partial=partial, default="")
    c.take("quantity", parse_int(1, MAX_QUANTITY), required=True, partial=partial)
    c.take("unit", parse_text(50), required=False, partial=partial, default="")

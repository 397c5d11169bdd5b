"""Money in baht: Decimal inside, a JSON number with at most 2 decimals outside."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """Round half up to satang. Floats go through ``str`` so 0.1 stays 0.1."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - guarded by validation
        raise ValueError(f"not an amount: {value!r}") from exc


def to_json(value: object) -> float | int:
    """The one place money becomes a JSON number."""
    d = to_decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


def pro_rata(total: object, of_quantity: int, quantity: int) -> Decimal:
    """``quantity`` units' share of ``total`` for ``of_quantity`` units, rounded half up."""
    if of_quantity <= 0:
        return Decimal("0.00")
    return (Decimal(str(to_decimal(total))) * quantity / of_quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def format_baht(value: object, lang: str = "th") -> str:
    """``฿1,234.50`` / ``1,234.50 บาท``: whole baht without decimals."""
    d = to_decimal(value)
    text = f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"
    return f"{text} บาท" if lang == "th" else f"฿{text}"

"""The report charts (SVG drawn on the server: no script), from the same figures as the tables."""

from __future__ import annotations

from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from csr_hub import labels
from csr_hub.domain import charts, reference
from csr_hub.web.reports.shapes import _label, _name, short_name


def category_chart(
    summary: dict[str, Any], lang: str, fmt: Callable[[Any], str], chart_id: str = "chart-category"
) -> str:
    cats = [r for r in summary["by_category"] if r["needs_value_thb"] or r["pledged_value_thb"]] or summary[
        "by_category"
    ]
    names = [_label(labels.CATEGORIES, r["category"], lang) for r in cats]
    series = [
        charts.Series(str(_l("Value of needs"))),
        charts.Series(str(_l("Value pledged"))),
        charts.Series(str(_l("Value delivered"))),
    ]
    values = [[r["needs_value_thb"], r["pledged_value_thb"], r["delivered_value_thb"]] for r in cats]
    return charts.bar_chart(
        chart_id,
        str(_l("Value by category")),
        str(
            _l(
                "Bars compare, for each category, the value of needs posted, the value "
                "pledged by companies and the value delivered. The table below gives the figures."
            )
        ),
        names,
        series,
        values,
        fmt,
    )


def month_chart(
    months: list[dict[str, Any]], lang: str, fmt: Callable[[Any], str], chart_id: str = "chart-month"
) -> str:
    labels = [reference.format_month(r["year"], r["month_no"], lang) for r in months]
    series = [
        charts.Series(str(_l("Value pledged"))),
        charts.Series(str(_l("Value delivered")), charts.PALETTE[2]),
    ]
    values = [[r["pledged_value_thb"], r["delivered_value_thb"]] for r in months]
    return charts.bar_chart(
        chart_id,
        str(_l("Pledged and delivered by month")),
        str(
            _l(
                "Bars compare, month by month, the value pledged (by the month the pledge was "
                "accepted) with the value delivered. The table below gives the figures."
            )
        ),
        labels,
        series,
        values,
        fmt,
    )


def gap_chart(
    rows_: list[dict[str, Any]],
    lang: str,
    fmt: Callable[[Any], str],
    *,
    per: str,
    limit: int = 15,
    chart_id: str = "chart-gap",
) -> str:
    """The gap after budget and CSR per ESA (``per="district"``) or per school, the largest first."""
    top = [r for r in rows_ if r["gap_thb"]][:limit]
    labels = [short_name(_name(r, lang)) for r in top]
    title = _l("Gap per ESA") if per == "district" else _l("Gap per school")
    desc = (
        _l(
            "The %(n)s ESAs with the largest gap remaining after budget and CSR, largest first. "
            "The table below lists every ESA.",
            n=len(top),
        )
        if per == "district"
        else _l(
            "The %(n)s schools with the largest gap remaining after budget and CSR, largest first. "
            "The table below gives the figures.",
            n=len(top),
        )
    )
    return charts.bar_chart(
        chart_id,
        str(title),
        str(desc),
        labels,
        [charts.Series(str(_l("Gap")), charts.PALETTE[4])],
        [[r["gap_thb"]] for r in top],
        fmt,
        empty_text=str(_l("No gap: every need is covered.")),
    )

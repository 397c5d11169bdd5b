"""The report tables: one definition each, shared by the pages, the CSV and Excel exports and the charts.

A table's rows are plain dicts built from the report service's figures; the page formats them (baht,
Buddhist Era), the exports write the same values as numbers, so both always agree with the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from csr_hub.domain import money
from csr_hub.web.reports.charts import category_chart, gap_chart, month_chart  # noqa: F401
from csr_hub.web.reports.model import Column, Scope, Table  # noqa: F401
from csr_hub.web.reports.shapes import (  # noqa: F401  (re-exported: the tables' old import path)
    COMPANY_FIGURES,
    FIGURES,
    STAGES,
    _by_district,
    _by_month,
    _by_school,
    _companies,
    _companies_by_category,
    _companies_by_province,
    _durations,
    _label,
    _name,
    _shape_by_category,
    _shape_by_group,
    _shape_companies,
    _shape_months,
    _shape_named,
    _shape_states,
    _shape_summary,
    _shape_waiting,
    _summary,
    _waiting,
    reference_province_names,
    short_name,
)


#: the columns of the long per-ESA and per-school tables on a page
BRIEF = (
    "name",
    "needs_count",
    "needs_value_thb",
    "budget_thb",
    "pledged_value_thb",
    "delivered_value_thb",
    "gap_thb",
)
_school_link = ("main.school_page", {"code": "school_code"})
#: a company's name opens its own contributions, by province and by category
_company_link = ("reports.companies", {"company": "company_id"})

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "summary",
            _l("Summary"),
            (
                Column("stage", _l("Stage code"), on_page=False),
                Column("stage_label", _l("Stage")),
                Column("count", _l("Count"), "int"),
                Column("value_thb", _l("Value (baht)"), "money"),
            ),
            _summary,
            _shape_summary,
        ),
        Table(
            "by_category",
            _l("By category"),
            (
                Column("category", _l("Category code"), on_page=False),
                Column("category_label", _l("Category")),
                *FIGURES,
            ),
            _summary,
            _shape_by_category,
        ),
        Table(
            "by_quality_group",
            _l("By school quality group"),
            (
                Column("quality_group", _l("Group code"), on_page=False),
                Column("quality_group_label", _l("School quality group")),
                *FIGURES,
            ),
            _summary,
            _shape_by_group,
        ),
        Table(
            "by_district",
            _l("By ESA"),
            (
                Column("district_code", _l("ESA code"), on_page=False),
                Column("name", _l("ESA"), on_page=False),
                Column(
                    "short_name",
                    _l("ESA"),
                    link=("reports.index", {"district": "district_code"}),
                    in_export=False,
                ),
                *FIGURES,
            ),
            _by_district,
            _shape_named,
            page_keys=("short_name", *BRIEF),
        ),
        Table(
            "by_school",
            _l("By school"),
            (
                Column("school_code", _l("School code"), on_page=False),
                Column("name", _l("School"), link=_school_link),
                Column("quality_group_label", _l("School quality group")),
                *FIGURES,
            ),
            _by_school,
            _shape_named,
            page_keys=("quality_group_label", *BRIEF),
        ),
        Table(
            "by_month",
            _l("Pledged and delivered by month"),
            (
                Column("month", _l("Month (YYYY-MM)"), on_page=False),
                Column("month_label", _l("Month")),
                Column("pledged_count", _l("Pledged"), "int"),
                Column("pledged_value_thb", _l("Value pledged"), "money"),
                Column("delivered_count", _l("Delivered"), "int"),
                Column("delivered_value_thb", _l("Value delivered"), "money"),
            ),
            _by_month,
            _shape_months,
        ),
        Table(
            "durations",
            _l("Days matches spend in each state"),
            (
                Column("status", _l("State code"), on_page=False),
                Column("status_label", _l("State")),
                Column("finished_count", _l("Stays ended"), "int"),
                Column("median_days", _l("Median days"), "days"),
                Column("current_count", _l("In this state now"), "int"),
                Column("current_median_days", _l("Median days so far"), "days"),
            ),
            _durations,
            _shape_states,
        ),
        Table(
            "waiting",
            _l("Oldest waiting approvals"),
            (
                Column("match_id", _l("Match"), "int", link=("matches.show_match", {"match_id": "match_id"})),
                Column("status_label", _l("Status")),
                Column("waiting_for_label", _l("Waiting for")),
                Column("since_date", _l("Waiting since"), "date"),
                Column("days_waiting", _l("Days waiting"), "int"),
                Column("school_code", _l("School code"), on_page=False),
                Column("school_name", _l("School"), link=_school_link),
                Column("need_title", _l("Need")),
                Column("company_name", _l("Company")),
                Column("value_thb", _l("Value"), "money"),
            ),
            _waiting,
            _shape_waiting,
            officer_only=True,
        ),
        Table(
            "companies",
            _l("Companies' contributions"),
            (
                Column("company_id", _l("Company id"), "int", on_page=False),
                Column("name", _l("Company"), link=_company_link),
                Column("province_name", _l("Company's province")),
                *COMPANY_FIGURES,
            ),
            _companies,
            _shape_companies,
        ),
        Table(
            "companies_by_province",
            _l("Companies' contributions by province"),
            (
                Column("company_id", _l("Company id"), "int", on_page=False),
                Column("name", _l("Company"), link=_company_link),
                Column("province_code", _l("Province code"), on_page=False),
                Column("province_name", _l("Province of the schools")),
                *COMPANY_FIGURES,
            ),
            _companies_by_province,
            _shape_companies,
        ),
        Table(
            "companies_by_category",
            _l("Companies' contributions by category"),
            (
                Column("company_id", _l("Company id"), "int", on_page=False),
                Column("name", _l("Company"), link=_company_link),
                Column("category", _l("Category code"), on_page=False),
                Column("category_label", _l("Category")),
                *COMPANY_FIGURES,
            ),
            _companies_by_category,
            _shape_companies,
        ),
    )
}

#: where each table's figures sit in :func:`csr_hub.services.reports.dashboard`'s answer
DASHBOARD_KEYS = {
    "summary": "summary",
    "by_category": "summary",
    "by_quality_group": "summary",
    "by_district": "by_district",
    "by_school": "by_school",
    "by_month": "by_month",
    "durations": "durations",
    "waiting": "waiting",
    "companies": "companies",
}


def rows(name: str, raw: Any, lang: str) -> list[dict[str, Any]]:
    return TABLES[name].shape(raw, lang)


def cell_value(column: Column, row: dict[str, Any]) -> Any:
    """A cell as the exports write it: numbers as numbers (money as Decimal), text as text."""
    v = row.get(column.key)
    if v is None:
        return None
    if column.kind == "money":
        return money.to_decimal(v)
    if column.kind == "int":
        return int(v)
    if column.kind == "days":
        return float(v)
    if column.kind == "date":
        return v.date() if isinstance(v, datetime) else v
    return str(v)


__all__ = [
    "DASHBOARD_KEYS",
    "TABLES",
    "Column",
    "Scope",
    "Table",
    "category_chart",
    "cell_value",
    "gap_chart",
    "month_chart",
    "rows",
]

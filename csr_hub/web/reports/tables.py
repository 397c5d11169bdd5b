"""The report tables: one definition each, shared by the pages, the CSV and Excel exports and the charts.

A table's rows are plain dicts built from the report service's figures; the page formats them (baht,
Buddhist Era), the exports write the same values as numbers, so both always agree with the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from csr_hub.domain import money
from csr_hub.web.reports import shapes as S
from csr_hub.web.reports.charts import category_chart, gap_chart, month_chart
from csr_hub.web.reports.model import Column, Scope, Table
from csr_hub.web.reports.shapes import reference_province_names, short_name

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


def _coded(code: str, code_header: Any, label: str, label_header: Any) -> tuple[Column, Column]:
    """A code for the exports and its label for the page."""
    return Column(code, code_header, on_page=False), Column(label, label_header)


_CATEGORY = _coded("category", _l("Category code"), "category_label", _l("Category"))
#: a company's name opens its own contributions, by province and by category
_COMPANY = (
    Column("company_id", _l("Company id"), "int", on_page=False),
    Column("name", _l("Company"), link=("reports.companies", {"company": "company_id"})),
)
#: an ESA's code and full name go to the exports; the page shows the short name, linked to its report
_ESA = (
    Column("district_code", _l("ESA code"), on_page=False),
    Column("name", _l("ESA"), on_page=False),
    Column("short_name", _l("ESA"), link=("reports.index", {"district": "district_code"}), in_export=False),
)


def _companies(name: str, title: Any, where: tuple[Column, ...], by: str | None = None) -> Table:
    """A table of companies' contributions, each company placed by ``where``."""
    load = S._companies_by(by) if by else S._companies
    return Table(name, title, (*_COMPANY, *where, *S.COMPANY_FIGURES), load, S._shape_companies)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "summary",
            _l("Summary"),
            (
                *_coded("stage", _l("Stage code"), "stage_label", _l("Stage")),
                Column("count", _l("Count"), "int"),
                Column("value_thb", _l("Value (baht)"), "money"),
            ),
            S._summary,
            S._shape_summary,
        ),
        Table("by_category", _l("By category"), (*_CATEGORY, *S.FIGURES), S._summary, S._shape_by_category),
        Table(
            "by_quality_group",
            _l("By school quality group"),
            (
                *_coded("quality_group", _l("Group code"), "quality_group_label", _l("School quality group")),
                *S.FIGURES,
            ),
            S._summary,
            S._shape_by_group,
        ),
        Table(
            "by_district",
            _l("By ESA"),
            (*_ESA, *S.FIGURES),
            S._by_district,
            S._shape_named,
            page_keys=("short_name", *BRIEF),
        ),
        Table(
            "by_school",
            _l("By school"),
            (
                Column("school_code", _l("School code"), on_page=False),
                Column("name", _l("School"), link=_school_link),
                Column("quality_group_label", _l("School quality group")),
                *S.FIGURES,
            ),
            S._by_school,
            S._shape_named,
            page_keys=("quality_group_label", *BRIEF),
        ),
        Table(
            "by_month",
            _l("Pledged and delivered by month"),
            (*_coded("month", _l("Month (YYYY-MM)"), "month_label", _l("Month")), *S.MONTH_FIGURES),
            S._by_month,
            S._shape_months,
        ),
        Table(
            "durations",
            _l("Days matches spend in each state"),
            (
                *_coded("status", _l("State code"), "status_label", _l("State")),
                Column("finished_count", _l("Stays ended"), "int"),
                Column("median_days", _l("Median days"), "days"),
                Column("current_count", _l("In this state now"), "int"),
                Column("current_median_days", _l("Median days so far"), "days"),
            ),
            S._durations,
            S._shape_states,
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
            S._waiting,
            S._shape_waiting,
            officer_only=True,
        ),
        _companies(
            "companies", _l("Companies' contributions"), (Column("province_name", _l("Company's province")),)
        ),
        _companies(
            "companies_by_province",
            _l("Companies' contributions by province"),
            _coded("province_code", _l("Province code"), "province_name", _l("Province of the schools")),
            "province",
        ),
        _companies(
            "companies_by_category", _l("Companies' contributions by category"), _CATEGORY, "category"
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
    "reference_province_names",
    "rows",
    "short_name",
]

"""The report tables: one definition each, shared by the pages, the CSV and Excel exports and the charts.

A table's rows are plain dicts built from the report service's figures; the page formats them (baht,
Buddhist Era), the exports write the same values as numbers, so both always agree with the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import charts, money, reference
from csr_hub.domain.reference import BANGKOK
from csr_hub.services import reports


@dataclass(frozen=True)
class Scope:
    """Whose figures a report shows and how much of them."""

    district_id: int | None = None
    district_code: str = ""
    #: directors, central officers and admins see the waiting matches and every company
    officer: bool = False
    #: a company rep always sees its own company's row, shown publicly or not
    own_company_id: int | None = None
    #: the companies' page may be narrowed to one company
    company_id: int | None = None


@dataclass(frozen=True)
class Column:
    key: str
    header: Any
    #: text | int | money | days | date
    kind: str = "text"
    #: (endpoint, {url argument: row key}) to link the cell on the page
    link: tuple[str, dict[str, str]] | None = None
    #: codes and ids go to the exports; the page shows their labels
    on_page: bool = True
    #: a column only the page shows (a shortened name, say)
    in_export: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    title: Any
    columns: tuple[Column, ...]
    load: Callable[[Session, Scope], Any]
    shape: Callable[[Any, str], list[dict[str, Any]]]
    officer_only: bool = False
    #: the columns a page shows when not all (long national tables); the exports always have every column
    page_keys: tuple[str, ...] = ()

    @property
    def page_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.on_page and (not self.page_keys or c.key in self.page_keys))

    @property
    def export_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_export)


def _label(table: dict, code: str | None, lang: str) -> str:
    return reference.label(table, code or "", lang)


def _name(row: dict[str, Any], lang: str, prefix: str = "") -> str:
    en, th = row.get(f"{prefix}name_en") or "", row.get(f"{prefix}name_th") or ""
    return (en or th) if lang == "en" else (th or en)


#: the abbreviations OBEC itself writes (สพป. / สพม.), for chart labels where room is short
_SHORT = (
    ("สำนักงานเขตพื้นที่การศึกษาประถมศึกษา", "สพป."),
    ("สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา", "สพม."),
    (" Educational Service Area Office", " ESA"),
    (" Educational Service Area", " ESA"),
)


def short_name(name: str) -> str:
    for long, short in _SHORT:
        name = name.replace(long, short)
    return name


FIGURES = (
    Column("needs_count", _l("Needs posted"), "int"),
    Column("needs_value_thb", _l("Value of needs"), "money"),
    Column("budget_thb", _l("Budget"), "money"),
    Column("pledged_count", _l("Pledged"), "int"),
    Column("pledged_value_thb", _l("Value pledged"), "money"),
    Column("approved_count", _l("Approved"), "int"),
    Column("approved_value_thb", _l("Value approved"), "money"),
    Column("delivered_count", _l("Delivered"), "int"),
    Column("delivered_value_thb", _l("Value delivered"), "money"),
    Column("completed_count", _l("Confirmed by schools"), "int"),
    Column("gap_thb", _l("Gap after budget and CSR"), "money"),
)
COMPANY_FIGURES = (
    Column("pledged_count", _l("Pledged"), "int"),
    Column("pledged_value_thb", _l("Value pledged"), "money"),
    Column("delivered_count", _l("Delivered"), "int"),
    Column("delivered_value_thb", _l("Value delivered"), "money"),
    Column("completed_count", _l("Confirmed by schools"), "int"),
)
STAGES = (
    ("needs", _l("Needs posted"), "needs_count", "needs_value_thb"),
    ("pledged", _l("Pledged"), "pledged_count", "pledged_value_thb"),
    ("approved", _l("Approved"), "approved_count", "approved_value_thb"),
    ("delivered", _l("Delivered"), "delivered_count", "delivered_value_thb"),
    ("confirmed", _l("Confirmed by schools"), "completed_count", None),
    ("budget", _l("Government budget recorded"), None, "budget_thb"),
    ("gap", _l("Gap after budget and CSR"), None, "gap_thb"),
)


# --- loaders (the service calls) and shapers (rows in the reader's language) ----------------------------
def _summary(session: Session, scope: Scope) -> dict[str, Any]:
    return reports.summary(session, scope.district_id)


def _shape_summary(s: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "stage": code,
            "stage_label": str(text),
            "count": s[ck] if ck else None,
            "value_thb": s[vk] if vk else None,
        }
        for code, text, ck, vk in STAGES
    ]


def _shape_by_category(s: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    return [
        {**r, "category_label": _label(reference.CATEGORIES, r["category"], lang)} for r in s["by_category"]
    ]


def _shape_by_group(s: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    return [
        {**r, "quality_group_label": _label(reference.QUALITY_GROUPS, r["quality_group"], lang)}
        for r in s["by_quality_group"]
    ]


def _by_district(session: Session, scope: Scope) -> list[dict[str, Any]]:
    rows = reports.by_district(session)
    return [r for r in rows if r["district_code"] == scope.district_code] if scope.district_id else rows


def _shape_named(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        extra = {"name": _name(r, lang)}
        extra["short_name"] = short_name(extra["name"])
        if "quality_group" in r:
            extra["quality_group_label"] = _label(reference.QUALITY_GROUPS, r["quality_group"], lang)
        out.append({**r, **extra})
    return out


def _by_school(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.by_school(session, scope.district_id)


def _by_month(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.by_month(session, scope.district_id)


def _shape_months(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [{**r, "month_label": reference.format_month(r["year"], r["month_no"], lang)} for r in rows]


def _durations(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.state_durations(session, scope.district_id)


def _shape_states(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [{**r, "status_label": _label(reference.STATUS_LABELS, r["status"], lang)} for r in rows]


def _waiting(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.oldest_waiting(session, scope.district_id, limit=100)


def _shape_waiting(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "status_label": _label(reference.STATUS_LABELS, r["status"], lang),
            "waiting_for_label": _label(reference.ROLE_LABELS, r["waiting_for"], lang),
            "since_date": r["since"].astimezone(BANGKOK).date(),
            "school_name": _name(r, lang, "school_"),
        }
        for r in rows
    ]


def _company_args(scope: Scope) -> dict[str, Any]:
    return {
        "district_id": scope.district_id,
        "public_only": not scope.officer,
        "include_company_id": scope.own_company_id,
        "company_id": scope.company_id,
    }


def _companies(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.companies(session, **_company_args(scope))


def _companies_by_province(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.companies_by(session, "province", **_company_args(scope))


def _companies_by_category(session: Session, scope: Scope) -> list[dict[str, Any]]:
    return reports.companies_by(session, "category", **_company_args(scope))


def _shape_companies(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    names = reference_province_names(lang)
    out = []
    for r in rows:
        extra: dict[str, Any] = {}
        if "province_code" in r:
            extra["province_name"] = names.get(r["province_code"] or "", "")
        if "category" in r:
            extra["category_label"] = _label(reference.CATEGORIES, r["category"], lang)
        out.append({**r, **extra})
    return out


_PROVINCES: dict[str, tuple[str, str]] = {}


def reference_province_names(lang: str) -> dict[str, str]:
    """Province names from the package's reference data (read once; they are public fact)."""
    if not _PROVINCES:
        import json
        from importlib import resources

        data = json.loads(
            resources.files("csr_hub").joinpath("data/provinces.json").read_text(encoding="utf-8")
        )
        for p in data:
            _PROVINCES[str(p["code"])] = (p["name_th"], p["name_en"])
    return {code: (en if lang == "en" else th) for code, (th, en) in _PROVINCES.items()}


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


# --- charts ----------------------------------------------------------------------------------------------
def category_chart(
    summary: dict[str, Any], lang: str, fmt: Callable[[Any], str], chart_id: str = "chart-category"
) -> str:
    cats = [r for r in summary["by_category"] if r["needs_value_thb"] or r["pledged_value_thb"]] or summary[
        "by_category"
    ]
    labels = [_label(reference.CATEGORIES, r["category"], lang) for r in cats]
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
        labels,
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

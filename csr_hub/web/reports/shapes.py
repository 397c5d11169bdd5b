"""Report rows in the reader's language: the service calls (loaders) and the shapers of each table."""

from __future__ import annotations

from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub import labels
from csr_hub.domain import reference
from csr_hub.domain.reference import BANGKOK
from csr_hub.services import reports
from csr_hub.web.reports.model import Column, Scope


def _label(table: dict, code: str | None, lang: str) -> str:
    return labels.label(table, code, lang)


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


def figures(*keys: str) -> tuple[Column, ...]:
    """Some of the figures' columns, in the figures' order."""
    return tuple(c for c in FIGURES if c.key in keys)


#: what a month shows: pledged and delivered
MONTH_FIGURES = figures("pledged_count", "pledged_value_thb", "delivered_count", "delivered_value_thb")
#: what a company contributes: pledged, delivered, confirmed by the schools
COMPANY_FIGURES = figures(*(c.key for c in MONTH_FIGURES), "completed_count")
STAGES = (
    ("needs", _l("Needs posted"), "needs_count", "needs_value_thb"),
    ("pledged", _l("Pledged"), "pledged_count", "pledged_value_thb"),
    ("approved", _l("Approved"), "approved_count", "approved_value_thb"),
    ("delivered", _l("Delivered"), "delivered_count", "delivered_value_thb"),
    ("confirmed", _l("Confirmed by schools"), "completed_count", None),
    ("budget", _l("Government budget recorded"), None, "budget_thb"),
    ("gap", _l("Gap after budget and CSR"), None, "gap_thb"),
)

Loader = Callable[[Session, Scope], Any]
Shaper = Callable[[Any, str], list[dict[str, Any]]]


# --- loaders (the service calls) -----------------------------------------------------------------------
def _summary(session: Session, scope: Scope) -> dict[str, Any]:
    return reports.summary(session, scope.district_id)


def _in_district(figures_of: Callable[..., Any], **extra: Any) -> Loader:
    """A loader of figures narrowed to the scope's ESA (the nation's when it has none)."""
    return lambda session, scope: figures_of(session, scope.district_id, **extra)


_by_school = _in_district(reports.by_school)
_by_month = _in_district(reports.by_month)
_durations = _in_district(reports.state_durations)
_waiting = _in_district(reports.oldest_waiting, limit=100)


def _by_district(session: Session, scope: Scope) -> list[dict[str, Any]]:
    rows = reports.by_district(session)
    return [r for r in rows if r["district_code"] == scope.district_code] if scope.district_id else rows


def _companies(session: Session, scope: Scope, by: str | None = None) -> list[dict[str, Any]]:
    """Companies' contributions (``by`` the schools' province or the category); the public sees the
    companies that agreed to be shown, a rep its own too, officers every one."""
    args = {
        "district_id": scope.district_id,
        "public_only": not scope.officer,
        "include_company_id": scope.own_company_id,
        "company_id": scope.company_id,
    }
    return reports.companies(session, **args, by=by)


def _companies_by(by: str) -> Loader:
    return lambda session, scope: _companies(session, scope, by)


# --- shapers (rows in the reader's language) -------------------------------------------------------------
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


def _labels(source: str | None = None, **labels: tuple[str, dict]) -> Shaper:
    """A shaper that adds to each row (of ``figures[source]`` when the figures are a dict) the label of
    its codes: ``label_key=(code_key, reference table)``, where the row has the code."""

    def shape(figures: Any, lang: str) -> list[dict[str, Any]]:
        rows = figures[source] if source else figures
        return [
            {**r, **{k: _label(table, r[code], lang) for k, (code, table) in labels.items() if code in r}}
            for r in rows
        ]

    return shape


_shape_by_category = _labels("by_category", category_label=("category", labels.CATEGORIES))
_shape_by_group = _labels("by_quality_group", quality_group_label=("quality_group", labels.QUALITY_GROUPS))
_shape_states = _labels(status_label=("status", labels.STATUSES))
_with_group = _labels(quality_group_label=("quality_group", labels.QUALITY_GROUPS))
_with_category = _labels(category_label=("category", labels.CATEGORIES))
_with_waiting = _labels(
    status_label=("status", labels.STATUSES), waiting_for_label=("waiting_for", labels.ROLES)
)


def _shape_named(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    named = ({**r, "name": _name(r, lang)} for r in rows)
    return [{**r, "short_name": short_name(r["name"])} for r in _with_group(list(named), lang)]


def _shape_months(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [{**r, "month_label": reference.format_month(r["year"], r["month_no"], lang)} for r in rows]


def _shape_waiting(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {**r, "since_date": r["since"].astimezone(BANGKOK).date(), "school_name": _name(r, lang, "school_")}
        for r in _with_waiting(rows, lang)
    ]


def _shape_companies(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    names = reference_province_names(lang)
    placed = (
        {**r, "province_name": names.get(r["province_code"] or "", "")} if "province_code" in r else r
        for r in rows
    )
    return _with_category(list(placed), lang)


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

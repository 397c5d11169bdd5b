"""Report rows in the reader's language: the service calls (loaders) and the shapers of each table."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import reference
from csr_hub.domain.reference import BANGKOK
from csr_hub.services import reports
from csr_hub.web.reports.model import Column, Scope


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

"""Donation records (one per completed match) and a company's annual CSR statement.

A record's value is what the school confirmed receiving (the report rule) and its date is the day of the
``confirm`` transition in Asia/Bangkok: every figure traces to the school's confirmation of receipt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import money
from csr_hub.domain.policy import NATIONAL_ROLES, MatchStatus, Role, is_active, role_of
from csr_hub.domain.reference import BANGKOK, today_bangkok
from csr_hub.models import Company, District, Match, MatchTransition, Need, Offer, School, User
from csr_hub.services.scope import tenant_clause
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed
from csr_hub.services.listing import Page, where_ids
from csr_hub.services.reporting.sql import matches_with_parties

TAX_RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "tax_rules.json"
YEAR_LOW, YEAR_HIGH = 2000, 2200

FIELDS = (
    "match_id",
    "company_id",
    "company_name",
    "company_tax_id",
    "school_id",
    "school_code",
    "school_name_th",
    "district_code",
    "category",
    "title",
    "unit",
    "received_quantity",
    "value_thb",
    "received_on",
)


@dataclass(frozen=True)
class Record:
    match_id: int
    company_id: int
    company_name: str
    company_tax_id: str
    school_id: int
    school_code: str
    school_name_th: str
    school_name_en: str
    district_code: str
    province_code: str
    quality_group: str
    category: str
    title: str
    unit: str
    received_quantity: int
    value_thb: Decimal
    received_on: date

    def as_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in FIELDS}
        out["value_thb"] = money.to_json(self.value_thb)
        out["received_on"] = self.received_on.isoformat()
        return out


def _bangkok_year(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=BANGKOK), datetime(year + 1, 1, 1, tzinfo=BANGKOK)


def parse_year(raw: Any, field: str = "year") -> int | None:
    if raw in (None, ""):
        return None
    s = str(raw).strip()
    if not (s.isascii() and s.isdigit() and len(s) == 4) or not YEAR_LOW <= int(s) <= YEAR_HIGH:
        raise ValidationFailed(fields={field: [_l("Enter a year as YYYY (Gregorian), e.g. 2025.")]})
    return int(s)


def _query():
    """Completed matches with their confirmation, each column labelled with its :class:`Record` field."""
    confirmed = sa.and_(MatchTransition.match_id == Match.id, MatchTransition.action == "confirm")
    return (
        matches_with_parties(
            Match.id.label("match_id"),
            Offer.company_id,
            Company.name.label("company_name"),
            Company.tax_id.label("company_tax_id"),
            Need.school_id,
            School.code.label("school_code"),
            School.name_th.label("school_name_th"),
            School.name_en.label("school_name_en"),
            District.code.label("district_code"),
            School.province_code,
            School.quality_group,
            Need.category,
            Need.title,
            Need.unit,
            Match.received_quantity,
            Match.received_value_thb.label("value_thb"),
            MatchTransition.at.label("received_on"),
        )
        .join(MatchTransition, confirmed)
        .where(Match.status == MatchStatus.COMPLETED.value)
    )


RECORD_FIELDS = tuple(f.name for f in fields(Record))
#: the fields :func:`_record` converts (the rest are taken as the query gives them)
_CONVERTED = frozenset({"school_name_en", "unit", "received_quantity", "value_thb", "received_on"})


def _record(row) -> Record:
    r = row._mapping
    return Record(
        **{k: r[k] for k in RECORD_FIELDS if k not in _CONVERTED},
        school_name_en=r["school_name_en"] or "",
        unit=r["unit"] or "",
        received_quantity=int(r["received_quantity"] or 0),
        value_thb=money.to_decimal(r["value_thb"] or 0),
        received_on=r["received_on"].astimezone(BANGKOK).date(),
    )


def scoped(q, user: User):
    """Company reps their company's, school staff their school's, directors their ESA's, officers all."""
    return q.where(
        tenant_clause(
            user, school_id=Need.school_id, company_id=Offer.company_id, district_id=School.district_id
        )
    )


def _filtered(session: Session, user: User, args: dict[str, Any]):
    errors: dict[str, list[object]] = {}
    q = scoped(_query(), user)
    try:
        year = parse_year(args.get("year"))
    except ValidationFailed as exc:
        errors.update(exc.fields)
        year = None
    if year is not None:
        start, end = _bangkok_year(year)
        q = q.where(MatchTransition.at >= start, MatchTransition.at < end)
    q = where_ids(q, args, {"company_id": Offer.company_id, "school_id": Need.school_id}, errors)
    dcode = args.get("district")
    if dcode:
        d = session.scalar(sa.select(District.id).where(District.code == str(dcode)[:16]))
        if d is None:
            errors["district"] = [_l("Unknown district (ESA) code.")]
        else:
            q = q.where(School.district_id == d)
    if errors:
        raise ValidationFailed(fields=errors)
    return q.order_by(MatchTransition.at.desc(), Match.id.desc())


def list_records(session: Session, user: User, args: dict[str, Any], page: int, per_page: int) -> Page:
    q = _filtered(session, user, args)
    total = session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = session.execute(q.limit(per_page).offset((page - 1) * per_page)).all()
    return Page([_record(r) for r in rows], total, page, per_page)


def all_records(session: Session, user: User, args: dict[str, Any]) -> list[Record]:
    """Every record the user may see with these filters (for exports and the statement)."""
    return [_record(r) for r in session.execute(_filtered(session, user, args))]


# -- the annual statement -----------------------------------------------------------------------------------
def may_read_statement(user: User, company_id: int) -> bool:
    if not is_active(user):
        return False
    role = role_of(user)
    return role in NATIONAL_ROLES or (role == Role.COMPANY_REP and user.company_id == company_id)


def _groups(records: list[Record], key: str, name: str) -> list[dict[str, Any]]:
    acc: dict[str, list] = {}
    for r in records:
        a = acc.setdefault(getattr(r, key), [0, Decimal("0")])
        a[0] += 1
        a[1] += r.value_thb
    rows = [{name: k, "donations_count": n, "value_thb": v} for k, (n, v) in acc.items()]
    return sorted(rows, key=lambda x: (-x["value_thb"], str(x[name])))


def statement(session: Session, user: User, company_id: int, year_raw: Any) -> dict[str, Any]:
    """The company's donations of one calendar year of receipt; its figures are the records' sums."""
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound()
    if not may_read_statement(user, company_id):
        raise Forbidden()
    year = parse_year(year_raw)
    if year is None:
        year = today_bangkok().year
    records = all_records(session, user, {"company_id": company_id, "year": year})
    return {
        "company": company,
        "records": records,
        "company_id": company_id,
        "year": year,
        "donations_count": len(records),
        "value_thb": sum((r.value_thb for r in records), Decimal("0")),
        "schools_count": len({r.school_id for r in records}),
        "by_category": _groups(records, "category", "category"),
        "by_province": _groups(records, "province_code", "province_code"),
        "by_quality_group": _groups(records, "quality_group", "quality_group"),
    }


# -- tax guidance ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def tax_rules() -> dict[str, Any]:
    """The dated table of tax rules (guidance only), from csr_hub/data/tax_rules.json."""
    return json.loads(TAX_RULES_FILE.read_text(encoding="utf-8"))


def tax_rule_for(year: int) -> dict[str, Any] | None:
    for rule in tax_rules()["rules"]:
        if rule["from_year"] <= year and (rule.get("to_year") is None or year <= rule["to_year"]):
            return rule
    return None

"""Rows to the JSON shapes of SPEC "Contract details"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from csr_hub.domain import money
from csr_hub.domain.reference import today_bangkok
from csr_hub.services import clock
from csr_hub.models import Company, District, Match, Need, Offer, Province, School, User


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "full_name": u.full_name,
        "role": u.role,
        "status": u.status,
        "school_id": u.school_id,
        "company_id": u.company_id,
        "district_code": u.district.code if u.district_id and u.district else None,
    }


def province(p: Province) -> dict[str, Any]:
    return {
        "code": p.code,
        "name_th": p.name_th,
        "name_en": p.name_en,
        "region": p.region,
        "latitude": p.latitude,
        "longitude": p.longitude,
    }


def district(d: District) -> dict[str, Any]:
    return {
        "id": d.id,
        "code": d.code,
        "name_th": d.name_th,
        "name_en": d.name_en,
        "kind": d.kind,
        "province_code": d.province_code,
        "province_codes": [p.code for p in d.provinces],
    }


def school(s: School) -> dict[str, Any]:
    return {
        "id": s.id,
        "code": s.code,
        "name_th": s.name_th,
        "name_en": s.name_en,
        "district_code": s.district.code,
        "province_code": s.province_code,
        "quality_group": s.quality_group,
        "pupils": s.pupils,
        "teachers": s.teachers,
    }


def company(c: Company) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "tax_id": c.tax_id,
        "province_code": c.province_code,
        "verified": c.verified,
    }


def need(n: Need) -> dict[str, Any]:
    return {
        "id": n.id,
        "school_id": n.school_id,
        "school_code": n.school.code,
        "district_code": n.school.district.code,
        "province_code": n.school.province_code,
        "category": n.category,
        "title": n.title,
        "description": n.description,
        "quantity": n.quantity,
        "unit": n.unit,
        "estimated_cost_thb": money.to_json(n.estimated_cost_thb),
        "budget_thb": money.to_json(n.budget_thb),
        "needed_by": iso(n.needed_by),
        "urgency": n.urgency,
        "status": n.status,
        "remaining_quantity": n.remaining_quantity,
        "possible_duplicates": list(n.possible_duplicates or []),
        "review_due": n.review_due,
        "created_at": iso(n.created_at),
        "updated_at": iso(n.updated_at),
    }


def offer(o: Offer, today: date | None = None) -> dict[str, Any]:
    return {
        "id": o.id,
        "company_id": o.company_id,
        "category": o.category,
        "title": o.title,
        "description": o.description,
        "quantity": o.quantity,
        "unit": o.unit,
        "value_thb": money.to_json(o.value_thb),
        "provinces": [p.code for p in o.provinces],
        "available_until": iso(o.available_until),
        "status": o.status_on(today or today_bangkok()),
        "remaining_quantity": o.remaining_quantity,
        "created_at": iso(o.created_at),
        "updated_at": iso(o.updated_at),
    }


def match(m: Match) -> dict[str, Any]:
    return {
        "id": m.id,
        "need_id": m.need_id,
        "offer_id": m.offer_id,
        "quantity": m.quantity,
        "value_thb": money.to_json(m.value_thb),
        "status": m.status,
        "proposed_by": m.proposed_by,
        "proposed_by_user_id": m.proposed_by_user_id,
        "score": round(float(m.score or 0), 1),
        "parts": m.parts or {},
        "received_quantity": m.received_quantity,
        "due_on": iso(clock.match_due_on(m)),
        "escalated_at": iso(m.escalated_at),
        "created_at": iso(m.created_at),
        "updated_at": iso(m.updated_at),
        "history": [
            {
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor_id": t.actor_id,
                "at": iso(t.at),
                "note": t.note,
            }
            for t in m.history
        ],
    }

"""The people and posts of a pledge, shared by the workflow tests (import the fixtures you use).

One need of 20 units at a school of ESA p50-1, one offer of 50 units worth 500,000 baht (10,000 a unit),
the four roles that act on it, and the outsiders who may not: another school, another company, another
ESA's director, an admin, and a pending member of the school's staff. The central threshold is 100,000
baht, so a match of 10 units or more (≥ 100,000) needs central approval and one of 9 or fewer does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

THRESHOLD = 100_000
PER_UNIT = 10_000


@pytest.fixture
def app_config():
    return {"CSR_CENTRAL_THRESHOLD_THB": THRESHOLD}


@dataclass
class Cast:
    school: Any
    company: Any
    staff: Any
    rep: Any
    director: Any
    central: Any
    admin: Any
    other_staff: Any
    other_rep: Any
    other_director: Any
    pending_staff: Any
    need: Any
    offer: Any

    def users(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in (
                "staff",
                "rep",
                "director",
                "central",
                "admin",
                "other_staff",
                "other_rep",
                "other_director",
            )
        }


@pytest.fixture
def cast(session, make_school, make_company, make_user, make_need, make_offer) -> Cast:
    school = make_school("p50-1", name_th="โรงเรียนบ้านดอยสูง", name_en="Ban Doi Sung School")
    company = make_company(name="Siam Digital Co., Ltd.")
    staff = make_user("school_staff", school=school, full_name="ครูมาลี ทองคำ")
    rep = make_user("company_rep", company=company, full_name="Anan CSR")
    need = make_need(staff, title="คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", quantity=20)
    offer = make_offer(rep, title="50 refurbished laptops", quantity=50, value_thb=500_000)
    return Cast(
        school=school,
        company=company,
        staff=staff,
        rep=rep,
        director=make_user("district_director", district_code="p50-1", full_name="ผอ.เขต สมชาย"),
        central=make_user("central_officer", full_name="สพฐ. วิไล"),
        admin=make_user("admin"),
        other_staff=make_user("school_staff", school=make_school("p50-1")),
        other_rep=make_user("company_rep"),
        other_director=make_user("district_director", district_code="p10-1"),
        pending_staff=make_user("school_staff", status="pending", school=school),
        need=need,
        offer=offer,
    )


#: how to bring a match proposed by the school to each status: (who, action, extra fields)
ROUTES: dict[str, list[tuple[str, str, dict]]] = {
    "proposed": [],
    "pledged": [("rep", "accept", {})],
    "district_approved": [("rep", "accept", {}), ("director", "approve", {})],
    "approved": [("rep", "accept", {}), ("director", "approve", {}), ("central", "approve", {})],
    "delivered": [
        ("rep", "accept", {}),
        ("director", "approve", {}),
        ("central", "approve", {}),
        ("rep", "deliver", {}),
    ],
    "completed": [
        ("rep", "accept", {}),
        ("director", "approve", {}),
        ("central", "approve", {}),
        ("rep", "deliver", {}),
        ("staff", "confirm", {"received_quantity": 10}),
    ],
    "declined": [("rep", "decline", {})],
    "rejected": [("rep", "accept", {}), ("director", "reject", {"note": "งบซ้ำซ้อน"})],
    "withdrawn": [("rep", "accept", {}), ("staff", "withdraw", {})],
}


def make_match(session, cast: Cast, status: str, quantity: int = 10, proposer: str = "staff"):
    """A match proposed by ``proposer`` and walked through the service to ``status`` (committed)."""
    from flask import current_app

    from csr_hub.services import matches

    m = matches.propose(
        session,
        getattr(cast, proposer),
        {"need_id": cast.need.id, "offer_id": cast.offer.id, "quantity": quantity},
    )
    session.commit()
    match_id = m.id
    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    for who, action, extra in ROUTES[status]:
        if proposer == "rep" and who == "rep" and action in ("accept", "decline"):
            who = "staff"
        matches.act(session, getattr(cast, who), match_id, {"action": action, **extra}, threshold)
        session.commit()
    return match_id

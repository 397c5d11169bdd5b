"""Shared set-up of the security tests: two tenants (school, company, ESA each), national roles, matches in
every status, and request helpers (cheap password hashing comes from tests/conftest.py).

Import the fixtures into a test module (``from sec_helpers import world``) so pytest finds
them; this is not a conftest.py, so ``from conftest import …`` keeps meaning tests/conftest.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, Api, csrf_token, snapshot  # noqa: F401 - re-exported for the test modules

ROLES = (
    "anonymous",
    "pending",
    "school_staff",
    "company_rep",
    "district_director",
    "central_officer",
    "admin",
)


def _jpeg() -> bytes:
    """A real 8×8 JPEG (uploads decode every image and write it again without its metadata)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


# the smallest files each check accepts
JPEG = _jpeg()
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Tenant:
    """One school (in one ESA) and one company, their people and their posts."""

    esa: str
    school: Any
    company: Any
    staff: Any
    rep: Any
    director: Any
    pending_staff: Any
    pending_rep: Any
    need: Any  # free of matches: edit / cancel / budget target
    offer: Any  # free of matches
    busy_offer: Any  # the offer the matches draw on
    matches: dict[str, Any] = field(default_factory=dict)  # status → match


@dataclass
class World:
    a: Tenant
    b: Tenant
    central: Any
    admin: Any
    threshold: float

    def user(self, role: str, tenant: Tenant | None = None, pending_as: str = "school_staff"):
        t = tenant or self.a
        return {
            "anonymous": None,
            "pending": t.pending_staff if pending_as == "school_staff" else t.pending_rep,
            "school_staff": t.staff,
            "company_rep": t.rep,
            "district_director": t.director,
            "central_officer": self.central,
            "admin": self.admin,
        }[role]


def act(session, user, match, action: str, threshold: float, **data):
    from csr_hub.services import matches

    matches.act(session, user, match.id, {"action": action, **data}, threshold)
    session.commit()


def make_match(
    session,
    tenant: Tenant,
    status: str,
    threshold: float,
    central,
    *,
    need=None,
    offer=None,
    quantity: int = 1,
    proposed_by: str = "school",
):
    """A match of this tenant brought to ``status`` through the real workflow."""
    from csr_hub.models import Match
    from csr_hub.services import matches

    need = need or tenant.need
    offer = offer or tenant.busy_offer
    proposer = tenant.staff if proposed_by == "school" else tenant.rep
    counter = tenant.rep if proposed_by == "school" else tenant.staff
    m = matches.propose(session, proposer, {"need_id": need.id, "offer_id": offer.id, "quantity": quantity})
    session.commit()
    path = {
        "proposed": [],
        "declined": [(counter, "decline")],
        "pledged": [(counter, "accept")],
        "withdrawn": [(counter, "accept"), (proposer, "withdraw")],
        "rejected": [(counter, "accept"), (tenant.director, "reject")],
        "approved": [(counter, "accept"), (tenant.director, "approve")],
        "delivered": [(counter, "accept"), (tenant.director, "approve"), (tenant.rep, "deliver")],
        "completed": [
            (counter, "accept"),
            (tenant.director, "approve"),
            (tenant.rep, "deliver"),
            (tenant.staff, "confirm"),
        ],
    }[status]
    for who, action in path:
        extra = {"note": "not now"} if action == "reject" else {}
        if action == "confirm":
            extra = {"received_quantity": quantity}
        act(session, who, m, action, threshold, **extra)
    m = session.get(Match, m.id)
    session.refresh(m)
    assert m.status == status, (m.status, status)
    return m


def build_tenant(
    session,
    make_school,
    make_company,
    make_user,
    make_need,
    make_offer,
    esa: str,
    province: str,
    statuses: tuple[str, ...],
    threshold: float,
    central,
) -> Tenant:
    school = make_school(district_code=esa, province_code=province)
    company = make_company(province_code=province)
    staff = make_user("school_staff", school=school)
    rep = make_user("company_rep", company=company)
    director = make_user("district_director", district_code=esa)
    pending_staff = make_user("school_staff", status="pending", school=school)
    pending_rep = make_user("company_rep", status="pending", company=company)
    need = make_need(
        staff, title="โต๊ะเรียน 10 ชุด", quantity=10, estimated_cost_thb=20000, category="facilities"
    )
    offer = make_offer(rep, title="Desks for classrooms", quantity=10, value_thb=20000, category="facilities")
    busy = make_offer(rep, quantity=50, value_thb=50000)
    t = Tenant(esa, school, company, staff, rep, director, pending_staff, pending_rep, need, offer, busy)
    for status in statuses:
        n = make_need(staff, title=f"คอมพิวเตอร์ ({status})", quantity=5, estimated_cost_thb=50000)
        t.matches[status] = make_match(session, t, status, threshold, central, need=n, quantity=2)
    return t


@pytest.fixture
def world(app, session, make_school, make_company, make_user, make_need, make_offer) -> World:
    """Tenant A (ESA p50-1, Chiang Mai) and tenant B (ESA p10-1, Bangkok), each with matches in the
    statuses a test asks for through ``world_statuses`` (default: a representative set)."""
    threshold = float(app.config["CSR_CENTRAL_THRESHOLD_THB"])
    central = make_user("central_officer")
    admin = make_user("admin")
    statuses = ("proposed", "pledged", "approved", "delivered", "completed")
    a = build_tenant(
        session,
        make_school,
        make_company,
        make_user,
        make_need,
        make_offer,
        "p50-1",
        "50",
        statuses,
        threshold,
        central,
    )
    b = build_tenant(
        session,
        make_school,
        make_company,
        make_user,
        make_need,
        make_offer,
        "p10-1",
        "10",
        statuses,
        threshold,
        central,
    )
    session.commit()
    return World(a, b, central, admin, threshold)


def files(name: str, data: bytes, **fields):
    """A multipart body: ``file`` and the other form fields."""
    return {"file": (io.BytesIO(data), name), **fields}


def row_count(session, model) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(model))

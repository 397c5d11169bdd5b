"""Reference data (provinces, ESAs) and a believable demo (its data: services/demo_data.py); both idempotent."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.policy import Role
from csr_hub.domain.reference import make_tax_id, today_bangkok
from csr_hub.models import Company, District, Need, Province, School, User
from csr_hub.services import accounts, matches, posts
from csr_hub.services.demo_data import (  # noqa: F401 (DEMO_PASSWORD: the CLI prints it)
    DEMO_COMPANIES,
    DEMO_NEEDS,
    DEMO_OFFERS,
    DEMO_PASSWORD,
    DEMO_SCHOOLS,
    DEMO_USERS,
)


def _load(name: str) -> list[dict]:
    return json.loads(resources.files("csr_hub").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def seed_reference(session: Session) -> tuple[int, int]:
    """Insert or update the 77 provinces and the 245 ESAs. Returns (provinces, districts)."""
    provinces = _load("provinces.json")
    existing = {p.code: p for p in session.scalars(sa.select(Province))}
    for row in provinces:
        p = existing.get(row["code"]) or Province(code=row["code"])
        for key in ("name_th", "name_en", "region", "latitude", "longitude"):
            setattr(p, key, row[key])
        session.add(p)
    session.flush()
    by_code = {p.code: p for p in session.scalars(sa.select(Province))}
    districts = _load("districts.json")
    current = {d.code: d for d in session.scalars(sa.select(District))}
    for row in districts:
        d = current.get(row["code"]) or District(code=row["code"])
        d.name_th, d.name_en, d.kind, d.province_code = (
            row["name_th"],
            row["name_en"],
            row["kind"],
            row["province_code"],
        )
        d.provinces = [by_code[c] for c in row["province_codes"]]
        session.add(d)
    session.flush()
    return len(provinces), len(districts)


def seed_demo(session: Session, threshold: float = 500000) -> list[tuple[str, str]]:
    """Schools, companies, users of every role, needs and offers, a few matches. Returns the logins."""
    seed_reference(session)
    schools = _demo_schools(session)
    companies = _demo_companies(session)
    logins = []
    for email, role, name, extra in DEMO_USERS:
        _ensure_user(session, email, role, name, **extra)
        logins.append((role, email))
    # one extra staff account per school and rep per company, so every demo school and company can post
    staff, reps = {}, {}
    for s in schools:
        email = f"staff.{s.code}@demo.csr-hub.th"
        staff[s.id] = _ensure_user(
            session, email, Role.SCHOOL_STAFF, f"ครูประจำ {s.name_th}", school_code=s.code
        )
    for c in companies:
        email = f"rep.{c.tax_id}@demo.csr-hub.th"
        reps[c.id] = _ensure_user(
            session, email, Role.COMPANY_REP, f"CSR {c.name[:40]}", company_tax_id=c.tax_id
        )
    session.flush()
    if not session.scalar(sa.select(sa.func.count(Need.id))):
        _demo_posts_and_matches(session, schools, companies, staff, reps, threshold)
    return logins


def _demo_schools(session: Session) -> list[School]:
    districts = {d.code: d for d in session.scalars(sa.select(District))}
    schools = []
    for code, th, en, esa, prov, group, pupils, teachers in DEMO_SCHOOLS:
        s = session.scalar(sa.select(School).where(School.code == code))
        if s is None:
            s = School(
                code=code,
                name_th=th,
                name_en=en,
                district_id=districts[esa].id,
                province_code=prov,
                quality_group=group,
                pupils=pupils,
                teachers=teachers,
            )
            session.add(s)
        schools.append(s)
    return schools


def _demo_companies(session: Session) -> list[Company]:
    companies = []
    for name, first12, prov in DEMO_COMPANIES:
        tax = make_tax_id(first12)
        c = session.scalar(sa.select(Company).where(Company.tax_id == tax))
        if c is None:
            c = Company(name=name, tax_id=tax, province_code=prov, verified=True)
            session.add(c)
        companies.append(c)
    session.flush()
    return companies


def _ensure_user(session: Session, email: str, role: Role, full_name: str, **scope: str) -> User:
    """The demo account with this e-mail, made (with the demo password) if it is not there yet."""
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = accounts.create_user(session, email, role, DEMO_PASSWORD, full_name=full_name, **scope)
        session.flush()
    return user


def _post(category: str, title: str, description: str, quantity: int, unit: str, **own: object) -> dict:
    """The body of a demo need or offer: the fields both have, and its own."""
    return {
        "category": category,
        "title": title,
        "description": description,
        "quantity": quantity,
        "unit": unit,
        **own,
    }


def _demo_posts_and_matches(
    session: Session,
    schools: list[School],
    companies: list[Company],
    staff: dict[int, User],
    reps: dict[int, User],
    threshold: float,
) -> None:
    today = today_bangkok()
    needs = []
    for i, (si, *post, cost, urgency) in enumerate(DEMO_NEEDS):
        until = (today + timedelta(days=30 + 15 * i)).isoformat()
        body = _post(*post, estimated_cost_thb=cost, urgency=urgency, needed_by=until)
        needs.append(posts.create_need(session, staff[schools[si].id], body))
    offers = []
    for ci, *post, value, provs in DEMO_OFFERS:
        until = (today + timedelta(days=180)).isoformat()
        body = _post(*post, value_thb=value, provinces=provs, available_until=until)
        offers.append(posts.create_offer(session, reps[companies[ci].id], body))
    session.flush()
    needs[3].budget_thb = Decimal("50000")
    director = {
        d.district_id: d for d in session.scalars(sa.select(User).where(User.role == Role.DISTRICT_DIRECTOR))
    }
    central = session.scalar(sa.select(User).where(User.role == Role.CENTRAL_OFFICER))

    def walk(need, offer, qty, proposer, steps):
        m = matches.propose(session, proposer, {"need_id": need.id, "offer_id": offer.id, "quantity": qty})
        for actor, action, extra in steps:
            m = matches.act(session, actor, m.id, {"action": action, **extra}, threshold=threshold)
            if m.status == "district_approved":  # at or above the configured threshold OBEC approves too
                m = matches.act(session, central, m.id, {"action": "approve"}, threshold=threshold)
        return m

    s0, s2 = schools[0], schools[2]
    rep0, rep1 = reps[companies[0].id], reps[companies[1].id]
    # laptops to Mae Chaem: completed with 18 of 20 received
    walk(
        needs[0],
        offers[0],
        20,
        staff[s0.id],
        [
            (rep0, "accept", {}),
            (director[s0.district_id], "approve", {"note": "เห็นชอบ"}),
            (rep0, "deliver", {}),
            (staff[s0.id], "confirm", {"received_quantity": 18, "note": "ได้รับ 18 เครื่อง อีก 2 เครื่องเสีย"}),
        ],
    )
    # satellite internet: pledged, waiting for the director
    walk(needs[1], offers[1], 1, rep1, [(staff[s0.id], "accept", {})])
    # English books for Wat Chet Yot: proposed by the school, waiting for the company
    walk(needs[2], offers[5], 200, staff[schools[1].id], [])
    # tablets in Nan: approved, waiting for delivery
    walk(
        needs[10],
        offers[0],
        15,
        rep0,
        [(staff[s2.id], "accept", {}), (director[s2.district_id], "approve", {})],
    )
    session.flush()

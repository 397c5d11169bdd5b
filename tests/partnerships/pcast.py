"""People, posts and helpers shared by the partnership and donation tests (import the fixtures you use).

A school of ESA p50-1 (stand-alone) and one of ESA p10-1 (core); a company with a rep, another company
with its rep; the school's staff, the ESA's director, another ESA's director, a central officer, an admin,
and pending accounts. ``completed(...)`` walks a match through the real workflow to ``completed`` and then
moves its proposal and confirmation instants to the dates a test names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import BANGKOK, today_bangkok


@dataclass
class P:
    school: Any
    school2: Any
    company: Any
    company2: Any
    staff: Any
    staff2: Any
    rep: Any
    rep2: Any
    director: Any
    director2: Any
    central: Any
    admin: Any
    pending_rep: Any
    pending_staff: Any


@pytest.fixture
def pc(make_school, make_company, make_user) -> P:
    school = make_school("p50-1", "stand_alone", name_th="โรงเรียนบ้านห้วยน้ำใส", name_en="Ban Huai Nam Sai")
    school2 = make_school("p10-1", "core")
    company = make_company(name="Siam Digital Co., Ltd.")
    company2 = make_company(name='=HYPERLINK("http://x")')
    return P(
        school=school,
        school2=school2,
        company=company,
        company2=company2,
        staff=make_user("school_staff", school=school),
        staff2=make_user("school_staff", school=school2),
        rep=make_user("company_rep", company=company, full_name="Anan CSR"),
        rep2=make_user("company_rep", company=company2),
        director=make_user("district_director", district_code="p50-1"),
        director2=make_user("district_director", district_code="p10-1"),
        central=make_user("central_officer"),
        admin=make_user("admin"),
        pending_rep=make_user("company_rep", status="pending", company=company),
        pending_staff=make_user("school_staff", status="pending", school=school),
    )


def body(school_id: int, start: date | None = None, years: int = 3, **kw) -> dict[str, Any]:
    start = start or today_bangkok()
    out = {
        "school_id": school_id,
        "starts_on": start.isoformat(),
        "ends_on": (start.replace(year=start.year + years) - timedelta(days=1)).isoformat(),
        "plan": "ปีละ 20 เครื่อง และอบรมครู",
        "yearly_value_thb": 250000,
    }
    out.update(kw)
    return out


def at_bangkok(d: date, hour: int = 12) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=BANGKOK)


def walk(session, staff, rep, director, need_id: int, offer_id: int, quantity: int, to: str, received=None):
    """Propose (the rep), then accept, approve, deliver, confirm as far as ``to``; returns the match id."""
    from flask import current_app

    from csr_hub.services import matches

    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    m = matches.propose(session, rep, {"need_id": need_id, "offer_id": offer_id, "quantity": quantity})
    session.commit()
    mid = m.id
    steps = [(staff, "accept", {}), (director, "approve", {}), (rep, "deliver", {})]
    steps.append((staff, "confirm", {"received_quantity": quantity if received is None else received}))
    order = ["pledged", "approved", "delivered", "completed"]
    if to == "declined":
        matches.act(session, staff, mid, {"action": "decline"}, threshold)
        session.commit()
        return mid
    for (who, action, extra), reached in zip(steps, order):
        if to == "proposed":
            break
        matches.act(session, who, mid, {"action": action, **extra}, threshold)
        session.commit()
        if reached == to:
            break
    return mid


def move(session, match_id: int, proposed_on: date | None = None, confirmed_on: date | None = None) -> None:
    """Put a match's proposal (created_at, its propose step) and its confirmation on the given days."""
    from csr_hub.models import Match, MatchTransition

    if proposed_on is not None:
        ts = at_bangkok(proposed_on)
        session.execute(sa.update(Match).where(Match.id == match_id).values(created_at=ts))
        session.execute(
            sa.update(MatchTransition)
            .where(MatchTransition.match_id == match_id, MatchTransition.action == "propose")
            .values(at=ts)
        )
    if confirmed_on is not None:
        session.execute(
            sa.update(MatchTransition)
            .where(MatchTransition.match_id == match_id, MatchTransition.action == "confirm")
            .values(at=at_bangkok(confirmed_on))
        )
    session.commit()


def signed_in(app, session, user):
    """A page client whose session carries ``user`` (login is tested elsewhere); officers count as enrolled."""
    if user.role in ("district_director", "central_officer", "admin") and not user.totp_enrolled:
        user.totp_enrolled = True
        session.commit()
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return c


def form_token(client, url: str) -> str:
    import re

    html = client.get(url).get_data(as_text=True)
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert m, html[:2000]
    return m.group(1)

"""Partnership pages: propose (WTForms + CSRF), show (years, history, open needs, actions), list, and the
additions to the director's dashboard, the reports and the public company page; the years' figures against
an independent sum."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from csr_hub.domain.reference import BANGKOK, today_bangkok
from csr_hub.models import Match, Need, Offer, Partnership
from csr_hub.services import partnerships

from conftest import snapshot
from pcast import body, form_token, move, pc, signed_in, walk  # noqa: F401  (fixtures)


def _be(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def test_rep_proposes_through_the_form_and_the_director_accepts_on_the_page(app, session, pc, make_need):
    make_need(pc.staff, title="ห้องสมุดดิจิทัล", quantity=3)
    rep = signed_in(app, session, pc.rep)
    token = form_token(rep, "/partnerships/new")
    start = today_bangkok()
    form = {
        "csrf_token": token,
        "school_code": pc.school.code,
        "starts_on": _be(start),
        "ends_on": _be(start.replace(year=start.year + 2) - timedelta(days=1)),
        "plan": "ปีละ 10 เครื่อง",
        "yearly_value_thb": "120,000",
    }
    # without the CSRF token nothing is created
    before = snapshot(session)
    r = rep.post("/partnerships/new", data={**form, "csrf_token": "bad"})
    assert r.status_code in (400, 422)
    assert snapshot(session) == before
    r = rep.post("/partnerships/new", data=form)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    session.rollback()
    p = session.scalar(sa.select(Partnership))
    assert p.company_id == pc.company.id and p.yearly_value_thb == Decimal("120000.00")
    assert p.starts_on == start and p.status == "proposed"
    page = rep.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-status="proposed"' in page and 'id="years"' in page and "ห้องสมุดดิจิทัล" in page
    assert 'id="form-accept"' not in page  # the company cannot accept its own proposal

    director = signed_in(app, session, pc.director)
    dash = director.get("/dashboard").get_data(as_text=True)
    assert 'id="esa-partnerships"' in dash and f"#{p.id}" in dash
    show = f"/partnerships/{p.id}"
    token = form_token(director, show)
    # decline without a reason: 422, the error next to the note, nothing changes
    before = snapshot(session)
    r = director.post(f"{show}/actions", data={"csrf_token": token, "action": "decline", "note": ""})
    assert r.status_code == 422
    assert 'id="note-decline-error"' in r.get_data(as_text=True)
    assert snapshot(session) == before
    r = director.post(f"{show}/actions", data={"csrf_token": token, "action": "accept"})
    assert r.status_code == 303
    session.rollback()
    assert session.get(Partnership, p.id).status == "active"
    dash = director.get("/dashboard").get_data(as_text=True)  # the kept section went with the write
    assert f'data-status="active"><a href="/partnerships/{p.id}"' in dash
    # 409 on the page: accept again
    r = director.post(f"{show}/actions", data={"csrf_token": token, "action": "accept"})
    assert r.status_code == 409
    # another ESA's director: 404 on the page (cannot see it), 403 on the action
    other = signed_in(app, session, pc.director2)
    assert other.get(show).status_code == 404
    r = other.post(
        f"{show}/actions",
        data={"csrf_token": form_token(other, "/partnerships"), "action": "end", "note": "x"},
    )
    assert r.status_code == 403

    # the public company page thanks the company; the list and the reports show it
    public = app.test_client().get(f"/companies/{pc.company.id}").get_data(as_text=True)
    assert 'id="company-partnerships"' in public and pc.school.name_th in public
    listing = rep.get("/partnerships").get_data(as_text=True)
    assert f'data-id="{p.id}"' in listing
    rep_report = signed_in(app, session, pc.central).get("/reports").get_data(as_text=True)
    assert 'id="partnership-figures"' in rep_report and 'data-district="p50-1"' in rep_report


def test_form_errors_are_shown_and_change_nothing(app, session, pc):
    rep = signed_in(app, session, pc.rep)
    token = form_token(rep, "/partnerships/new")
    start = today_bangkok()
    before = snapshot(session)
    cases = [
        ({"school_code": "0000000000"}, "school_code"),
        ({"ends_on": _be(start.replace(year=start.year + 6))}, "ends_on"),
        ({"plan": ""}, "plan"),
        ({"yearly_value_thb": "-5"}, "yearly_value_thb"),
    ]
    for change, field in cases:
        data = {
            "csrf_token": token,
            "school_code": pc.school.code,
            "starts_on": _be(start),
            "ends_on": _be(start.replace(year=start.year + 1)),
            "plan": "แผน",
            "yearly_value_thb": "1000",
            **change,
        }
        r = rep.post("/partnerships/new", data=data)
        assert r.status_code == 422, (field, r.status_code)
        assert f'id="{field}-error"' in r.get_data(as_text=True), field
    assert snapshot(session) == before
    # only company reps reach the form
    assert signed_in(app, session, pc.staff).get("/partnerships/new").status_code == 403
    assert app.test_client().get("/partnerships/new").status_code == 302


def test_years_figures_against_an_independent_sum(
    api, session, pc, make_need, make_offer, make_company, make_user
):
    start = date(2025, 1, 1)
    r = api(pc.rep).post(
        "/api/v1/partnerships", json=body(pc.school.id, start, years=3, yearly_value_thb=100000)
    )
    pid = r.get_json()["id"]
    assert (
        api(pc.director).post(f"/api/v1/partnerships/{pid}/actions", json={"action": "accept"}).status_code
        == 200
    )
    need = make_need(pc.staff, quantity=100)
    need_other_school = make_need(pc.staff2, quantity=100)
    offer = make_offer(pc.rep, quantity=100, value_thb=Decimal("123456.78"))  # 1,234.5678 a unit
    other_offer = make_offer(pc.rep2, quantity=100, value_thb=100000)
    plan = [  # (offer, need, quantity, final status, proposed on, received)
        (offer, need, 3, "completed", date(2025, 1, 1), 2),
        (offer, need, 4, "delivered", date(2025, 12, 31), None),
        (offer, need, 5, "approved", date(2026, 1, 1), None),
        (offer, need, 6, "pledged", date(2026, 7, 15), None),
        (offer, need, 7, "proposed", date(2026, 8, 1), None),
        (offer, need, 8, "declined", date(2027, 2, 1), None),
        (offer, need, 9, "completed", date(2027, 12, 31), 9),
        (offer, need, 2, "completed", date(2024, 12, 31), 2),  # before the partnership
        (other_offer, need, 5, "completed", date(2025, 5, 1), 5),  # another company
        (offer, need_other_school, 5, "completed", date(2025, 5, 1), 5),  # another school
    ]
    for o, n, q, status, on, received in plan:
        if n.id == need.id:  # one need per match: a pair may hold one active match only
            n = make_need(pc.staff, quantity=q, title=f"อุปกรณ์ {status} {on}")
        staff = pc.staff if n.school_id == pc.school.id else pc.staff2
        director = pc.director if n.school_id == pc.school.id else pc.director2
        rep = pc.rep if o.id == offer.id else pc.rep2
        mid = walk(session, staff, rep, director, n.id, o.id, q, status, received=received)
        move(session, mid, proposed_on=on)
    years = api(pc.rep).get(f"/api/v1/partnerships/{pid}").get_json()["years"]
    assert [(y["year_start"], y["year_end"]) for y in years] == [
        ("2025-01-01", "2025-12-31"),
        ("2026-01-01", "2026-12-31"),
        ("2027-01-01", "2027-12-31"),
    ]
    # the independent sum: every match row, read back, classified here
    session.rollback()
    rows = session.execute(
        sa.select(Match.created_at, Match.status, Match.value_thb, Match.received_value_thb)
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .where(Need.school_id == pc.school.id, Offer.company_id == pc.company.id)
    ).all()
    for y in years:
        lo, hi = date.fromisoformat(y["year_start"]), date.fromisoformat(y["year_end"])
        pledged = delivered = Decimal(0)
        for created, status, value, received in rows:
            if not lo <= created.astimezone(BANGKOK).date() <= hi:
                continue
            if status in ("pledged", "district_approved", "approved", "delivered", "completed"):
                pledged += value
            if status == "delivered":
                delivered += value
            if status == "completed":
                delivered += received
        assert Decimal(str(y["pledged_value_thb"])) == pledged, y
        assert Decimal(str(y["delivered_value_thb"])) == delivered, y
        assert y["planned_value_thb"] == 100000

    # and by hand: 1,234.5678 a unit, half up per match
    def d(v):
        return Decimal(str(v))

    assert d(years[0]["pledged_value_thb"]) == Decimal("3703.70") + Decimal("4938.27")
    assert d(years[0]["delivered_value_thb"]) == Decimal("2469.13") + Decimal("4938.27")  # 2 of 3 received
    assert d(years[1]["pledged_value_thb"]) == Decimal("6172.84") + Decimal("7407.41")
    assert years[1]["delivered_value_thb"] == 0
    assert d(years[2]["pledged_value_thb"]) == d(years[2]["delivered_value_thb"]) == Decimal("11111.11")


def test_year_bounds_and_five_year_limit():
    yb = partnerships.year_bounds
    assert yb(date(2026, 3, 1), date(2027, 2, 28)) == [(date(2026, 3, 1), date(2027, 2, 28))]
    assert yb(date(2026, 3, 1), date(2027, 3, 1)) == [(date(2026, 3, 1), date(2027, 3, 1))]
    assert yb(date(2026, 3, 1), date(2027, 9, 1)) == [
        (date(2026, 3, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 9, 1)),
    ]
    assert len(yb(date(2024, 2, 29), date(2029, 2, 28))) == 5
    assert partnerships.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_school_page_offers_reps_the_proposal_form_prefilled(app, session, pc):
    rep = signed_in(app, session, pc.rep)
    html = rep.get(f"/schools/{pc.school.code}").get_data(as_text=True)
    assert 'id="adopt-school"' in html
    form = rep.get(f"/partnerships/new?school={pc.school.code}").get_data(as_text=True)
    assert f'value="{pc.school.code}"' in form
    staff_html = signed_in(app, session, pc.staff).get(f"/schools/{pc.school.code}").get_data(as_text=True)
    assert 'id="adopt-school"' not in staff_html


def test_ending_by_the_director_tells_the_company_and_the_school_staff(api, session, pc):
    from csr_hub.models import Notification

    pid = api(pc.rep).post("/api/v1/partnerships", json=body(pc.school.id)).get_json()["id"]
    director = api(pc.director)
    assert director.post(f"/api/v1/partnerships/{pid}/actions", json={"action": "accept"}).status_code == 200
    session.rollback()
    n0 = session.scalar(sa.select(sa.func.max(Notification.id)))
    r = director.post(f"/api/v1/partnerships/{pid}/actions", json={"action": "end", "note": "ย้ายโรงเรียน"})
    assert r.status_code == 200
    session.rollback()
    told = set(session.scalars(sa.select(Notification.user_id).where(Notification.id > n0)))
    assert told == {pc.rep.id, pc.staff.id}  # not the director who acted, not the pending accounts
    msgs = api(pc.rep).get("/api/v1/notifications").get_json()["items"]
    assert msgs[0]["kind"] == "partnership_changed" and msgs[0]["partnership_id"] == pid


def test_the_report_s_partnership_figures_are_kept_with_its_body_and_a_new_one_shows_at_once(
    app, session, pc, monkeypatch
):
    app.config["REPORT_CACHE_SECONDS"] = 60
    reads = []
    real = partnerships.figures_by_district

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(partnerships, "figures_by_district", counted)
    central = signed_in(app, session, pc.central)
    first = central.get("/reports").get_data(as_text=True)
    assert 'id="partnership-figures"' in first and 'data-district="p50-1"' not in first
    central.get("/reports")
    assert len(reads) == 1  # the second request got the kept body, partnership figures included

    data = body(pc.school.id)
    data.update(starts_on=date.fromisoformat(data["starts_on"]), ends_on=date.fromisoformat(data["ends_on"]))
    partnerships.create(session, pc.rep, data)
    session.commit()  # a partnership's write moves the report cache on: the next reader sees it
    after = central.get("/reports").get_data(as_text=True)
    assert len(reads) == 2 and 'data-district="p50-1"' in after

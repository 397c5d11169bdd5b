"""Who may see which report, export and certificate: roles × scopes on the pages, the exports and the API.

A director only ever sees their own ESA; central officers and admins any ESA or the nation; school staff
and company reps the national figures as the public does; a refused request answers 403/404/422 and
records nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from conftest import snapshot
from test_reports_figures import quick_user, signed_in  # noqa: F401  (quick_user is a fixture)

OWN, OTHER = "p50-1", "p10-1"


def _exports(session) -> list:
    from csr_hub.models import AuditEvent

    session.rollback()
    return list(
        session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "report.export").order_by(AuditEvent.id)
        )
    )


def test_report_pages_and_exports_by_role_and_scope(
    app, session, quick_user, make_school, make_company, client
):
    from csr_hub.models import User

    users = {
        "director": quick_user("district_director", district_code=OWN),
        "central": quick_user("central_officer"),
        "admin": quick_user("admin"),
        "staff": quick_user("school_staff", school=make_school()),
        "rep": quick_user("company_rep", company=make_company()),
        "pending_rep": quick_user("company_rep", company=make_company()),
    }
    session.execute(sa.update(User).where(User.id == users["pending_rep"].id).values(status="pending"))
    session.commit()
    clients = {name: signed_in(app, u) for name, u in users.items()}
    # (who, url, status): the page, an export in each format, and the scope filters
    cases = [
        ("director", "/reports", 200),
        ("director", f"/reports?district={OWN}", 200),
        ("director", f"/reports?district={OTHER}", 403),
        ("director", "/reports?district=nope", 403),
        ("director", f"/reports/export.csv?table=by_category&district={OTHER}", 403),
        ("director", f"/reports/export.xlsx?table=waiting&district={OTHER}", 403),
        ("director", "/reports/export.csv?table=waiting", 200),
        ("director", f"/reports/companies?district={OTHER}", 403),
        ("central", "/reports", 200),
        ("central", f"/reports?district={OTHER}", 200),
        ("central", "/reports?district=nope", 422),
        ("central", "/reports/export.csv?table=nope", 422),
        ("central", "/reports/export.pdf?table=summary", 404),
        ("central", "/reports/export.csv?table=by_school&company=abc", 422),
        ("central", "/reports/companies?company=999999", 422),
        ("central", f"/reports/companies?company={users['rep'].company_id}", 200),
        ("central", f"/reports/export.xlsx?table=by_district&district={OTHER}", 200),
        ("admin", f"/reports?district={OWN}", 200),
        ("admin", "/reports/export.csv?table=waiting", 200),
        ("staff", "/reports", 200),
        ("staff", f"/reports?district={OWN}", 403),
        ("staff", "/reports/export.csv?table=waiting", 403),
        ("staff", "/reports/export.csv?table=summary", 200),
        ("staff", f"/reports/export.csv?table=summary&district={OWN}", 403),
        ("rep", "/reports/companies", 200),
        ("rep", f"/reports/companies?district={OWN}", 403),
        ("rep", "/reports/export.xlsx?table=waiting", 403),
        ("pending_rep", "/reports", 200),
    ]
    for who, url, status in cases:
        before = len(_exports(session))
        r = clients[who].get(url)
        assert r.status_code == status, (who, url, r.status_code)
        if "/export.csv" in url and status == 200:
            assert r.headers["Content-Type"] == "text/csv; charset=utf-8"  # once (it was said twice)
        after = _exports(session)
        if "/export." in url and status == 200:
            assert len(after) == before + 1, (who, url)  # every export is in the audit log…
            event = after[-1]
            assert event.actor_id == users[who].id and event.object_type == "report"
            assert event.details["table"] == url.split("table=")[1].split("&")[0]
            assert event.details["format"] == url.split("export.")[1].split("?")[0]
        else:
            assert len(after) == before, (who, url)  # …and a refused one records nothing
    # a clear message next to the bad filter
    r = clients["central"].get("/reports?district=nope&lang=en")
    assert b"Unknown district (ESA) code." in r.data
    r = clients["central"].get("/reports/export.csv?table=nope&lang=en")
    assert b"by_category" in r.data  # the message lists the tables there are
    # a director's ESA filter is implied: the export carries its own ESA
    events = _exports(session)
    assert [e.details["district"] for e in events if e.actor_id == users["director"].id] == [OWN]
    # anonymous: the report pages need a login; the public has the home page instead
    for url in (
        "/reports",
        "/reports/companies",
        "/reports/export.csv?table=summary",
        "/reports/certificate/1",
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/login?next=" in r.headers["Location"], url
    # the director's page says whose ESA it is, and offers no choice of ESA
    html = clients["director"].get("/reports").data.decode()
    assert 'id="f-district"' not in html and "table-by_district" not in html
    html = clients["central"].get("/reports").data.decode()
    assert 'id="f-district"' in html and 'id="table-by_district"' in html and 'id="table-waiting"' in html
    html = clients["staff"].get("/reports").data.decode()
    assert 'id="table-waiting"' not in html and "/matches/" not in html


def test_api_summary_scope(app, session, quick_user, make_school, make_company, client):
    director = quick_user("district_director", district_code=OWN)
    central, admin = quick_user("central_officer"), quick_user("admin")
    staff, rep = (
        quick_user("school_staff", school=make_school()),
        quick_user("company_rep", company=make_company()),
    )
    assert client.get("/api/v1/reports/summary").status_code == 200  # national figures are public
    r = client.get(f"/api/v1/reports/summary?district={OWN}")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    cases = [
        (director, OWN, 200),
        (director, OTHER, 403),
        (central, OTHER, 200),
        (admin, OWN, 200),
        (staff, OWN, 403),
        (rep, OTHER, 403),
        (central, "nope", 422),
        (director, None, 200),
    ]
    for user, code, status in cases:
        r = signed_in(app, user).get("/api/v1/reports/summary" + (f"?district={code}" if code else ""))
        assert r.status_code == status, (user.role, code, r.get_json())
        if status >= 400:
            body = r.get_json()["error"]
            assert body["code"] == {403: "forbidden", 422: "validation_error"}[status]
            if status == 422:
                assert "district" in body["fields"]
        else:
            assert set(r.get_json()) >= {"needs_count", "gap_thb", "by_category", "by_quality_group"}


def test_certificate_only_for_the_company_of_a_completed_match(
    app, session, quick_user, make_school, make_need, make_offer, make_company, page_login
):
    from csr_hub.services import matches

    staff = quick_user("school_staff", school=make_school())
    rep = quick_user("company_rep", company=make_company(name="บริษัท ใจดี ดิจิทัล จำกัด"))
    other_rep = quick_user("company_rep", company=make_company())
    director = quick_user("district_director", district_code=staff.school.district.code)
    need = make_need(staff, quantity=10)
    offer = make_offer(rep, quantity=10, value_thb=100_000)
    m = matches.propose(session, staff, {"need_id": need.id, "offer_id": offer.id, "quantity": 4})
    for actor, action, extra in ((rep, "accept", {}), (director, "approve", {}), (rep, "deliver", {})):
        matches.act(session, actor, m.id, {"action": action, **extra}, threshold=500_000)
    session.commit()
    c = page_login(rep)
    assert c.get(f"/reports/certificate/{m.id}").status_code == 404  # delivered, not yet confirmed
    matches.act(session, staff, m.id, {"action": "confirm", "received_quantity": 3}, threshold=500_000)
    session.commit()
    others = (
        (other_rep, 404),
        (staff, 403),
        (director, 403),
        (quick_user("central_officer"), 403),
        (quick_user("admin"), 403),
    )
    before = snapshot(session)
    r = c.get(f"/reports/certificate/{m.id}")
    assert r.status_code == 200
    html = r.data.decode()
    assert '<html lang="th">' in html and "บริษัท ใจดี ดิจิทัล จำกัด" in html
    assert staff.school.name_th in html and "30,000 บาท" in html  # 3 of 4 received, 10,000 baht a unit
    assert " 25" in html  # Buddhist Era year (25xx) on the dates
    assert 'style="' not in html and "<script" not in html and "charts.css" in html
    # the company's list offers it; the certificate page itself is print-ready (its own stylesheet rules)
    assert f"/reports/certificate/{m.id}" in c.get("/reports/companies").data.decode()
    for user, status in others:
        assert signed_in(app, user).get(f"/reports/certificate/{m.id}").status_code == status, user.role
    assert c.get("/reports/certificate/999999").status_code == 404
    assert snapshot(session) == before  # looking changes nothing

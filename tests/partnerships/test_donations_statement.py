"""Donation records and the annual statement: scope per role, the report rule, the statement equal to the
records' sums, the pages and both exports (formula-injection safe)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from csr_hub.models import Match

from conftest import snapshot
from pcast import move, pc, walk  # noqa: F401  (fixtures)

RECORD_KEYS = {
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
}


@pytest.fixture
def donated(session, pc, make_need, make_offer):
    """Four completed matches, one delivered, one pledged, in two schools, from two companies and years.

    Company 1 → school 1 (stand-alone, p50-1): 2025 devices 3 of 3 (30,000); 2026 devices 2 of 4 received
    (40,000 pledged → 20,000 received); 2026 learning materials 5 (2,500). Company 1 → school 2 (core, p10-1):
    2026 devices 1 (10,000). Company 2 → school 1: 2026 "=cmd" title, 1 (999.99). Plus one delivered and
    one pledged match that are no donations.
    """
    n1 = make_need(pc.staff, title="=SUM(A1:A9) โน้ตบุ๊ก", quantity=20)
    n1b = make_need(pc.staff, category="learning_materials", title="หนังสือเรียน", quantity=50, unit="ชุด")
    n2 = make_need(pc.staff2, title="Laptops for grade 6", quantity=10)
    o1 = make_offer(pc.rep, quantity=50, value_thb=500_000)  # 10,000 a unit
    o1b = make_offer(pc.rep, category="learning_materials", title="Textbooks", quantity=100, value_thb=50_000)
    o2 = make_offer(pc.rep2, title="@evil offer", quantity=1, value_thb=Decimal("999.99"))
    a = walk(session, pc.staff, pc.rep, pc.director, n1.id, o1.id, 3, "completed")
    move(session, a, date(2025, 3, 1), date(2025, 12, 31))
    b = walk(session, pc.staff, pc.rep, pc.director, n1.id, o1.id, 4, "completed", received=2)
    move(session, b, date(2026, 1, 5), date(2026, 1, 1))
    c = walk(session, pc.staff, pc.rep, pc.director, n1b.id, o1b.id, 5, "completed")
    move(session, c, date(2026, 2, 1), date(2026, 2, 10))
    d = walk(session, pc.staff2, pc.rep, pc.director2, n2.id, o1.id, 1, "completed")
    move(session, d, date(2026, 3, 1), date(2026, 3, 2))
    e = walk(session, pc.staff, pc.rep2, pc.director, n1.id, o2.id, 1, "completed")
    move(session, e, date(2026, 4, 1), date(2026, 4, 2))
    walk(session, pc.staff2, pc.rep, pc.director2, n2.id, o1.id, 2, "delivered")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def records(api, user, query=""):
    r = api(user).get("/api/v1/donations" + query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_record_shape_and_the_report_rule(api, pc, donated):
    j = records(api, pc.central, "?per_page=100")
    assert set(j) == {"items", "total", "page", "per_page"}
    assert j["total"] == 5
    by = {x["match_id"]: x for x in j["items"]}
    assert set(by) == {donated[k] for k in "abcde"}
    b = by[donated["b"]]
    assert set(b) == RECORD_KEYS
    assert b["received_quantity"] == 2 and b["value_thb"] == 20000  # what arrived, not what was pledged
    assert b["received_on"] == "2026-01-01"  # the day of confirm in Asia/Bangkok
    assert b["company_name"] == pc.company.name and b["company_tax_id"] == pc.company.tax_id
    assert b["school_code"] == pc.school.code and b["district_code"] == "p50-1"
    assert b["category"] == "devices" and b["unit"] == "เครื่อง"
    assert by[donated["e"]]["value_thb"] == 999.99
    assert by[donated["a"]]["received_on"] == "2025-12-31"


def test_scope_per_role(api, pc, donated, client):
    def ids(user, q=""):
        return {x["match_id"] for x in records(api, user, q)["items"]}

    allm = {donated[k] for k in "abcde"}
    assert ids(pc.central) == ids(pc.admin) == allm
    assert ids(pc.rep) == {donated[k] for k in "abcd"}  # its own, across all schools
    assert ids(pc.rep2) == {donated["e"]}
    assert ids(pc.staff) == {donated[k] for k in "abce"}
    assert ids(pc.staff2) == {donated["d"]}
    assert ids(pc.director) == {donated[k] for k in "abce"}
    assert ids(pc.director2) == {donated["d"]}
    # pending accounts see none; anonymous 401
    assert records(api, pc.pending_rep)["total"] == 0
    assert records(api, pc.pending_staff)["total"] == 0
    assert client.get("/api/v1/donations").status_code == 401
    # a filter never widens the scope
    assert ids(pc.rep2, f"?company_id={pc.company.id}") == set()


def test_filters(api, pc, donated):
    def ids(q):
        return {x["match_id"] for x in records(api, pc.central, q)["items"]}

    assert ids("?year=2025") == {donated["a"]}
    assert ids("?year=2026") == {donated[k] for k in "bcde"}
    assert ids("?year=2024") == set()
    assert ids(f"?company_id={pc.company2.id}") == {donated["e"]}
    assert ids(f"?school_id={pc.school2.id}") == {donated["d"]}
    assert ids("?district=p10-1") == {donated["d"]}
    assert ids(f"?year=2026&company_id={pc.company.id}&school_id={pc.school.id}") == {
        donated["b"],
        donated["c"],
    }
    for bad, field in (
        ("year=26", "year"),
        ("year=abcd", "year"),
        ("district=zz-9", "district"),
        ("school_id=x", "school_id"),
    ):
        r = api(pc.central).get("/api/v1/donations?" + bad)
        assert r.status_code == 422 and field in r.get_json()["error"]["fields"], (bad, r.get_json())
    page = records(api, pc.central, "?per_page=2&page=3")
    assert page["total"] == 5 and len(page["items"]) == 1


def _sums(items):
    out = {"count": len(items), "value": sum(Decimal(str(x["value_thb"])) for x in items)}
    out["schools"] = len({x["school_id"] for x in items})
    return out


def test_statement_equals_the_records_sums(api, pc, donated, session):
    for year in (2025, 2026):
        r = api(pc.rep).get(f"/api/v1/companies/{pc.company.id}/statement?year={year}")
        assert r.status_code == 200, r.get_json()
        s = r.get_json()
        assert set(s) == {
            "company_id",
            "year",
            "donations_count",
            "value_thb",
            "schools_count",
            "by_category",
            "by_province",
            "by_quality_group",
        }
        items = records(api, pc.central, f"?company_id={pc.company.id}&year={year}&per_page=100")["items"]
        sums = _sums(items)
        assert (s["company_id"], s["year"]) == (pc.company.id, year)
        assert s["donations_count"] == sums["count"]
        assert Decimal(str(s["value_thb"])) == sums["value"]
        assert s["schools_count"] == sums["schools"]
        cats: dict = {}
        for x in items:
            c = cats.setdefault(x["category"], [0, Decimal(0)])
            c[0] += 1
            c[1] += Decimal(str(x["value_thb"]))
        assert {
            g["category"]: [g["donations_count"], Decimal(str(g["value_thb"]))] for g in s["by_category"]
        } == cats
        for key in ("by_province", "by_quality_group"):
            assert sum(g["donations_count"] for g in s[key]) == sums["count"]
            assert sum(Decimal(str(g["value_thb"])) for g in s[key]) == sums["value"]
    s = api(pc.central).get(f"/api/v1/companies/{pc.company.id}/statement?year=2026").get_json()
    assert s["donations_count"] == 3 and s["value_thb"] == 32500 and s["schools_count"] == 2
    assert {g["quality_group"]: g["value_thb"] for g in s["by_quality_group"]} == {
        "stand_alone": 22500,
        "core": 10000,
    }
    assert {g["province_code"]: g["value_thb"] for g in s["by_province"]} == {
        pc.school.province_code: 22500,
        pc.school2.province_code: 10000,
    }


def test_statement_access_and_bad_year(api, pc, donated, client):
    url = f"/api/v1/companies/{pc.company.id}/statement?year=2026"
    for user in (pc.rep, pc.central, pc.admin):
        assert api(user).get(url).status_code == 200
    for user in (pc.rep2, pc.staff, pc.director, pc.pending_rep):
        r = api(user).get(url)
        assert r.status_code == 403, (user.role, r.get_json())
    assert client.get(url).status_code == 401
    for bad in ("20x6", "99", "-2026", "12026"):
        r = api(pc.rep).get(f"/api/v1/companies/{pc.company.id}/statement?year={bad}")
        assert r.status_code == 422 and "year" in r.get_json()["error"]["fields"], bad
    assert api(pc.central).get("/api/v1/companies/99999/statement?year=2026").status_code == 404
    empty = api(pc.rep).get(f"/api/v1/companies/{pc.company.id}/statement?year=2020").get_json()
    assert empty["donations_count"] == 0 and empty["value_thb"] == 0 and empty["by_category"] == []


# -- pages and exports ----------------------------------------------------------------------------------------
def test_statement_page_is_printable_and_shows_the_figures_and_tax_guidance(page_login, pc, donated):
    c = page_login(pc.rep)
    r = c.get(f"/companies/{pc.company.id}/statement?year=2026&lang=en")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="st-count">3<' in html and "32,500" in html
    assert "css/statement.css" in html
    assert 'id="tax-guidance"' in html and "not advice" in html
    assert "deductible at the amount given" in html.split('id="tax-rule-year"')[1].split("</p>")[0]
    r = c.get(f"/companies/{pc.company.id}/statement?year=2024&lang=en")
    assert "twice the amount" in r.get_data(as_text=True).split('id="tax-rule-year"')[1].split("</p>")[0]
    css = c.get("/static/css/statement.css").get_data(as_text=True)
    assert "@page" in css and "A4" in css and "@media print" in css
    assert page_login(pc.rep2).get(f"/companies/{pc.company.id}/statement?year=2026").status_code == 403


def test_tax_rule_of_each_year_comes_from_the_dated_table():
    from csr_hub.services import donations

    assert donations.tax_rule_for(2023)["multiplier"] == 2
    assert donations.tax_rule_for(2024)["multiplier"] == 2
    assert donations.tax_rule_for(2025)["multiplier"] == 1
    assert donations.tax_rule_for(2021) is None
    assert donations.tax_rules()["source"]


def _csv_rows(resp):
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def test_statement_exports_equal_the_records(page_login, pc, donated):
    c = page_login(pc.rep)
    rows = _csv_rows(c.get(f"/companies/{pc.company.id}/statement.csv?year=2026"))
    assert rows[0][:5] == ["donor_name", "donor_tax_id", "value_thb", "donation_date", "description"]
    assert sorted(Decimal(r[2]) for r in rows[1:]) == [
        Decimal("2500.00"),
        Decimal("10000.00"),
        Decimal("20000.00"),
    ]
    r = c.get(f"/companies/{pc.company.id}/statement.xlsx?year=2026")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[1] == "e-Donation"
    data = list(wb["e-Donation"].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(x[2])) for x in data) == Decimal("32500")
    summary = list(wb[wb.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    assert summary[0][2] == 3 and Decimal(str(summary[0][3])) == Decimal("32500")
    assert page_login(pc.rep2).get(f"/companies/{pc.company.id}/statement.xlsx?year=2026").status_code == 403


def test_school_finance_officer_exports_its_records_formula_safe(page_login, pc, donated, session):
    c = page_login(pc.staff)
    page = c.get("/donations?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-match="') == 3  # b, c, e: its own school's, this year
    rows = _csv_rows(c.get("/donations/export.csv?year=2026"))
    assert len(rows) == 4
    by_donor = {r[0]: r for r in rows[1:]}
    # the company named "=HYPERLINK(...)" and the title "=SUM(...)" are written as text, never a formula
    evil = by_donor['\'=HYPERLINK("http://x")']
    assert evil[1] == pc.company2.tax_id and evil[3] == "2026-04-02"
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert any(r[4].startswith("'=SUM(A1:A9)") for r in rows[1:])
    r = c.get("/donations/export.xlsx?year=2026")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.active
    cells = [cell for row in ws.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert all(
        not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))) for cell in cells
    )
    assert any(cell.value == '\'=HYPERLINK("http://x")' for cell in cells)
    # another school's staff gets only theirs
    rows2 = _csv_rows(page_login(pc.staff2).get("/donations/export.csv"))
    assert [int(r[7]) for r in rows2[1:]] == [donated["d"]]
    # a pending account exports nothing
    rows3 = _csv_rows(page_login(pc.pending_staff).get("/donations/export.csv"))
    assert rows3[1:] == []


def test_company_sees_its_own_records_across_schools_on_the_page(page_login, pc, donated):
    html = page_login(pc.rep).get("/donations").get_data(as_text=True)
    assert html.count('data-match="') == 4
    assert "62,500" in html  # 30,000 + 20,000 received + 2,500 + 10,000, all years
    assert page_login(pc.rep).get("/donations?year=abc").status_code == 200  # bad filter: message, all rows


def test_records_only_for_completed_matches(session, pc, donated, api):
    statuses = dict(session.execute(sa.select(Match.id, Match.status)).all())
    listed = {x["match_id"] for x in records(api, pc.central, "?per_page=100")["items"]}
    assert listed == {i for i, s in statuses.items() if s == "completed"}
    assert len(statuses) == 6


def test_reading_changes_nothing(api, pc, donated, session):
    central, rep = api(pc.central), api(pc.rep)
    before = snapshot(session)
    assert central.get("/api/v1/donations").status_code == 200
    assert rep.get(f"/api/v1/companies/{pc.company.id}/statement?year=2026").status_code == 200
    assert snapshot(session) == before

"""Need pages: post through the form, errors next to fields, edit, cancel, budget, browse and search."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need
from csr_hub.services import matches as match_service

from conftest import csrf_token, snapshot

THRESHOLD = 500_000


def future(days: int = 30) -> str:
    return (today_bangkok() + timedelta(days=days)).isoformat()


def form(client, **change) -> dict:
    data = {
        "category": "devices",
        "title": "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง",
        "description": "ห้องคอมพิวเตอร์",
        "quantity": "20",
        "unit": "เครื่อง",
        "estimated_cost_thb": "300,000",
        "needed_by": future(),
        "urgency": "high",
        "csrf_token": csrf_token(client),
    }
    data.update(change)
    return data


def text(r) -> str:
    return r.get_data(as_text=True)


def field_error(html: str, field: str) -> str:
    """The error paragraph rendered next to a field (``<p class="error" id="<field>-error">``)."""
    m = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    assert m, f"no error shown next to {field}"
    assert re.search(
        rf'id="{re.escape(field)}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{re.escape(field)}"',
        html,
    ), f"{field} is not marked invalid"
    return m.group(1)


def test_school_staff_posts_a_need_through_the_form_and_sees_it_listed(
    page_login, make_user, session, client
):
    staff = make_user("school_staff")
    c = page_login(staff)
    r = c.get("/needs/new")
    assert r.status_code == 200 and 'name="csrf_token"' in text(r)
    for name in (
        "category",
        "title",
        "description",
        "quantity",
        "unit",
        "estimated_cost_thb",
        "needed_by",
        "urgency",
    ):
        assert f'for="{name}"' in text(r) and f'id="{name}"' in text(r), name
    other = make_user("school_staff")
    r = c.post(
        "/needs/new",
        data=form(c, school_id=str(other.school_id), status="fulfilled", budget_thb="5000", id="9"),
    )
    assert r.status_code == 302, text(r)[:2000]
    need = session.scalar(sa.select(Need))
    assert r.headers["Location"].endswith(f"/needs/{need.id}")
    assert need.school_id == staff.school_id and need.budget_thb == 0 and need.status == "open"
    assert (
        need.estimated_cost_thb == 300000
        and need.needed_by.isoformat() == future()
        and need.urgency == "high"
    )
    page = text(c.get(f"/needs/{need.id}"))
    assert "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง" in page and 'id="remaining">20' in page
    listing = text(client.get("/needs"))  # anonymous visitors browse too
    assert "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง" in listing and f"/needs/{need.id}" in listing


BAD_FORM = [
    ("quantity", "0"),
    ("quantity", "-3"),
    ("quantity", "abc"),
    ("quantity", "2.5"),
    ("quantity", "1000001"),
    ("quantity", ""),
    ("estimated_cost_thb", "-1"),
    ("estimated_cost_thb", "1000000000000"),
    ("estimated_cost_thb", "ten baht"),
    ("estimated_cost_thb", ""),
    ("needed_by", (today_bangkok() - timedelta(days=1)).isoformat()),
    ("needed_by", "31/13/2570"),  # no 13th month (31/12/2569 is now read as a Buddhist Era date)
    ("category", "spaceships"),
    ("category", ""),
    ("title", ""),
    ("title", "ก" * 201),
    ("description", "x" * 5001),
    ("urgency", "yesterday"),
    ("unit", "u" * 51),
]


def test_every_bad_field_shows_its_message_next_to_the_field_and_saves_nothing(
    page_login, make_user, session
):
    c = page_login(make_user("school_staff"))
    for lang in ("en", "th"):
        c.get(f"/needs/new?lang={lang}")
        for field, value in BAD_FORM:
            before = snapshot(session)
            r = c.post("/needs/new", data=form(c, **{field: value}))
            assert r.status_code == 422, (field, value, r.status_code)
            html = text(r)
            assert field_error(html, field).strip(), (field, value)
            assert 'id="form-errors"' in html and f'href="#{field}"' in html
            assert snapshot(session) == before, (field, value)
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 0


def test_messages_follow_the_language(page_login, make_user):
    c = page_login(make_user("school_staff"))
    c.get("/needs/new?lang=en")
    en = field_error(text(c.post("/needs/new", data=form(c, quantity="0"))), "quantity")
    assert "1,000,000" in en and "number" in en.lower()
    c.get("/needs/new?lang=th")
    th = text(c.post("/needs/new", data=form(c, quantity="0")))
    assert '<html lang="th">' in th
    message = field_error(th, "quantity")
    assert "1,000,000" in message and any("\u0e00" <= ch <= "\u0e7f" for ch in message), message


def test_what_was_typed_is_kept_after_an_error(page_login, make_user):
    c = page_login(make_user("school_staff"))
    html = text(c.post("/needs/new", data=form(c, quantity="-3", title="โต๊ะเรียน 40 ชุด")))
    assert 'value="-3"' in html and 'value="โต๊ะเรียน 40 ชุด"' in html


def test_a_missing_csrf_token_saves_nothing(page_login, make_user, session):
    c = page_login(make_user("school_staff"))
    before = snapshot(session)
    data = form(c)
    del data["csrf_token"]
    r = c.post("/needs/new", data=data)
    assert r.status_code == 400 and snapshot(session) == before


def test_other_roles_cannot_post_a_need(page_login, make_user, session):
    clients = [
        page_login(make_user(role))
        for role in ("company_rep", "district_director", "central_officer", "admin")
    ]
    before = snapshot(session)
    for c in clients:
        assert c.get("/needs/new").status_code == 403
        assert c.post("/needs/new", data=form(c)).status_code == 403
    assert snapshot(session) == before


def test_anonymous_is_sent_to_login_and_pending_staff_cannot_post(client, page_login, make_user, session):
    r = client.get("/needs/new")
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]
    pending = page_login(make_user("school_staff", status="pending"))
    before = snapshot(session)
    r = pending.post("/needs/new", data=form(pending))
    assert r.status_code == 403 and snapshot(session) == before


def test_html_and_script_are_shown_escaped_never_executed(page_login, make_user, make_need, client):
    staff = make_user("school_staff")
    need = make_need(
        staff, title='<script>alert("t")</script>ขอโต๊ะ', description='<img src=x onerror="alert(1)">'
    )
    for url in (f"/needs/{need.id}", "/needs", f"/schools/{staff.school.code}", "/needs?q=ขอโต๊ะ"):
        html = text(client.get(url))
        assert "&lt;script&gt;alert(" in html, url
        assert '<script>alert("t")' not in html and "<img src=x" not in html, url
    html = text(page_login(staff).get(f"/needs/{need.id}/edit"))
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_edit_own_need_and_another_school_is_refused(page_login, make_user, make_need, session):
    staff = make_user("school_staff")
    need = make_need(staff)
    c = page_login(staff)
    r = c.get(f"/needs/{need.id}/edit")
    assert r.status_code == 200 and 'value="20"' in text(r) and 'value="300000.00"' in text(r)
    r = c.post(
        f"/needs/{need.id}/edit",
        data=form(c, title="โปรเจกเตอร์ 2 เครื่อง", quantity="2", school_id="1", budget_thb="1"),
    )
    assert r.status_code == 302
    session.expire_all()
    row = session.get(Need, need.id)
    assert row.title == "โปรเจกเตอร์ 2 เครื่อง" and row.quantity == 2 and row.budget_thb == 0
    r = c.post(f"/needs/{need.id}/edit", data=form(c, quantity="0"))
    assert r.status_code == 422 and field_error(text(r), "quantity")
    stranger = page_login(make_user("school_staff"))
    before = snapshot(session)
    assert stranger.get(f"/needs/{need.id}/edit").status_code == 403
    assert stranger.post(f"/needs/{need.id}/edit", data=form(stranger, title="Mine")).status_code == 403
    assert (
        stranger.post(f"/needs/{need.id}/cancel", data={"csrf_token": csrf_token(stranger)}).status_code
        == 403
    )
    assert snapshot(session) == before
    assert c.get("/needs/999999/edit").status_code == 404


def test_a_held_need_cannot_be_edited_or_cancelled_and_the_page_says_so(
    page_login, make_user, make_need, make_offer, session
):
    staff = make_user("school_staff")
    rep = make_user("company_rep")
    need = make_need(staff, quantity=10)
    offer = make_offer(rep)
    m = match_service.propose(session, rep, {"need_id": need.id, "offer_id": offer.id, "quantity": 3})
    session.commit()
    match_service.act(session, staff, m.id, {"action": "accept"}, THRESHOLD)
    session.commit()
    c = page_login(staff)
    c.get("/?lang=en")
    page = text(c.get(f"/needs/{need.id}"))
    assert 'id="held-notice"' in page and "withdraw the match first" in page
    assert f"/needs/{need.id}/cancel" not in page and 'id="remaining">7' in page
    before = snapshot(session)
    r = c.post(f"/needs/{need.id}/edit", data=form(c, title="Changed"))
    assert r.status_code == 409 and "withdraw" in text(r)
    r = c.post(f"/needs/{need.id}/cancel", data={"csrf_token": csrf_token(c)}, follow_redirects=True)
    assert "withdraw them before cancelling" in text(r)
    assert snapshot(session) == before
    match_service.act(session, staff, m.id, {"action": "withdraw"}, THRESHOLD)
    session.commit()
    r = c.post(f"/needs/{need.id}/cancel", data={"csrf_token": csrf_token(c)}, follow_redirects=True)
    assert r.status_code == 200 and "The need is cancelled." in text(r)
    session.expire_all()
    assert session.get(Need, need.id).status == "cancelled"


def test_budget_form_for_own_esa_director_and_central_officer(page_login, make_user, make_need, session):
    need = make_need(make_user("school_staff"))  # a school of p50-1
    director = page_login(make_user("district_director", district_code="p50-1"))
    page = text(director.get(f"/needs/{need.id}"))
    assert 'id="budget_thb"' in page and 'for="budget_thb"' in page
    r = director.post(
        f"/needs/{need.id}/budget", data={"budget_thb": "125,000.50", "csrf_token": csrf_token(director)}
    )
    assert r.status_code == 302
    session.expire_all()
    assert float(session.get(Need, need.id).budget_thb) == 125000.5
    for bad in ("-5", "abc", "2000000000", ""):
        before = snapshot(session)
        r = director.post(
            f"/needs/{need.id}/budget", data={"budget_thb": bad, "csrf_token": csrf_token(director)}
        )
        assert r.status_code == 422 and field_error(text(r), "budget_thb"), bad
        assert 'data-replace-url="/needs/' in text(r)  # a reload shows the need page, not a second post
        assert snapshot(session) == before
    central = page_login(make_user("central_officer"))
    assert (
        central.post(
            f"/needs/{need.id}/budget", data={"budget_thb": "1", "csrf_token": csrf_token(central)}
        ).status_code
        == 302
    )
    other = page_login(make_user("district_director", district_code="p10-1"))
    staff = page_login(make_user("school_staff", school=need.school))
    assert 'id="budget_thb"' not in text(other.get(f"/needs/{need.id}"))
    before = snapshot(session)
    assert (
        other.post(
            f"/needs/{need.id}/budget", data={"budget_thb": "9", "csrf_token": csrf_token(other)}
        ).status_code
        == 403
    )
    assert 'id="budget_thb"' not in text(staff.get(f"/needs/{need.id}"))
    assert (
        staff.post(
            f"/needs/{need.id}/budget", data={"budget_thb": "9", "csrf_token": csrf_token(staff)}
        ).status_code
        == 403
    )
    assert snapshot(session) == before


def test_list_page_filters_search_and_bad_filters(client, make_user, make_school, make_need):
    staff = make_user("school_staff", school=make_school("p50-1", "stand_alone"))
    other = make_user("school_staff", school=make_school("p10-1", "core"))
    laptops = make_need(staff, title="ขอรับบริจาคคอมพิวเตอร์โน้ตบุ๊กสำหรับห้องเรียน", urgency="critical")
    housing = make_need(other, title="ซ่อมบ้านพักครู 2 หลัง", category="teacher_housing")
    html = text(client.get("/needs?q=โน้ตบุ๊ก&lang=en"))
    assert laptops.title in html and housing.title not in html and "1 need found" in html
    html = text(client.get("/needs?category=teacher_housing&province=10&lang=en"))
    assert housing.title in html and laptops.title not in html
    html = text(client.get("/needs?quality_group=stand_alone&urgency=critical&district=p50-1"))
    assert laptops.title in html and housing.title not in html
    assert 'value="stand_alone" selected' in html
    for bad, field in (
        ("category=spaceships", "category"),
        ("province=99", "province"),
        ("district=zz", "district"),
        ("urgency=soon", "urgency"),
        ("status=gone", "status"),
        ("sort=x", "sort"),
    ):
        r = client.get(f"/needs?{bad}&lang=en")
        assert r.status_code == 422, bad
        html = text(r)
        assert re.search(rf'<p class="error" id="f-{field}-error">\s*\S', html), bad
        assert laptops.title in html  # the rest of the page still works
    for bad in ("page=abc", "per_page=-1"):
        r = client.get(f"/needs?{bad}&lang=en")
        assert r.status_code == 422 and 'class="error"' in text(r), bad
    html = text(client.get("/needs?page=50"))
    assert laptops.title not in html and housing.title not in html


def test_list_page_paginates(client, make_user, make_need):
    staff = make_user("school_staff")
    for i in range(25):
        make_need(staff, title=f"Need number {i:02d}")
    first = text(client.get("/needs?lang=en"))
    assert "Need number 24" in first and "Need number 05" in first and "Need number 04" not in first
    assert 'rel="next"' in first and "page=2" in first
    second = text(client.get("/needs?page=2&lang=en"))
    assert "Need number 04" in second and "Need number 24" not in second
    assert "Need number 00" in text(client.get("/needs?per_page=100"))


def test_school_page_and_dashboards_list_their_needs(client, page_login, make_user, make_need, make_school):
    staff = make_user("school_staff")
    mine = make_need(staff, title="ขอรับบริจาคหนังสือเรียน")
    theirs = make_need(make_user("school_staff", school=make_school("p10-1")), title="Water filter")
    html = text(client.get(f"/schools/{staff.school.code}"))
    assert mine.title in html and theirs.title not in html
    html = text(page_login(staff).get("/dashboard"))
    assert mine.title in html and theirs.title not in html
    html = text(page_login(make_user("district_director", district_code="p50-1")).get("/dashboard"))
    assert mine.title in html and theirs.title not in html


def test_show_page_in_english_and_thai(client, make_user, make_need):
    need = make_need(make_user("school_staff"), needed_by=future(10))
    en = text(client.get(f"/needs/{need.id}?lang=en"))
    assert "Remaining" in en and "300,000" in en
    th = text(client.get(f"/needs/{need.id}?lang=th"))
    assert str(today_bangkok().year + 543) in th  # Buddhist Era dates on pages
    assert client.get("/needs/424242").status_code == 404


def test_every_role_browses_needs_and_offers(client, page_login, make_user, make_need, make_offer):
    need = make_need(make_user("school_staff"), title="ขอรับบริจาคโต๊ะเรียน 30 ชุด")
    offer = make_offer(make_user("company_rep"), title="Student desks for 30 pupils")
    clients = [client] + [
        page_login(make_user(role, status=status))
        for role, status in (
            ("school_staff", "active"),
            ("school_staff", "pending"),
            ("company_rep", "active"),
            ("district_director", "active"),
            ("central_officer", "active"),
            ("admin", "active"),
        )
    ]
    for c in clients:
        for url, expected in (
            ("/needs", need.title),
            (f"/needs/{need.id}", need.title),
            ("/offers", offer.title),
            (f"/offers/{offer.id}", offer.title),
        ):
            r = c.get(url)
            assert r.status_code == 200 and expected in text(r), url
        for url in (
            "/api/v1/needs",
            f"/api/v1/needs/{need.id}",
            "/api/v1/offers",
            f"/api/v1/offers/{offer.id}",
        ):
            assert c.get(url).status_code == 200, url

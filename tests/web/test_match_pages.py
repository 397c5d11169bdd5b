"""Suggestions on the need and offer pages, one click to propose a match from one, and the central
officer's list of posts the vocabulary did not recognise."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from csr_hub.models import Match
from csr_hub.services import posts, suggestions

from conftest import csrf_token, snapshot


def text(r) -> str:
    return html.unescape(r.get_data(as_text=True))


def _suggestion_forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="/matches">.*?</form>', page, re.S)


def test_school_staff_proposes_a_match_from_a_suggestion_on_the_need_page(
    page_login, client, session, make_user, make_need, make_offer
):
    staff = make_user("school_staff")
    rep = make_user("company_rep")
    notebooks = make_offer(
        rep,
        title="Exercise notebooks and pencils",
        category="learning_materials",
        description="A4 notebooks for pupils",
        quantity=500,
    )
    laptops = make_offer(rep)
    need = make_need(staff)
    c = page_login(staff)
    page = text(c.get(f"/needs/{need.id}"))  # Thai by default
    assert "50 refurbished laptops" in page and "ของตรงกัน: โน้ตบุ๊ก" in page
    if "Exercise notebooks" in page:  # a weak suggestion may be left out (shown on request only)
        assert page.index("50 refurbished laptops") < page.index("Exercise notebooks")  # ranks below
    forms = _suggestion_forms(page)
    assert forms and f'name="offer_id" value="{laptops.id}"' in forms[0] and 'name="quantity"' in forms[0]
    assert 'value="20"' in forms[0]  # min(need's 20, offer's 50)
    en = text(c.get(f"/needs/{need.id}?lang=en"))
    assert "same item: laptop" in en and "covers 20 of 20" in en
    # anonymous visitors see the suggestions and their reasons, but no form
    public = text(client.get(f"/needs/{need.id}"))
    assert "50 refurbished laptops" in public and not _suggestion_forms(public)
    if len(forms) > 1:
        assert f'name="offer_id" value="{notebooks.id}"' in forms[1]

    r = c.post(
        "/matches",
        data={"need_id": need.id, "offer_id": laptops.id, "quantity": 20, "csrf_token": csrf_token(c)},
    )
    assert r.status_code == 303
    m = re.fullmatch(r"(?:http://localhost)?/matches/(\d+)", r.headers["Location"])
    assert m, r.headers["Location"]
    match = session.get(Match, int(m.group(1)))
    assert (match.need_id, match.offer_id, match.quantity, match.status, match.proposed_by) == (
        need.id,
        laptops.id,
        20,
        "proposed",
        "school",
    )
    live = suggestions.for_need(session, posts.get_need(session, need.id))
    assert match.score == live[0][1].total and set(match.parts) == set(live[0][1].parts)
    assert c.get(r.headers["Location"]).status_code == 200


def test_company_rep_pledges_from_a_suggestion_on_the_offer_page(
    page_login, session, make_user, make_school, make_need, make_offer
):
    core = make_user("school_staff", school=make_school(quality_group="core"))
    remote = make_user("school_staff", school=make_school(quality_group="stand_alone"))
    rep = make_user("company_rep")
    make_need(core)
    remote_need = make_need(remote)
    offer = make_offer(rep)
    c = page_login(rep)
    page = text(c.get(f"/offers/{offer.id}?lang=en"))
    assert "stand-alone school ranks up" in page
    forms = _suggestion_forms(page)
    assert len(forms) == 2 and f'name="need_id" value="{remote_need.id}"' in forms[0]  # equity ranks it first
    r = c.post(
        "/matches",
        data={"need_id": remote_need.id, "offer_id": offer.id, "quantity": 20, "csrf_token": csrf_token(c)},
    )
    assert r.status_code == 303 and "/matches/" in r.headers["Location"]
    match = session.scalar(sa.select(Match))
    assert (match.need_id, match.offer_id, match.proposed_by, match.status) == (
        remote_need.id,
        offer.id,
        "company",
        "proposed",
    )
    # another company's rep sees the suggestions without a form to pledge someone else's offer
    other = page_login(make_user("company_rep"))
    assert not _suggestion_forms(text(other.get(f"/offers/{offer.id}")))


def test_a_refused_proposal_from_a_suggestion_changes_nothing(
    page_login, session, make_user, make_need, make_offer
):
    staff = make_user("school_staff")
    need = make_need(staff)
    offer = make_offer(make_user("company_rep"))
    c = page_login(staff)
    before = snapshot(session)
    for qty in ("0", "21", "abc"):
        r = c.post(
            "/matches",
            data={"need_id": need.id, "offer_id": offer.id, "quantity": qty, "csrf_token": csrf_token(c)},
            headers={"Referer": f"http://localhost/needs/{need.id}"},
        )
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/needs/{need.id}#error-summary"), qty
    r = c.post("/matches", data={"need_id": need.id, "offer_id": offer.id, "quantity": 1})  # no CSRF token
    assert r.status_code == 400
    assert snapshot(session) == before


def test_central_officer_dashboard_lists_posts_without_a_recognised_item(
    page_login, session, make_user, make_need, make_offer
):
    staff = make_user("school_staff")
    unknown_need = make_need(staff, title="ขอรับบริจาคกระด้งฝัดข้าว", category="other", description="")
    known_need = make_need(staff)
    unknown_offer = make_offer(
        make_user("company_rep"), title="Hot air balloon rides", description="", category="other"
    )
    assert (
        unknown_need.item_kinds == "" and unknown_offer.item_kinds == "" and known_need.item_kinds == "laptop"
    )
    central = page_login(make_user("central_officer"))
    page = text(central.get("/dashboard?lang=en"))
    assert "Posts the matcher did not recognise" in page
    section = page[page.index("Posts the matcher did not recognise") :]
    section = section[: section.index("</section>")]
    assert f'href="/needs/{unknown_need.id}"' in section and unknown_need.title in section
    assert f'href="/offers/{unknown_offer.id}"' in section and unknown_offer.title in section
    assert known_need.title not in section
    # a cancelled post drops off the list; other roles do not see it at all
    posts.cancel_need(session, staff, posts.get_need(session, unknown_need.id))
    session.commit()
    assert unknown_need.title not in text(central.get("/dashboard?lang=en"))
    assert "Posts the matcher did not recognise" not in text(page_login(staff).get("/dashboard?lang=en"))

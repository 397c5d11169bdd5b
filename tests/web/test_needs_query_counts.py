"""Lists of needs and offers answer with a constant number of SQL statements, however many rows they show."""

from __future__ import annotations

import re

from sqlalchemy import event

from csr_hub.extensions import db

URLS = [
    "/api/v1/needs?per_page=100",
    "/api/v1/needs?per_page=100&status=all&sort=urgency&district=p50-1",
    "/api/v1/offers?per_page=100",
    "/api/v1/offers?per_page=100&province=50&sort=value",
    "/needs?per_page=100",
    "/needs?per_page=100&q=notebook&province=50",
    "/offers?per_page=100",
    "/offers?per_page=100&district=p50-1&status=all",
]


def statements(client, url: str) -> tuple[int, int]:
    """(SQL statements run, rows listed) for one GET."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    db.session.remove()  # nothing cached in the identity map from the set-up
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert r.status_code == 200, (url, r.status_code)
    if url.startswith("/api/"):
        rows = len(r.get_json()["items"])
    else:
        rows = len(re.findall(r'<li class="card(?: [\w-]+)?">', r.get_data(as_text=True)))
    return len(seen), rows


def add_rows(n, start, make_user, make_school, make_company, make_need, make_offer):
    """n needs, each from its own school, and n offers, each from its own company serving two provinces."""
    districts = ["p50-1", "p50-2", "p10-1", "p40-1"]
    for i in range(start, start + n):
        staff = make_user(
            "school_staff", school=make_school(districts[i % 4], ("core", "stand_alone", "merging")[i % 3])
        )
        make_need(staff, title=f"Notebook computers for room {i}", urgency=("low", "high", "critical")[i % 3])
        rep = make_user("company_rep", company=make_company(province_code="10"))
        make_offer(rep, title=f"Notebook donation lot {i}", provinces=[] if i % 5 == 0 else ["50", "10"])


def test_list_queries_do_not_grow_with_rows(
    app, page_login, make_user, make_school, make_company, make_need, make_offer, capsys
):
    add_rows(5, 0, make_user, make_school, make_company, make_need, make_offer)
    viewer = page_login(make_user("school_staff"))
    anonymous = app.test_client()
    small = {url: statements(anonymous, url) for url in URLS}
    small_logged_in = {url: statements(viewer, url) for url in URLS if not url.startswith("/api/")}
    add_rows(35, 5, make_user, make_school, make_company, make_need, make_offer)
    large = {url: statements(anonymous, url) for url in URLS}
    large_logged_in = {url: statements(viewer, url) for url in URLS if not url.startswith("/api/")}
    report = []
    for url in URLS:
        (q5, rows5), (q40, rows40) = small[url], large[url]
        assert rows40 > rows5 >= 2, (url, rows5, rows40)
        assert q40 == q5, f"{url}: {q5} statements for {rows5} rows but {q40} for {rows40}"
        assert q40 <= 9, (url, q40)  # pages add one statement for the listed needs' photos
        report.append(f"{url}: {q40} statements ({rows5} and {rows40} rows)")
    for url, (q5, rows5) in small_logged_in.items():
        q40, rows40 = large_logged_in[url]
        assert q40 == q5 and q40 <= 11, (url, q5, q40)  # the session's user, its school, its alerts
        report.append(f"{url} (logged in): {q40} statements ({rows5} and {rows40} rows)")
    with capsys.disabled():
        print("\n" + "\n".join(report))


def test_a_need_and_an_offer_page_do_not_grow_with_their_candidates(
    app, page_login, make_user, make_school, make_company, make_need, make_offer
):
    """A post's page scores its candidates live (suggestions): no more statements for 40 candidates than
    for 5, anonymous or signed in (the candidate offers' views are built afresh both times)."""
    from csr_hub.services import suggestion_rows

    staff = make_user("school_staff", school=make_school("p50-1"))
    need = make_need(staff, title="Notebook computers for the pupils", urgency="high")
    rep = make_user("company_rep", company=make_company(province_code="10"))
    offer = make_offer(rep, title="Notebook donation", provinces=["50"])
    viewer = page_login(make_user("school_staff"))
    anonymous = app.test_client()

    def measure() -> list[int]:
        counts = []
        for client in (anonymous, viewer):
            for url in (f"/needs/{need.id}", f"/offers/{offer.id}"):
                suggestion_rows._offer_views.clear()
                counts.append(statements(client, url)[0])
        return counts

    add_rows(4, 100, make_user, make_school, make_company, make_need, make_offer)
    few = measure()
    add_rows(35, 200, make_user, make_school, make_company, make_need, make_offer)
    many = measure()
    # a need's page: the same statements; an offer's reads its needs in at most four tiers and may stop
    # sooner when more candidates fill its first tier, so it never needs more
    assert few[0::2] == many[0::2], (few, many)
    assert all(m <= f for m, f in zip(many[1::2], few[1::2])), (few, many)
    assert max(few + many) <= 17, (few, many)

"""``GET /api/v1/matches`` is kept under the report cache's generation per caller scope: the second read of
the same list reads no match, another scope gets its own list, and a committed action shows at once."""

from __future__ import annotations

import sqlalchemy as sa

from csr_hub.extensions import db

from workflow_cast import cast, make_match  # noqa: F401  (fixtures)


def _reads(client_get):
    run: list[str] = []
    count = lambda _c, _cur, statement, *_a: run.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = client_get()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return r, [q for q in run if "FROM matches" in q]


def test_the_list_is_read_once_per_change_and_per_scope(api, session, cast):
    pledged = make_match(session, cast, "pledged")
    central, director, other = api(cast.central), api(cast.director), api(cast.other_director)
    first = central.get("/api/v1/matches")
    assert first.status_code == 200 and [m["id"] for m in first.get_json()["items"]] == [pledged]
    again, reads = _reads(lambda: central.get("/api/v1/matches"))
    assert again.get_data() == first.get_data() and reads == []  # kept: no match read
    assert again.mimetype == "application/json"
    # another scope: its own list (the other ESA's director sees none of this ESA's matches)
    assert [m["id"] for m in director.get("/api/v1/matches").get_json()["items"]] == [pledged]
    assert other.get("/api/v1/matches").get_json()["items"] == []
    # a committed action moves the generation on: the next read is fresh
    r = director.post(f"/api/v1/matches/{pledged}/actions", json={"action": "approve"})
    assert r.status_code == 200, r.get_json()
    after, reads = _reads(lambda: central.get("/api/v1/matches"))
    assert reads and after.get_json()["items"][0]["status"] != "pledged"
    # a bad filter is still a clear 422, never kept
    assert central.get("/api/v1/matches?status=nonsense").status_code == 422
    assert central.get("/api/v1/matches?status=nonsense").status_code == 422

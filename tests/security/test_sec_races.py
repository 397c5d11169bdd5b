"""Pen-test finding 2: cancel / withdraw / edit racing ``accept`` on the same need or offer.

Each pair of actions that touch the same rows is fired at once (two threads on a barrier, each with its own
client and connection), many times. Whichever order the database picks, exactly one of the two may win:
the other answers 409, none 500, and no cancelled need or withdrawn offer is left holding a pledged match
(ASVS 4.0 V1.11.3 / V11.1.6: business logic safe against time-of-check/time-of-use races).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from csr_hub.models import Match, Need, Offer

from conftest import PASSWORD
from workflow_cast import THRESHOLD, cast  # noqa: F401  (fixture)

TRIALS = 8


@pytest.fixture
def app_config(database_url):
    options = {"pool_size": 6, "max_overflow": 0, "pool_timeout": 60}
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    return {"CSR_CENTRAL_THRESHOLD_THB": THRESHOLD, "SQLALCHEMY_ENGINE_OPTIONS": options}


def _login(app, user):
    c = app.test_client()
    r = c.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return c, {"X-CSRFToken": r.get_json()["csrf_token"]}


def _race(app, calls):
    """calls: [(client, headers, method, url, json)] fired together; the status codes, in order."""
    from csr_hub.extensions import db

    db.session.rollback()  # SQLite: this thread must not keep the write lock
    barrier = threading.Barrier(len(calls))
    out: list[int] = [0] * len(calls)

    def run(i):
        client, headers, method, url, body = calls[i]
        barrier.wait()
        try:
            out[i] = client.open(url, method=method, json=body, headers=headers).status_code
        except Exception:  # noqa: BLE001 - a crash counts as an error
            out[i] = -1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _fresh_pair(session, cast, make_need, make_offer, quantity):  # noqa: F811
    """A new need and offer of ``quantity`` units and a proposed match of all of it (school proposed)."""
    from csr_hub.services import matches

    need = make_need(cast.staff, quantity=quantity, title=f"โน้ตบุ๊ก {quantity} เครื่อง")
    offer = make_offer(cast.rep, quantity=quantity)
    m = matches.propose(session, cast.staff, {"need_id": need.id, "offer_id": offer.id, "quantity": quantity})
    session.commit()
    return need.id, offer.id, m.id


CASES = {
    # the second call of each pair is the accept
    "cancel_need": lambda n, o: ("staff", "POST", f"/api/v1/needs/{n}/cancel", None),
    "withdraw_offer": lambda n, o: ("rep", "POST", f"/api/v1/offers/{o}/withdraw", None),
    # below the match's quantity: fine before the accept, impossible after it (and the accept then fails)
    "edit_need": lambda n, o: ("staff", "PATCH", f"/api/v1/needs/{n}", {"quantity": 4}),
    "edit_offer": lambda n, o: ("rep", "PATCH", f"/api/v1/offers/{o}", {"quantity": 4}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_closing_or_editing_a_post_racing_accept_lets_exactly_one_win(
    app,
    session,
    cast,
    make_need,
    make_offer,
    db_kind,
    case,  # noqa: F811
):
    clients = {"staff": _login(app, cast.staff), "rep": _login(app, cast.rep)}
    outcomes = Counter()
    for _trial in range(TRIALS):
        need_id, offer_id, match_id = _fresh_pair(session, cast, make_need, make_offer, quantity=5)
        who, method, url, body = CASES[case](need_id, offer_id)
        client, headers = clients[who]
        rep_client, rep_headers = clients["rep"]
        codes = _race(
            app,
            [
                (client, headers, method, url, body),
                (
                    rep_client,
                    rep_headers,
                    "POST",
                    f"/api/v1/matches/{match_id}/actions",
                    {"action": "accept"},
                ),
            ],
        )
        outcomes[tuple(codes)] += 1
        assert sorted(codes) == [200, 409], (case, db_kind, codes)
        session.rollback()
        need, offer, match = (
            session.get(Need, need_id),
            session.get(Offer, offer_id),
            session.get(Match, match_id),
        )
        pledged = match.status == "pledged"
        assert pledged == (codes[1] == 200)
        if pledged:  # the accept won: the post is untouched and holds the match
            assert not need.cancelled and not offer.withdrawn
            assert need.quantity == offer.quantity == 5
        assert need.committed_quantity == offer.committed_quantity == (5 if pledged else 0)
        assert need.committed_quantity <= need.quantity and offer.committed_quantity <= offer.quantity
    print(f"\n[{db_kind}] {case} × accept over {TRIALS} trials: {dict(outcomes)}")
    session.rollback()
    # nowhere a cancelled need or a withdrawn offer holding a pledged match
    bad = session.scalar(
        sa.select(sa.func.count(Match.id))
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .where(Match.status == "pledged", sa.or_(Need.cancelled.is_(True), Offer.withdrawn.is_(True)))
    )
    assert bad == 0

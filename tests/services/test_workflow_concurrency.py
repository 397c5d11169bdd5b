"""Capacity and transitions under concurrency: many requests at once, each with its own client and connection.

Run with ``-s`` to see the figures (fired / committed / refused / errors) per database.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from csr_hub.models import Match, MatchTransition, Need, Offer

from conftest import PASSWORD
from workflow_cast import THRESHOLD, cast, make_match  # noqa: F401  (fixtures)

FIRED = 50
CAPACITY = 10


@pytest.fixture
def app_config(database_url):
    """A pool as large as the crowd, so every thread holds a connection of its own at the same moment."""
    options = {"pool_size": FIRED + 2, "max_overflow": 0, "pool_timeout": 60}
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    else:
        options["pool_pre_ping"] = True
    return {"CSR_CENTRAL_THRESHOLD_THB": THRESHOLD, "SQLALCHEMY_ENGINE_OPTIONS": options}


def login(app, user):
    """A test client of its own, logged in through the API; returns (client, headers)."""
    c = app.test_client()
    r = c.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return c, {"X-CSRFToken": r.get_json()["csrf_token"]}


def fire(app, jobs):
    """jobs: [(user, match_id, action)]. Log every client in, line them up on a barrier, post at once."""
    from csr_hub.extensions import db

    clients = [login(app, user) for user, _m, _a in jobs]
    # the logins ran in this thread's app context: end its transaction, or on SQLite it keeps the write lock
    db.session.rollback()
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[int, dict | None]] = [(0, None)] * len(jobs)

    def run(i):
        (client, headers), (_user, match_id, action) = clients[i], jobs[i]
        barrier.wait()
        try:
            r = client.post(f"/api/v1/matches/{match_id}/actions", json={"action": action}, headers=headers)
            results[i] = (r.status_code, r.get_json(silent=True))
        except Exception as exc:  # a crash in the client is an error too
            results[i] = (-1, {"exception": repr(exc)})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def report(db_kind, name, results):
    codes = Counter(code for code, _ in results)
    committed, refused = codes.get(200, 0), codes.get(409, 0)
    errors = len(results) - committed - refused
    print(
        f"\n[{db_kind}] {name}: fired={len(results)} committed={committed} refused(409)={refused} errors={errors} "
        f"codes={dict(codes)}"
    )
    return committed, refused, errors


def test_fifty_accepts_against_one_offer_of_ten(app, session, cast, make_need, db_kind):
    from csr_hub.services import matches

    session.rollback()
    offer = session.get(Offer, cast.offer.id)
    offer.quantity = CAPACITY
    session.commit()
    ids = []
    for i in range(FIRED):
        need = make_need(cast.staff, title=f"โน้ตบุ๊ก ห้องเรียนที่ {i + 1}", quantity=1)
        ids.append(
            matches.propose(session, cast.staff, {"need_id": need.id, "offer_id": offer.id, "quantity": 1}).id
        )
        session.commit()
    results = fire(app, [(cast.rep, match_id, "accept") for match_id in ids])
    committed, refused, errors = report(db_kind, "accepts vs one offer of 10", results)
    assert errors == 0, [r for r in results if r[0] not in (200, 409)]
    assert committed == CAPACITY and refused == FIRED - CAPACITY
    assert all(body["error"]["code"] == "conflict" for code, body in results if code == 409)
    session.rollback()
    pledged = session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status == "pledged"))
    accepts = session.scalar(
        sa.select(sa.func.count(MatchTransition.id)).where(MatchTransition.action == "accept")
    )
    assert session.get(Offer, offer.id).committed_quantity == CAPACITY == pledged == accepts
    assert (
        session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status == "proposed"))
        == FIRED - CAPACITY
    )
    # the needs of the pledged matches hold one unit each, the others none
    held = dict(session.execute(sa.select(Match.need_id, Match.status)).all())
    for need in session.scalars(sa.select(Need).where(Need.id.in_(list(held)))):
        assert need.committed_quantity == (1 if held[need.id] == "pledged" else 0)


def test_fifty_accepts_against_one_need_of_ten(app, session, cast, make_offer, make_user, db_kind):
    from csr_hub.services import matches

    session.rollback()
    need = session.get(Need, cast.need.id)
    need.quantity = CAPACITY
    session.commit()
    ids = []
    for i in range(FIRED):
        offer = make_offer(cast.rep, title=f"Laptop lot {i + 1}", quantity=1, value_thb=10_000)
        ids.append(
            matches.propose(session, cast.rep, {"need_id": need.id, "offer_id": offer.id, "quantity": 1}).id
        )
        session.commit()
    # the school accepts the company's pledges, from 50 sessions at once
    results = fire(app, [(cast.staff, match_id, "accept") for match_id in ids])
    committed, refused, errors = report(db_kind, "accepts vs one need of 10", results)
    assert errors == 0, [r for r in results if r[0] not in (200, 409)]
    assert committed == CAPACITY and refused == FIRED - CAPACITY
    session.rollback()
    pledged = session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status == "pledged"))
    assert session.get(Need, need.id).committed_quantity == CAPACITY == pledged
    assert sum(o.committed_quantity for o in session.scalars(sa.select(Offer))) == CAPACITY


def test_two_approvals_of_one_match_at_once_record_one_transition(
    app, session, cast, make_user, make_offer, make_need, db_kind
):
    second_director = make_user("district_director", district_code="p50-1")
    second_central = make_user("central_officer")
    rounds = []
    for i in range(4):
        offer = make_offer(cast.rep, title=f"Projector lot {i}", quantity=20, value_thb=200_000)
        cast.offer = offer
        cast.need = make_need(cast.staff, title=f"โปรเจกเตอร์ ห้อง {i}", quantity=12)
        rounds.append(make_match(session, cast, "pledged", quantity=12))  # 120,000: central approval follows
    totals = Counter()
    for match_id in rounds:
        results = fire(app, [(cast.director, match_id, "approve"), (second_director, match_id, "approve")])
        totals.update(code for code, _ in results)
        assert sorted(code for code, _ in results) == [200, 409], results
        results = fire(app, [(cast.central, match_id, "approve"), (second_central, match_id, "approve")])
        totals.update(code for code, _ in results)
        assert sorted(code for code, _ in results) == [200, 409], results
    report(db_kind, "pairs of simultaneous approvals", [(c, None) for c in totals.elements()])
    session.rollback()
    for match_id in rounds:
        steps = [
            t.to_status
            for t in session.scalars(
                sa.select(MatchTransition)
                .where(MatchTransition.match_id == match_id)
                .order_by(MatchTransition.id)
            )
        ]
        assert steps == ["proposed", "pledged", "district_approved", "approved"]
        assert session.get(Match, match_id).version == 4


def test_a_sqlite_lock_that_times_out_answers_409_not_500(app, session, cast, db_kind, database_url):
    if db_kind != "sqlite":
        pytest.skip("SQLite's write lock")
    import sqlite3

    from csr_hub.extensions import db

    match_id = make_match(session, cast, "proposed", quantity=1)
    session.commit()

    @event.listens_for(db.engine, "connect")
    def _short_timeout(dbapi_conn, _record):  # runs after the app's own PRAGMA busy_timeout=15000
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    db.engine.dispose()
    client, headers = login(app, cast.rep)
    form_token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    session.rollback()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the timeout
    try:
        r = client.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=headers)
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["error"]["code"] == "conflict"
        page = client.post(
            f"/matches/{match_id}/actions", data={"action": "accept", "csrf_token": form_token}
        )
        assert page.status_code == 409
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        event.remove(db.engine, "connect", _short_timeout)
        db.engine.dispose()
    session.rollback()
    assert session.get(Match, match_id).status == "proposed"
    r = client.post(f"/api/v1/matches/{match_id}/actions", json={"action": "accept"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["status"] == "pledged"


def test_one_idempotency_key_sent_at_once_answers_the_first_answer_to_all(app, session, cast, db_kind):
    """Eight clients of one user send one accept with one key at the same moment: the accept applies once
    and every one of them gets its answer (not a 409 for the ones that arrived while it was being made)."""
    from csr_hub.extensions import db

    match_id = make_match(session, cast, "proposed", quantity=2)
    session.commit()
    clients = [login(app, cast.rep) for _ in range(8)]
    db.session.rollback()
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, dict | None]] = [(0, None)] * len(clients)

    def run(i):
        client, headers = clients[i]
        barrier.wait()
        r = client.post(
            f"/api/v1/matches/{match_id}/actions",
            json={"action": "accept"},
            headers={**headers, "Idempotency-Key": "accept-at-once"},
        )
        results[i] = (r.status_code, r.get_json(silent=True))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    print(f"\n[{db_kind}] one key at once: {Counter(code for code, _ in results)}")
    assert {code for code, _ in results} == {200}, results
    assert all(body == results[0][1] for _code, body in results)
    session.rollback()
    accepts = session.scalar(
        sa.select(sa.func.count(MatchTransition.id)).where(
            MatchTransition.match_id == match_id, MatchTransition.action == "accept"
        )
    )
    assert accepts == 1 and session.get(Match, match_id).status == "pledged"

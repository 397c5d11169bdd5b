"""How ``match run`` stores its suggestions: streamed per need (``batch_suggest``'s sink), the table's rows
replaced in the caller's transaction — on PostgreSQL by TRUNCATE and COPY, which leave no dead rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from csr_hub.domain import matching
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Suggestion
from csr_hub.services import batch, suggestions


@pytest.fixture
def posts_for_run(session, make_user, make_school, make_need, make_offer):
    schools = [
        make_user("school_staff", school=make_school(quality_group=g)) for g in ("core", "stand_alone")
    ]
    for i, staff in enumerate(schools * 3):
        make_need(staff, title=f"คอมพิวเตอร์โน้ตบุ๊ก {5 + i} เครื่อง", quantity=5 + i)
    rep = make_user("company_rep")
    for title in ("50 refurbished laptops", "Laptops and tablets", "Android tablets for pupils"):
        make_offer(rep, title=title, quantity=7)
    session.commit()


def _rows(session) -> list[tuple]:
    session.expire_all()
    return [
        (r.need_id, r.offer_id, r.score, r.rank, r.allocated_quantity, r.parts)
        for r in session.scalars(sa.select(Suggestion).order_by(Suggestion.need_id, Suggestion.rank))
    ]


def test_the_sink_gets_exactly_what_the_batch_returns(session, posts_for_run):
    provinces = suggestions.province_table(session)
    needs = suggestions.open_need_views(session, provinces)
    offers = suggestions.open_offer_views(session, provinces, today_bangkok())
    whole = matching.batch_suggest(needs, offers, today_bangkok(), per_need=2)
    streamed: dict[int, list] = {}
    left = matching.batch_suggest(
        needs,
        offers,
        today_bangkok(),
        per_need=2,
        sink=lambda need_id, won: streamed.setdefault(need_id, won),
    )
    assert left == {}
    assert {k: v for k, v in whole.items() if v} == streamed and streamed
    assert all(len(won) == 2 for won in streamed.values())


def test_a_run_replaces_the_rows_and_a_rollback_keeps_the_old_ones(session, db_kind, posts_for_run):
    batch.run(session, per_need=3, allocate=True)
    session.commit()
    first = _rows(session)
    assert len(first) == 6 * 3 and {r[3] for r in first} == {1, 2, 3}
    assert sum(r[4] for r in first) > 0  # the allocation is stored with the rows
    assert all(set(r[5]) == set(matching.PART_NAMES) for r in first)

    batch.run(session, per_need=1)
    session.rollback()
    assert _rows(session) == first  # the replaced rows come back with the transaction

    batch.run(session, per_need=1)
    session.commit()
    again = _rows(session)
    assert len(again) == 6 and all(r[3] == 1 and r[4] == 0 for r in again)
    assert [r[:3] for r in again] == [r[:3] for r in first if r[3] == 1]
    if db_kind == "postgresql":
        # TRUNCATE and COPY: the table holds the new rows only, from the first slot of its first page
        # (a DELETE and INSERT would have put them after the 18 dead ones)
        slots = session.execute(sa.text("SELECT ctid::text FROM suggestions ORDER BY ctid")).scalars().all()
        assert slots == [f"(0,{i})" for i in range(1, 7)]

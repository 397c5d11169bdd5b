"""``flask --app csr_hub match run [--allocate]`` and ``match reindex`` through the CLI runner."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Match, Need, Offer, Suggestion
from csr_hub.services import batch, posts, suggestions

from conftest import snapshot

PART_NAMES = {"category", "item", "text", "location", "quantity", "deadline", "equity"}


@pytest.fixture
def scene(session, make_user, make_school, make_need, make_offer):
    """Three schools in Chiang Mai asking for laptops and tablets; offers that can and cannot serve."""
    core = make_user("school_staff", school=make_school(quality_group="core"))
    remote = make_user("school_staff", school=make_school(quality_group="stand_alone"))
    other = make_user("school_staff", school=make_school(quality_group="merging"))
    reps = [make_user("company_rep") for _ in range(4)]
    s = {
        "laptops_core": make_need(core),  # 20 laptops
        "laptops_remote": make_need(remote, title="ขอโน้ตบุ๊กให้นักเรียน 10 เครื่อง", quantity=10),
        "tablets": make_need(other, title="แท็บเล็ตสำหรับนักเรียน 30 เครื่อง", quantity=30),
        "roof": make_need(other, title="ซ่อมหลังคาบ้านพักครู", category="teacher_housing", quantity=1, unit="หลัง"),
        "laptops": make_offer(reps[0], quantity=25),  # "50 refurbished laptops" text, 25 of them
        "tablets_offer": make_offer(
            reps[1], title="Android tablets for pupils", description="10-inch", quantity=20, provinces=["50"]
        ),
        "expired": make_offer(reps[2], title="Used laptops", quantity=100),
        "elsewhere": make_offer(reps[3], title="Laptops for Bangkok schools", quantity=100, provinces=["10"]),
    }
    session.execute(
        sa.update(Offer)
        .where(Offer.id == s["expired"].id)
        .values(available_until=today_bangkok() - timedelta(days=1))
    )
    session.commit()
    return s


def _stored(session) -> list[Suggestion]:
    session.expire_all()
    return list(session.scalars(sa.select(Suggestion).order_by(Suggestion.need_id, Suggestion.rank)))


def test_match_run_stores_ranked_suggestions_of_open_pairs_only(runner, session, scene):
    result = runner.invoke(args=["match", "run"])
    assert result.exit_code == 0, result.output
    assert "4 open needs × 3 open offers" in result.output  # the expired offer is not open
    rows = _stored(session)
    assert rows
    by_need = defaultdict(list)
    for r in rows:
        by_need[r.need_id].append(r)
        assert set(r.parts) == PART_NAMES and 0 <= r.score <= 100
        assert r.allocated_quantity == 0
        assert r.offer_id not in (scene["expired"].id, scene["elsewhere"].id)
    assert f"{len(rows)} suggestions stored" in result.output
    for need_rows in by_need.values():
        assert [r.rank for r in need_rows] == list(range(1, len(need_rows) + 1))
        assert [r.score for r in need_rows] == sorted((r.score for r in need_rows), reverse=True)
    assert by_need[scene["laptops_core"].id][0].offer_id == scene["laptops"].id
    assert by_need[scene["tablets"].id][0].offer_id == scene["tablets_offer"].id
    assert scene["roof"].id not in by_need  # nothing relevant to repair a roof
    # the stored figures are the live ones
    live = {
        (o.id, s.total)
        for o, s in suggestions.for_need(session, posts.get_need(session, scene["laptops_core"].id))
    }
    assert {(r.offer_id, r.score) for r in by_need[scene["laptops_core"].id]} == live
    # the progress bar reached the number of needs (cumulative counts, not a sum of them)
    assert "scoring needs" in result.stderr and "4/4" in result.stderr
    assert "5/4" not in result.stderr and "8/4" not in result.stderr

    # a second run replaces the rows rather than adding to them
    assert runner.invoke(args=["match", "run", "--per-need", "1"]).exit_code == 0
    again = _stored(session)
    assert len(again) == len(by_need) and all(r.rank == 1 for r in again)


def test_match_run_allocate_respects_every_capacity_and_compares_with_greedy(runner, session, scene):
    # a pledged match already holds 5 of the 25 laptops: 20 remain for 30 wanted
    session.execute(sa.update(Offer).where(Offer.id == scene["laptops"].id).values(committed_quantity=5))
    session.commit()
    result = runner.invoke(args=["match", "run", "--allocate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Time: load and score [\d.]+ s, allocate [\d.]+ s, store [\d.]+ s\.", result.output)
    m = re.search(r"exact ([\d,.]+), greedy ([\d,.]+)", result.output)
    assert m, result.output
    exact, greedy = (float(x.replace(",", "")) for x in m.groups())
    assert exact >= greedy > 0
    rows = _stored(session)
    per_need, per_offer = defaultdict(int), defaultdict(int)
    for r in rows:
        assert r.allocated_quantity >= 0
        if r.allocated_quantity:
            assert r.rank <= batch.ALLOCATE_TOP
        per_need[r.need_id] += r.allocated_quantity
        per_offer[r.offer_id] += r.allocated_quantity
    needs = {n.id: n for n in session.scalars(sa.select(Need))}
    offers = {o.id: o for o in session.scalars(sa.select(Offer))}
    for need_id, qty in per_need.items():
        assert qty <= needs[need_id].remaining_quantity
    for offer_id, qty in per_offer.items():
        assert qty <= offers[offer_id].remaining_quantity
    assert per_offer[scene["laptops"].id] == 20  # contested: all that remains is given, no more
    assert per_offer[scene["tablets_offer"].id] == 20
    # the stand-alone school's laptops are served first when the offer cannot cover everyone
    remote_row = next(
        r for r in rows if r.need_id == scene["laptops_remote"].id and r.offer_id == scene["laptops"].id
    )
    assert remote_row.allocated_quantity == 10
    # the printed total is the stored allocation's Σ weight × units
    group = {scene["laptops_remote"].id: "stand_alone"}
    stored_total = sum(
        r.score * batch.EQUITY_WEIGHT.get(group.get(r.need_id, "core"), 1.0) * r.allocated_quantity
        for r in rows
    )
    assert stored_total == pytest.approx(exact, abs=0.1)
    assert f"need {scene['laptops_remote'].id} → offer {scene['laptops'].id}: 10" in result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Match)) == 0  # proposes, never creates


def test_match_run_on_an_empty_database_and_a_bad_option(runner, session):
    result = runner.invoke(args=["match", "run", "--allocate"])
    assert result.exit_code == 0, result.output
    assert "0 open needs × 0 open offers: 0 suggestions stored" in result.output
    assert "nothing to allocate" in result.output
    before = snapshot(session)
    bad = runner.invoke(args=["match", "run", "--per-need", "0"])
    assert bad.exit_code == 2 and "per-need" in bad.output
    assert snapshot(session) == before


def test_allocation_beats_greedy_where_greedy_is_short_sighted(
    session, make_user, make_school, make_need, make_offer, monkeypatch
):
    """Need A fits both offers, need B only the first: greedy gives the first to A, the optimum does not."""
    a = make_user("school_staff", school=make_school())
    b = make_user("school_staff", school=make_school())
    rep = make_user("company_rep")
    need_a = make_need(a, quantity=5)
    need_b = make_need(b, quantity=5, title="Laptops for pupils")
    first = make_offer(rep, quantity=5)
    second = make_offer(rep, quantity=5, title="Tablets and laptops")
    scores = {(need_a.id, first.id): 90.0, (need_a.id, second.id): 80.0, (need_b.id, first.id): 85.0}
    real = batch.matching.batch_suggest

    def fake(needs, offers, today, per_need=10, progress=None, sink=None):
        out = real(needs, offers, today, per_need=per_need, progress=progress)
        fixed = {}
        for need_id, winners in out.items():
            kept = [(oid, s) for oid, s in winners if (need_id, oid) in scores]
            fixed[need_id] = [(oid, type(s)(scores[(need_id, oid)], s.parts)) for oid, s in kept]
        for need_id, winners in fixed.items() if sink else ():
            sink(need_id, winners)  # batch.run streams each need's winners to its sink
        return {} if sink else fixed

    monkeypatch.setattr(batch.matching, "batch_suggest", fake)
    result = batch.run(session, allocate=True)
    assert result.greedy.total == pytest.approx(90 * 5)  # A takes the first offer, B gets nothing
    assert result.allocated.total == pytest.approx(80 * 5 + 85 * 5)
    assert result.allocated.by_pair() == {(need_a.id, second.id): 5, (need_b.id, first.id): 5}
    session.rollback()


def test_match_reindex_recomputes_search_columns_and_item_kinds(
    runner, session, make_user, make_need, make_offer
):
    school = make_user("school_staff")
    stale = make_need(school)
    fresh = make_need(school, title="แท็บเล็ต 10 เครื่อง")
    offer = make_offer(make_user("company_rep"))
    expected_need = (stale.search_text, stale.item_kinds)
    expected_offer = (offer.search_text, offer.item_kinds)
    fresh_before = session.execute(
        sa.select(Need.search_text, Need.item_kinds, Need.updated_at).where(Need.id == fresh.id)
    ).one()
    session.execute(sa.update(Need).where(Need.id == stale.id).values(item_kinds="", search_text="old words"))
    session.execute(sa.update(Offer).where(Offer.id == offer.id).values(item_kinds="projector"))
    session.commit()
    result = runner.invoke(args=["match", "reindex", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "needs: 2 analysed, 1 changed." in result.output
    assert "offers: 1 analysed, 1 changed." in result.output
    assert "reindexing needs" in result.stderr and "2/2" in result.stderr
    session.expire_all()
    assert (session.get(Need, stale.id).search_text, session.get(Need, stale.id).item_kinds) == expected_need
    assert (
        session.get(Offer, offer.id).search_text,
        session.get(Offer, offer.id).item_kinds,
    ) == expected_offer
    assert (
        session.execute(
            sa.select(Need.search_text, Need.item_kinds, Need.updated_at).where(Need.id == fresh.id)
        ).one()
        == fresh_before
    )
    before = snapshot(session)
    again = runner.invoke(args=["match", "reindex"])
    assert again.exit_code == 0 and "needs: 2 analysed, 0 changed." in again.output
    assert snapshot(session) == before
    assert runner.invoke(args=["match", "reindex", "--batch-size", "0"]).exit_code == 2

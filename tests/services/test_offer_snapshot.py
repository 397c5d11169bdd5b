"""A need's candidate offers come from the process's snapshot of every open offer while nothing has been
written: the same offers, in the same order and with the same scores, as reading them with SQL, and any
committed write is seen by the next request."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import recorded_statements

from csr_hub.models import Offer
from csr_hub.services import posts, suggestion_rows, suggestions


def _ranked(session, need, limit=50):
    session.expire_all()
    got = suggestions.for_need(session, posts.get_need(session, need.id), limit)
    return [(o.id, s.total, s.band, tuple(sorted((k, p.score) for k, p in s.parts.items()))) for o, s in got]


def _ranked_by_sql(session, need, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(suggestions, "offer_snapshot", lambda *a, **k: None)
        return _ranked(session, need)


def _statements(session, need) -> list[str]:
    with recorded_statements() as seen:
        _ranked(session, need)
    return seen


def _offers(make_user, make_offer):
    """Offers of every kind the candidate rule tells apart: nationwide or not, serving the school's
    province (50) or not, the need's category or a related one or another with a shared item kind."""
    made = {}
    for i, (cat, title, provinces) in enumerate(
        [
            ("devices", "Laptops for schools", []),
            ("devices", "โน้ตบุ๊กมือสอง 20 เครื่อง", ["50"]),
            ("devices", "Laptops for Bangkok schools only", ["10"]),
            ("devices", "Laptops for the north", ["50", "51", "57"]),
            ("learning_materials", "Laptops and tablets for learning", []),
            ("facilities", "Laptop desks and chairs", ["50"]),
            ("student_welfare", "Bicycles for pupils", []),
            ("devices", "Projectors", []),
        ]
    ):
        made[title] = make_offer(make_user("company_rep"), category=cat, title=title, provinces=provinces)
    return made


def test_the_snapshot_gives_what_sql_gives(session, make_user, make_need, make_offer, monkeypatch):
    offers = _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    snapped = _ranked(session, need)
    assert suggestion_rows._snapshots, "the snapshot was not used"
    assert snapped == _ranked_by_sql(session, need, monkeypatch)
    ids = [row[0] for row in snapped]
    assert offers["Laptops for Bangkok schools only"].id not in ids  # does not serve province 50
    assert offers["Laptops for the north"].id in ids and offers["Laptops for schools"].id in ids


def test_the_candidate_bound_keeps_the_same_newest_offers(
    session, make_user, make_need, make_offer, monkeypatch
):
    _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    monkeypatch.setattr(suggestions, "CANDIDATES", 3)
    snapped = _ranked(session, need)
    assert len(snapped) == 3
    assert snapped == _ranked_by_sql(session, need, monkeypatch)


def test_no_statement_reads_the_offers_again_while_nothing_is_written(
    session, make_user, make_need, make_offer
):
    _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    first = _statements(session, need)
    assert any("v_served" in s for s in first)  # the snapshot: each open offer's version, once
    again = _statements(session, need)
    assert not any("v_served" in s or "AS remaining" in s for s in again), again


def test_a_committed_write_is_seen_by_the_next_request(session, make_user, make_need, make_offer):
    offers = _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    before = {row[0] for row in _ranked(session, need)}
    north = offers["Laptops for the north"]
    assert north.id in before

    # the provinces alone: no other column of the offer moves
    posts.update_offer(session, _rep(session, north), north, {"provinces": ["51"]})
    session.commit()
    assert north.id not in {row[0] for row in _ranked(session, need)}

    rep = _rep(session, offers["Laptops for schools"])
    posts.withdraw_offer(session, rep, offers["Laptops for schools"])
    session.commit()
    new = make_offer(make_user("company_rep"), title="Brand-new laptops", provinces=["50"])
    after = {row[0] for row in _ranked(session, need)}
    assert offers["Laptops for schools"].id not in after and new.id in after


def test_a_session_that_has_written_reads_its_own_writes(session, make_user, make_need, make_offer):
    offers = _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    laptops = offers["Laptops for schools"]
    assert laptops.id in {row[0] for row in _ranked(session, need)}
    session.execute(sa.update(Offer).where(Offer.id == laptops.id).values(committed_quantity=Offer.quantity))
    got = suggestions.for_need(session, posts.get_need(session, need.id), 50)
    assert laptops.id not in {o.id for o, _s in got}  # uncommitted, and yet not suggested to this session
    session.rollback()
    assert laptops.id in {row[0] for row in _ranked(session, need)}


def _rep(session, offer):
    from csr_hub.models import User

    return session.scalars(sa.select(User).where(User.company_id == offer.company_id)).first()


def test_only_a_write_to_the_offers_group_moves_its_generation():
    from csr_hub.services.reporting.cache import FigureCache

    cache = FigureCache()
    whole, offers = cache.generation(), cache.generation("offers")
    cache.bump({"matches", "match_transitions"})  # a proposal
    assert cache.generation() > whole and cache.generation("offers") == offers
    cache.bump({"offer_provinces"})  # the provinces an offer serves
    assert cache.generation("offers") == offers + 1
    cache.bump()  # tables unknown: every group
    assert cache.generation("offers") == offers + 2


def test_a_write_to_other_tables_keeps_the_snapshot(session, make_user, make_need, make_offer, monkeypatch):
    _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    _ranked(session, need)
    other = make_need(make_user("school_staff"), title="ขอโปรเจคเตอร์", quantity=1)  # needs, not offers
    assert other.id
    again = _statements(session, need)
    assert not any("v_served" in s for s in again), again
    assert _ranked(session, need) == _ranked_by_sql(session, need, monkeypatch)


def test_an_unreachable_shared_store_reads_with_sql(session, make_user, make_need, make_offer, monkeypatch):
    from csr_hub.services.reporting import cache as report_cache

    offers = _offers(make_user, make_offer)
    need = make_need(make_user("school_staff"), title="ขอโน้ตบุ๊ก 10 เครื่อง", quantity=10)
    expected = _ranked_by_sql(session, need, monkeypatch)

    def down(self, group=None):
        raise ConnectionError("redis down")

    monkeypatch.setattr(report_cache.FigureCache, "generation", down)
    suggestion_rows._snapshots.clear()
    assert _ranked(session, need) == expected
    assert not suggestion_rows._snapshots
    assert offers["Laptops for schools"].id in {row[0] for row in expected}

"""Candidate offers' views are kept per process by version: any change to an offer is seen at once."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import recorded_statements

from csr_hub.models import Offer
from csr_hub.services import posts, suggestion_rows, suggestions


def _suggested(session, need):
    session.expire_all()
    return {o.id: s for o, s in suggestions.for_need(session, posts.get_need(session, need.id), 10)}


def _reads(session, need) -> list[str]:
    with recorded_statements() as seen:
        _suggested(session, need)
    return [s for s in seen if "AS remaining" in s]  # the candidates' whole rows (not the winners' load)


def test_an_offer_changed_after_it_was_seen_is_read_again(session, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    need = make_need(staff, title="โน้ตบุ๊ก 10 เครื่อง", description="laptops for the computer room", quantity=10)
    rep = make_user("company_rep")
    offer = make_offer(
        rep, title="Laptops", description="10 laptops for pupils", quantity=10, provinces=["50"]
    )
    first = _suggested(session, need)[offer.id]

    # what is left: a hold of 8 of the 10 moves updated_at and the quantity part
    session.execute(sa.update(Offer).where(Offer.id == offer.id).values(committed_quantity=8))
    session.commit()
    held = _suggested(session, need)[offer.id]
    assert held.parts["quantity"].score < first.parts["quantity"].score

    # a re-analysis keeps updated_at but changes the item kinds: the view follows them
    session.execute(
        sa.update(Offer)
        .where(Offer.id == offer.id)
        .values(item_kinds="", search_text="bicycles", updated_at=Offer.updated_at)
    )
    session.commit()
    after = _suggested(session, need).get(offer.id)
    assert after is None or after.parts["item"].score < held.parts["item"].score


def test_an_unchanged_offer_is_not_read_whole_again(session, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    need = make_need(staff, title="Projector for the hall", quantity=1)
    rep = make_user("company_rep")
    make_offer(rep, title="Projectors", description="LCD projectors", quantity=5, provinces=["50"])
    suggestion_rows._offer_views.clear()
    assert len(_reads(session, need)) == 1  # the first time: the whole rows of the candidates
    assert len(_reads(session, need)) == 0  # then: their versions only


def test_the_cache_is_bounded(session, make_user, make_need, make_offer, monkeypatch):
    monkeypatch.setattr(suggestion_rows, "OFFER_VIEWS_KEPT", 2)
    staff = make_user("school_staff")
    need = make_need(staff, title="Laptops", quantity=1)
    rep = make_user("company_rep")
    for i in range(4):
        make_offer(rep, title=f"Laptops {i}", quantity=5, provinces=["50"])
    suggestion_rows._offer_views.clear()
    got = _suggested(session, need)
    assert len(got) == 4  # every candidate scored
    assert len(suggestion_rows._offer_views) == 2


def test_a_vocabulary_change_forgets_the_views(session, make_user, make_need, make_offer):
    """A term added (here or, within its recheck, on another node) re-analyses posts: the views go too."""
    from csr_hub.services import vocabulary_terms

    staff = make_user("school_staff")
    need = make_need(staff, title="Projector for the hall", quantity=1)
    make_offer(make_user("company_rep"), title="Projectors", quantity=5, provinces=["50"])
    _suggested(session, need)
    assert suggestion_rows._offer_views
    vocabulary_terms._forget_analyses()
    assert not suggestion_rows._offer_views

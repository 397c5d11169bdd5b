"""The shared steps of needs and offers (services/posts.py) and the list filters every list shares
(services/listing.py): one rule, the same answer on either side."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from csr_hub.models import AuditEvent, Match, MatchTransition
from csr_hub.services import listing, matches, partnerships, posts
from csr_hub.services.errors import Conflict, NotFound, ValidationFailed


@pytest.mark.parametrize(
    "raw, value, refused",
    [
        (None, None, False),
        ("", None, False),
        ("7", 7, False),
        (" 12 ", 12, False),
        (9, 9, False),
        ("0", None, True),
        (0, None, True),
        ("-3", None, True),
        ("²", None, True),  # a digit to str.isdigit, not a number
        ("12345678901", None, True),
        (str(2**31), None, True),
        (True, None, True),
    ],
)
def test_an_id_filter_takes_a_whole_number_from_one(raw, value, refused):
    errors: dict = {}
    assert listing.id_filter({"need_id": raw}, "need_id", errors) == value
    assert ("need_id" in errors) is refused


def test_a_statuses_filter_names_the_unknown_ones_and_all_means_no_filter():
    q = sa.select(Match.id)
    errors: dict = {}
    assert listing.where_statuses(q, Match.status, {}, {"proposed"}, errors) is q
    assert listing.where_statuses(q, Match.status, {"status": "all"}, {"a"}, errors, everything="all") is q
    kept = listing.where_statuses(
        q, Match.status, {"status": "proposed,pledged"}, {"proposed", "pledged"}, errors
    )
    assert kept is not q and errors == {}
    listing.where_statuses(q, Match.status, {"status": "proposed,nonsense"}, {"proposed"}, errors)
    assert list(errors) == ["status"]


def test_match_and_partnership_lists_refuse_the_same_bad_ids(session, make_user):
    officer = make_user("central_officer")
    for call, name in (
        (lambda a: matches.list_matches(session, officer, a, 1, 20), "need_id"),
        (lambda a: partnerships.list_partnerships(session, officer, a, 1, 20), "school_id"),
        (lambda a: posts.list_needs(session, a, 1, 20), "school_id"),
        (lambda a: posts.list_offers(session, a, 1, 20), "company_id"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            call({name: "0"})
        assert list(exc.value.fields) == [name]
        assert call({name: "2147483647"}).total == 0


def test_one_answers_not_found_for_a_row_that_is_not_there_or_not_visible(session, make_user, make_need):
    need = make_need(make_user("school_staff"))
    assert listing.one(session, type(need), need.id).id == need.id
    with pytest.raises(NotFound):
        listing.one(session, type(need), need.id + 1000)
    with pytest.raises(NotFound):
        listing.one(session, type(need), need.id, visible=lambda row: False)


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_need_and_offer_updates_are_audited_alike(session, make_user, make_need, make_offer):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    posts.update_need(session, staff, need, {"quantity": 5, "title": "โน้ตบุ๊ก 5 เครื่อง"})
    posts.update_offer(session, rep, offer, {"quantity": 40, "provinces": ["50"]})
    session.commit()
    (n,) = _events(session, "need.update")
    (o,) = _events(session, "offer.update")
    assert (n.object_type, n.object_id, n.actor_id) == ("need", need.id, staff.id)
    assert (o.object_type, o.object_id, o.actor_id) == ("offer", offer.id, rep.id)
    assert n.details == {"fields": ["quantity", "title"]}
    assert o.details == {"fields": ["provinces", "quantity"]}
    assert offer.province_codes == ["50"] and offer.nationwide is False
    assert "5" in need.search_text  # the text analysis follows a new title


def test_closing_a_need_or_an_offer_twice_is_refused_in_its_own_words(
    session, make_user, make_need, make_offer
):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    posts.cancel_need(session, staff, need)
    posts.withdraw_offer(session, rep, offer)
    session.commit()
    assert need.cancelled and need.cancelled_at is not None
    assert offer.withdrawn and offer.withdrawn_at is not None
    with pytest.raises(Conflict, match="need is already cancelled"):
        posts.cancel_need(session, staff, need)
    with pytest.raises(Conflict, match="offer is already withdrawn"):
        posts.withdraw_offer(session, rep, offer)
    with pytest.raises(Conflict, match="offer is withdrawn"):
        posts.update_offer(session, rep, offer, {"quantity": 3})
    assert [e.object_id for e in _events(session, "need.cancel")] == [need.id]
    assert [e.object_id for e in _events(session, "offer.withdraw")] == [offer.id]


def test_a_match_step_writes_its_history_and_its_audit_event_together(
    session, make_user, make_need, make_offer
):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    m = matches.propose(session, staff, {"need_id": need.id, "offer_id": offer.id, "quantity": 2})
    matches.act(session, rep, m.id, {"action": "accept"}, threshold=500000)
    session.commit()
    steps = list(session.scalars(sa.select(MatchTransition).where(MatchTransition.match_id == m.id)))
    assert [(t.action, t.from_status, t.to_status) for t in steps] == [
        ("propose", None, "proposed"),
        ("accept", "proposed", "pledged"),
    ]
    (proposed,) = _events(session, "match.propose")
    (accepted,) = _events(session, "match.accept")
    assert proposed.details == {} and proposed.actor_id == staff.id
    assert accepted.details == {"from_status": "proposed", "to_status": "pledged"}
    assert (accepted.object_type, accepted.object_id, accepted.actor_id) == ("match", m.id, rep.id)

"""Property-based test of the pledge workflow (hypothesis stateful).

Random users — the right ones and the wrong ones — propose, accept, decline, approve, reject, deliver,
confirm and withdraw through the JSON API, and cancel needs or withdraw offers, against a small world.
After every step the database must hold:

* no over-commitment: 0 ≤ committed ≤ quantity on every need and offer;
* the needs' and offers' committed quantities equal to the sum of what their matches hold;
* only legal statuses, and a history that is a legal path from ``propose`` to the current status, each step
  taken by someone entitled to it (the threshold deciding between ``approved`` and ``district_approved``);
* a refused request (403, 404, 409, 422) changed nothing, and no request ever answered 500.

The run is derandomised (the same walks every time, so CI is stable) and does not shrink a failure unless
CSR_HYPOTHESIS_SHRINK=1 is set.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from csr_hub.domain.reference import today_bangkok
from csr_hub.domain.workflow import ACTIONS, HOLDING_STATUSES, STATUSES
from csr_hub.models import Match, MatchTransition, Need, Offer

from sec_helpers import Api  # noqa: F401

#: examples × steps: bounded so that a run stays well under 30 s per database
EXAMPLES, STEPS = 15, 40
NEED_HOLDING = ("pledged", "district_approved", "approved", "delivered")
LEGAL = {  # action → {from_status: possible to_statuses}
    "propose": {None: {"proposed"}},
    "accept": {"proposed": {"pledged"}},
    "decline": {"proposed": {"declined"}},
    "approve": {"pledged": {"approved", "district_approved"}, "district_approved": {"approved"}},
    "reject": {"pledged": {"rejected"}, "district_approved": {"rejected"}},
    "deliver": {"approved": {"delivered"}},
    "confirm": {"delivered": {"completed"}},
    "withdraw": {s: {"withdrawn"} for s in ("proposed", "pledged", "district_approved", "approved")},
}
OK = {200, 201}
#: the actions the workflow allows next in each status (weighted towards moving forward)
NEXT = {
    "proposed": ("accept", "accept", "decline", "withdraw"),
    "pledged": ("approve", "approve", "reject", "withdraw"),
    "district_approved": ("approve", "approve", "reject", "withdraw"),
    "approved": ("deliver", "deliver", "withdraw"),
    "delivered": ("confirm",),
}
REFUSED = {403, 404, 409, 422}


def _need_held(m: Match) -> int:
    if m.status == "completed":
        return m.received_quantity or 0
    return m.quantity if m.status in NEED_HOLDING else 0


def _offer_held(m: Match) -> int:
    return m.quantity if m.status in HOLDING_STATUSES else 0


def test_random_workflows_keep_every_invariant(app, session, make_school, make_company, make_user):
    threshold = Decimal(str(app.config["CSR_CENTRAL_THRESHOLD_THB"]))
    school_a, school_b = make_school("p50-1"), make_school("p40-1", province_code="40")
    company_a, company_b = make_company(), make_company()
    people = {
        "staff_a": make_user("school_staff", school=school_a),
        "staff_b": make_user("school_staff", school=school_b),
        "rep_a": make_user("company_rep", company=company_a),
        "rep_b": make_user("company_rep", company=company_b),
        "director_a": make_user("district_director", district_code="p50-1"),
        "director_b": make_user("district_director", district_code="p40-1"),
        "central": make_user("central_officer"),
        "admin": make_user("admin"),
        "pending": make_user("school_staff", status="pending", school=school_a),
    }
    clients = {name: Api(app.test_client(), u) for name, u in people.items()}
    until = today_bangkok() + timedelta(days=90)
    #: plain copies of who is who (the session expires ORM objects at every commit)
    info = {
        name: dict(
            id=u.id,
            role=u.role,
            status=u.status,
            school_id=u.school_id,
            company_id=u.company_id,
            district_id=u.district_id,
        )
        for name, u in people.items()
    }
    by_id = {i["id"]: i for i in info.values()}
    school_a_id = school_a.id
    stats = {"steps": 0, "examples": 0, "ok": 0, "refused": 0}

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            stats["examples"] += 1
            # fresh needs and offers each example (plain rows: the workflow is under test, not posting);
            # earlier ones stay and are checked again at the end
            need = dict(
                category="devices",
                unit="เครื่อง",
                estimated_cost_thb=Decimal(100000),
                urgency="normal",
                description="",
            )
            self.needs = [
                Need(school_id=school_a.id, title="โน้ตบุ๊ก", quantity=3, **need),
                Need(school_id=school_a.id, title="แท็บเล็ต", quantity=2, **need),
                Need(school_id=school_b.id, title="Laptops", quantity=3, **need),
            ]
            # one unit of the first offer is worth 250,000 baht: two of them need central approval
            self.offers = [
                Offer(
                    company_id=company_a.id,
                    title="Refurbished laptops",
                    quantity=4,
                    value_thb=Decimal(1000000),
                    category="devices",
                    available_until=until,
                ),
                Offer(
                    company_id=company_b.id,
                    title="Tablets",
                    quantity=3,
                    value_thb=Decimal(30000),
                    category="devices",
                    available_until=until,
                ),
            ]
            session.add_all(self.needs + self.offers)
            session.commit()
            self.need_ids = [n.id for n in self.needs]
            self.offer_ids = [o.id for o in self.offers]
            self.match_ids: list[int] = []

        # --- what a refused request must not change ----------------------------------------------
        def _fingerprint(self):
            session.rollback()
            rows = session.execute(
                sa.select(Match.id, Match.status, Match.version, Match.received_quantity).order_by(Match.id)
            ).all()
            held = session.execute(
                sa.select(Need.id, Need.committed_quantity, Need.cancelled)
                .where(Need.id.in_(self.need_ids))
                .order_by(Need.id)
            ).all()
            held += session.execute(
                sa.select(Offer.id, Offer.committed_quantity, Offer.withdrawn)
                .where(Offer.id.in_(self.offer_ids))
                .order_by(Offer.id)
            ).all()
            n = session.scalar(sa.select(sa.func.count(MatchTransition.id)))
            return rows, held, n

        def _send(self, who: str, url: str, body: dict) -> int:
            before = self._fingerprint()
            r = clients[who].post(url, json=body)
            stats["steps"] += 1
            assert r.status_code in OK | REFUSED, (
                who,
                url,
                body,
                r.status_code,
                r.get_data(as_text=True)[:300],
            )
            if r.status_code in REFUSED:
                stats["refused"] += 1
                assert r.get_json()["error"]["code"]
                assert self._fingerprint() == before, (who, url, body, r.status_code)
            else:
                stats["ok"] += 1
            return r

        # --- rules --------------------------------------------------------------------------------
        # --- who acts: anyone at all, or (half the time) someone entitled, so that walks get far -------
        def _party(self, need_id: int, offer_id: int, side: str) -> str:
            if side == "school":
                school_id = session.scalar(sa.select(Need.school_id).where(Need.id == need_id))
                return next(
                    k
                    for k, u in info.items()
                    if u["role"] == "school_staff" and u["status"] == "active" and u["school_id"] == school_id
                )
            company_id = session.scalar(sa.select(Offer.company_id).where(Offer.id == offer_id))
            return next(
                k for k, u in info.items() if u["role"] == "company_rep" and u["company_id"] == company_id
            )

        def _entitled_for(self, m: Match, action: str, coin: int) -> str:
            if action in ("accept", "decline"):
                return self._party(
                    m.need_id, m.offer_id, "company" if m.proposed_by == "school" else "school"
                )
            if action in ("approve", "reject"):
                if m.status == "district_approved":
                    return "central"
                school_id = session.scalar(sa.select(Need.school_id).where(Need.id == m.need_id))
                return "director_a" if school_id == school_a_id else "director_b"
            if action == "deliver":
                return self._party(m.need_id, m.offer_id, "company")
            if action == "confirm":
                return self._party(m.need_id, m.offer_id, "school")
            return self._party(m.need_id, m.offer_id, "school" if coin % 2 else "company")

        @rule(
            who=st.sampled_from(sorted(people) + ["entitled"] * 2 * len(people)),
            need=st.integers(0, 2),
            offer=st.integers(0, 1),
            quantity=st.integers(0, 4),
            coin=st.integers(0, 1),
        )
        def propose(self, who, need, offer, quantity, coin):
            if who == "entitled":
                session.rollback()
                who = self._party(self.need_ids[need], self.offer_ids[offer], "school" if coin else "company")
            r = self._send(
                who,
                "/api/v1/matches",
                {"need_id": self.need_ids[need], "offer_id": self.offer_ids[offer], "quantity": quantity},
            )
            if r.status_code == 201:
                body = r.get_json()
                assert body["status"] == "proposed" and body["quantity"] == quantity
                self.match_ids.append(body["id"])

        @precondition(lambda self: self.match_ids)
        @rule(
            who=st.sampled_from(sorted(people) + ["entitled"] * 2 * len(people)),
            pick=st.integers(0, 50),
            action=st.sampled_from(ACTIONS + ("next",) * 2 * len(ACTIONS)),
            received=st.integers(-1, 4),
            note=st.sampled_from(["", "เหตุผล"]),
        )
        def act(self, who, pick, action, received, note):
            match_id = self.match_ids[pick % len(self.match_ids)]
            session.rollback()
            m = session.get(Match, match_id)
            before = m.status
            if action == "next":  # half the time, an action the workflow allows next
                options = NEXT.get(before, ("withdraw",))
                action = options[(pick + received) % len(options)]
            if who == "entitled":
                who = self._entitled_for(m, action, pick)
            r = self._send(
                who,
                f"/api/v1/matches/{match_id}/actions",
                {"action": action, "note": note, "received_quantity": received},
            )
            if r.status_code == 200:
                after = r.get_json()["status"]
                assert after in LEGAL[action][before], (action, before, after)

        @precondition(lambda self: self.match_ids)
        @rule(
            who=st.sampled_from(sorted(people) + ["entitled"] * 2 * len(people)),
            pick=st.integers(0, 50),
            action=st.sampled_from(ACTIONS + ("next",) * 2 * len(ACTIONS)),
            received=st.integers(-1, 4),
            note=st.sampled_from(["", "เหตุผล"]),
        )
        def act_again(self, who, pick, action, received, note):
            """The same rule twice, so that acting on matches is drawn as often as proposing."""
            self.act(who, pick, action, received, note)

        @rule(
            who=st.sampled_from(["staff_a", "staff_b", "rep_a", "rep_b"]),
            pick=st.integers(0, 4),
            close=st.sampled_from([False] * 5 + [True]),
        )
        def close_a_post(self, who, pick, close):
            """Now and then a school cancels a need or a company withdraws an offer."""
            if not close:
                return
            if pick < 3:
                self._send(who, f"/api/v1/needs/{self.need_ids[pick]}/cancel", {})
            else:
                self._send(who, f"/api/v1/offers/{self.offer_ids[pick - 3]}/withdraw", {})

        # --- invariants, checked after every step (on this example's world; the last check covers all) ----
        @invariant()
        def every_invariant_holds(self):
            check_world(self.need_ids, self.offer_ids)

    def check_world(need_ids=None, offer_ids=None):
        session.rollback()
        nq, oq, mq = sa.select(Need), sa.select(Offer), sa.select(Match)
        if need_ids is not None:
            nq, oq = nq.where(Need.id.in_(need_ids)), oq.where(Offer.id.in_(offer_ids))
            mq = mq.where(sa.or_(Match.need_id.in_(need_ids), Match.offer_id.in_(offer_ids)))
        needs = {n.id: n for n in session.scalars(nq)}
        offers = {o.id: o for o in session.scalars(oq)}
        found = list(session.scalars(mq))
        # no over-commitment, and the quantities held add up to what the matches hold
        for objs, held, key in ((needs, _need_held, "need_id"), (offers, _offer_held, "offer_id")):
            for obj in objs.values():
                assert 0 <= obj.committed_quantity <= obj.quantity, (type(obj).__name__, obj.id)
                total = sum(held(m) for m in found if getattr(m, key) == obj.id)
                assert obj.committed_quantity == total, (
                    type(obj).__name__,
                    obj.id,
                    obj.committed_quantity,
                    total,
                )
        # legal statuses, and histories that are legal paths to them, each step by someone entitled
        transitions: dict[int, list[MatchTransition]] = {}
        for t in session.scalars(
            sa.select(MatchTransition)
            .where(MatchTransition.match_id.in_([m.id for m in found]))
            .order_by(MatchTransition.id)
        ):
            transitions.setdefault(t.match_id, []).append(t)
        for m in found:
            assert m.status in STATUSES
            history = transitions.get(m.id, [])
            assert history and (history[0].action, history[0].from_status) == ("propose", None)
            assert history[-1].to_status == m.status, (m.id, history[-1].to_status, m.status)
            assert m.version == len(history), (m.id, m.version, len(history))
            for prev, t in zip([None] + history[:-1], history):
                assert t.from_status == (prev.to_status if prev else None)
                assert t.to_status in LEGAL[t.action].get(t.from_status, set()), (t.action, t.from_status)
                entitled(
                    m,
                    t,
                    needs.get(m.need_id) or session.get(Need, m.need_id),
                    offers.get(m.offer_id) or session.get(Offer, m.offer_id),
                )

    def entitled(m: Match, t: MatchTransition, need: Need, offer: Offer) -> None:
        actor = by_id[t.actor_id]
        role = actor["role"]
        school_side = role == "school_staff" and actor["school_id"] == need.school_id
        company_side = role == "company_rep" and actor["company_id"] == offer.company_id
        assert actor["status"] == "active"
        if t.action == "propose":
            assert school_side if m.proposed_by == "school" else company_side
        elif t.action in ("accept", "decline"):
            assert company_side if m.proposed_by == "school" else school_side
        elif t.action in ("approve", "reject") and t.from_status == "pledged":
            assert role == "district_director" and actor["district_id"] == districts[need.school_id]
            if t.action == "approve":
                expected = "district_approved" if Decimal(m.value_thb) >= threshold else "approved"
                assert t.to_status == expected, (m.value_thb, t.to_status)
        elif t.action in ("approve", "reject"):
            assert role == "central_officer"
        elif t.action == "deliver":
            assert company_side
        elif t.action == "confirm":
            assert school_side and 0 <= (m.received_quantity or 0) <= m.quantity
        elif t.action == "withdraw":
            assert school_side or company_side

    districts = {school_a.id: school_a.district_id, school_b.id: school_b.district_id}
    started = time.monotonic()
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            # shrinking a failure replays hundreds of API calls (minutes): on demand only
            phases=list(Phase)
            if os.environ.get("CSR_HYPOTHESIS_SHRINK") == "1"
            else [Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
    elapsed = time.monotonic() - started
    print(
        f"\nproperty test: {stats['examples']} examples, {stats['steps']} steps "
        f"({stats['ok']} applied, {stats['refused']} refused) in {elapsed:.1f} s"
    )
    assert stats["steps"] >= EXAMPLES * 5
    check_world()  # everything the examples left behind
    statuses = set(session.scalars(sa.select(Match.status)))
    print("statuses reached:", sorted(statuses))
    assert len(statuses) >= 5, statuses  # the walks went well past the first steps of the workflow

"""Allocation: capacities respected, exact optimum ≥ greedy (strictly, sometimes), brute force agrees."""

from __future__ import annotations

import itertools
import random

import pytest

from csr_hub.domain.allocation import allocate, greedy_allocate


def _check(alloc, pairs, need_cap, offer_cap):
    weights = {(n, o): w for n, o, w in pairs}
    used_n: dict[int, int] = {}
    used_o: dict[int, int] = {}
    for n, o, q in alloc.assignments:
        assert (n, o) in weights and q > 0 and isinstance(q, int)
        used_n[n] = used_n.get(n, 0) + q
        used_o[o] = used_o.get(o, 0) + q
    assert all(used_n[n] <= need_cap[n] for n in used_n)
    assert all(used_o[o] <= offer_cap[o] for o in used_o)
    assert alloc.total == pytest.approx(sum(weights[(n, o)] * q for n, o, q in alloc.assignments))


def _brute(pairs, need_cap, offer_cap) -> float:
    ranges = [range(min(need_cap[n], offer_cap[o]) + 1) for n, o, _ in pairs]
    best = 0.0
    for qs in itertools.product(*ranges):
        un: dict[int, int] = {}
        uo: dict[int, int] = {}
        for (n, o, _), q in zip(pairs, qs):
            un[n] = un.get(n, 0) + q
            uo[o] = uo.get(o, 0) + q
        if all(un[n] <= need_cap[n] for n in un) and all(uo[o] <= offer_cap[o] for o in uo):
            best = max(best, sum(w * q for (_, _, w), q in zip(pairs, qs)))
    return best


def test_greedy_strictly_worse_on_a_small_case():
    # need 1 can use offer 10 or 11; need 2 only offer 10. Greedy gives offer 10 to need 1 (weight 90)
    # and leaves need 2 empty; the optimum sends need 1 to offer 11.
    pairs = [(1, 10, 90.0), (1, 11, 80.0), (2, 10, 85.0)]
    need_cap, offer_cap = {1: 5, 2: 5}, {10: 5, 11: 5}
    g = greedy_allocate(pairs, need_cap, offer_cap)
    a = allocate(pairs, need_cap, offer_cap)
    _check(g, pairs, need_cap, offer_cap)
    _check(a, pairs, need_cap, offer_cap)
    assert g.total == pytest.approx(90 * 5)
    assert a.total == pytest.approx(80 * 5 + 85 * 5)
    assert a.total > g.total
    assert a.by_pair() == {(1, 11): 5, (2, 10): 5}


def test_capacities_and_ignored_pairs():
    pairs = [(1, 10, 50.0), (1, 10, 60.0), (2, 10, 0.0), (3, 10, -5.0), (4, 12, 70.0), (1, 11, 40.0)]
    need_cap, offer_cap = {1: 3, 2: 2, 3: 2, 4: 0}, {10: 2, 11: 9, 12: 5}
    a = allocate(pairs, need_cap, offer_cap)
    _check(a, [(1, 10, 60.0), (1, 11, 40.0)], need_cap, offer_cap)
    assert a.by_pair() == {(1, 10): 2, (1, 11): 1}  # the higher weight of a repeated pair counts
    assert allocate([], {}, {}).assignments == []


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force_on_tiny_random_instances(seed):
    rng = random.Random(seed)
    needs, offers = rng.randint(1, 3), rng.randint(1, 3)
    cells = [(n, 100 + o) for n in range(needs) for o in range(offers)]
    chosen = rng.sample(cells, rng.randint(1, min(5, len(cells))))
    pairs = [(n, o, float(rng.randint(1, 9))) for n, o in chosen]
    need_cap = {n: rng.randint(0, 3) for n in range(needs)}
    offer_cap = {100 + o: rng.randint(0, 3) for o in range(offers)}
    a = allocate(pairs, need_cap, offer_cap)
    g = greedy_allocate(pairs, need_cap, offer_cap)
    _check(a, pairs, need_cap, offer_cap)
    _check(g, pairs, need_cap, offer_cap)
    assert a.total == pytest.approx(_brute(pairs, need_cap, offer_cap))
    assert a.total >= g.total - 1e-9


def test_larger_random_instance_beats_or_equals_greedy_and_respects_capacity():
    rng = random.Random(7)
    pairs = [(rng.randint(1, 300), rng.randint(1000, 1100), rng.uniform(1, 100)) for _ in range(3000)]
    need_cap = {n: rng.randint(1, 30) for n in range(1, 301)}
    offer_cap = {o: rng.randint(1, 200) for o in range(1000, 1101)}
    a = allocate(pairs, need_cap, offer_cap)
    g = greedy_allocate(pairs, need_cap, offer_cap)
    best = {}
    for n, o, w in pairs:
        best[(n, o)] = max(w, best.get((n, o), 0))
    _check(a, [(n, o, w) for (n, o), w in best.items()], need_cap, offer_cap)
    assert a.total >= g.total - 1e-6
    assert a.blocks >= 1

"""Allocating offers' remaining quantities to needs: an exact optimum and a greedy baseline.

The problem is a transportation problem: maximise Σ weight × qty over candidate pairs, with each
need's and each offer's allocated total at most its remaining quantity. Its constraint matrix is
the incidence matrix of a bipartite graph, which is totally unimodular, so the LP optimum at a
vertex is integral: HiGHS simplex (``scipy.optimize.linprog``) solves it exactly, with
``milp`` as a safety net should a solution ever come back fractional. The
graph splits into connected blocks; a block whose needs (or offers) are a single node is a
fractional knapsack with unit sizes, where greedy by weight is optimal, so only the rest goes to
the solver (many small blocks in one block-diagonal model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

#: variables per solver call; blocks are packed together up to this size
_MODEL_SIZE = 200_000


@dataclass(frozen=True)
class Allocation:
    assignments: list[tuple[int, int, int]]  # (need_id, offer_id, quantity), quantity > 0
    total: float  # Σ weight × quantity
    blocks: int = 0  # connected blocks with at least one pair
    solved_exactly: int = 0  # blocks that needed the solver (the rest are stars, exact by greedy)
    notes: list[str] = field(default_factory=list)

    def by_pair(self) -> dict[tuple[int, int], int]:
        return {(n, o): q for n, o, q in self.assignments}


def _clean(pairs, need_capacity, offer_capacity) -> list[tuple[int, int, float]]:
    """Positive-weight pairs between sides with capacity; one weight per pair (the highest)."""
    best: dict[tuple[int, int], float] = {}
    for n, o, w in pairs:
        if w is None or not w > 0 or need_capacity.get(n, 0) <= 0 or offer_capacity.get(o, 0) <= 0:
            continue
        key = (n, o)
        if w > best.get(key, 0.0):
            best[key] = float(w)
    return sorted((n, o, w) for (n, o), w in best.items())


def _greedy(pairs: list[tuple[int, int, float]], need_left: dict[int, int], offer_left: dict[int, int]):
    out = []
    for n, o, w in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        q = min(need_left[n], offer_left[o])
        if q > 0:
            need_left[n] -= q
            offer_left[o] -= q
            out.append((n, o, q))
    return out


def greedy_allocate(
    pairs: list[tuple[int, int, float]], need_capacity: dict[int, int], offer_capacity: dict[int, int]
) -> Allocation:
    """Baseline: take pairs by weight, highest first (ties by ids), each as much as fits."""
    clean = _clean(pairs, need_capacity, offer_capacity)
    need_left = {n: int(need_capacity[n]) for n, _, _ in clean}
    offer_left = {o: int(offer_capacity[o]) for _, o, _ in clean}
    out = _greedy(clean, need_left, offer_left)
    w = {(n, o): wt for n, o, wt in clean}
    return Allocation(sorted(out), sum(w[(n, o)] * q for n, o, q in out))


def allocate(
    pairs: list[tuple[int, int, float]], need_capacity: dict[int, int], offer_capacity: dict[int, int]
) -> Allocation:
    """Exact optimum of Σ weight × qty within every need's and offer's capacity, block by block."""
    clean = _clean(pairs, need_capacity, offer_capacity)
    if not clean:
        return Allocation([], 0.0)
    needs = sorted({n for n, _, _ in clean})
    offers = sorted({o for _, o, _ in clean})
    ni = {n: i for i, n in enumerate(needs)}
    oi = {o: len(needs) + j for j, o in enumerate(offers)}
    rows = np.array([ni[n] for n, _, _ in clean])
    cols = np.array([oi[o] for _, o, _ in clean])
    size = len(needs) + len(offers)
    graph = sparse.coo_matrix((np.ones(len(clean)), (rows, cols)), shape=(size, size))
    n_blocks, label = connected_components(graph, directed=False)
    by_block: dict[int, list[int]] = {}
    for k in range(len(clean)):
        by_block.setdefault(int(label[rows[k]]), []).append(k)

    out: list[tuple[int, int, int]] = []
    queue: list[list[int]] = []
    solved = 0
    for block in by_block.values():
        block_needs = {clean[k][0] for k in block}
        block_offers = {clean[k][1] for k in block}
        if len(block_needs) == 1 or len(block_offers) == 1:
            part = [clean[k] for k in block]
            out += _greedy(
                part,
                {n: int(need_capacity[n]) for n in block_needs},
                {o: int(offer_capacity[o]) for o in block_offers},
            )
        else:
            queue.append(block)
            solved += 1
    batch: list[int] = []
    for block in sorted(queue, key=len):
        if batch and len(batch) + len(block) > _MODEL_SIZE:
            out += _solve([clean[k] for k in batch], need_capacity, offer_capacity)
            batch = []
        batch += block
    if batch:
        out += _solve([clean[k] for k in batch], need_capacity, offer_capacity)
    w = {(n, o): wt for n, o, wt in clean}
    out.sort()
    return Allocation(out, sum(w[(n, o)] * q for n, o, q in out), len(by_block), solved)


def _solve(pairs: list[tuple[int, int, float]], need_capacity, offer_capacity) -> list[tuple[int, int, int]]:
    needs = sorted({n for n, _, _ in pairs})
    offers = sorted({o for _, o, _ in pairs})
    ni = {n: i for i, n in enumerate(needs)}
    oi = {o: len(needs) + j for j, o in enumerate(offers)}
    k = len(pairs)
    var = np.arange(k)
    rows = np.concatenate([[ni[n] for n, _, _ in pairs], [oi[o] for _, o, _ in pairs]])
    a = sparse.csr_matrix(
        (np.ones(2 * k), (rows, np.concatenate([var, var]))), shape=(len(needs) + len(offers), k)
    )
    cap = np.array([need_capacity[n] for n in needs] + [offer_capacity[o] for o in offers], dtype=float)
    upper = np.array([min(need_capacity[n], offer_capacity[o]) for n, o, _ in pairs], dtype=float)
    c = -np.array([w for _, _, w in pairs])
    # simplex ends on a vertex, and every vertex of a transportation polytope with integer
    # capacities is integral: exact, and faster and lighter than branch-and-bound
    res = linprog(c, A_ub=a, b_ub=cap, bounds=np.column_stack([np.zeros(k), upper]), method="highs")
    x = res.x if res.status == 0 else None
    if x is None or np.abs(x - np.rint(x)).max() > 1e-6:  # pragma: no cover - numerical safety net
        res = milp(
            c,
            integrality=np.ones(k),
            bounds=Bounds(np.zeros(k), upper),
            constraints=[LinearConstraint(a, -np.inf, cap)],
        )
        if res.x is None:
            raise RuntimeError(f"allocation solver failed: {res.message}")
        x = res.x
    qty = np.rint(x).astype(np.int64)
    return [(n, o, int(q)) for (n, o, _), q in zip(pairs, qty) if q > 0]

"""``flask match run``: score all open needs against all open offers, store suggestions, allocate."""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload
from tqdm import tqdm

from csr_hub.domain import matching
from csr_hub.domain.reference import today_bangkok
from csr_hub.models import Need, Offer, School, Suggestion
from csr_hub.services.suggestions import need_view, offer_view, parts_json, province_table

EQUITY_WEIGHT = {"stand_alone": 1.25, "merging": 1.0, "core": 1.0}


def run(session: Session, *, per_need: int = 10, allocate: bool = False, echo: Callable[[str], None] = print) -> str:
    today = today_bangkok()
    provinces = province_table(session)
    needs = list(session.scalars(sa.select(Need).join(School, Need.school_id == School.id)
                                 .options(joinedload(Need.school)).where(Need.status_clause("open"))).unique())
    offers = list(session.scalars(sa.select(Offer).options(selectinload(Offer.provinces), joinedload(Offer.company))
                                  .where(Offer.status_clause("open", today))).unique())
    nviews = [need_view(n, provinces) for n in needs]
    oviews = [offer_view(o, provinces, today) for o in offers]
    bar = tqdm(total=len(nviews), desc="scoring needs", unit="need")
    result = matching.batch_suggest(nviews, oviews, today, per_need=per_need, progress=lambda k: bar.update(k))
    bar.close()
    session.execute(sa.delete(Suggestion))
    rows = []
    for need_id, ranked in result.items():
        for rank, (offer_id, score) in enumerate(ranked, 1):
            rows.append({"need_id": need_id, "offer_id": offer_id, "score": score.total, "parts": parts_json(score),
                         "rank": rank, "allocated_quantity": 0})
    if rows:
        session.execute(sa.insert(Suggestion), rows)
    lines = [f"{len(nviews)} open needs × {len(oviews)} open offers: {len(rows)} suggestions stored."]
    if allocate and rows:
        from csr_hub.domain import allocation
        group = {n.id: n.quality_group for n in nviews}
        pairs = [(r["need_id"], r["offer_id"], r["score"] * EQUITY_WEIGHT.get(group.get(r["need_id"], "core"), 1.0))
                 for r in rows]
        need_cap = {n.id: n.remaining for n in nviews}
        offer_cap = {o.id: o.remaining for o in oviews}
        best = allocation.allocate(pairs, need_cap, offer_cap)
        greedy = allocation.greedy_allocate(pairs, need_cap, offer_cap)
        for need_id, offer_id, qty in best.assignments:
            session.execute(sa.update(Suggestion).where(Suggestion.need_id == need_id, Suggestion.offer_id == offer_id)
                            .values(allocated_quantity=qty))
        ratio = (best.total / greedy.total) if greedy.total else 1.0
        lines.append(f"Allocation: {len(best.assignments)} pairs, total equity-weighted score×units {best.total:,.1f} "
                     f"(greedy {greedy.total:,.1f}, optimum/greedy = {ratio:.4f}).")
    return "\n".join(lines)

"""Analyse every stored post again, after the package vocabulary or the rules that read it changed.

A post is analysed once, when it is saved (``domain/analysis.py``): its search column and item kinds
are stored, so scoring never tokenises per pair. A release that changes the vocabulary or the rules
would leave older posts analysed the old way; ``flask --app csr_hub match reanalyse`` brings them up to
date in batches (each batch its own transaction, so a large table never holds one long lock) and
reports how many changed. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain import analysis
from csr_hub.models import Need, Offer

BATCH = 500


def reanalyse_all(
    session: Session, batch: int = BATCH, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Re-analyse every need and offer; returns {"needs": changed, "offers": changed}. Commits per batch."""
    changed = {"needs": 0, "offers": 0}
    for key, model in (("needs", Need), ("offers", Offer)):
        total = session.scalar(sa.select(sa.func.count(model.id))) or 0
        done, last_id = 0, 0
        while True:
            rows = list(
                session.scalars(sa.select(model).where(model.id > last_id).order_by(model.id).limit(batch))
            )
            if not rows:
                break
            for post in rows:
                pa = analysis.analyse_post(post.title or "", post.description or "")
                if (pa.search, pa.item_kinds) != (post.search_text or "", post.item_kinds or ""):
                    post.search_text, post.item_kinds = pa.search, pa.item_kinds
                    changed[key] += 1
            last_id = rows[-1].id
            done += len(rows)
            session.commit()
            if progress:
                progress(key, done, total)
    return changed

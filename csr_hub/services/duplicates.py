"""Suspected duplicate needs (SPEC, Duplicate needs).

A need looks like another open or recently fulfilled need of the same school when it has the same title,
or the same item kinds and similar text. Item kinds and the search text are the matcher's own analysis,
stored with every post (``posts.analyse_text``), so nothing is re-analysed here beyond the new text.
The ids found are stored on the need when it is posted or edited (``Need.possible_duplicates``), so reading
it stays cheap; reading one need drops those cancelled, expired or long fulfilled since (``live``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.orm import Session, joinedload

from csr_hub.models import Need
from csr_hub.models.post import FLAGGED_SQL

#: a fulfilled need counts for this long after its last change
RECENT_DAYS = 90
#: token-set similarity (0–100) of the search texts above which the same item kinds mean "the same need"
SIMILAR_TEXT = 70
#: the candidates compared, newest first (a school has few needs open at once)
MAX_CANDIDATES = 200


def _title_key(title: str) -> str:
    return " ".join((title or "").casefold().split())


def _kinds(item_kinds: str) -> frozenset[str]:
    return frozenset(k for k in (item_kinds or "").split() if k)


def looks_alike(title: str, search_text: str, item_kinds: str, other: Need) -> bool:
    if _title_key(title) and _title_key(title) == _title_key(other.title):
        return True
    mine, theirs = _kinds(item_kinds), _kinds(other.item_kinds)
    if not mine or mine != theirs:
        return False
    return fuzz.token_set_ratio(search_text or "", other.search_text or "") >= SIMILAR_TEXT


def _candidates(session: Session, school_id: int, exclude_id: int | None, now: datetime) -> list[Need]:
    recent = now - timedelta(days=RECENT_DAYS)
    q = (
        sa.select(Need)
        .where(
            Need.school_id == school_id,
            Need.cancelled.is_(False),
            Need.expired.is_(False),
            sa.or_(Need.committed_quantity < Need.quantity, Need.updated_at >= recent),
        )
        .order_by(Need.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if exclude_id is not None:
        q = q.where(Need.id != exclude_id)
    return list(session.scalars(q))


def find(
    session: Session, school_id: int, title: str, description: str, exclude_id: int | None = None
) -> list[Need]:
    """The school's needs that a need with this text would duplicate (for the posting page's warning)."""
    from csr_hub.services.posts import analyse_text

    search_text, item_kinds = analyse_text(title or "", description or "")
    now = datetime.now(timezone.utc)
    return [
        n
        for n in _candidates(session, school_id, exclude_id, now)
        if looks_alike(title, search_text, item_kinds, n)
    ]


def flag(session: Session, need: Need) -> list[int]:
    """Find and store the suspected duplicates of a need just posted (its analysis is already stored)."""
    now = datetime.now(timezone.utc)
    ids = sorted(
        n.id
        for n in _candidates(session, need.school_id, need.id, now)
        if looks_alike(need.title, need.search_text, need.item_kinds, n)
    )
    need.possible_duplicates = ids
    return ids


def live(session: Session, need: Need) -> list[int]:
    """The stored suspected duplicates that still count (open, or fulfilled recently): a need cancelled or
    expired since is no longer one. No statement when none were stored."""
    ids = list(need.possible_duplicates or [])
    if not ids:
        return []
    recent = datetime.now(timezone.utc) - timedelta(days=RECENT_DAYS)
    q = sa.select(Need.id).where(
        Need.id.in_(ids),
        Need.cancelled.is_(False),
        Need.expired.is_(False),
        sa.or_(Need.committed_quantity < Need.quantity, Need.updated_at >= recent),
    )
    return sorted(session.scalars(q))


def for_district(session: Session, district_id: int, limit: int = 50) -> list[Need]:
    """The ESA's live needs flagged as suspected duplicates, newest first (the director's dashboard)."""
    flagged = sa.text(FLAGGED_SQL)  # written as the partial index ``ix_needs_flagged`` is built
    return list(
        session.scalars(
            sa.select(Need)
            .options(joinedload(Need.school))
            .where(
                Need.district_id == district_id, Need.cancelled.is_(False), Need.expired.is_(False), flagged
            )
            .order_by(Need.id.desc())
            .limit(limit)
        )
    )

"""The vocabulary grows from use: central officers see the posts the matcher recognised no item kind in,
and add a term or synonym to an item kind. Terms are stored (``VocabularyTerm``), audited, merged over
the package file for all new analysis and scoring at once, and exported back to the file by
``flask --app csr_hub vocabulary export``.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import analysis, matching, vocabulary
from csr_hub.domain.policy import can
from csr_hub.domain.text import normalise
from csr_hub.models import Need, Offer, User, VocabularyTerm
from csr_hub.services import audit, suggestion_rows
from csr_hub.services.errors import AccountPending, Conflict, Forbidden, ValidationFailed
from csr_hub.services.listing import Page, paginate
from csr_hub.services.posts import analyse_text

#: seconds between two checks of the terms table by a running process (another node may add a term)
RECHECK_SECONDS = 30.0
_checked_at = [0.0]


def _rows(session: Session) -> list[tuple[str, str, str]]:
    return [
        (c, k, t)
        for c, k, t in session.execute(
            sa.select(VocabularyTerm.item_code, VocabularyTerm.kind, VocabularyTerm.term).order_by(
                VocabularyTerm.id
            )
        )
    ]


def _forget_analyses() -> None:
    analysis.analyse_post.cache_clear()
    matching.clear_caches()
    suggestion_rows.forget_offer_views()  # the posts are analysed again: their stored columns change


def install(session: Session) -> bool:
    """Use the stored terms now (returns whether the vocabulary changed)."""
    changed = vocabulary.install_extras(_rows(session))
    if changed:
        _forget_analyses()
    _checked_at[0] = time.monotonic()
    return changed


def ensure_installed(session: Session) -> None:
    """Pick up terms another process added, at most every ``RECHECK_SECONDS``."""
    if time.monotonic() - _checked_at[0] >= RECHECK_SECONDS:
        try:
            install(session)
        except sa.exc.SQLAlchemyError:  # a database without the table yet (before its migration)
            _checked_at[0] = time.monotonic()


def _require(actor: User) -> None:
    if actor.status != "active":
        raise AccountPending()
    if not can(actor, "manage_vocabulary"):
        raise Forbidden()


def unrecognised(session: Session, kind: str, page: int, per_page: int) -> Page:
    """Open needs (``kind="needs"``) or offers the matcher found no item kind in, newest first."""
    model = Need if kind == "needs" else Offer
    q = sa.select(model).where(sa.func.coalesce(model.item_kinds, "") == "")
    if kind == "needs":
        q = q.where(Need.status_clause("open"))
    else:
        from csr_hub.domain.reference import today_bangkok

        q = q.where(Offer.status_clause("open", today_bangkok()))
    return paginate(session, q, (model.created_at.desc(), model.id.desc()), page, per_page)


def added_terms(session: Session) -> list[VocabularyTerm]:
    return list(session.scalars(sa.select(VocabularyTerm).order_by(VocabularyTerm.id.desc()).limit(200)))


def _reanalyse(session: Session, term: str) -> int:
    """Re-analyse the unrecognised posts whose text holds the new term; returns how many changed."""
    norm = normalise(term)
    changed = 0
    for model in (Need, Offer):
        rows = session.scalars(
            sa.select(model).where(
                sa.func.coalesce(model.item_kinds, "") == "",
                model.search_text.contains(norm, autoescape=True),
            )
        )
        for post in rows:
            search, kinds = analyse_text(post.title, post.description or "")
            if kinds != (post.item_kinds or ""):
                post.search_text, post.item_kinds = search, kinds
                changed += 1
    return changed


def add_term(session: Session, actor: User, data: dict[str, Any], ip: str = "") -> VocabularyTerm:
    """Add ``term`` to item kind ``item_code`` (as a ``kind`` of term; default ``th`` for Thai script, ``en``
    otherwise). Effective at once for new analysis and scoring; the unrecognised posts that contain it
    are re-analysed in the same transaction."""
    _require(actor)
    data = data if isinstance(data, dict) else {}
    errors: dict[str, list[object]] = {}
    code = data.get("item_code")
    term = data.get("term")
    kind = data.get("kind") or None
    if not isinstance(code, str) or code not in {it.code for it in vocabulary.items()}:
        errors["item_code"] = [_l("Choose an item kind from the list.")]
    norm = normalise(term) if isinstance(term, str) else ""
    if not isinstance(term, str) or not (2 <= len(norm) <= 100) or len(term) > 100:
        errors["term"] = [_l("Give a word or phrase of 2 to 100 letters.")]
    if kind is not None and kind not in vocabulary.TERM_KINDS:
        errors["kind"] = [_l("Choose one of the listed values.")]
    if errors:
        raise ValidationFailed(fields=errors)
    term = " ".join(term.split())
    if kind is None:
        kind = "en" if norm.isascii() else "th"
    owner = vocabulary.known_term(term)
    if owner is not None:
        if owner == code:
            raise Conflict(_l("This item kind already has that term."))
        raise ValidationFailed(fields={"term": [_l("That term already belongs to another item kind.")]})
    row = VocabularyTerm(item_code=code, kind=kind, term=term, created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record_on(
        session, "vocabulary.add_term", row, by=actor, ip=ip, item_code=code, kind=kind, term=term
    )
    install(session)
    _reanalyse(session, term)
    return row


def export(session: Session) -> dict:
    """The package vocabulary with every stored term merged in (what ``vocabulary export`` writes)."""
    return vocabulary.merged_data(_rows(session))

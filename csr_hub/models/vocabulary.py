"""Terms central officers add to the matcher's vocabulary from the app (merged over the package file)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from csr_hub.models.base import Base, UTCDateTime, utcnow


class VocabularyTerm(Base):
    __tablename__ = "vocabulary_terms"
    __table_args__ = (sa.UniqueConstraint("item_code", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the item kind's code in ``csr_hub/data/vocabulary.json``
    item_code: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: which list of the item it joins: ``th``, ``en``, ``loanwords`` or ``misspellings``
    kind: Mapped[str] = mapped_column(sa.String(16))
    term: Mapped[str] = mapped_column(sa.String(100))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

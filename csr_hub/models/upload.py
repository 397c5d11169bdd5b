"""Files attached to a match: the school's photo of what arrived, the company's delivery note."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.models.base import Base, UTCDateTime, utcnow
from csr_hub.models.match import Match
from csr_hub.models.user import User

UPLOAD_KINDS = ("photo", "delivery_note")
UPLOAD_TYPES = ("image/jpeg", "image/png", "application/pdf")


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    #: photo (by the school) | delivery_note (by the company)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: random name of the file under UPLOAD_FOLDER; never derived from what the client sent
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: the client's file name, cleaned, shown to people only
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: decided from the file's first bytes, not from the client's header
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    match: Mapped[Match] = relationship()
    uploaded_by: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint("kind IN ('photo', 'delivery_note')", name="kind"),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name="content_type"
        ),
        sa.CheckConstraint("size > 0", name="size"),
    )

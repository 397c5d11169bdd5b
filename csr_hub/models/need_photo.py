"""A need's photo: what the school shows donors (the broken roof, the room without desks)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from csr_hub.models.base import Base, UTCDateTime, utcnow


class NeedPhoto(Base):
    """One photo per need, stored twice: a page-sized copy and a small one for cards. Both are JPEGs
    written again from the pixels alone (no EXIF, no GPS) under random names in ``UPLOAD_FOLDER/needs``."""

    __tablename__ = "need_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("needs.id"), unique=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    thumb_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    thumb_width: Mapped[int]
    thumb_height: Mapped[int]
    size: Mapped[int]
    #: of the stored page-sized copy: the photo's ETag
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size"),
        sa.CheckConstraint("width > 0 AND height > 0 AND thumb_width > 0 AND thumb_height > 0", name="dims"),
    )

"""Outbound channels: a user's LINE account and which channels each kind of notification goes by."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from csr_hub.models.base import Base, UTCDateTime, utcnow


class LineLink(Base):
    """The LINE user bound to an account, and the one-time code the user sends the official account."""

    __tablename__ = "line_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    #: the code shown on the account page; cleared once it bound a LINE user
    link_code: Mapped[str | None] = mapped_column(sa.String(16), nullable=True, unique=True)
    #: the Messaging API's user id (``U`` + 32 hex digits) once bound
    line_user_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ChannelPreference(Base):
    """Per notification kind: e-mail and/or LINE. No row means e-mail on, LINE on once linked."""

    __tablename__ = "channel_preferences"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    email: Mapped[bool] = mapped_column(default=True)
    line: Mapped[bool] = mapped_column(default=True)
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_channel_preferences_user_kind"),)

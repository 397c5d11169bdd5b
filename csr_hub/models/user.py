"""Accounts, API tokens."""

from __future__ import annotations

from csr_hub.domain.policy import Role
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from csr_hub.domain import policy
from csr_hub.models.base import Base, UTCDateTime, utcnow
from csr_hub.models.reference import Company, District, School

ROLES = tuple(r.value for r in Role)
STATUSES = ("pending", "active", "disabled")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), nullable=True, index=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), nullable=True, index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), nullable=True, index=True)
    #: bumped on logout and password change; sessions carrying an older one are refused
    session_version: Mapped[int] = mapped_column(default=1)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    totp_enrolled: Mapped[bool] = mapped_column(default=False)
    #: last accepted TOTP time step, so a code cannot be replayed
    totp_last_step: Mapped[int] = mapped_column(default=0)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lang: Mapped[str] = mapped_column(sa.String(2), default="th")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    school: Mapped[School | None] = relationship()
    company: Mapped[Company | None] = relationship()
    district: Mapped[District | None] = relationship()

    __table_args__ = (
        # the same strings the migrations wrote, spelled from the enums (role names live in domain/policy.py)
        sa.CheckConstraint(f"role IN ({', '.join(repr(str(r)) for r in Role)})", name="role"),
        sa.CheckConstraint(
            f"status IN ({', '.join(repr(str(s)) for s in policy.UserStatus)})", name="status"
        ),
    )

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status != "disabled"

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    @property
    def needs_totp(self) -> bool:
        return policy.needs_totp(self)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: sha256 of the token; the token itself is shown once
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user: Mapped[User] = relationship()

"""What every step of the clock shares: its settings, the result of a tick, and days in Asia/Bangkok."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timezone
from typing import Any, Mapping

from csr_hub.domain.reference import BANGKOK

DEFAULTS = {"CSR_ANSWER_DAYS": 14, "CSR_APPROVAL_DAYS": 7, "CSR_NEED_REVIEW_DAYS": 120}


@dataclass(frozen=True)
class Settings:
    answer_days: int = 14
    approval_days: int = 7
    review_days: int = 120

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None) -> "Settings":
        if config is None:
            try:
                from flask import current_app, has_app_context

                config = current_app.config if has_app_context() else {}
            except ImportError:  # pragma: no cover
                config = {}
        get = lambda k: int(config.get(k) or DEFAULTS[k])  # noqa: E731
        return cls(get("CSR_ANSWER_DAYS"), get("CSR_APPROVAL_DAYS"), get("CSR_NEED_REVIEW_DAYS"))


@dataclass
class TickResult:
    """What one tick did (counts of matches or needs, and of notifications added)."""

    today: date
    due_dates_set: int = 0
    matches_expired: int = 0
    approval_reminders: int = 0
    escalated: int = 0
    need_reviews_requested: int = 0
    need_reviews_cleared: int = 0
    needs_expired: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (a job's result)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["today"] = self.today.isoformat()
        return out

    @property
    def changed(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name not in ("today", "notifications"))

    def lines(self) -> list[str]:
        words = {
            "due_dates_set": "match due dates filled in",
            "matches_expired": "proposals expired (no answer in time)",
            "approval_reminders": "pledges past their approval date: approvers reminded",
            "escalated": "pledges escalated to the central officers",
            "need_reviews_requested": "stale needs: schools asked to confirm",
            "need_reviews_cleared": "review requests cleared (the need changed or got a match)",
            "needs_expired": "needs expired (not confirmed in time)",
            "notifications": "notifications added",
        }
        out = [f"Clock for {self.today.isoformat()} (Asia/Bangkok):"]
        out += [f"  {getattr(self, k):>6,}  {w}" for k, w in words.items()]
        if not self.changed and not self.notifications:
            out.append("  nothing to do.")
        return out


def bangkok_date(at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(BANGKOK).date()


def start_of(day: date) -> datetime:
    """Midnight of ``day`` in Bangkok, as a UTC instant (compare stored timestamps with it)."""
    return datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(timezone.utc)

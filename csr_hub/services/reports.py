"""Report figures, aggregated in SQL: a constant number of queries whatever the data size.

The queries live in :mod:`csr_hub.services.reporting` (one module per idea); this module is what the rest
of the app calls. The figures are served from a cache that the commit of any write to the tables they
read empties (:mod:`csr_hub.services.reporting.cache`): exact, and a full pass over the needs happens once
per change rather than once per request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from csr_hub.services.reporting import companies as _companies
from csr_hub.services.reporting import figures as _figures
from csr_hub.services.reporting import timeline as _timeline
from csr_hub.services.reporting.cache import cached
from csr_hub.services.reporting.figures import SCHOOL_COLS, Figures, as_json, grouped
from csr_hub.services.reporting.sql import (
    APPROVED,
    COMPANY_KEYS,
    DELIVERED,
    KEYS,
    MONEY_KEYS,
    PLEDGED,
    TIMED_STATES,
)
from csr_hub.services.reporting.timeline import month_window

summary = cached(_figures.summary)
by_district = cached(_figures.by_district)
summary_and_districts = cached(_figures.summary_and_districts)
by_school = cached(_figures.by_school)
by_month = cached(_timeline.by_month)
state_durations = cached(_timeline.state_durations)
oldest_waiting = cached(_timeline.oldest_waiting)
waiting_stats = cached(_timeline.waiting_stats)
companies = cached(_companies.companies)
certificate = _companies.certificate  # returns ORM objects: never cached
completed_matches = cached(_companies.completed_matches)


@cached
def dashboard(
    session: Session,
    district_id: int | None = None,
    officer: bool = False,
    own_company_id: int | None = None,
    school_limit: int = 50,
    company_limit: int = 20,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything a dashboard shows, in a constant number of queries (about a dozen).

    Without ``officer`` it leaves out what only directors, central officers and admins see: which matches
    wait (only how many, and for how long), and the companies that did not agree to be shown.
    """
    summary_, districts = summary_and_districts(session, district_id)
    return {
        "summary": summary_,
        "by_month": by_month(session, district_id, today=today),
        "durations": state_durations(session, district_id),
        "by_school": by_school(session, district_id, limit=school_limit),
        "by_district": districts,
        "waiting": oldest_waiting(session, district_id) if officer else [],
        "waiting_stats": waiting_stats(session, district_id),
        "companies": companies(
            session, district_id, public_only=not officer, include_company_id=own_company_id
        )[:company_limit],
    }


__all__ = [
    "APPROVED",
    "COMPANY_KEYS",
    "DELIVERED",
    "Figures",
    "KEYS",
    "MONEY_KEYS",
    "PLEDGED",
    "SCHOOL_COLS",
    "TIMED_STATES",
    "as_json",
    "by_district",
    "by_month",
    "by_school",
    "certificate",
    "companies",
    "completed_matches",
    "summary_and_districts",
    "dashboard",
    "grouped",
    "month_window",
    "oldest_waiting",
    "state_durations",
    "summary",
    "waiting_stats",
]

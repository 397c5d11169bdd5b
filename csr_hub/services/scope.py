"""One SQL form of the policy's tenant rule: which rows of a school, a company or an ESA a user may read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from csr_hub.domain.policy import NATIONAL_ROLES, Role, is_active, role_of


def tenant_clause(user: Any, *, school_id: Any, company_id: Any, district_id: Any) -> sa.ColumnElement[bool]:
    """The WHERE clause of :func:`csr_hub.domain.policy.may_see_tenant`, given the columns that name the row's
    school, company and ESA: officers all, staff their school's, reps their company's, directors their ESA's,
    pending and disabled accounts nothing."""
    if not is_active(user):
        return sa.false()
    role = role_of(user)
    if role in NATIONAL_ROLES:
        return sa.true()
    if role == Role.COMPANY_REP:
        return company_id == (user.company_id or -1)
    if role == Role.SCHOOL_STAFF:
        return school_id == (user.school_id or -1)
    if role == Role.DISTRICT_DIRECTOR:
        return district_id == (user.district_id or -1)
    return sa.false()

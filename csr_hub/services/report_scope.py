"""Whose report figures a reader gets, the same on every report page and export: a director sees only
their own ESA (another ESA → 403); central officers and admins the nation or any ESA; everyone else the
national figures the public sees. Also the certificate of thanks, which only its company's reps open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain import policy
from csr_hub.models import Company, District
from csr_hub.services import reports
from csr_hub.services.errors import Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True)
class Scope:
    """Whose figures a report shows and how much of them."""

    district_id: int | None = None
    district_code: str = ""
    #: directors, central officers and admins see the waiting matches and every company
    officer: bool = False
    #: a company rep always sees its own company's row, shown publicly or not
    own_company_id: int | None = None
    #: the companies' page may be narrowed to one company
    company_id: int | None = None


def _invalid(field: str, message: Any) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _district(session: Session, user: Any, code: str) -> District | None:
    if policy.has_role(user, "director"):
        district = user.district
        if district is None or (code and code != district.code):
            raise Forbidden()
        return district
    if not code:
        return None
    if not policy.is_national(user):
        raise Forbidden()
    district = session.scalar(sa.select(District).where(District.code == code))
    if district is None:
        raise _invalid("district", _l("Unknown district (ESA) code."))
    return district


def _company_id(session: Session, raw: str) -> int | None:
    if not raw:
        return None
    if (
        not (raw.isascii() and raw.isdigit())
        or not 1 <= int(raw) < 2**31
        or session.get(Company, int(raw)) is None
    ):
        raise _invalid("company", _l("Unknown company: give a company by its number."))
    return int(raw)


def resolve(session: Session, user: Any, district_code: str = "", company: str = "") -> Scope:
    """The scope asked for (``?district=``, ``?company=``), or 403 / 422 when the reader may not have it."""
    district = _district(session, user, (district_code or "").strip())
    own = getattr(user, "company_id", None)
    return Scope(
        district_id=district.id if district else None,
        district_code=district.code if district else "",
        officer=policy.has_role(user, "director", "national"),
        own_company_id=(
            own if policy.has_role(user, "company") and policy.may_see_tenant(user, company_id=own) else None
        ),
        company_id=_company_id(session, (company or "").strip()),
    )


def district_of(session: Session, scope: Scope) -> District | None:
    return session.get(District, scope.district_id) if scope.district_id else None


def company_of(session: Session, scope: Scope) -> Company | None:
    return session.get(Company, scope.company_id) if scope.company_id else None


def district_choices(session: Session, user: Any, lang: str) -> list[tuple[str, str]]:
    """The ESAs a national reader may pick (none for the others: their scope is fixed)."""
    if not policy.is_national(user):
        return []
    return [
        (d.code, d.name_en if lang == "en" else d.name_th)
        for d in session.scalars(sa.select(District).order_by(District.code))
    ]


def completed_for_rep(session: Session, user: Any) -> list:
    """A company rep's completed matches (their certificates), for the companies' page."""
    if not policy.has_role(user, "company") or not getattr(user, "company_id", None):
        return []
    return reports.completed_matches(session, user.company_id)


def certificate(session: Session, user: Any, match_id: int) -> dict[str, Any]:
    """The certificate of thanks of a completed match, for its company's reps only (others 403 / 404);
    a pending rep does not see the company it claims."""
    if not policy.has_role(user, "company"):
        raise Forbidden()
    cert = reports.certificate(session, match_id)
    if cert is None or not policy.may_see_tenant(user, company_id=cert["company"].id):
        raise NotFound()
    return cert

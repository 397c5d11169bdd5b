"""What every report query shares: the stages, the keys, and money summed in satang.

Money is summed in satang: PostgreSQL sums NUMERIC exactly, but SQLite sums it as a float, so there each
amount becomes a whole number of satang (``CAST(ROUND(x * 100) AS INTEGER)``) before it is added up. A
page, its export and the API then show the same figure on both databases.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from csr_hub.domain import money
from csr_hub.models import Company, District, Match, Need, Offer, School

PLEDGED = ("pledged", "district_approved", "approved", "delivered", "completed")
APPROVED = ("approved", "delivered", "completed")
DELIVERED = ("delivered", "completed")
#: states a match passes through on its way to completion: the ones whose time the reports measure
TIMED_STATES = ("proposed", "pledged", "district_approved", "approved", "delivered")
#: the figures of the matches' stages
MATCH_KEYS = (
    "pledged_count",
    "pledged_value_thb",
    "approved_count",
    "approved_value_thb",
    "delivered_count",
    "delivered_value_thb",
    "completed_count",
)
#: every figure of a group, in the order the reports show them
KEYS = ("needs_count", "needs_value_thb", "budget_thb", *MATCH_KEYS, "gap_thb")
MONEY_KEYS = {k for k in KEYS if k.endswith("_thb")}
COMPANY_KEYS = (
    "pledged_count",
    "pledged_value_thb",
    "delivered_count",
    "delivered_value_thb",
    "completed_count",
)


# --- money in satang ----------------------------------------------------------------------------------
class satang(FunctionElement):
    """An amount in satang: exact NUMERIC on PostgreSQL, a whole INTEGER on SQLite (which sums floats)."""

    type = sa.Numeric()
    name = "satang"
    inherit_cache = True


@compiles(satang)
def _satang_numeric(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} * 100)"


@compiles(satang, "sqlite")
def _satang_sqlite(element, compiler, **kw):
    return f"CAST(ROUND({compiler.process(element.clauses, **kw)} * 100) AS INTEGER)"


def cents(expr):
    return satang(expr)


def sum_cents(expr):
    """A sum of satang as a whole number: summed exactly, cast once per group (not once per row)."""
    return sa.cast(sa.func.coalesce(sa.func.sum(expr), 0), sa.BigInteger)


def count_if(flag):
    return sa.func.coalesce(sa.func.sum(sa.case((flag, 1), else_=0)), 0)


def baht(amount: object) -> Decimal:
    return (Decimal(int(amount or 0)) / 100).quantize(money.CENT)


def effective_value():
    """A match's value as the reports count it: what was received once completed, else its pledged value."""
    return sa.case(
        (Match.status == "completed", sa.func.coalesce(Match.received_value_thb, 0)), else_=Match.value_thb
    )


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def matches_with_parties(*columns):
    """A select of ``columns`` from matches joined to their need, its school, the school's ESA, the offer and
    its company (every report row that names both sides of a match reads these joins)."""
    return (
        sa.select(*columns)
        .select_from(Match)
        .join(Need, Match.need_id == Need.id)
        .join(School, Need.school_id == School.id)
        .join(District, Match.district_id == District.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Company, Offer.company_id == Company.id)
    )

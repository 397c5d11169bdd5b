"""Reference data the pages look up by code or show by name: provinces, ESAs, schools."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.models import District, Province, School


def _name(row: Province, lang: str) -> str:
    return row.name_en if lang == "en" else row.name_th


def province_choices(session: Session, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every province, in the order of their names in ``lang``."""
    order = Province.name_en if lang == "en" else Province.name_th
    return [(p.code, _name(p, lang)) for p in session.scalars(sa.select(Province).order_by(order))]


def province_names(session: Session, lang: str) -> dict[str, str]:
    """Each province's name in ``lang``, by code."""
    return {p.code: _name(p, lang) for p in session.scalars(sa.select(Province))}


def school_id(session: Session, code: str) -> int | None:
    return session.scalar(sa.select(School.id).where(School.code == code)) if code else None


def district_id(session: Session, code: str) -> int | None:
    return session.scalar(sa.select(District.id).where(District.code == code)) if code else None

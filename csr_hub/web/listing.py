"""What the needs and offers list pages share: filters read from the query string, choice lists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request

from csr_hub import labels
from csr_hub.extensions import db
from csr_hub.models import District, Province
from csr_hub.services.errors import ValidationFailed
from csr_hub.services.posts import Page, parse_paging
from csr_hub.web.i18n import current_lang

FILTERS = ("status", "category", "district", "province", "quality_group", "urgency", "q", "sort")


def filter_args() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in FILTERS if request.args.get(k)}


def province_choices() -> list[tuple[str, str]]:
    en = current_lang() == "en"
    order = Province.name_en if en else Province.name_th
    return [
        (code, name)
        for code, name in db.session.execute(
            sa.select(Province.code, Province.name_en if en else Province.name_th).order_by(order)
        )
    ]


def district_choices() -> list[tuple[str, str]]:
    en = current_lang() == "en"
    return [
        (code, name)
        for code, name in db.session.execute(
            sa.select(District.code, District.name_en if en else District.name_th).order_by(District.code)
        )
    ]


def choices() -> dict[str, list[tuple[str, str]]]:
    lang = current_lang()
    return {
        "category": labels.choices(labels.CATEGORIES, lang),
        "quality_group": labels.choices(labels.QUALITY_GROUPS, lang),
        "urgency": labels.choices(labels.URGENCIES, lang),
        "province": province_choices(),
        "district": district_choices(),
    }


def run_list(list_fn) -> tuple[dict[str, str], Page, dict]:
    """Call a list service with the request's filters; bad filters become messages next to them.

    A filter that is not valid is left out of the query (and its message shown next to it) rather than
    failing the whole page; the form still shows what was asked.
    """
    args = filter_args()
    errors: dict = {}
    try:
        page, per_page = parse_paging(request.args)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        page, per_page = 1, 20
    try:
        result = list_fn(db.session, args, page, per_page)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        result = list_fn(db.session, {k: v for k, v in args.items() if k not in exc.fields}, page, per_page)
    return args, result, errors

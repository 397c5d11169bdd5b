"""Shapes every resource shares: the error body, the list envelope; and the small resources (report
figures, notifications, jobs)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS
from csr_hub.models.job import JOB_STATUSES
from csr_hub.services.notify import KINDS
from csr_hub.services.reporting.sql import KEYS, MONEY_KEYS
from csr_hub.services.validation import Input, Parsed
from csr_hub.web.api.schemas.fields import Money, Out, enum, many, when
from csr_hub.web.i18n import current_lang


# -- errors and lists ------------------------------------------------------------------------------------------
ErrorDetail = Out.from_dict(
    {
        "code": fields.String(required=True, metadata={"description": "validation_error, not_found …"}),
        "message": fields.String(
            required=True, metadata={"description": "English; Thai with Accept-Language: th"}
        ),
        "fields": fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True),
    },
    name="ErrorDetail",
)


class ErrorOut(Out):
    """Every error under /api/v1 (``csr_hub/web/errors.py`` writes it)."""

    error = fields.Nested(ErrorDetail, required=True)


class PageOut(Out):
    """``{items, total, page, per_page}``: every list, reference lists too."""

    items = fields.List(fields.Raw(), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True, metadata={"minimum": 1})
    per_page = fields.Integer(required=True, metadata={"minimum": 1, "maximum": 100})


@lru_cache(maxsize=None)
def page_of(item: type[Schema]) -> Schema:
    """The envelope of a list of ``item`` (one instance per item schema: it dumps and documents)."""
    items = fields.List(fields.Nested(item), required=True)
    return type(f"{item.__name__}Page", (PageOut,), {"items": items})()


PAGE = PageOut()


# -- report figures: the keys are the reporting service's own (services/reporting/sql.py) ---------------------
FiguresOut = Out.from_dict(
    {k: (Money() if k in MONEY_KEYS else fields.Integer()) for k in KEYS}, name="FiguresOut"
)
CategoryFigures = FiguresOut.from_dict({"category": enum(CATEGORIES)}, name="CategoryFigures")
GroupFigures = FiguresOut.from_dict({"quality_group": enum(QUALITY_GROUPS)}, name="GroupFigures")


class SummaryOut(FiguresOut):
    by_category = fields.List(fields.Nested(CategoryFigures))
    by_quality_group = fields.List(fields.Nested(GroupFigures))


SUMMARY = SummaryOut()


# -- notifications ---------------------------------------------------------------------------------------------
class NotificationOut(Out):
    id = fields.Integer()
    kind = enum(KINDS)
    match_id, need_id, offer_id, partnership_id = many(fields.Integer, 4, allow_none=True)
    message = fields.Function(
        lambda n: n.message_en if current_lang() == "en" else n.message_th,
        metadata={"type": "string", "description": "in the caller's language"},
    )
    read = fields.Function(lambda n: n.read_at is not None, metadata={"type": "boolean"})
    created_at = when()


NOTIFICATION = NotificationOut()


# -- jobs ------------------------------------------------------------------------------------------------------
def _result(job: Any) -> Any:
    if job.kind == "export" and job.status == "done" and isinstance(job.result, dict):
        return {**job.result, "download_url": url_for("ops.download", job_id=job.id)}
    return job.result


class JobOut(Out):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    status = enum(JOB_STATUSES, required=True)
    progress = fields.Integer(required=True, metadata={"minimum": 0, "maximum": 100})
    result_url = fields.Function(
        lambda job: url_for("api.get_job", job_id=job.id), required=True, metadata={"type": "string"}
    )
    result = fields.Function(_result, allow_none=True, metadata={"type": "object"})
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    created_at = when()
    started_at, finished_at = when(allow_none=True), when(allow_none=True)


class JobStarted(Out):
    """202 from a route that starts a job."""

    job = fields.Nested(JobOut, required=True)


class JobFollowed(JobOut):
    """``GET /jobs/{id}``: the job itself, and under ``job`` the same object as the 202 that started it."""

    job = fields.Nested(JobOut, required=True)


JOB = JobOut()


def _checked(test, message, **doc: Any) -> Parsed:
    """A value ``test`` accepts (left out: ``doc["default"]``; anything else, ``null`` too: ``message``)."""

    def parse(value: Any) -> Any:
        if not test(value):
            raise ValueError(message)
        return value

    return Parsed(
        parse, default=doc["default"], allow_none=False, error_messages={"null": message}, metadata=doc
    )


class MatchRunInput(Input):
    """``POST /match-runs`` (an empty body: the defaults)."""

    per_need = _checked(
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 50,
        _l("Must be a whole number from 1 to 50."),
        type="integer",
        minimum=1,
        maximum=50,
        default=10,
    )
    allocate = _checked(
        lambda v: isinstance(v, bool), _l("Must be true or false."), type="boolean", default=False
    )

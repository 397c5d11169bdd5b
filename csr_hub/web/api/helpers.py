"""Request parsing, list answers and the Idempotency-Key header for the API."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from functools import wraps
from typing import Any, Callable

import sqlalchemy as sa
from flask import Response, abort, jsonify, request
from flask_login import current_user
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError

from csr_hub.extensions import db
from csr_hub.models import IdempotencyRecord
from csr_hub.services import idempotency, validation
from csr_hub.services.errors import ServiceError, ValidationFailed
from csr_hub.services.posts import Page, parse_paging
from csr_hub.services.reporting import cache as figure_cache
from csr_hub.web import page_cache
from csr_hub.web.api.schemas.common import PAGE, page_of


class BadBody(ServiceError):
    status = 400
    code = "bad_request"


def is_json_type(mimetype: str) -> bool:
    """``application/json`` or a ``+json`` type: never one a foreign page's plain form can send."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def parse_json(raw: bytes) -> tuple[Any, bool]:
    """(the parsed body or None, too deep?) — never raises, whatever the bytes."""
    try:
        return json.loads(raw), False
    except RecursionError:
        return None, True
    except ValueError:  # not JSON, or not UTF-8 (UnicodeDecodeError is a ValueError)
        return None, False


def json_body() -> dict[str, Any]:
    """The request's JSON object. 400 when the body is not ``application/json``, not JSON, not an object or
    nested too deep; 422 when a string in it is not valid Unicode or holds control or bidi characters."""
    from flask_babel import gettext as _

    if not is_json_type(request.mimetype):
        raise BadBody(_("Send the body as application/json."))
    raw = request.get_data(cache=True)
    data, too_deep = parse_json(raw) if raw else (None, False)
    if not isinstance(data, dict):
        raise BadBody(
            _("The body is nested too deeply.") if too_deep else _("The body must be a JSON object.")
        )
    too_deep, fields = validation.json_problems(data)
    if too_deep:
        raise BadBody(_("The body is nested too deeply."))
    if fields:
        raise ValidationFailed(fields=fields)
    request.environ[validation.JSON_TYPED] = True  # its numbers must be JSON numbers (validation.json_typed)
    return data


def no_body() -> None:
    """A write that takes no body still refuses one that is not a JSON object (400, SPEC: Errors), before
    anything changes; an empty body is what it expects."""
    if request.get_data(cache=True):
        json_body()


def paging() -> tuple[int, int]:
    return parse_paging(request.args)


def list_answer(page: Page, item: Schema | Callable[[Any], dict]) -> Response:
    """The list envelope (``schemas.common.PageOut``); ``item`` is the rows' schema, or a function that
    renders one row."""
    if isinstance(item, Schema):
        return jsonify(page_of(type(item)).dump(page))
    rendered = {"items": [item(x) for x in page.items], "total": page.total}
    return jsonify(PAGE.dump({**rendered, "page": page.page, "per_page": page.per_page}))


def scoped_list(
    list_rows: Callable[..., Page], item: Schema | Callable[[Any], dict], keep: bool = False
) -> Response:
    """A list the caller's role and scope filter: ``list_rows(session, user, args, page, per_page)``.

    With ``keep`` (a list made only of rows the report cache's tables hold: matches and their history)
    the answer is kept under the cache's generation for callers of the same scope, so a central officer's
    list is read once per change, not once per request; a committed write shows at once."""
    cache = figure_cache.cache_for(db.session) if keep else None
    if cache is None:
        return list_answer(list_rows(db.session, current_user, request.args, *paging()), item)
    key = cache.key("api-list", request.endpoint, *page_cache.caller_scope())
    body = cache.lookup(key)
    if body is None:
        body = list_answer(list_rows(db.session, current_user, request.args, *paging()), item).get_data()
        cache.store(key, body)
    return Response(body, status=200, mimetype="application/json")


#: how long a request waits for another one with its ``Idempotency-Key`` to finish before answering 409
IDEMPOTENCY_WAIT_SECONDS = 20.0


def _first_answer(uid: int, key: str, route: str, since: datetime) -> Response | None | bool:
    """The recorded answer of an earlier request with this key (a ``Response``), ``False`` while another
    request is still answering it, ``None`` when there is none (or only an expired one)."""
    db.session.rollback()  # a fresh look: the other request commits its answer meanwhile
    row = db.session.execute(
        sa.select(IdempotencyRecord.status_code, IdempotencyRecord.body, IdempotencyRecord.created_at).where(
            IdempotencyRecord.user_id == uid, IdempotencyRecord.key == key, IdempotencyRecord.route == route
        )
    ).first()
    if row is None or row.created_at < since:
        return None
    if row.status_code:
        return Response(row.body, status=row.status_code, mimetype="application/json")
    return False


def _claim(uid: int, key: str, route: str, since: datetime) -> IdempotencyRecord | Response:
    """This request's record for the key, or the answer of the request that holds it. Two requests sent at
    once with one key: the second waits for the first to finish and answers what it answered."""
    deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
    while True:
        found = _first_answer(uid, key, route, since)
        if isinstance(found, Response):
            return found
        if found is None:
            db.session.execute(
                sa.delete(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == uid,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.route == route,
                    IdempotencyRecord.created_at < since,
                )
            )
            record = IdempotencyRecord(user_id=uid, key=key, route=route, status_code=0, body="")
            db.session.add(record)
            try:
                db.session.commit()
                return record
            except IntegrityError:  # another request claimed it between the look and the insert
                db.session.rollback()
        if time.monotonic() > deadline:
            abort(409)
        time.sleep(0.05)


def idempotent(view: Callable) -> Callable:
    """Same ``Idempotency-Key`` from the same user on the same route within 24 h: the first answer again."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key or not current_user.is_authenticated:
            return view(*args, **kwargs)
        if len(key) > 200:
            abort(400)
        route = request.path
        since = datetime.now(timezone.utc) - timedelta(hours=24)
        idempotency.purge_expired(db.session)  # answers are kept 24 hours, no longer
        db.session.commit()
        uid = current_user.id
        claimed = _claim(uid, key, route, since)
        if isinstance(claimed, Response):
            return claimed
        record = claimed
        rid = record.id
        try:
            response = view(*args, **kwargs)
        except ServiceError as exc:
            db.session.rollback()
            from csr_hub.web.errors import json_error

            response = json_error(exc.status, exc.code, exc.message, exc.fields)
        except Exception:
            db.session.rollback()
            db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == rid))
            db.session.commit()
            raise
        resp = response if isinstance(response, Response) else _make(response)
        if resp.status_code >= 500:
            db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == rid))
        else:
            db.session.execute(
                sa.update(IdempotencyRecord)
                .where(IdempotencyRecord.id == rid)
                .values(status_code=resp.status_code, body=resp.get_data(as_text=True))
            )
        db.session.commit()
        return resp

    return wrapped


def _make(rv) -> Response:
    from flask import make_response

    return make_response(rv)

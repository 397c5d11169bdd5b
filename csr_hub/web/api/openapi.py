"""The OpenAPI 3 document at ``/api/v1/openapi.json``.

Nothing here describes a field: apispec's MarshmallowPlugin turns the schemas that validate the requests
(``csr_hub/services/validation.py``) and shape the answers (:mod:`csr_hub.web.api.schemas`) into the
components, and :mod:`csr_hub.web.api.openapi_paths` lists the routes. To add an API field, add it to the
schema; the document follows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import Schema

from csr_hub.models.upload import UPLOAD_TYPES
from csr_hub.services import validation
from csr_hub.web import access
from csr_hub.web.api import bp
from csr_hub.web.api.openapi_paths import FILE, MULTIPART, ROUTES
from csr_hub.web.api.schemas import accounts, common, donations, matches, partnerships, posts, reference

__all__ = ["COMPONENTS", "ROUTES", "document"]

#: component name → the schema it documents (its nested schemas are inlined unless they are listed here)
COMPONENTS: dict[str, type[Schema] | Schema] = {
    "Error": common.ErrorOut,
    "Province": reference.ProvinceOut,
    "District": reference.DistrictOut,
    "School": reference.SchoolOut,
    "SchoolInput": reference.SchoolInput,
    "Company": reference.CompanyOut,
    "User": accounts.UserOut,
    "Credentials": accounts.Credentials,
    "Registration": accounts.Registration,
    "Need": posts.NeedOut,
    "NeedInput": validation.NeedInput,
    "NeedUpdate": validation.NeedUpdate(partial=True),
    "Offer": posts.OfferOut,
    "OfferInput": validation.OfferInput,
    "OfferUpdate": validation.OfferInput(partial=True),
    "Transition": matches.TransitionOut,
    "Match": matches.MatchOut,
    "MatchInput": matches.MatchInput,
    "ActionInput": matches.ActionInput,
    "Upload": matches.UploadOut,
    "UploadInput": matches.UploadInput,
    "Figures": common.FiguresOut,
    "Summary": common.SummaryOut,
    "Notification": common.NotificationOut,
    "Job": common.JobOut,
    "JobStarted": common.JobStarted,
    "JobFollowed": common.JobFollowed,
    "MatchRunRequest": common.MatchRunInput,
    "PartnershipInput": partnerships.PartnershipInput,
    "PartnershipActionInput": partnerships.ActionInput,
    "PartnershipYear": partnerships.YearOut,
    "Partnership": partnerships.PartnershipOut,
    "Donation": donations.DonationOut,
    "Statement": donations.StatementOut,
}
_NAMES = {(s if isinstance(s, type) else type(s)): name for name, s in reversed(COMPONENTS.items())}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


ERRORS = {
    str(code): {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
    for code, text in (
        (400, "Bad request"),
        (401, "Not logged in"),
        (403, "Forbidden"),
        (404, "Not found"),
        (409, "Conflict"),
        (413, "Too large"),
        (422, "Validation error"),
        (429, "Rate limited"),
    )
}


def _schema(value: Any) -> Any:
    """A component's name → its $ref; a schema stays for the plugin to resolve (inline or $ref)."""
    return _ref(value) if isinstance(value, str) else value


def _answer(response: Any, status: int) -> dict[str, Any]:
    if response is None:
        return {str(status): {"description": "No content"}}
    if response is FILE:
        binary = {"schema": {"type": "string", "format": "binary"}}
        content = {t: binary for t in UPLOAD_TYPES}
        return {
            str(status): {"description": "The file (its type decided from its content)", "content": content}
        }
    content = {"application/json": {"schema": _schema(response)}}
    return {str(status): {"description": "OK", "content": content}}


def _body(name: str) -> dict[str, Any]:
    kind = "multipart/form-data" if name.startswith(MULTIPART) else "application/json"
    return {"required": True, "content": {kind: {"schema": _ref(name.removeprefix(MULTIPART))}}}


def is_public(path: str, method: str) -> bool:
    """Whether ``access.PUBLIC`` lets anonymous callers reach this documented route."""
    url = "/api/v1" + re.sub(r"\{\w+\}", "1", path)
    endpoint, _ = current_app.url_map.bind("localhost").match(url, method=method.upper())
    return access.is_public(endpoint, method.upper())


def _resolve_name(schema: Any) -> str | None:
    return _NAMES.get(schema if isinstance(schema, type) else type(schema))


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    spec = APISpec(
        title="CSR Hub API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "Thai public schools' needs, companies' CSR offers, matches and approvals."},
        servers=[{"url": "/api/v1"}],
        plugins=[MarshmallowPlugin(schema_name_resolver=_resolve_name)],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for name, schema in COMPONENTS.items():
        if name not in spec.components.schemas:  # a nested schema may have brought it in already
            spec.components.schema(name, schema=schema)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, params, body, response, status in ROUTES:
        op: dict[str, Any] = {
            "summary": summary,
            "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
            "responses": {**_answer(response, status), **ERRORS},
        }
        if params:
            op["parameters"] = params
        if body:
            op["requestBody"] = _body(body)
        if not is_public(path, method):
            op["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(path, {})[method] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())

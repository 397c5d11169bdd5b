"""The OpenAPI 3 document, built with apispec from the schemas and the route table below."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from apispec import APISpec
from flask import jsonify

from csr_hub.domain.policy import SELF_REGISTERED_ROLES
from csr_hub.domain.reference import CATEGORIES, QUALITY_GROUPS, REGIONS, URGENCIES
from csr_hub.domain.workflow import ACTIONS, STATUSES
from csr_hub.models.upload import UPLOAD_KINDS, UPLOAD_TYPES
from csr_hub.web.api import bp

S = dict[str, Any]


def _obj(props: S, required: list[str] | None = None, nullable: tuple[str, ...] = ()) -> S:
    for name in nullable:
        props[name] = {**props[name], "nullable": True}
    return {"type": "object", "properties": props, **({"required": required} if required else {})}


INT, NUM, STR, BOOL = {"type": "integer"}, {"type": "number"}, {"type": "string"}, {"type": "boolean"}
DATE, DT = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}
MONEY = {"type": "number", "minimum": 0, "maximum": 1_000_000_000}
ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731

PART = _obj({"score": NUM, "weight": NUM, "reason_th": STR, "reason_en": STR})
SCHEMAS: dict[str, S] = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "code": STR,
                    "message": STR,
                    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STR}},
                },
                ["code", "message", "fields"],
            )
        },
        ["error"],
    ),
    "Province": _obj(
        {
            "code": STR,
            "name_th": STR,
            "name_en": STR,
            "region": {"type": "string", "enum": list(REGIONS)},
            "latitude": NUM,
            "longitude": NUM,
        }
    ),
    "District": _obj(
        {
            "id": INT,
            "code": STR,
            "name_th": STR,
            "name_en": STR,
            "kind": {"type": "string", "enum": ["primary", "secondary"]},
            "province_code": STR,
            "province_codes": {"type": "array", "items": STR},
        }
    ),
    "School": _obj(
        {
            "id": INT,
            "code": STR,
            "name_th": STR,
            "name_en": STR,
            "district_code": STR,
            "province_code": STR,
            "quality_group": {"type": "string", "enum": list(QUALITY_GROUPS)},
            "pupils": INT,
            "teachers": INT,
        }
    ),
    "Company": _obj(
        {"id": INT, "name": STR, "tax_id": STR, "province_code": STR, "verified": BOOL},
        nullable=("province_code",),
    ),
    "User": _obj(
        {
            "id": INT,
            "email": STR,
            "full_name": STR,
            "role": STR,
            "status": {"type": "string", "enum": ["pending", "active", "disabled"]},
            "school_id": INT,
            "company_id": INT,
            "district_code": STR,
        },
        nullable=("school_id", "company_id", "district_code"),
    ),
    "Need": _obj(
        {
            "id": INT,
            "school_id": INT,
            "school_code": STR,
            "district_code": STR,
            "province_code": STR,
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "title": STR,
            "description": STR,
            "quantity": INT,
            "unit": STR,
            "estimated_cost_thb": MONEY,
            "budget_thb": MONEY,
            "needed_by": DATE,
            "urgency": {"type": "string", "enum": list(URGENCIES)},
            "status": {"type": "string", "enum": ["open", "fulfilled", "cancelled", "expired"]},
            "remaining_quantity": INT,
            "possible_duplicates": {"type": "array", "items": INT},
            "review_due": BOOL,
            "created_at": DT,
            "updated_at": DT,
        },
        nullable=("needed_by",),
    ),
    "Offer": _obj(
        {
            "id": INT,
            "company_id": INT,
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "title": STR,
            "description": STR,
            "quantity": INT,
            "unit": STR,
            "value_thb": MONEY,
            "provinces": {"type": "array", "items": STR},
            "available_until": DATE,
            "status": {"type": "string", "enum": ["open", "exhausted", "withdrawn", "expired"]},
            "remaining_quantity": INT,
            "created_at": DT,
            "updated_at": DT,
        },
        nullable=("available_until",),
    ),
    "Transition": _obj(
        {"action": STR, "from_status": STR, "to_status": STR, "actor_id": INT, "at": DT, "note": STR},
        nullable=("from_status", "actor_id"),
    ),
    "Match": _obj(
        {
            "id": INT,
            "need_id": INT,
            "offer_id": INT,
            "quantity": INT,
            "value_thb": MONEY,
            "status": {"type": "string", "enum": list(STATUSES)},
            "proposed_by": {"type": "string", "enum": ["school", "company"]},
            "proposed_by_user_id": INT,
            "score": NUM,
            "parts": {"type": "object", "additionalProperties": PART},
            "received_quantity": INT,
            "due_on": DATE,
            "escalated_at": DT,
            "created_at": DT,
            "updated_at": DT,
            "history": {"type": "array", "items": ref("Transition")},
        },
        nullable=("received_quantity", "due_on", "escalated_at"),
    ),
    "Figures": _obj(
        {
            k: (NUM if k.endswith("_thb") else INT)
            for k in (
                "needs_count",
                "needs_value_thb",
                "budget_thb",
                "pledged_count",
                "pledged_value_thb",
                "approved_count",
                "approved_value_thb",
                "delivered_count",
                "delivered_value_thb",
                "completed_count",
                "gap_thb",
            )
        }
    ),
    "NeedInput": _obj(
        {
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "title": {**STR, "minLength": 1, "maxLength": 200},
            "description": {**STR, "maxLength": 5000},
            "quantity": {**INT, "minimum": 1, "maximum": 1_000_000},
            "unit": {**STR, "maxLength": 50},
            "estimated_cost_thb": MONEY,
            "needed_by": DATE,
            "urgency": {"type": "string", "enum": list(URGENCIES)},
            "budget_thb": MONEY,
        }
    ),
    "OfferInput": _obj(
        {
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "title": {**STR, "minLength": 1, "maxLength": 200},
            "description": {**STR, "maxLength": 5000},
            "quantity": {**INT, "minimum": 1, "maximum": 1_000_000},
            "unit": {**STR, "maxLength": 50},
            "value_thb": MONEY,
            "available_until": DATE,
            "provinces": {"type": "array", "items": STR},
        }
    ),
    "Credentials": _obj({"email": STR, "password": STR, "otp": STR}, ["email", "password"]),
    "Registration": _obj(
        {
            "email": STR,
            "password": STR,
            "full_name": STR,
            "role": {"type": "string", "enum": sorted(r.value for r in SELF_REGISTERED_ROLES)},
            "school_code": STR,
            "company_name": STR,
            "company_tax_id": STR,
            "province_code": STR,
            "accept_privacy": BOOL,
        },
        ["email", "password", "full_name", "role"],
    ),
    "MatchInput": _obj(
        {"need_id": INT, "offer_id": INT, "quantity": INT, "note": STR}, ["need_id", "offer_id", "quantity"]
    ),
    "ActionInput": _obj(
        {"action": {"type": "string", "enum": list(ACTIONS)}, "note": STR, "received_quantity": INT},
        ["action"],
    ),
    "SchoolInput": _obj(
        {
            "code": STR,
            "name_th": STR,
            "name_en": STR,
            "district_code": STR,
            "province_code": STR,
            "quality_group": {"type": "string", "enum": list(QUALITY_GROUPS)},
            "pupils": INT,
            "teachers": INT,
        },
        ["code", "name_th", "district_code"],
    ),
}
SCHEMAS["Upload"] = _obj(
    {
        "id": INT,
        "match_id": INT,
        "kind": {"type": "string", "enum": list(UPLOAD_KINDS)},
        "content_type": {"type": "string", "enum": list(UPLOAD_TYPES)},
        "size": INT,
        "original_name": STR,
        "sha256": STR,
        "uploaded_by_id": INT,
        "created_at": DT,
        "url": STR,
    },
    ["id", "match_id", "kind", "content_type", "size", "url"],
)
SCHEMAS["UploadInput"] = _obj(
    {"kind": {"type": "string", "enum": list(UPLOAD_KINDS)}, "file": {"type": "string", "format": "binary"}},
    ["kind", "file"],
)
SCHEMAS["Summary"] = {
    "allOf": [
        SCHEMAS["Figures"],
        _obj(
            {
                "by_category": {
                    "type": "array",
                    "items": {"allOf": [ref("Figures"), _obj({"category": STR})]},
                },
                "by_quality_group": {
                    "type": "array",
                    "items": {"allOf": [ref("Figures"), _obj({"quality_group": STR})]},
                },
            }
        ),
    ]
}


def _list(item: str) -> S:
    return _obj(
        {"items": {"type": "array", "items": ref(item)}, "total": INT, "page": INT, "per_page": INT},
        ["items", "total", "page", "per_page"],
    )


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]
POST_FILTERS = PAGING + [
    {"name": n, "in": "query", "schema": STR}
    for n in ("status", "category", "district", "province", "quality_group", "urgency", "q", "sort")
]
ID = lambda name: [{"name": name, "in": "path", "required": True, "schema": INT}]  # noqa: E731
LIMIT = [
    {
        "name": "limit",
        "in": "query",
        "description": "suggestions wanted; larger values are capped at 50",
        "schema": {"type": "integer", "minimum": 1, "default": 10},
    }
]
BAND = [
    {
        "name": "band",
        "in": "query",
        "description": "leave out the bands below this one (strong, possible; weak, the default, leaves out none)",
        "schema": {"type": "string", "enum": ["strong", "possible", "weak"]},
    }
]
ERRORS = {
    str(c): {"description": d, "content": {"application/json": {"schema": ref("Error")}}}
    for c, d in (
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


#: a response that is the stored file itself (an upload), not JSON
FILE = {"x-file": True}
#: a request body sent as multipart/form-data (file uploads)
MULTIPART = "multipart:"


def _ok(schema: S | None, code: int = 200) -> dict[str, S]:
    if schema is None:
        return {str(code): {"description": "No content"}}
    if schema is FILE:
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {
            str(code): {
                "description": "The file (its type decided from its content)",
                "content": {t: binary for t in UPLOAD_TYPES},
            }
        }
    return {str(code): {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def _body(name: str) -> S:
    if name.startswith(MULTIPART):
        return {"required": True, "content": {"multipart/form-data": {"schema": ref(name[len(MULTIPART) :])}}}
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


SUGGEST = lambda key, item: _obj(
    {
        "items": {
            "type": "array",
            "items": _obj(  # noqa: E731
                {
                    key: ref(item),
                    "score": NUM,
                    "band": {"type": "string", "enum": ["strong", "possible", "weak"]},
                    "parts": {"type": "object", "additionalProperties": PART},
                }
            ),
        }
    }
)

#: (path, method, summary, parameters, body schema, response, status, public)
ROUTES: list[tuple] = [
    (
        "/auth/login",
        "post",
        "Log in (session cookie)",
        [],
        "Credentials",
        _obj({"user": ref("User"), "csrf_token": STR}),
        200,
        True,
    ),
    ("/auth/csrf", "get", "A CSRF token for session writes", [], None, _obj({"csrf_token": STR}), 200, True),
    ("/auth/logout", "post", "Log out (ends every session of the user)", [], None, None, 204, False),
    ("/auth/me", "get", "The caller", [], None, ref("User"), 200, False),
    (
        "/auth/tokens",
        "post",
        "Create a bearer token (30 days)",
        [],
        "Credentials",
        _obj({"token": STR, "expires_at": DT}),
        201,
        True,
    ),
    ("/auth/tokens/current", "delete", "Revoke the bearer token in use", [], None, None, 204, False),
    (
        "/auth/register",
        "post",
        "Register (pending until verified)",
        [],
        "Registration",
        ref("User"),
        201,
        True,
    ),
    (
        "/users",
        "get",
        "Users the caller may verify",
        PAGING + [{"name": "status", "in": "query", "schema": STR}],
        None,
        _list("User"),
        200,
        False,
    ),
    (
        "/users/{user_id}/verify",
        "post",
        "Verify a pending user",
        ID("user_id"),
        None,
        ref("User"),
        200,
        False,
    ),
    (
        "/provinces",
        "get",
        "Provinces",
        PAGING + [{"name": "region", "in": "query", "schema": STR}],
        None,
        _list("Province"),
        200,
        True,
    ),
    (
        "/districts",
        "get",
        "Educational Service Areas",
        PAGING
        + [
            {"name": "kind", "in": "query", "schema": STR},
            {"name": "province", "in": "query", "schema": STR},
        ],
        None,
        _list("District"),
        200,
        True,
    ),
    (
        "/schools",
        "get",
        "Schools",
        PAGING
        + [{"name": n, "in": "query", "schema": STR} for n in ("district", "province", "quality_group", "q")],
        None,
        _list("School"),
        200,
        True,
    ),
    (
        "/schools",
        "post",
        "Add a school (central officer, admin)",
        [],
        "SchoolInput",
        ref("School"),
        201,
        False,
    ),
    ("/schools/{school_id}", "get", "A school", ID("school_id"), None, ref("School"), 200, True),
    (
        "/companies",
        "get",
        "Verified companies",
        PAGING + [{"name": "q", "in": "query", "schema": STR}],
        None,
        _list("Company"),
        200,
        True,
    ),
    ("/needs", "get", "Needs", POST_FILTERS, None, _list("Need"), 200, True),
    ("/needs", "post", "Post a need (school staff)", [], "NeedInput", ref("Need"), 201, False),
    ("/needs/{need_id}", "get", "A need", ID("need_id"), None, ref("Need"), 200, True),
    (
        "/needs/{need_id}",
        "patch",
        "Edit a need; budget_thb by the ESA director or central officer",
        ID("need_id"),
        "NeedInput",
        ref("Need"),
        200,
        False,
    ),
    ("/needs/{need_id}/cancel", "post", "Cancel a need", ID("need_id"), None, ref("Need"), 200, False),
    (
        "/needs/{need_id}/suggestions",
        "get",
        "Offers that could serve the need, best first",
        ID("need_id") + LIMIT + BAND,
        None,
        SUGGEST("offer", "Offer"),
        200,
        True,
    ),
    ("/offers", "get", "Offers", POST_FILTERS, None, _list("Offer"), 200, True),
    ("/offers", "post", "Post an offer (company rep)", [], "OfferInput", ref("Offer"), 201, False),
    ("/offers/{offer_id}", "get", "An offer", ID("offer_id"), None, ref("Offer"), 200, True),
    ("/offers/{offer_id}", "patch", "Edit an offer", ID("offer_id"), "OfferInput", ref("Offer"), 200, False),
    (
        "/offers/{offer_id}/withdraw",
        "post",
        "Withdraw an offer",
        ID("offer_id"),
        None,
        ref("Offer"),
        200,
        False,
    ),
    (
        "/offers/{offer_id}/suggestions",
        "get",
        "Needs the offer could serve, best first",
        ID("offer_id") + LIMIT + BAND,
        None,
        SUGGEST("need", "Need"),
        200,
        True,
    ),
    (
        "/matches",
        "get",
        "Matches the caller may see",
        PAGING
        + [{"name": n, "in": "query", "schema": STR} for n in ("status", "need_id", "offer_id", "district")],
        None,
        _list("Match"),
        200,
        False,
    ),
    ("/matches", "post", "Propose a match", [], "MatchInput", ref("Match"), 201, False),
    (
        "/matches/{match_id}",
        "get",
        "A match with its history",
        ID("match_id"),
        None,
        ref("Match"),
        200,
        False,
    ),
    (
        "/matches/{match_id}/actions",
        "post",
        "Take a workflow action",
        ID("match_id"),
        "ActionInput",
        ref("Match"),
        200,
        False,
    ),
    (
        "/matches/{match_id}/uploads",
        "get",
        "Files attached to a match (photos of what arrived, delivery notes)",
        ID("match_id"),
        None,
        _obj({"items": {"type": "array", "items": ref("Upload")}}, ["items"]),
        200,
        False,
    ),
    (
        "/matches/{match_id}/uploads",
        "post",
        "Attach a file: the school a photo (JPEG, PNG) once delivered, the company a delivery note (PDF, JPEG, PNG) "
        "once approved; at most 5 MB, type checked by content",
        ID("match_id"),
        MULTIPART + "UploadInput",
        ref("Upload"),
        201,
        False,
    ),
    (
        "/matches/{match_id}/uploads/{upload_id}",
        "get",
        "The file, to those who may see the match (others 404)",
        ID("match_id") + ID("upload_id"),
        None,
        FILE,
        200,
        False,
    ),
    (
        "/reports/summary",
        "get",
        "Report figures, national or one ESA's",
        [{"name": "district", "in": "query", "schema": STR}],
        None,
        ref("Summary"),
        200,
        True,
    ),
]

# the clock and notifications (web/api/notifications.py)
SCHEMAS["Notification"] = _obj(
    {
        "id": INT,
        "kind": {
            "type": "string",
            "enum": ["match_changed", "new_strong_match", "reminder", "escalated", "partnership_changed"],
        },
        "match_id": INT,
        "need_id": INT,
        "offer_id": INT,
        "partnership_id": INT,
        "message": STR,
        "read": BOOL,
        "created_at": DT,
    },
    nullable=("match_id", "need_id", "offer_id", "partnership_id"),
)
ROUTES.extend(
    [
        (
            "/notifications",
            "get",
            "The caller's notifications, newest first (message in the caller's language)",
            PAGING + [{"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}],
            None,
            _list("Notification"),
            200,
            False,
        ),
        (
            "/notifications/{notification_id}/read",
            "post",
            "Mark one of the caller's notifications read (another user's: 404)",
            ID("notification_id"),
            None,
            ref("Notification"),
            200,
            False,
        ),
        (
            "/needs/{need_id}/confirm",
            "post",
            "The need still stands (its school's staff): restarts the review count, reopens an expired need",
            ID("need_id"),
            None,
            ref("Need"),
            200,
            False,
        ),
    ]
)

# partnerships, donation records and statements: their marshmallow schemas describe them
from csr_hub.web.api.schemas import donations as _donation_schemas  # noqa: E402
from csr_hub.web.api.schemas import partnerships as _partnership_schemas  # noqa: E402

from csr_hub.web.api import jobs as _jobs_api  # noqa: E402

for _mod in (_partnership_schemas, _donation_schemas, _jobs_api):
    SCHEMAS.update(_mod.openapi_schemas())
    ROUTES.extend(_mod.openapi_routes())


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    spec = APISpec(
        title="CSR Hub API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "Thai public schools' needs, companies' CSR offers, matches and approvals."},
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, params, body, response, status, public in ROUTES:
        op: dict[str, Any] = {
            "summary": summary,
            "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
            "responses": {**_ok(response, status), **ERRORS},
        }
        if params:
            op["parameters"] = params
        if body:
            op["requestBody"] = _body(body)
        if not public:
            op["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(path, {})[method] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())

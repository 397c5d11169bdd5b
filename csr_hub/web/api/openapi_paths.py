"""The route table of the OpenAPI document: one row per API route (``tests/security/test_sec_schema.py``
checks that it and the app's routes are the same set). Who may call a route without logging in is read
from ``csr_hub/web/access.py``'s PUBLIC table, not written here.

Each operation is ``op(summary, response, parameters, body=…, status=…)``: ``response`` is a component's
name, a schema (inlined unless it is a component), ``FILE`` or None (no content); ``body`` names a component
(``"multipart:<name>"`` for a form with a file). ``ROUTES`` flattens them to ``(path, method, summary,
parameters, body, response, status)`` rows.
"""

from __future__ import annotations

from typing import Any

from csr_hub.domain.policy import Band
from csr_hub.web.api.schemas.accounts import CsrfOut, LoggedIn, TokenOut, UserOut
from csr_hub.web.api.schemas.common import NotificationOut, page_of
from csr_hub.web.api.schemas.donations import DonationOut
from csr_hub.web.api.schemas.matches import MatchOut, UploadList
from csr_hub.web.api.schemas.partnerships import PartnershipOut
from csr_hub.web.api.schemas.posts import NeedOut, NeedSuggestions, OfferOut, OfferSuggestions
from csr_hub.web.api.schemas.reference import CompanyOut, DistrictOut, ProvinceOut, SchoolOut

#: a response that is the stored file itself (an upload), not JSON
FILE = {"x-file": True}
#: a request body sent as multipart/form-data (file uploads)
MULTIPART = "multipart:"


def query(*names: str, **typed: dict[str, Any]) -> list[dict[str, Any]]:
    """Query parameters: strings by name, others with their schema."""
    plain = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in names]
    return plain + [{"name": n, "in": "query", "schema": s} for n, s in typed.items()]


def ident(*names: str, kind: str = "integer") -> list[dict[str, Any]]:
    return [{"name": n, "in": "path", "required": True, "schema": {"type": kind}} for n in names]


PAGING = query(page={"type": "integer", "minimum": 1}, per_page={"type": "integer", "minimum": 1})
POST_FILTERS = PAGING + query(*"status category district province quality_group urgency q sort".split())
SUGGESTING = [
    {
        "name": "limit",
        "in": "query",
        "description": "suggestions wanted; larger values are capped at 50",
        "schema": {"type": "integer", "minimum": 1, "default": 10},
    },
    {
        "name": "band",
        "in": "query",
        "description": "leave out the bands below this one (strong, possible; weak, the default, leaves out none)",
        "schema": {"type": "string", "enum": [b.value for b in Band]},
    },
]
YEAR = {"type": "integer", "description": "Gregorian year (of receipt)"}


def op(
    summary: str, response: Any, params: list | None = None, *, body: str | None = None, status: int = 200
):
    return summary, params or [], body, response, status


NEED_ID, OFFER_ID, MATCH_ID = ident("need_id"), ident("offer_id"), ident("match_id")
PARTNERSHIP_ID = ident("partnership_id")

PATHS: dict[str, dict[str, tuple]] = {
    # accounts and sessions
    "/auth/login": {"post": op("Log in (session cookie)", LoggedIn, body="Credentials")},
    "/auth/csrf": {"get": op("A CSRF token for session writes", CsrfOut)},
    "/auth/logout": {"post": op("Log out (ends every session of the user)", None, status=204)},
    "/auth/me": {"get": op("The caller", "User")},
    "/auth/tokens": {"post": op("Create a bearer token (30 days)", TokenOut, body="Credentials", status=201)},
    "/auth/tokens/current": {"delete": op("Revoke the bearer token in use", None, status=204)},
    "/auth/register": {
        "post": op("Register (pending until verified)", "User", body="Registration", status=201)
    },
    "/users": {"get": op("Users the caller may verify", page_of(UserOut), PAGING + query("status"))},
    "/users/{user_id}/verify": {"post": op("Verify a pending user", "User", ident("user_id"))},
    # reference data
    "/provinces": {"get": op("Provinces", page_of(ProvinceOut), PAGING + query("region"))},
    "/districts": {
        "get": op("Educational Service Areas", page_of(DistrictOut), PAGING + query("kind", "province")),
    },
    "/schools": {
        "get": op(
            "Schools", page_of(SchoolOut), PAGING + query("district", "province", "quality_group", "q")
        ),
        "post": op("Add a school (central officer, admin)", "School", body="SchoolInput", status=201),
    },
    "/schools/{school_id}": {"get": op("A school", "School", ident("school_id"))},
    "/companies": {"get": op("Verified companies", page_of(CompanyOut), PAGING + query("q"))},
    # needs and offers
    "/needs": {
        "get": op("Needs", page_of(NeedOut), POST_FILTERS),
        "post": op("Post a need (school staff)", "Need", body="NeedInput", status=201),
    },
    "/needs/{need_id}": {
        "get": op("A need", "Need", NEED_ID),
        "patch": op(
            "Edit a need; budget_thb by the ESA director or central officer",
            "Need",
            NEED_ID,
            body="NeedUpdate",
        ),
    },
    "/needs/{need_id}/cancel": {"post": op("Cancel a need", "Need", NEED_ID)},
    "/needs/{need_id}/confirm": {
        "post": op(
            "The need still stands (its school's staff): restarts the review count, reopens an expired need",
            "Need",
            NEED_ID,
        ),
    },
    "/needs/{need_id}/suggestions": {
        "get": op("Offers that could serve the need, best first", OfferSuggestions, NEED_ID + SUGGESTING),
    },
    "/offers": {
        "get": op("Offers", page_of(OfferOut), POST_FILTERS),
        "post": op("Post an offer (company rep)", "Offer", body="OfferInput", status=201),
    },
    "/offers/{offer_id}": {
        "get": op("An offer", "Offer", OFFER_ID),
        "patch": op("Edit an offer", "Offer", OFFER_ID, body="OfferUpdate"),
    },
    "/offers/{offer_id}/withdraw": {"post": op("Withdraw an offer", "Offer", OFFER_ID)},
    "/offers/{offer_id}/suggestions": {
        "get": op("Needs the offer could serve, best first", NeedSuggestions, OFFER_ID + SUGGESTING),
    },
    # matches and the files attached to them
    "/matches": {
        "get": op(
            "Matches the caller may see",
            page_of(MatchOut),
            PAGING + query("status", "need_id", "offer_id", "district"),
        ),
        "post": op("Propose a match", "Match", body="MatchInput", status=201),
    },
    "/matches/{match_id}": {"get": op("A match with its history", "Match", MATCH_ID)},
    "/matches/{match_id}/actions": {
        "post": op("Take a workflow action", "Match", MATCH_ID, body="ActionInput")
    },
    "/matches/{match_id}/uploads": {
        "get": op("Files attached to a match (photos of what arrived, delivery notes)", UploadList, MATCH_ID),
        "post": op(
            "Attach a file: the school a photo (JPEG, PNG) once delivered, the company a delivery note (PDF, "
            "JPEG, PNG) once approved; at most 5 MB, type checked by content",
            "Upload",
            MATCH_ID,
            body=MULTIPART + "UploadInput",
            status=201,
        ),
    },
    "/matches/{match_id}/uploads/{upload_id}": {
        "get": op(
            "The file, to those who may see the match (others 404)", FILE, ident("match_id", "upload_id")
        ),
    },
    "/reports/summary": {"get": op("Report figures, national or one ESA's", "Summary", query("district"))},
    # the clock and notifications
    "/notifications": {
        "get": op(
            "The caller's notifications, newest first (message in the caller's language)",
            page_of(NotificationOut),
            PAGING + query(unread={"type": "string", "enum": ["0", "1"]}),
        ),
    },
    "/notifications/{notification_id}/read": {
        "post": op(
            "Mark one of the caller's notifications read (another user's: 404)",
            "Notification",
            ident("notification_id"),
        ),
    },
    # partnerships, donation records, statements
    "/partnerships": {
        "get": op(
            "Partnerships the caller may see",
            page_of(PartnershipOut),
            PAGING + query("status", "school_id", "company_id"),
        ),
        "post": op(
            "Propose to adopt a school for one to five years (company rep)",
            "Partnership",
            body="PartnershipInput",
            status=201,
        ),
    },
    "/partnerships/{partnership_id}": {
        "get": op("A partnership, its history and years", "Partnership", PARTNERSHIP_ID),
    },
    "/partnerships/{partnership_id}/actions": {
        "post": op(
            "accept / decline (the school's ESA director, a proposed one) or end (an active one, with a note)",
            "Partnership",
            PARTNERSHIP_ID,
            body="PartnershipActionInput",
        ),
    },
    "/donations": {
        "get": op(
            "Donation records (completed matches) the caller may see",
            page_of(DonationOut),
            PAGING + query("company_id", "school_id", "district", year=YEAR),
        ),
    },
    "/companies/{company_id}/statement": {
        "get": op(
            "A company's annual CSR statement (its reps, central officers, admins)",
            "Statement",
            ident("company_id") + query(year={**YEAR, "description": "YYYY; default this year"}),
        ),
    },
    # jobs
    "/jobs/{job_id}": {
        "get": op(
            "A background job's status and progress (its starter, central officers, admins; others 404)",
            "JobFollowed",
            ident("job_id", kind="string"),
        ),
    },
    "/match-runs": {
        "post": op(
            "Start the batch match as a job (central officers, admins) → 202 with the job",
            "JobStarted",
            body="MatchRunRequest",
            status=202,
        ),
    },
}

#: ``(path, method, summary, parameters, body, response, status)``, one row per route
ROUTES: list[tuple] = [(path, method, *o) for path, ops in PATHS.items() for method, o in ops.items()]

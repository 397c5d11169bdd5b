"""Public pages and lists for anonymous visitors, served from the report cache's generation-keyed store.

At national size the public routes (the home page, ``/needs``, a need's page, ``/api/v1/needs`` …) spend
their time listing and scoring rows that change far less often than they are read. An anonymous visitor
sees exactly what every other anonymous visitor sees in the same language, so the whole response is
kept under the report cache's *generation* (:mod:`csr_hub.services.reporting.cache`): any committed write
to the tables these routes read moves the generation on, and the next visitor gets a freshly rendered
response — exact, not "eventually". Without Redis a write made by another process shows after at most
``REPORT_CACHE_SECONDS``, the bound that also keeps "today" (expiry, days waiting) current.

Never cached: logged-in users and API callers with a token, requests that change the session (``?lang=``,
a pending flash message), responses that rendered a CSRF token or set a cookie, anything but a 200.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request, session
from flask_login import current_user

from csr_hub.domain.reference import today_bangkok
from csr_hub.extensions import db
from csr_hub.services.reporting import cache as figure_cache

log = logging.getLogger(__name__)

#: the public GET endpoints whose anonymous response depends only on the URL, the language and the data
ENDPOINTS = frozenset(
    {
        "main.index",
        "main.school_page",
        "main.company_page",
        "main.companies_recognition",
        "needs.list_needs",
        "needs.show_need",
        "offers.list_offers",
        "offers.show_offer",
        "api.list_needs",
        "api.list_offers",
        "api.get_need",
        "api.get_offer",
        "api.need_suggestions",
        "api.offer_suggestions",
        "api.schools",
        "api.school",
    }
)
#: response headers never replayed from the cache (the rest, e.g. Content-Type and Link, are)
_DROPPED = frozenset({"set-cookie", "content-length", "x-page-cache"})
#: request headers that make the answer depend on the caller
_PERSONAL = ("Authorization", "If-None-Match", "If-Modified-Since")


def caller_scope() -> tuple:
    """What a response kept for a signed-in caller depends on besides the data: their role and status
    (what they may see and do), their ESA, school and company, the query and the day (what is due, days
    waited). Part of the key of every kept personal response (a dashboard's sections, the match list)."""
    u = current_user
    return (
        str(u.role),
        str(u.status),
        u.district_id,
        u.school_id,
        u.company_id,
        request.query_string,
        today_bangkok(),
    )


def _cache():
    if request.method != "GET" or request.endpoint not in ENDPOINTS:
        return None
    if "lang" in request.args or "_flashes" in session or any(h in request.headers for h in _PERSONAL):
        return None
    if current_user.is_authenticated:
        return None
    return figure_cache.cache_for(db.session)


def _lookup():
    g.pop("page_cache_hit", None)  # an app context pushed around several requests (tests, tasks) keeps g
    g.pop("page_cache_key", None)
    cache = _cache()
    if cache is None:
        return None
    from csr_hub.web.i18n import select_locale

    try:
        key = cache.key("page", request.full_path, select_locale())
    except Exception:  # the store is unreachable: the page is made as if nothing were cached
        log.warning("page cache unavailable", exc_info=True)
        return None
    hit = cache.lookup(key, stale_ok=cache.allow_stale(cache))
    if hit is None:
        g.page_cache_key = (cache, key)  # stored under the generation read before the page was made
        return None
    body, headers = hit
    g.page_cache_hit = True
    response = Response(body, status=200, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(response: Response) -> Response:
    pending = g.pop("page_cache_key", None)
    if pending is None or g.get("page_cache_hit"):
        return response
    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "csrf_token" in g  # the page carries a form token tied to this visitor's session
        or session.modified
        or "Set-Cookie" in response.headers
    ):
        return response
    cache, key = pending
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED]
    cache.store(key, (response.get_data(), headers))
    response.headers["X-Page-Cache"] = "miss"
    return response


def init_app(app: Flask) -> None:
    """Register last: the look-up runs after the login, token and TOTP checks, the store before the
    security headers are added (after_request functions run in reverse), so a hit gets them afresh."""
    app.before_request(_lookup)
    app.after_request(_store)

"""Who may be served a report figure or public page made old by a write (the report cache's stale window).

The window (``REPORT_STALE_SECONDS``, :mod:`csr_hub.services.reporting.cache`) holds only inside a request
and only for someone who has not written lately: a request that commits a write to the tables the figures
read marks its user for one window, in the shared store when there is one (so the mark holds on every
node), and that user is served fresh figures until it lapses. Outside a request (exports, jobs, the CLI)
every figure is exact.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context
from flask_login import current_user

from csr_hub.services.reporting.cache import FigureCache


def _user_id() -> str | None:
    return current_user.get_id() if current_user.is_authenticated else None


def allow_stale(cache: FigureCache) -> bool:
    if not cache.stale_seconds or not has_request_context():
        return False
    if g.get("csr_wrote_figures"):
        return False  # this request wrote: what it reads next shows the write
    if "csr_wrote_lately" not in g:
        g.csr_wrote_lately = cache.wrote_lately(_user_id())
    return not g.csr_wrote_lately


def note_write(cache: FigureCache) -> None:
    if has_request_context():
        g.csr_wrote_figures = cache


def _after(response: Response) -> Response:
    cache = g.pop("csr_wrote_figures", None)
    if cache is not None:
        cache.mark_wrote(_user_id())
    return response


def init_app(app: Flask, cache: FigureCache) -> None:
    cache.allow_stale = allow_stale
    cache.on_write = note_write
    app.after_request(_after)

"""The JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from csr_hub.extensions import csrf
from csr_hub.web.access import WRITE_METHODS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

#: writes that need no CSRF token (they create the session or use no cookie)
CSRF_FREE = frozenset({"api.login", "api.create_token", "api.register"})


@bp.before_request
def _csrf_for_session_writes():
    if request.method not in WRITE_METHODS or request.endpoint in CSRF_FREE:
        return None
    if g.get("api_token") is not None:
        return None
    from flask import current_app

    if current_app.config.get("WTF_CSRF_ENABLED", True) and current_user.is_authenticated:
        csrf.protect()  # raises CSRFError → 400 csrf_failed
    return None


from csr_hub.web.api import auth, jobs, matches, openapi, posts, reference, reports, uploads  # noqa: E402,F401
from csr_hub.web.api import donations, partnerships  # noqa: E402,F401
from csr_hub.web.api import notifications  # noqa: E402,F401

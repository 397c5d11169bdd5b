"""Each role's landing page and queue."""

from __future__ import annotations

import re
from typing import Callable

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from csr_hub.domain.policy import Role, role_of
from csr_hub.extensions import db
from csr_hub.services import accounts, dashboards, matches
from csr_hub.services.reporting import cache as figure_cache
from csr_hub.services.posts import parse_paging
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import ok
from csr_hub.web.i18n import select_locale
from csr_hub.web import page_cache
from csr_hub.web.once import new_token
from csr_hub.web.security import client_ip

bp = Blueprint("dashboard", __name__)

#: the action a waiting row's button takes, the first the user may take of these
QUICK_ACTIONS = ("accept", "approve", "deliver", "confirm")
#: where the matcher's vocabulary page may live (the matcher feature names it); the first that exists
VOCABULARY_ENDPOINTS = ("admin.vocabulary", "vocabulary.index", "matching.vocabulary", "admin.vocab")


def vocabulary_url() -> str | None:
    """The page where central officers add words to the matcher's vocabulary, when the app has one."""
    for endpoint in VOCABULARY_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    for rule in current_app.url_map.iter_rules():
        if "vocab" in rule.endpoint and "GET" in (rule.methods or ()) and not rule.arguments:
            return url_for(rule.endpoint)
    return None


def _next_action(user):
    def pick(m) -> str | None:
        allowed = matches.allowed_actions_for(user, m)
        return next((a for a in QUICK_ACTIONS if a in allowed), None)

    return pick


#: what a kept section holds where each request's own form tokens go
_CSRF_SLOT, _ACTION_SLOT = "__csrf_token_slot__", "__action_token_slot__"
_ACTION_SLOTS = re.compile(_ACTION_SLOT)
#: the template of each section kept between requests (``dashboards.parts_for`` names them)
SECTIONS = {
    "queue": "dashboard/_queue_section.html",
    "needs": "dashboard/_needs_section.html",
    "duplicates": "dashboard/_duplicates_section.html",
    "unrecognised": "dashboard/_unrecognised_section.html",
    "partnerships": "partnerships/_dashboard.html",  # it reads its rows itself (``esa_partnerships``)
}


def section(template: str, ctx: dict, load: Callable[[], dict]) -> Markup:
    """A section of the dashboard (its rows and cards are most of the page's work), kept rendered under
    the report cache's generation: any committed write to the tables it shows moves the generation on,
    so it is never shown stale, and while it is kept its rows are not read at all (``load`` is called
    only to render it). It is kept for this user as they are (role, status, ESA: what they may do to each
    card; their ESA, school or company), the page, the language and the day (days waited); the CSRF token and each card's one-time
    action token are filled in fresh for every request."""
    cache = figure_cache.cache_for(db.session)
    if cache is None:
        return Markup(render_template(template, **ctx, **load()))
    key = cache.key(
        "dashboard-section",
        template,
        current_user.id,
        *page_cache.caller_scope(),
        select_locale(),
        # the page's plain settings the section may show (the vocabulary page's address …)
        sorted((k, v) for k, v in ctx.items() if v is None or type(v) in (str, int, float, bool)),
    )
    html = cache.lookup(key)
    if html is None:
        html = render_template(
            template, **ctx, **load(), csrf_token=lambda: _CSRF_SLOT, action_token=lambda: _ACTION_SLOT
        )
        cache.store(key, html)
    html = html.replace(_CSRF_SLOT, generate_csrf())
    return Markup(_ACTION_SLOTS.sub(lambda _m: new_token(), html))


@bp.get("/dashboard")
@roles_required(active=False)
def index():
    u = current_user
    page, _per_page = parse_paging({"page": request.args.get("page")})  # a bad page: a clear 422
    ctx, sections = dashboards.parts_for(db.session, u, page)
    if role_of(u) == Role.CENTRAL_OFFICER:
        ctx["vocabulary_url"] = vocabulary_url()
    ctx["next_action"] = _next_action(u)
    for name, load in sections.items():
        ctx[f"{name}_section"] = section(SECTIONS[name], ctx, load)
    return render_template("dashboard/index.html", form=ConfirmForm(), **ctx)


@bp.post("/dashboard/verify/<int:user_id>")
@roles_required(Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN)
def verify(user_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.verify(db.session, current_user, user_id, ip=client_ip())
        db.session.commit()
        ok(_("%(name)s is verified.", name=user.full_name))
    return redirect(url_for("dashboard.index"))

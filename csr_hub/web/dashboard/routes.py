"""Each role's landing page and queue."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.domain.policy import Role, role_of
from csr_hub.extensions import db
from csr_hub.services import accounts, dashboards, matches
from csr_hub.services.posts import parse_paging
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import ok
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


@bp.get("/dashboard")
@roles_required(active=False)
def index():
    u = current_user
    page, _per_page = parse_paging({"page": request.args.get("page")})  # a bad page: a clear 422
    ctx = dashboards.for_user(db.session, u, page)
    if role_of(u) == Role.CENTRAL_OFFICER:
        ctx["vocabulary_url"] = vocabulary_url()
    return render_template("dashboard/index.html", form=ConfirmForm(), next_action=_next_action(u), **ctx)


@bp.post("/dashboard/verify/<int:user_id>")
@roles_required(Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN)
def verify(user_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.verify(db.session, current_user, user_id, ip=client_ip())
        db.session.commit()
        ok(_("%(name)s is verified.", name=user.full_name))
    return redirect(url_for("dashboard.index"))

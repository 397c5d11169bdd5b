"""Match pages: propose (from a suggestion or a chosen need/offer), show with history, act.

A proposal posts, then redirects back (post / redirect / get) with its errors kept for the page it came
from. An action posts to the match page's own address and is taken the way every page action is
(web/page_actions.py): done, it redirects there; refused, the same page answers with the refusal's status
(409 or 422, the contract's codes), the errors next to their fields and a summary at the top; a form sent
again once it was done (its one-time token claimed) acts on nothing and redirects to the page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.domain.policy import MatchStatus, Role
from csr_hub.extensions import db
from csr_hub.services import match_page, matches, notify
from csr_hub.services.errors import ServiceError
from csr_hub.web import page_actions
from csr_hub.web.access import roles_required
from csr_hub.web.forms import ok, stash_form
from csr_hub.web.needs.forms import ProposeForm
from csr_hub.web.security import client_ip

bp = Blueprint("matches", __name__)
bp.add_app_template_global(page_actions.action_token, "action_token")

#: a match action form's one-time token is claimed under "<this>:<match id>" (web/page_actions.py)
ACT_ROUTE = "page:matches.act"

#: the step bar: the statuses a match passes on its way, in order (district approval sits in "approved")
STEPS: tuple[str, ...] = ("proposed", "pledged", "approved", "delivered", "completed")
_STEP_OF = {
    MatchStatus.PROPOSED: 0,
    MatchStatus.PLEDGED: 1,
    MatchStatus.DISTRICT_APPROVED: 1,
    MatchStatus.APPROVED: 2,
    MatchStatus.DELIVERED: 3,
    MatchStatus.COMPLETED: 4,
}
#: the action that moves each status forward (shown first); the destructive ones are shown apart
MAIN_ACTIONS = ("accept", "approve", "deliver", "confirm")
DESTRUCTIVE_ACTIONS = ("decline", "reject", "withdraw")
#: the key a proposal's errors wait under until its page is shown again
PROPOSE_KEY = "propose"


def _back() -> str:
    ref = request.referrer
    return ref if ref and ref.startswith(request.host_url) else url_for("dashboard.index")


def _with_fragment(url: str, fragment: str) -> str:
    return url.split("#", 1)[0] + "#" + fragment


@bp.post("/matches")
@roles_required(Role.SCHOOL_STAFF, Role.COMPANY_REP)
def propose():
    form = ProposeForm()
    values = {k: request.form.get(k, "") for k in ("need_id", "offer_id", "quantity", "note")}
    if not form.validate_on_submit():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        if "csrf_token" in errors:
            flash(" ".join(errors.pop("csrf_token")), "error")
        stash_form(PROPOSE_KEY, errors, values)
        return redirect(_with_fragment(_back(), "error-summary"), 303)
    try:
        data = {
            "need_id": form.need_id.data,
            "offer_id": form.offer_id.data,
            "quantity": form.quantity.data,
            "note": form.note.data or "",
        }
        match_id = matches.propose(db.session, current_user, data, ip=client_ip()).id
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        if not errors:
            errors = {"quantity" if exc.status == 409 else "_form": [str(exc.message)]}
        stash_form(PROPOSE_KEY, errors, values)
        return redirect(_with_fragment(_back(), "error-summary"), 303)
    notify.send_for_match(db.session, match_id)
    ok(_("Match proposed. The other side has been notified."))
    return redirect(url_for("matches.show_match", match_id=match_id), 303)


def steps_for(match) -> dict:
    """Where the match stands on the step bar: the index reached, and whether it stopped there."""
    reached = _STEP_OF.get(match.status)
    stopped = reached is None
    if stopped:  # declined, rejected, withdrawn, expired: the furthest step it had reached
        reached = max((_STEP_OF.get(t.to_status, 0) for t in match.history), default=0)
    return {"names": STEPS, "reached": reached, "stopped": stopped}


def _render(match_id: int, status: int = 200, errors: dict | None = None, values: dict | None = None):
    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    facts = match_page.load(db.session, current_user, match_id, threshold)
    match, allowed = facts.match, facts.actions
    return render_template(
        "matches/show.html",
        match=match,
        actions=allowed,
        main_actions=[a for a in allowed if a not in DESTRUCTIVE_ACTIONS],
        destructive_actions=[a for a in allowed if a in DESTRUCTIVE_ACTIONS],
        turn=facts.turn,
        due_on=getattr(match, "due_on", None),
        steps=steps_for(match),
        above_threshold=facts.above_threshold,
        # the badge is true only while the central approval is still to come
        needs_central=facts.needs_central,
        **page_actions.form_state(errors, values),
    ), status


@bp.get("/matches/<int:match_id>")
@roles_required(active=False)
def show_match(match_id: int):
    return _render(match_id)


@bp.post("/matches/<int:match_id>/actions")  # the older address, still answered
@bp.post("/matches/<int:match_id>")
@roles_required()
def act(match_id: int):
    # CSRFProtect has checked the token before the view runs
    data = {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    if request.form.get("received_quantity", "") != "":
        data["received_quantity"] = request.form.get("received_quantity")
    threshold = current_app.config["CSR_CENTRAL_THRESHOLD_THB"]
    return page_actions.run(
        ACT_ROUTE,
        match_id,
        lambda: matches.act(db.session, current_user, match_id, data, threshold, ip=client_ip()),
        lambda status, errors, values: _render(match_id, status, errors, values),
        url_for("matches.show_match", match_id=match_id),
        {k: str(v) for k, v in data.items()},
        after=lambda: notify.send_for_match(db.session, match_id),
    )

"""Match pages: propose (from a suggestion or a chosen need/offer), show with history, act."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.domain import workflow
from csr_hub.extensions import db
from csr_hub.services import matches, notify
from csr_hub.services.errors import ServiceError
from csr_hub.web.access import roles_required
from csr_hub.web.forms import ok
from csr_hub.web.needs.forms import ProposeForm
from csr_hub.web.security import client_ip

bp = Blueprint("matches", __name__)


def _back() -> str:
    ref = request.referrer
    return ref if ref and ref.startswith(request.host_url) else url_for("dashboard.index")


@bp.post("/matches")
@roles_required("school_staff", "company_rep")
def propose():
    form = ProposeForm()
    if not form.validate_on_submit():
        for name, errs in form.errors.items():
            label = getattr(getattr(form, name, None), "label", None)
            prefix = f"{label.text}: " if label is not None and label.text and name != "csrf_token" else ""
            flash(prefix + " ".join(str(e) for e in errs), "error")
        return redirect(_back(), 303)
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
        msgs = [str(m) for v in exc.fields.values() for m in v] or [str(exc.message)]
        flash(" ".join(msgs), "error")
        return redirect(_back(), 303)
    notify.send_for_match(db.session, match_id)
    ok(_("Match proposed. The other side has been notified."))
    return redirect(url_for("matches.show_match", match_id=match_id), 303)


def _render(
    match_id: int,
    status: int = 200,
    errors: dict | None = None,
    failed: str | None = None,
    values: dict | None = None,
):
    match = matches.get_match(db.session, current_user, match_id)
    actions = matches.allowed_actions_for(current_user, match)
    turn = workflow.whose_turn(match.status, match.proposed_by)
    return render_template(
        "matches/show.html",
        match=match,
        actions=actions,
        turn=turn.value if turn else None,
        threshold=current_app.config["CSR_CENTRAL_THRESHOLD_THB"],
        errors=errors or {},
        failed=failed,
        values=values or {},
    ), status


@bp.get("/matches/<int:match_id>")
@roles_required(active=False)
def show_match(match_id: int):
    return _render(match_id)


@bp.post("/matches/<int:match_id>/actions")
@roles_required()
def act(match_id: int):
    # CSRFProtect has checked the token before the view runs
    data = {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    if request.form.get("received_quantity", "") != "":
        data["received_quantity"] = request.form.get("received_quantity")
    try:
        matches.act(
            db.session,
            current_user,
            match_id,
            data,
            current_app.config["CSR_CENTRAL_THRESHOLD_THB"],
            ip=client_ip(),
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404) or exc.status not in (409, 422):
            raise
        shown = ("note", "received_quantity")  # shown next to their fields on the page
        if exc.status == 409 or not any(k in shown for k in exc.fields):
            others = [str(m) for k, v in exc.fields.items() if k not in shown for m in v]
            flash(" ".join(others) or str(exc.message), "error")
        errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        return _render(match_id, exc.status, errors, failed=data["action"], values=data)
    notify.send_for_match(db.session, match_id)
    ok(_("Done."))
    return redirect(url_for("matches.show_match", match_id=match_id), 303)

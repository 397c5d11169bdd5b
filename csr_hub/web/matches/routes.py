"""Match pages: propose (from a suggestion or a chosen need/offer), show with history, act."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import matches, notify
from csr_hub.services.errors import ServiceError
from csr_hub.web.access import roles_required
from csr_hub.web.forms import ok
from csr_hub.web.needs.forms import ProposeForm
from csr_hub.web.security import client_ip

bp = Blueprint("matches", __name__)


@bp.post("/matches")
@roles_required("school_staff", "company_rep")
def propose():
    form = ProposeForm()
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("dashboard.index")
    if not form.validate_on_submit():
        for errs in form.errors.values():
            flash(" ".join(str(e) for e in errs), "error")
        return redirect(back)
    try:
        match = matches.propose(db.session, current_user, {"need_id": form.need_id.data, "offer_id": form.offer_id.data,
                                                           "quantity": form.quantity.data, "note": form.note.data or ""},
                                ip=client_ip())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        msgs = [str(m) for v in exc.fields.values() for m in v] or [str(exc.message)]
        flash(" ".join(msgs), "error")
        return redirect(back)
    notify.send_pending(db.session)
    ok(_("Match proposed. The other side has been notified."))
    return redirect(url_for("matches.show_match", match_id=match.id))


@bp.get("/matches/<int:match_id>")
@roles_required(active=False)
def show_match(match_id: int):
    match = matches.get_match(db.session, current_user, match_id)
    actions = matches.allowed_actions_for(current_user, match)
    return render_template("matches/show.html", match=match, actions=actions, form=ProposeForm(),
                           threshold=current_app.config["CSR_CENTRAL_THRESHOLD_THB"])


@bp.post("/matches/<int:match_id>/actions")
@roles_required()
def act(match_id: int):
    from flask_wtf import FlaskForm
    FlaskForm().validate_on_submit()  # CSRF is checked by CSRFProtect before we get here
    data = {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    if request.form.get("received_quantity", "") != "":
        data["received_quantity"] = request.form.get("received_quantity")
    try:
        matches.act(db.session, current_user, match_id, data, current_app.config["CSR_CENTRAL_THRESHOLD_THB"],
                    ip=client_ip())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        msgs = [str(m) for v in exc.fields.values() for m in v] or [str(exc.message)]
        flash(" ".join(msgs), "error")
        return redirect(url_for("matches.show_match", match_id=match_id), 303)
    notify.send_pending(db.session)
    ok(_("Done."))
    return redirect(url_for("matches.show_match", match_id=match_id), 303)

"""LINE: the webhook that binds a LINE user to an account, and the page where a user picks channels."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.labels import _p, say
from csr_hub.extensions import csrf, db
from csr_hub.models import LineLink
from csr_hub.services import line, notify
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import ok

bp = Blueprint("line", __name__)

WELCOME = _p("line", "Your CSR Hub account ({name}) is now linked to LINE\n{link}")


@bp.post("/line/webhook")
@csrf.exempt
def webhook():
    """LINE calls this; the X-Line-Signature (HMAC-SHA256 of the body with the channel secret) is checked
    before anything is read, and a bad one answers 400 with nothing changed."""
    if not line.configured():
        abort(404)
    from linebot.v3.exceptions import InvalidSignatureError

    body = request.get_data(as_text=True)
    try:
        events = line.parse_webhook(
            body, request.headers.get("X-Line-Signature", ""), current_app.config["LINE_CHANNEL_SECRET"]
        )
    except InvalidSignatureError:
        return jsonify({"error": {"code": "bad_request", "message": "Invalid signature.", "fields": {}}}), 400
    except Exception:  # a signed body that is not a webhook payload
        return jsonify({"error": {"code": "bad_request", "message": "Invalid payload.", "fields": {}}}), 400
    bound = line.handle_events(db.session, events)
    db.session.commit()
    for user in bound:
        link = db.session.query(LineLink).filter_by(user_id=user.id).one()
        try:  # a welcome in the user's LINE chat; a failure here must not make LINE retry the webhook
            line.push_text(
                current_app.config,
                link.line_user_id or "",
                say(WELCOME, "th", name=user.full_name, link=line.link_url(current_app.config, None, None)),
            )
        except Exception:
            current_app.logger.warning("LINE welcome push failed for user %s", user.id)
    return jsonify({"ok": True})


@bp.route("/account/notifications", methods=["GET", "POST"])
@roles_required(active=False)
def channels():
    """Which channels each kind of notification goes by, and the LINE link code."""
    form = ConfirmForm()
    offered = line.configured()
    link = db.session.query(LineLink).filter_by(user_id=current_user.id).one_or_none()
    if request.method == "POST" and form.validate_on_submit():
        what = request.form.get("do", "save")
        if what == "code" and offered:
            link = line.link_for(db.session, current_user)
            db.session.commit()
            ok(_("Send this code to our LINE Official Account to link your LINE."))
        elif what == "unlink":
            line.unlink(db.session, current_user)
            db.session.commit()
            ok(_("LINE is no longer linked."))
        else:
            chosen = {
                kind: {
                    "email": bool(request.form.get(f"{kind}-email")),
                    "line": bool(request.form.get(f"{kind}-line")),
                }
                for kind in notify.KINDS
            }
            line.set_preferences(db.session, current_user, chosen)
            db.session.commit()
            ok(_("Your notification choices are saved."))
        return redirect(url_for("line.channels"))
    return render_template(
        "notifications/channels.html",
        form=form,
        offered=offered,
        link=link,
        prefs=line.preferences(db.session, current_user),
        bot_id=current_app.config.get("LINE_BOT_ID") or "",
    )

"""The user's notifications."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.models import Notification
from csr_hub.services.posts import paginate, parse_paging
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@roles_required(active=False)
def index():
    page, per_page = parse_paging(request.args)
    q = sa.select(Notification).where(Notification.user_id == current_user.id)
    result = paginate(db.session, q, (Notification.id.desc(),), page, per_page)
    return render_template("notifications/index.html", page=result, form=ConfirmForm())


@bp.post("/notifications/read")
@roles_required(active=False)
def mark_read():
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.execute(
            sa.update(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=datetime.now(timezone.utc))
        )
        db.session.commit()
    return redirect(url_for("notifications.index"))

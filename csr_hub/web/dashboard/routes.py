"""Each role's landing page and queue."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.models import AuditEvent, Need, Offer, User
from csr_hub.services import accounts, matches, posts, reports
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import ok
from csr_hub.web.security import client_ip

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@roles_required(active=False)
def index():
    u = current_user
    ctx: dict = {"form": ConfirmForm()}
    visible = lambda args, n=50: matches.list_matches(db.session, u, args, 1, n).items  # noqa: E731
    if u.role == "school_staff":
        ctx["needs"] = posts.list_needs(db.session, {"status": "all", "school_id": u.school_id}, 1, 100).items
        ctx["waiting"] = [
            m
            for m in visible({"status": "proposed,delivered", "sort": "waiting"}, 100)
            if matches.is_users_turn(u, m)
        ]
        ctx["matches"] = visible({})
    elif u.role == "company_rep":
        ctx["offers"] = posts.list_offers(
            db.session, {"status": "all", "company_id": u.company_id}, 1, 100
        ).items
        ctx["waiting"] = [
            m
            for m in visible({"status": "proposed,approved", "sort": "waiting"}, 100)
            if matches.is_users_turn(u, m)
        ]
        ctx["matches"] = visible({})
    elif u.role == "district_director":
        ctx["queue"] = visible({"status": "pledged", "sort": "waiting"}, 100)
        ctx["summary"] = reports.summary(db.session, district_id=u.district_id)
        ctx["pending_users"] = list(db.session.scalars(accounts.verifiable_users_query(u).limit(100)))
        ctx["needs"] = posts.list_needs(
            db.session, {"district": u.district.code if u.district else ""}, 1, 20
        ).items
    elif u.role == "central_officer":
        ctx["queue"] = visible({"status": "district_approved", "sort": "waiting"}, 100)
        ctx["summary"] = reports.summary(db.session)
        ctx["pending_users"] = list(db.session.scalars(accounts.verifiable_users_query(u).limit(100)))
        ctx["unrecognised_needs"] = list(
            db.session.scalars(
                sa.select(Need)
                .where(Need.item_kinds == "", Need.cancelled.is_(False))
                .order_by(Need.id.desc())
                .limit(50)
            )
        )
        ctx["unrecognised_offers"] = list(
            db.session.scalars(
                sa.select(Offer)
                .where(Offer.item_kinds == "", Offer.withdrawn.is_(False))
                .order_by(Offer.id.desc())
                .limit(50)
            )
        )
    elif u.role == "admin":
        ctx["summary"] = reports.summary(db.session)
        ctx["pending_users"] = list(db.session.scalars(accounts.verifiable_users_query(u).limit(100)))
        ctx["audit"] = list(
            db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(100))
        )
        ctx["user_count"] = db.session.scalar(sa.select(sa.func.count(User.id)))
    return render_template("dashboard/index.html", **ctx)


@bp.post("/dashboard/verify/<int:user_id>")
@roles_required("district_director", "central_officer", "admin")
def verify(user_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.verify(db.session, current_user, user_id, ip=client_ip())
        db.session.commit()
        ok(_("%(name)s is verified.", name=user.full_name))
    return redirect(url_for("dashboard.index"))

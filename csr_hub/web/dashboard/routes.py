"""Each role's landing page and queue."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.domain.policy import DELIVERED_OR_FURTHER, MatchStatus, NeedStatus, Role, role_of
from csr_hub.extensions import db
from csr_hub.models import AuditEvent, Match, Need, Offer, User
from csr_hub.services import accounts, clock, duplicates, matches, posts, reports
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


def _context_for(rows) -> dict:
    """Beside each waiting match: its school's open needs, its company's delivered matches (two queries)."""
    schools = {m.need.school_id for m in rows}
    companies = {m.offer.company_id for m in rows}
    school_needs: dict[int, int] = {}
    company_record: dict[int, int] = {}
    if schools:
        school_needs = dict(
            db.session.execute(
                sa.select(Need.school_id, sa.func.count(Need.id))
                .where(Need.school_id.in_(schools), Need.status_clause(NeedStatus.OPEN))
                .group_by(Need.school_id)
            ).all()
        )
    if companies:
        company_record = dict(
            db.session.execute(
                sa.select(Offer.company_id, sa.func.count(Match.id))
                .join(Match, Match.offer_id == Offer.id)
                .where(Offer.company_id.in_(companies), Match.status.in_(DELIVERED_OR_FURTHER))
                .group_by(Offer.company_id)
            ).all()
        )
    return {"school_needs": school_needs, "company_record": company_record}


@bp.get("/dashboard")
@roles_required(active=False)
def index():
    u = current_user
    ctx: dict = {"form": ConfirmForm(), "next_action": _next_action(u)}
    visible = lambda args, n=50: matches.list_matches(db.session, u, args, 1, n).items  # noqa: E731
    role = role_of(u)
    if role == Role.SCHOOL_STAFF:
        ctx["needs"] = posts.list_needs(db.session, {"status": "all", "school_id": u.school_id}, 1, 100).items
        ctx["waiting"] = [
            m
            for m in visible({"status": "proposed,delivered", "sort": "waiting"}, 100)
            if matches.is_users_turn(u, m)
        ]
        ctx["matches"] = visible({})
    elif role == Role.COMPANY_REP:
        ctx["offers"] = posts.list_offers(
            db.session, {"status": "all", "company_id": u.company_id}, 1, 100
        ).items
        ctx["waiting"] = [
            m
            for m in visible({"status": "proposed,approved", "sort": "waiting"}, 100)
            if matches.is_users_turn(u, m)
        ]
        ctx["matches"] = visible({})
        ctx["certificates"] = [m for m in ctx["matches"] if m.status == MatchStatus.COMPLETED]
    elif role == Role.DISTRICT_DIRECTOR:
        ctx["queue"] = clock.queue_order(visible({"status": "pledged", "sort": "waiting"}, 100))
        ctx["duplicates"] = duplicates.for_district(db.session, u.district_id) if u.district_id else []
        ctx["summary"] = reports.summary(db.session, district_id=u.district_id)
        ctx["pending_users"] = list(db.session.scalars(accounts.verifiable_users_query(u).limit(100)))
        ctx["needs"] = posts.list_needs(
            db.session, {"district": u.district.code if u.district else ""}, 1, 20
        ).items
    elif role == Role.CENTRAL_OFFICER:
        ctx["queue"] = clock.queue_order(
            [
                m
                for m in visible({"status": "pledged,district_approved", "sort": "waiting"}, 100)
                if m.status == MatchStatus.DISTRICT_APPROVED or m.escalated_at is not None
            ]
        )
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
    elif role == Role.ADMIN:
        ctx["summary"] = reports.summary(db.session)
        ctx["pending_users"] = list(db.session.scalars(accounts.verifiable_users_query(u).limit(100)))
        ctx["audit"] = list(
            db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(100))
        )
        ctx["user_count"] = db.session.scalar(sa.select(sa.func.count(User.id)))
    if role == Role.CENTRAL_OFFICER:
        ctx["vocabulary_url"] = vocabulary_url()
    ctx.update(_context_for(ctx.get("queue", []) + ctx.get("waiting", [])))
    return render_template("dashboard/index.html", **ctx)


@bp.post("/dashboard/verify/<int:user_id>")
@roles_required(Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER, Role.ADMIN)
def verify(user_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.verify(db.session, current_user, user_id, ip=client_ip())
        db.session.commit()
        ok(_("%(name)s is verified.", name=user.full_name))
    return redirect(url_for("dashboard.index"))

"""The user's notifications, grouped by match with what to do next."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from csr_hub.domain.policy import is_active
from csr_hub.domain.reference import today_bangkok
from csr_hub.extensions import db
from csr_hub.models import Match, Need, Notification
from csr_hub.services import clock, matches
from csr_hub.services.posts import paginate, parse_paging
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _clock_helpers():
    """Templates showing a waiting step show its due date and how long it has waited."""
    return {"due_on_of": clock.match_due_on, "days_waited": clock.days_waited}


def _groups(items: list[Notification]) -> list[dict]:
    """One group per match (newest first), then the notifications about no match, each alone."""
    ids = {n.match_id for n in items if n.match_id}
    loaded = {}
    if ids:
        loaded = {
            m.id: m
            for m in db.session.scalars(
                sa.select(Match)
                .options(joinedload(Match.need).joinedload(Need.school), joinedload(Match.offer))
                .where(Match.id.in_(ids))
            ).unique()
        }
    groups: list[dict] = []
    by_match: dict[int, dict] = {}
    for n in items:
        m = loaded.get(n.match_id) if n.match_id else None
        if m is None:
            groups.append({"match": None, "items": [n], "next": None})
            continue
        group = by_match.get(m.id)
        if group is None:
            visible = matches.can_see(current_user, m)
            group = by_match[m.id] = {
                "match": m,
                "items": [],
                "yours": visible and matches.is_users_turn(current_user, m),
                "actions": matches.allowed_actions_for(current_user, m) if visible else [],
                "due_on": clock.match_due_on(m),
                "waited": clock.days_waited(m, today_bangkok()),
            }
            groups.append(group)
        group["items"].append(n)
    return groups


@bp.get("/notifications")
@roles_required(active=False)
def index():
    page, per_page = parse_paging(request.args)
    # a pending account's notifications concern the school or company it claims: hidden until verified
    mine = Notification.user_id == current_user.id if is_active(current_user) else sa.false()
    q = sa.select(Notification).where(mine)
    if request.args.get("unread") == "1":
        q = q.where(Notification.read_at.is_(None))
    result = paginate(db.session, q, (Notification.created_at.desc(), Notification.id.desc()), page, per_page)
    return render_template(
        "notifications/index.html", page=result, groups=_groups(list(result.items)), form=ConfirmForm()
    )


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

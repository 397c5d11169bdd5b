"""The caller's notifications (SPEC, Notifications) and a need's confirmation (SPEC, The clock)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import Role, is_active
from csr_hub.extensions import db
from csr_hub.models import Notification
from csr_hub.services import clock, posts
from csr_hub.services.errors import NotFound, ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, list_answer, no_body, paging
from csr_hub.web.api.posts import changed
from csr_hub.web.api.schemas.common import NOTIFICATION
from csr_hub.web.api.schemas.posts import NEED


def _own():
    """The caller's notifications; none for a pending account (they concern the school or company it
    claims, whose private data stays hidden until it is verified)."""
    if not is_active(current_user):
        return sa.false()
    return Notification.user_id == current_user.id


def _unread_flag() -> bool:
    raw = request.args.get("unread")
    if raw in (None, "", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ValidationFailed(fields={"unread": [_l("Choose one of the listed values.")]})


@bp.get("/notifications")
@roles_required(active=False)
def list_notifications():
    page, per_page = paging()
    q = sa.select(Notification).where(_own())
    if _unread_flag():
        q = q.where(Notification.read_at.is_(None))
    result = posts.paginate(
        db.session, q, (Notification.created_at.desc(), Notification.id.desc()), page, per_page
    )
    return list_answer(result, NOTIFICATION)


@bp.post("/notifications/<int:notification_id>/read")
@roles_required()
def read_notification(notification_id: int):
    no_body()
    n = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id, _own()))
    if n is None:
        raise NotFound()
    if n.read_at is None:
        n.read_at = datetime.now(timezone.utc)
        db.session.commit()
    return jsonify(NOTIFICATION.dump(n))


@bp.post("/needs/<int:need_id>/confirm")
@roles_required(Role.SCHOOL_STAFF)
@idempotent
def confirm_need(need_id: int):
    no_body()
    return changed(posts.get_need, clock.confirm_need, need_id, NEED)

"""Administration pages: the audit log (read only; nothing in the app edits or deletes it)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import Session

from csr_hub.extensions import db
from csr_hub.models import AuditEvent, User
from csr_hub.services import audit
from csr_hub.services.errors import ValidationFailed
from csr_hub.services.posts import Page, paginate, parse_paging
from csr_hub.web.access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

FILTERS = ("action", "actor", "object_type", "object_id", "ip", "since", "until")


def _actors(session: Session, events: list[AuditEvent]) -> dict[int, User]:
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}


@bp.get("/audit")
@roles_required("admin", active=True)
def audit_log():
    args = {k: request.args.get(k, "") for k in FILTERS}
    errors: dict[str, list[str]] = {}
    try:
        page, per_page = parse_paging(request.args, default_per_page=50)
    except ValidationFailed as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.fields.items()})
        page, per_page = 1, 50
    try:
        q = audit.query(db.session, args)
    except ValidationFailed as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.fields.items()})
        q = None
    result = paginate(db.session, q, (AuditEvent.id.desc(),), page, per_page) if q is not None else \
        Page([], 0, page, per_page)
    status = 422 if errors else 200
    return render_template("admin/audit.html", args=args, errors=errors, page=result,
                           query_args={k: v for k, v in args.items() if v},
                           actors=_actors(db.session, result.items), actions=audit.actions(db.session)), status

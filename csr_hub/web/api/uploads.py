"""Files attached to a match: a school's photo of what arrived, a company's delivery note."""

from __future__ import annotations

from csr_hub.domain.policy import Role
from flask import current_app, jsonify, request, url_for
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.models import Upload
from csr_hub.services import uploads
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.serialize import iso
from csr_hub.web.security import client_ip
from csr_hub.web.uploads.routes import send_upload


def upload_json(u: Upload) -> dict:
    return {
        "id": u.id,
        "match_id": u.match_id,
        "kind": u.kind,
        "content_type": u.content_type,
        "size": u.size,
        "original_name": u.original_name,
        "sha256": u.sha256,
        "uploaded_by_id": u.uploaded_by_id,
        "created_at": iso(u.created_at),
        "url": url_for("api.get_upload", match_id=u.match_id, upload_id=u.id),
    }


@bp.get("/matches/<int:match_id>/uploads")
@roles_required(active=False)
def list_uploads(match_id: int):
    return jsonify({"items": [upload_json(u) for u in uploads.list_for(db.session, current_user, match_id)]})


@bp.post("/matches/<int:match_id>/uploads")
@roles_required(Role.SCHOOL_STAFF, Role.COMPANY_REP)
def create_upload(match_id: int):
    """multipart/form-data: ``kind`` (photo | delivery_note) and ``file``."""
    f = request.files.get("file")
    folder = current_app.config["UPLOAD_FOLDER"]
    upload = uploads.save(
        db.session,
        current_user,
        match_id,
        request.form.get("kind"),
        f.filename if f else None,
        f.stream if f else None,
        folder,
        ip=client_ip(),
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.discard(upload, folder)
        raise
    return jsonify(upload_json(upload)), 201


@bp.get("/matches/<int:match_id>/uploads/<int:upload_id>")
@roles_required(active=False)
def get_upload(match_id: int, upload_id: int):
    upload, path = uploads.open_for(
        db.session, current_user, match_id, upload_id, current_app.config["UPLOAD_FOLDER"]
    )
    return send_upload(upload, path)

"""Files attached to a match: a school's photo of what arrived, a company's delivery note."""

from __future__ import annotations

from csr_hub.domain.policy import Role
from flask import current_app, jsonify, request
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import uploads
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.schemas.matches import UPLOAD, UploadList
from csr_hub.web.security import client_ip
from csr_hub.web.uploads.routes import send_upload


@bp.get("/matches/<int:match_id>/uploads")
@roles_required(active=False)
def list_uploads(match_id: int):
    return jsonify(UploadList().dump({"items": uploads.list_for(db.session, current_user, match_id)}))


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
    return jsonify(UPLOAD.dump(upload)), 201


@bp.get("/matches/<int:match_id>/uploads/<int:upload_id>")
@roles_required(active=False)
def get_upload(match_id: int, upload_id: int):
    upload, path = uploads.open_for(
        db.session, current_user, match_id, upload_id, current_app.config["UPLOAD_FOLDER"]
    )
    return send_upload(upload, path)

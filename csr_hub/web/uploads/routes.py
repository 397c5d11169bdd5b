"""Files on the match page: the form to add one, the list, and serving a file to those who may see it."""

from __future__ import annotations

from csr_hub.domain.policy import Role
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SubmitField

from csr_hub.extensions import db
from csr_hub.models import Match, Upload
from csr_hub.services import uploads
from csr_hub.services.errors import ServiceError
from csr_hub.web.access import roles_required
from csr_hub.web.forms import ok
from csr_hub.web.security import client_ip

bp = Blueprint("uploads", __name__)

KIND_LABELS = {
    "photo": _l("Photo of what arrived (JPEG or PNG)"),
    "delivery_note": _l("Delivery note (PDF, JPEG or PNG)"),
}


class UploadForm(FlaskForm):
    kind = RadioField(_l("What is it?"), choices=[])
    file = FileField(_l("File (at most 5 MB)"), render_kw={"accept": "image/jpeg,image/png,application/pdf"})
    submit = SubmitField(_l("Add the file"))


def folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def send_upload(upload: Upload, path: Path):
    """The stored file with headers that keep a browser from running or sniffing it."""
    response = send_file(
        path,
        mimetype=upload.content_type,
        as_attachment=upload.content_type == "application/pdf",
        download_name=f"match-{upload.match_id}-{upload.id}{uploads.EXTENSIONS[upload.content_type]}",
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def match_uploads(match: Match) -> list[Upload]:
    """The files of a match the current user may see (the match page already checked that)."""
    if not current_user.is_authenticated:
        return []
    return uploads.list_for(db.session, current_user, match.id)


@bp.app_template_global()
def upload_form(match: Match) -> UploadForm | None:
    """The form to add a file, when the current user may add one to this match now."""
    if not current_user.is_authenticated:
        return None
    kinds = uploads.kinds_allowed(current_user, match)
    if not kinds:
        return None
    form = UploadForm()
    form.kind.choices = [(k, KIND_LABELS[k]) for k in kinds]
    form.kind.data = form.kind.data or kinds[0]
    return form


@bp.post("/matches/<int:match_id>/uploads")
@roles_required(Role.SCHOOL_STAFF, Role.COMPANY_REP)
def upload(match_id: int):
    form = UploadForm()
    form.kind.choices = [(k, KIND_LABELS[k]) for k in uploads.KINDS]
    back = url_for("matches.show_match", match_id=match_id) + "#uploads"
    if not form.validate_on_submit():
        for errs in form.errors.values():
            flash(" ".join(str(e) for e in errs), "error")
        return redirect(back, 303)
    f = request.files.get("file")
    try:
        saved = uploads.save(
            db.session,
            current_user,
            match_id,
            form.kind.data,
            f.filename if f else None,
            f.stream if f and f.filename else None,
            folder(),
            ip=client_ip(),
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        flash(" ".join(str(m) for v in exc.fields.values() for m in v) or str(exc.message), "error")
        return redirect(back, 303)
    except Exception:
        db.session.rollback()
        if "saved" in locals():
            uploads.discard(saved, folder())
        raise
    ok(_("The file is attached."))
    return redirect(back, 303)


@bp.get("/matches/<int:match_id>/uploads/<int:upload_id>")
@roles_required(active=False)
def download(match_id: int, upload_id: int):
    upload, path = uploads.open_for(db.session, current_user, match_id, upload_id, folder())
    return send_upload(upload, path)

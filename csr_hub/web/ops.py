"""Operations: readiness for a load balancer, the job pages, the batch match started from a page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from csr_hub.domain import policy
from csr_hub.extensions import db
from csr_hub.models import Job
from csr_hub.services import jobs
from csr_hub.web.access import roles_required

bp = Blueprint("ops", __name__)


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers, and Redis when the app is configured with it (else 503)."""
    from csr_hub import redis_client

    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        db.session.rollback()
        checks["database"] = "unavailable"
    client = redis_client(current_app)
    if client is None:
        checks["redis"] = "not configured"
    else:
        try:
            client.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    ready = all(v in ("ok", "not configured") for v in checks.values())
    return {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503


def _job_or_404(job_id: str) -> Job:
    from csr_hub.web.api.jobs import may_see_job

    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or not may_see_job(current_user, job):
        abort(404)
    return job


@bp.get("/jobs/<job_id>")
@roles_required(active=False)
def show_job(job_id: str):
    return render_template("jobs/show.html", job=_job_or_404(job_id))


@bp.route("/jobs/match-run", methods=["GET", "POST"])
@roles_required(*sorted(policy.NATIONAL_ROLES))
def match_run():
    """Central officers start the batch match here and follow its progress."""
    if request.method == "POST":
        allocate = request.form.get("allocate") == "1"
        job = jobs.enqueue(
            db.session, "match_run", current_user, "csr_hub.services.jobs:match_run_job", allocate=allocate
        )
        db.session.commit()
        return redirect(url_for("ops.show_job", job_id=job.id), code=303)
    recent = db.session.scalars(
        sa.select(Job).where(Job.kind == "match_run").order_by(Job.created_at.desc()).limit(10)
    ).all()
    return render_template("jobs/match_run.html", recent=recent)


@bp.get("/jobs/<job_id>/download")
@roles_required(active=False)
def download(job_id: str):
    """The file an export job made, for those who may see the job."""
    from flask import send_file

    from csr_hub.web.reports import export_job

    job = _job_or_404(job_id)
    path = export_job.file_of(job) if job.kind == "export" and job.status == "done" else None
    if path is None:
        abort(404)
    fmt = path.suffix.lstrip(".")
    return send_file(
        path,
        mimetype=export_job.MIMETYPES.get(fmt, "application/octet-stream"),
        as_attachment=True,
        download_name=path.name.rsplit("-", 1)[0] + "." + fmt,
    )

"""Background jobs: start the batch match, follow any job (SPEC "Jobs")."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user

from csr_hub.domain import policy
from csr_hub.extensions import db
from csr_hub.models import Job
from csr_hub.services import jobs
from csr_hub.services.errors import NotFound
from csr_hub.services.validation import load
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body
from csr_hub.web.api.schemas.common import JOB, JobStarted, MatchRunInput


def may_see_job(user, job: Job) -> bool:
    """The user who started it, central officers and admins."""
    return policy.is_active(user) and (policy.is_national(user) or job.user_id == getattr(user, "id", None))


def started(job: Job):
    """202 with the job (SPEC "Jobs"), its address in ``Location``."""
    response = jsonify(JobStarted().dump({"job": job}))
    response.status_code = 202
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)
    return response


@bp.get("/jobs/<job_id>")
@roles_required(active=False)
def get_job(job_id: str):
    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or not may_see_job(current_user, job):
        raise NotFound()  # as for matches: another user's job is not there for you
    body = JOB.dump(job)
    # the job itself, and under "job" the same object as the 202 that started it
    return jsonify({**body, "job": body})


@bp.post("/match-runs")
@roles_required(*sorted(policy.NATIONAL_ROLES))
@idempotent
def start_match_run():
    data = json_body() if request.get_data(cache=True) else {}
    params = load(MatchRunInput(), data)
    job = jobs.enqueue(db.session, "match_run", current_user, "csr_hub.services.jobs:match_run_job", **params)
    db.session.commit()  # in-process without Redis: the run happens here, after this commit
    db.session.refresh(job)
    return started(job)

"""Background jobs: start the batch match, follow any job (SPEC "Jobs")."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain import policy
from csr_hub.extensions import db
from csr_hub.models import Job
from csr_hub.services import jobs
from csr_hub.services.errors import NotFound, ValidationFailed
from csr_hub.web.access import roles_required
from csr_hub.web.api import bp
from csr_hub.web.api.helpers import idempotent, json_body


def may_see_job(user, job: Job) -> bool:
    """The user who started it, central officers and admins."""
    return policy.is_active(user) and (policy.is_national(user) or job.user_id == getattr(user, "id", None))


def job_json(job: Job) -> dict:
    body = jobs.as_json(job, result_url=url_for("api.get_job", job_id=job.id))
    if job.kind == "export" and job.status == "done" and isinstance(body["result"], dict):
        body["result"] = {**body["result"], "download_url": url_for("ops.download", job_id=job.id)}
    return body


def started(job: Job):
    """202 with the job (SPEC "Jobs"), its address in ``Location``."""
    response = jsonify({"job": job_json(job)})
    response.status_code = 202
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)
    return response


@bp.get("/jobs/<job_id>")
@roles_required(active=False)
def get_job(job_id: str):
    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or not may_see_job(current_user, job):
        raise NotFound()  # as for matches: another user's job is not there for you
    body = job_json(job)
    # the job itself, and under "job" the same object as the 202 that started it
    return jsonify({**body, "job": body})


def match_run_params(data: dict) -> dict:
    per_need, allocate = data.get("per_need", 10), data.get("allocate", False)
    fields: dict[str, list] = {}
    if isinstance(per_need, bool) or not isinstance(per_need, int) or not 1 <= per_need <= 50:
        fields["per_need"] = [_l("Must be a whole number from 1 to 50.")]
    if not isinstance(allocate, bool):
        fields["allocate"] = [_l("Must be true or false.")]
    if fields:
        raise ValidationFailed(fields=fields)
    return {"per_need": per_need, "allocate": allocate}


@bp.post("/match-runs")
@roles_required(*sorted(policy.NATIONAL_ROLES))
@idempotent
def start_match_run():
    data = json_body() if request.get_data(cache=True) else {}
    params = match_run_params(data)
    job = jobs.enqueue(db.session, "match_run", current_user, "csr_hub.services.jobs:match_run_job", **params)
    db.session.commit()  # in-process without Redis: the run happens here, after this commit
    db.session.refresh(job)
    return started(job)


def openapi_schemas() -> dict:
    """The Job schema for the OpenAPI document (csr_hub/web/api/openapi.py collects it)."""
    s, i = {"type": "string"}, {"type": "integer"}
    nullable_s = {"type": "string", "nullable": True}
    job = {
        "type": "object",
        "properties": {
            "id": s,
            "kind": s,
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "result_url": s,
            "result": {"type": "object", "nullable": True},
            "error": nullable_s,
            "attempts": i,
            "user_id": {"type": "integer", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": {"type": "string", "format": "date-time", "nullable": True},
            "finished_at": {"type": "string", "format": "date-time", "nullable": True},
        },
        "required": ["id", "kind", "status", "progress", "result_url"],
    }
    started = {
        "type": "object",
        "properties": {"job": {"$ref": "#/components/schemas/Job"}},
        "required": ["job"],
    }
    followed = {"allOf": [{"$ref": "#/components/schemas/Job"}, started]}
    run = {
        "type": "object",
        "properties": {
            "per_need": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            "allocate": {"type": "boolean", "default": False},
        },
    }
    return {"Job": job, "JobStarted": started, "JobFollowed": followed, "MatchRunRequest": run}


def openapi_routes() -> list[tuple]:
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    job_id = [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return [
        (
            "/jobs/{job_id}",
            "get",
            "A background job's status and progress (its starter, central officers, admins; others 404)",
            job_id,
            None,
            ref("JobFollowed"),
            200,
            False,
        ),
        (
            "/match-runs",
            "post",
            "Start the batch match as a job (central officers, admins) → 202 with the job",
            [],
            "MatchRunRequest",
            ref("JobStarted"),
            202,
            False,
        ),
    ]

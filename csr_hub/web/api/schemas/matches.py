"""Matches, their history and the files attached to them (SPEC "Matches")."""

from __future__ import annotations

from flask import url_for
from marshmallow import fields

from csr_hub.domain.policy import MatchStatus
from csr_hub.domain.workflow import ACTIONS
from csr_hub.models.upload import UPLOAD_KINDS, UPLOAD_TYPES
from csr_hub.services import clock
from csr_hub.services.validation import MAX_QUANTITY, NOTE_MAX
from csr_hub.web.api.schemas.fields import Money, Out, enum, many, when
from csr_hub.web.api.schemas.posts import Parts

ID = {"type": "integer", "minimum": 1}


class TransitionOut(Out):
    """One recorded transition of a match or a partnership, oldest first."""

    action, to_status, note = many(fields.String, 3)
    from_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True, metadata={"description": "null for the clock's expiry"})
    at = when()


class MatchOut(Out):
    id, need_id, offer_id, quantity, proposed_by_user_id = many(fields.Integer, 5)
    value_thb = Money(bounded=True, metadata={"description": "fixed at proposal"})
    status = enum(MatchStatus)
    proposed_by = enum(("school", "company"))
    score = fields.Function(lambda m: round(float(m.score or 0), 1), metadata={"type": "number"})
    parts = Parts()
    received_quantity = fields.Integer(allow_none=True)
    due_on = fields.Function(
        lambda m: d.isoformat() if (d := clock.match_due_on(m)) else None,
        allow_none=True,
        metadata={"type": "string", "format": "date"},
    )
    escalated_at = when(allow_none=True)
    created_at, updated_at = when(), when()
    history = fields.List(fields.Nested(TransitionOut))


class MatchInput(Out):
    """``POST /matches`` (``csr_hub/services/matches.py`` reads it)."""

    need_id, offer_id = many(fields.Integer, 2, required=True, metadata=ID)
    quantity = fields.Integer(required=True, metadata={"minimum": 1, "maximum": MAX_QUANTITY})
    note = fields.String(metadata={"maxLength": NOTE_MAX})


class ActionInput(Out):
    """``POST /matches/{id}/actions``: ``reject`` needs a note, ``confirm`` a ``received_quantity``."""

    action = enum(ACTIONS, required=True)
    note = fields.String(metadata={"maxLength": NOTE_MAX})
    received_quantity = fields.Integer(metadata={"minimum": 0})


class UploadOut(Out):
    id, match_id, size = many(fields.Integer, 3, required=True)
    kind = enum(UPLOAD_KINDS, required=True)
    content_type = enum(UPLOAD_TYPES, required=True)
    original_name, sha256 = many(fields.String, 2)
    uploaded_by_id = fields.Integer()
    created_at = when()
    url = fields.Function(
        lambda u: url_for("api.get_upload", match_id=u.match_id, upload_id=u.id),
        required=True,
        metadata={"type": "string"},
    )


class UploadList(Out):
    items = fields.List(fields.Nested(UploadOut), required=True)


class UploadInput(Out):
    """multipart/form-data: at most 5 MB, its type checked by its content."""

    kind = enum(UPLOAD_KINDS, required=True)
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


MATCH, UPLOAD = MatchOut(), UploadOut()

"""JSON API for the follow-up call list (e.g. a telephony integration working the calls)."""
from __future__ import annotations

from flask import g, jsonify, request

from .. import i18n
from ..api.core import api_roles, bp, idempotent_json, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
from ..customers.rules import mask_phone
from ..errors import DomainError
from ..validators import iso_date
from . import services
from ..i18n import lazy_gettext as _l
from .models import FollowUp
from .rules import MAX_ATTEMPTS, CallOutcome, FollowUpKind


def follow_up_json(f: FollowUp, context: services.CallContext | None = None) -> dict:
    return {
        "id": f.id, "kind": f.kind, "status": f.status, "due_date": f.due_date.isoformat(),
        "customer": {"id": f.customer.id, "name": f.customer.name, "phone_masked": mask_phone(f.customer.phone),
                     "district": f.customer.district},
        "request_number": f.request.number if f.request else None,
        "assignee_id": f.assignee_id, "attempts": f.attempts, "max_attempts": MAX_ATTEMPTS,
        "what_was_done": context.done if context else None,
        "technician": context.technician if context else None,
        "satisfaction": f.satisfaction, "on_time": f.on_time, "solved": f.solved, "attitude": f.attitude,
        "comment": f.comment,
    }


@bp.get("/followups", endpoint="followups_list")
@api_roles(Role.AGENT, Role.MANAGER)
def list_follow_ups():
    """Pending calls due on or before ?due= (default today): overdue first."""
    raw = request.args.get("due")
    try:
        due = iso_date(raw) if raw else i18n.local_today()
    except ValueError:
        raise DomainError("invalid_date", _l("Dates are written YYYY-MM-DD."))
    kind = request.args.get("kind") or None
    if kind is not None and kind not in set(FollowUpKind):
        raise DomainError("invalid_kind", _l("Unknown follow-up kind."))
    filters = services.CallFilter(kind=kind, assignee=services.MINE if request.args.get("mine") == "1" else None)
    follow_ups = services.call_list(due, filters, g.api_user.id, due_by=due)
    contexts = services.call_contexts(follow_ups)
    return jsonify({"due": due.isoformat(), "follow_ups": [follow_up_json(f, contexts[f.id]) for f in follow_ups]})


def _optional(body: dict, name: str, kind: type):
    value = body.get(name)
    if value is None or (kind is int and isinstance(value, int) and not isinstance(value, bool)) or \
            (kind is not int and isinstance(value, kind)):
        return value
    raise DomainError("invalid_field", _l("The field %(name)s has the wrong type.", name=name), field=name)


@bp.post("/followups/<int:follow_up_id>/outcome", endpoint="followups_record_outcome")
@api_roles(Role.AGENT, Role.MANAGER)
def record_outcome(follow_up_id: int):
    body = json_body()
    reached = body.get("reached")
    if not isinstance(reached, bool):
        raise DomainError("invalid_field", _l("The field %(name)s has the wrong type.", name="reached"),
                          field="reached")
    outcome = CallOutcome(reached=reached, satisfaction=_optional(body, "satisfaction", int),
                          on_time=_optional(body, "on_time", bool), solved=_optional(body, "solved", bool),
                          attitude=_optional(body, "attitude", int), comment=_optional(body, "comment", str) or "")

    def action():
        recorded = services.record_call(follow_up_id, outcome)
        result = follow_up_json(recorded.follow_up)
        result["offer_new_request"] = recorded.offer_new_request
        result["complaint_draft_id"] = recorded.complaint.id if recorded.complaint is not None else None
        return 200, result

    return idempotent_json(f"followups.outcome:{follow_up_id}", body, action)


_FOLLOW_UP = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": [k.value for k in FollowUpKind]},
        "status": {"type": "string", "enum": ["pending", "done", "unreachable"]},
        "due_date": {"type": "string", "format": "date"},
        "customer": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                      "phone_masked": {"type": "string"},
                                                      "district": {"type": "string", "nullable": True}}},
        "request_number": {"type": "string", "nullable": True},
        "assignee_id": {"type": "integer", "nullable": True},
        "attempts": {"type": "integer"}, "max_attempts": {"type": "integer"},
        "what_was_done": {"type": "string", "nullable": True},
        "technician": {"type": "string", "nullable": True},
        "satisfaction": {"type": "integer", "nullable": True}, "on_time": {"type": "boolean", "nullable": True},
        "solved": {"type": "boolean", "nullable": True}, "attitude": {"type": "integer", "nullable": True},
        "comment": {"type": "string", "nullable": True},
    },
}
OPENAPI_SCHEMAS = {
    "FollowUp": _FOLLOW_UP,
    "CallOutcome": {
        "type": "object", "required": ["reached"],
        "properties": {
            "reached": {"type": "boolean"},
            "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5,
                             "description": "required when reached; 2 or less raises a complaint draft"},
            "on_time": {"type": "boolean"}, "solved": {"type": "boolean"},
            "attitude": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"},
        },
    },
    "CallRecorded": {"allOf": [{"$ref": "#/components/schemas/FollowUp"}, {"type": "object", "properties": {
        "offer_new_request": {"type": "boolean"},
        "complaint_draft_id": {"type": "integer", "nullable": True}}}]},
}
OPENAPI_PATHS = {
    "/followups": {"get": {
        "summary": "Pending follow-up calls due on or before a day, most overdue first",
        "tags": ["followups"],
        "parameters": [
            {"name": "due", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "default: today in the service time zone"},
            {"name": "kind", "in": "query", "schema": {"type": "string", "enum": [k.value for k in FollowUpKind]}},
            {"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["1"]},
             "description": "only calls assigned to the token's user or to nobody"},
        ],
        "responses": {"200": {"description": "The calls", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"due": {"type": "string", "format": "date"}, "follow_ups": {
                "type": "array", "items": {"$ref": "#/components/schemas/FollowUp"}}}}}}},
            **error_responses(401, 403, 422)},
    }},
    "/followups/{follow_up_id}/outcome": {"post": {
        "summary": "Record one call: not reached counts an attempt (three make it unreachable)",
        "tags": ["followups"],
        "parameters": [{"name": "follow_up_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 100},
                        "description": "a retry with the same key returns the first answer"}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CallOutcome"}}}},
        "responses": {"200": {"description": "Recorded", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CallRecorded"}}}},
            **error_responses(401, 403, 404, 409, 422)},
    }},
}

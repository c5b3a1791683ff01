"""JSON API: log a complaint (e.g. from a WeChat front end); the 24-hour reply clock starts at once."""
from __future__ import annotations


from ..api.core import api_roles, bp, idempotent_json, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
from ..errors import DomainError
from ..i18n import lazy_gettext as _l
from ..intake import services as intake_services
from ..intake.rules import Channel
from . import services
from .models import Complaint
from .rules import ComplaintCategory, Severity


def complaint_json(c: Complaint) -> dict:
    return {
        "id": c.id, "customer_id": c.customer_id, "request_id": c.request_id,
        "request_number": c.request.number if c.request else None, "channel": c.channel,
        "category": c.category, "severity": c.severity, "description": c.description, "status": c.status,
        "received_at": c.received_at.isoformat(), "reply_due_at": c.reply_due_at.isoformat(),
        "owner_id": c.owner_id,
    }


def _int_or_none(body: dict, name: str) -> int | None:
    value = body.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise DomainError("invalid_field", _l("The field %(name)s has the wrong type.", name=name), field=name)


@bp.post("/complaints", endpoint="complaints_create")
@api_roles(Role.AGENT, Role.MANAGER)
def create_complaint():
    body = json_body()
    fields = {name: body.get(name) for name in ("channel", "category", "description")}
    if not all(isinstance(v, str) for v in fields.values()):
        raise DomainError("invalid_complaint", _l("channel, category and description are required text fields."))
    severity = body.get("severity", Severity.GENERAL.value)
    customer_id, request_id = _int_or_none(body, "customer_id"), _int_or_none(body, "request_id")
    request_number = body.get("request_number")
    if request_number is not None:
        # Integrations know a request by the number POST /requests answered, not by its row id.
        if not isinstance(request_number, str):
            raise DomainError("invalid_field", _l("The field %(name)s has the wrong type.", name="request_number"),
                              field="request_number")
        request = intake_services.get_request(request_number)
        if request_id is not None and request_id != request.id:
            raise DomainError("invalid_complaint", _l("request_id and request_number name different requests."))
        request_id = request.id

    def action():
        complaint = services.log_complaint(customer_id=customer_id, request_id=request_id,
                                           severity=severity if isinstance(severity, str) else "", **fields)
        return 201, complaint_json(complaint)

    return idempotent_json("complaints.create", body, action)


OPENAPI_SCHEMAS = {
    "NewComplaint": {
        "type": "object", "required": ["channel", "category", "description"],
        "description": "customer_id, or the request by request_number (or request_id): the customer is then the "
                       "request's",
        "properties": {
            "customer_id": {"type": "integer"}, "request_id": {"type": "integer"},
            "request_number": {"type": "string", "example": "SR-20261122-0001"},
            "channel": {"type": "string", "enum": [c.value for c in Channel]},
            "category": {"type": "string", "enum": [c.value for c in ComplaintCategory]},
            "severity": {"type": "string", "enum": [s.value for s in Severity], "default": "general"},
            "description": {"type": "string"},
        },
    },
    "Complaint": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "customer_id": {"type": "integer"},
            "request_id": {"type": "integer", "nullable": True},
            "request_number": {"type": "string", "nullable": True}, "channel": {"type": "string"},
            "category": {"type": "string"}, "severity": {"type": "string"}, "description": {"type": "string"},
            "status": {"type": "string"}, "received_at": {"type": "string", "format": "date-time"},
            "reply_due_at": {"type": "string", "format": "date-time",
                             "description": "received_at + 24 hours: the reply promise"},
            "owner_id": {"type": "integer", "nullable": True},
        },
    },
}
OPENAPI_PATHS = {
    "/complaints": {"post": {
        "summary": "Log a complaint; a major one is shown to every manager at once",
        "tags": ["complaints"],
        "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 100},
                        "description": "a retry with the same key returns the first answer, not a second complaint"}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/NewComplaint"}}}},
        "responses": {"201": {"description": "Logged", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Complaint"}}}},
            **error_responses(401, 403, 404, 422)},
    }},
}

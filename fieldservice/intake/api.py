"""Requests for integrations: POST /api/v1/requests (idempotent) and GET /api/v1/requests/<number>."""
from __future__ import annotations

from flask import jsonify

from ..api.core import api_roles, bp, idempotent_json, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
# The catalogue has no area module the API collects, so GET /models is described (and registered) from here.
from ..catalog import api as catalog_api
from ..customers.rules import mask_phone
from ..customers.services import NewCustomer, NewUnit
from ..errors import DomainError
from ..i18n import lazy_gettext as _l
from ..warranty.api import decision_json, parse_api_date
from ..warranty.rules import decision_from_snapshot
from . import services
from .rules import Channel, RequestKind

def _text(value, code: str, field: str, limit: int, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError(code, _l("%(field)s must be text of at most %(limit)s characters.", field=field,
                                   limit=limit))
    return value


def _new_request_input(body: dict) -> dict:
    caller = body.get("customer")
    if not isinstance(caller, dict):
        raise DomainError("invalid_customer", _l("customer must be an object with name, phone and address."))
    customer = NewCustomer(
        name=_text(caller.get("name"), "invalid_customer", "customer.name", 100),
        phone=_text(caller.get("phone"), "invalid_customer", "customer.phone", 40),
        address=_text(caller.get("address"), "invalid_customer", "customer.address", 255, required=False) or "")
    serial = _text(body.get("serial"), "invalid_serial", "serial", 64)
    model_code = _text(body.get("model_code"), "invalid_model_code", "model_code", 40, required=False)
    new_unit = NewUnit(
        serial, model_code, parse_api_date(body.get("purchase_date"), "invalid_purchase_date", "purchase_date"),
        _text(body.get("invoice_no"), "invalid_invoice_no", "invoice_no", 64, required=False),
    ) if model_code else None
    channel = body.get("channel")
    if channel not in tuple(Channel):
        raise DomainError("invalid_channel", _l("channel must be one of: phone, online, wechat, email, walk_in."))
    kind = body.get("kind", RequestKind.REPAIR.value)
    if kind not in tuple(RequestKind):
        raise DomainError("invalid_kind", _l("kind must be repair, install or maintenance."))
    description = _text(body.get("fault_description"), "invalid_fault_description", "fault_description",
                        services.MAX_DESCRIPTION)
    allow_duplicate = body.get("allow_duplicate", False)
    if not isinstance(allow_duplicate, bool):
        raise DomainError("invalid_allow_duplicate", _l("allow_duplicate must be true or false."))
    return {"caller": customer, "serial": serial, "new_unit": new_unit, "channel": channel, "kind": kind,
            "fault_description": description, "allow_duplicate": allow_duplicate}


def _warranty(req) -> dict | None:
    if not req.warranty_snapshot:
        return None
    return decision_json(req.unit.serial, decision_from_snapshot(req.warranty_snapshot))


@bp.post("/requests")
@api_roles(Role.AGENT, Role.MANAGER, Role.ADMIN)
def create_request():
    body = json_body()
    data = _new_request_input(body)

    def action():
        req = services.log_request_for_serial(**data)
        return 201, {"number": req.number, "status": req.status, "reported_at": req.reported_at.isoformat(),
                     "sla_due_at": req.sla_due_at.isoformat(), "serial": req.unit.serial, "warranty": _warranty(req)}

    return idempotent_json("intake.create_request", body, action)


@bp.get("/requests/<number>")
@api_roles(Role.AGENT, Role.MANAGER, Role.ADMIN)
def get_request(number: str):
    req = services.get_request(number)
    return jsonify({
        "number": req.number, "status": req.status, "channel": req.channel, "kind": req.kind,
        "fault_description": req.fault_description, "reported_at": req.reported_at.isoformat(),
        "sla_due_at": req.sla_due_at.isoformat(),
        "customer": {"name": req.customer.name, "phone": mask_phone(req.customer.phone)},
        "serial": req.unit.serial if req.unit else None, "warranty": _warranty(req),
        "appointments": [{
            "id": a.id, "status": a.status, "window_start": a.window_start.isoformat(),
            "window_end": a.window_end.isoformat(),
            "technician": {"name": a.technician.name, "phone": a.technician.phone},
        } for a in req.appointments],
    })


_DATETIME = {"type": "string", "format": "date-time"}
_WARRANTY_OR_NULL = {"allOf": [{"$ref": "#/components/schemas/WarrantyDecision"}], "nullable": True}
_NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
           "example": "SR-20261122-0007", "description": "The request number, e.g. SR-20261122-0007."}

OPENAPI_SCHEMAS = {
    **catalog_api.OPENAPI_SCHEMAS,
    "NewRequest": {
        "type": "object",
        "required": ["customer", "serial", "channel", "fault_description"],
        "properties": {
            "customer": {"type": "object", "required": ["name", "phone"], "properties": {
                "name": {"type": "string", "maxLength": 100},
                "phone": {"type": "string", "maxLength": 40,
                          "description": "A Chinese mobile or landline number in any usual format."},
                "address": {"type": "string", "maxLength": 255}}},
            "serial": {"type": "string", "maxLength": 64},
            "model_code": {"type": "string", "maxLength": 40,
                           "description": "Registers an unknown serial to the customer (see GET /models)."},
            "purchase_date": {"type": "string", "format": "date"},
            "invoice_no": {"type": "string", "maxLength": 64},
            "channel": {"type": "string", "enum": [c.value for c in Channel]},
            "kind": {"type": "string", "enum": [k.value for k in RequestKind], "default": "repair"},
            "fault_description": {"type": "string", "maxLength": services.MAX_DESCRIPTION},
            "allow_duplicate": {"type": "boolean", "default": False,
                                "description": "Log it even though the unit has an open request."},
        },
    },
    "CreatedRequest": {
        "type": "object",
        "required": ["number", "status", "reported_at", "sla_due_at", "warranty"],
        "properties": {"number": {"type": "string"}, "status": {"type": "string"}, "reported_at": _DATETIME,
                       "sla_due_at": _DATETIME, "serial": {"type": "string"}, "warranty": _WARRANTY_OR_NULL},
    },
    "ServiceRequest": {
        "type": "object",
        "required": ["number", "status", "reported_at", "sla_due_at", "warranty", "appointments"],
        "properties": {
            "number": {"type": "string"}, "status": {"type": "string"}, "channel": {"type": "string"},
            "kind": {"type": "string"}, "fault_description": {"type": "string"}, "reported_at": _DATETIME,
            "sla_due_at": {**_DATETIME, "description": "The on-site promise deadline."},
            "customer": {"type": "object", "properties": {
                "name": {"type": "string"}, "phone": {"type": "string", "description": "Masked: 138****8000."}}},
            "serial": {"type": "string", "nullable": True},
            "warranty": _WARRANTY_OR_NULL,
            "appointments": {"type": "array", "items": {"type": "object", "required": [
                "window_start", "window_end", "status", "technician"], "properties": {
                "id": {"type": "integer"}, "status": {"type": "string"}, "window_start": _DATETIME,
                "window_end": _DATETIME, "technician": {"type": "object", "properties": {
                    "name": {"type": "string"}, "phone": {"type": "string"}}}}}},
        },
    },
}

OPENAPI_PATHS = {
    **catalog_api.OPENAPI_PATHS,
    "/requests": {
        "post": {
            "summary": "Log a repair, installation or maintenance request",
            "description": "A registered serial belongs to its owner (a caller with another phone is kept as a "
                           "note on the request); an unknown serial with a model_code is "
                           "registered to the customer (matched by phone and name, created if new). An open "
                           "request on the same unit answers 409 duplicate_open_request with its number unless "
                           "allow_duplicate is true. Send an Idempotency-Key header to make retries safe.",
            "operationId": "createRequest",
            "tags": ["requests"],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/NewRequest"},
                "example": {"customer": {"name": "张伟", "phone": "138 0013 8000",
                                         "address": "上海市浦东新区张江路100号"},
                            "serial": "KFR35-2401-000123", "channel": "phone", "kind": "repair",
                            "fault_description": "空调不制冷，外机不转"}}}},
            "responses": {"201": {"description": "Logged",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/CreatedRequest"}}}},
                          **error_responses(401, 403, 404, 409, 422)},
        },
    },
    "/requests/{number}": {
        "get": {
            "summary": "A request with its warranty decision and appointments",
            "operationId": "getRequest",
            "tags": ["requests"],
            "parameters": [_NUMBER],
            "responses": {"200": {"description": "The request",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/ServiceRequest"}}}},
                          **error_responses(401, 403, 404)},
        },
    },
}

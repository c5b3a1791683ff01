"""JSON API for the technician's app: the day's visits, the idempotent completion, the report PDF."""
from __future__ import annotations

import base64
import binascii

from flask import g, jsonify, request

from ..api.core import api_roles, bp, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
from ..errors import DomainError, NotFound
from ..i18n import lazy_gettext as _l, local_today
from ..validators import iso_date
from . import access, services
from .rules import Completion, LabourInput, PartInput, WorkInput
from .views import send_pdf


@bp.get("/me/visits")
@api_roles(Role.TECHNICIAN)
def my_visits():
    raw = request.args.get("date")
    try:
        day = iso_date(raw) if raw else local_today()
    except ValueError:
        raise DomainError("invalid_date", _l("The date must look like 2026-11-22.")) from None
    stops = services.visits_on(g.api_user, day)
    return jsonify({"date": day.isoformat(), "visits": [_visit_json(stop) for stop in stops]})


@bp.post("/visits/<int:appointment_id>/complete")
@api_roles(Role.TECHNICIAN, Role.MANAGER)
def complete_visit(appointment_id: int):
    if access.find_visit(g.api_user, appointment_id) is None:
        raise NotFound("unknown_visit", _l("This visit does not exist."))
    key = request.headers.get("Idempotency-Key")
    if not key:
        raise DomainError("idempotency_key_required",
                          _l("Completing a visit needs an Idempotency-Key header, so a retry cannot sign it twice."))
    outcome = services.complete_visit(g.api_user, appointment_id, completion_from_json(json_body()), key)
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/reports/<int:report_id>/pdf")
@api_roles(Role.TECHNICIAN, Role.MANAGER)
def visit_report_pdf(report_id: int):
    return send_pdf(access.report_or_404(g.api_user, report_id))


def _visit_json(stop: services.RouteStop) -> dict:
    visit = stop.visit
    request_, customer, unit = visit.request, visit.request.customer, visit.request.unit
    report = services.latest_report(visit)
    return {
        "id": visit.id,
        "status": visit.status,
        "window_start": visit.window_start.isoformat(),
        "window_end": visit.window_end.isoformat(),
        "leg_km": round(stop.leg_km, 1) if stop.leg_km is not None else None,
        "request": {"number": request_.number, "status": request_.status, "kind": request_.kind,
                    "fault_description": request_.fault_description, "sla_due_at": request_.sla_due_at.isoformat()},
        "customer": {"name": customer.name, "phone": customer.phone, "address": customer.address,
                     "lat": customer.lat, "lon": customer.lon, "locale": customer.locale},
        "unit": {"model": unit.model.code, "serial": unit.serial,
                 "purchase_date": unit.purchase_date.isoformat() if unit.purchase_date else None} if unit else None,
        "warranty": {"status": str(stop.warranty.status), "reasons": [r.text("en") for r in stop.warranty.reasons]},
        "report": services.report_body(report) if report else None,
    }


def _field(body: dict, name: str, kind, default=None, required: bool = False):
    # null means "not given", as an absent field does.
    value = body.get(name)
    value = default if value is None else value
    if value is None and required:
        raise DomainError("missing_field", _l("Please fill in: %(field)s.", field=name), field=name)
    if value is not None and not isinstance(value, kind):
        raise DomainError("invalid_field", _l("%(field)s has the wrong type.", field=name), field=name)
    return value


def _image(value, field: str) -> bytes:
    if not isinstance(value, str):
        raise DomainError("invalid_field", _l("%(field)s must be a base64-encoded image.", field=field), field=field)
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("invalid_field", _l("%(field)s must be a base64-encoded image.", field=field),
                          field=field) from None


def completion_from_json(body: dict) -> Completion:
    """The JSON shape of a completion (see the OpenAPI document); quantities are checked by the service."""
    labour, parts = _field(body, "labour", list, []), _field(body, "parts", list, [])
    if not all(isinstance(row, dict) for row in labour + parts):
        raise DomainError("invalid_field", _l("%(field)s has the wrong type.", field="labour/parts"))
    work = WorkInput(
        model_found=_field(body, "model_found", str, ""),
        serial_found=_field(body, "serial_found", str, ""),
        serial_altered=_field(body, "serial_altered", bool, False),
        exclusions=tuple(_field(body, "exclusions", list, [])),
        labour=tuple(LabourInput(_field(row, "labour_item_id", int, required=True),
                                 services.parse_labour_quantity(row.get("qty", 1))) for row in labour),
        parts=tuple(PartInput(_field(row, "part_id", int, required=True), services.parts.quantity(row.get("qty")))
                    for row in parts),
    )
    return Completion(
        work=work,
        exclusion_note=_field(body, "exclusion_note", str, ""),
        fault_code_id=_field(body, "fault_code_id", int),
        diagnosis=_field(body, "diagnosis", str, ""),
        resolution=_field(body, "resolution", str, ""),
        outcome=_field(body, "outcome", str, "fixed"),
        loaner_serial=_field(body, "loaner_serial", str, ""),
        verdict=_field(body, "verdict", str, ""),
        customer_comment=_field(body, "customer_comment", str, ""),
        signer_name=_field(body, "signer_name", str, ""),
        signature_png=_image(body.get("signature_png"), "signature_png"),
        photos=tuple(_image(p, "photos") for p in _field(body, "photos", list, [])),
    )


_VISIT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["booked", "en_route", "on_site", "done"]},
        "window_start": {"type": "string", "format": "date-time"},
        "window_end": {"type": "string", "format": "date-time"},
        "leg_km": {"type": "number", "nullable": True, "description": "From the previous stop (or the base)"},
        "request": {"type": "object"}, "customer": {"type": "object"}, "unit": {"type": "object", "nullable": True},
        "warranty": {"type": "object"},
        "report": {"allOf": [{"$ref": "#/components/schemas/ReportCreated"}], "nullable": True},
    },
}

OPENAPI_SCHEMAS = {
    "Visit": _VISIT,
    "VisitCompletion": {
        "type": "object",
        "required": ["serial_found", "diagnosis", "resolution", "verdict", "signer_name", "signature_png"],
        "properties": {
            "model_found": {"type": "string", "maxLength": 40},
            "serial_found": {"type": "string", "maxLength": 64},
            "serial_altered": {"type": "boolean"},
            "exclusions": {"type": "array", "items": {"type": "string", "enum": ["misuse", "force_majeure"]}},
            "exclusion_note": {"type": "string"},
            "fault_code_id": {"type": "integer", "nullable": True},
            "diagnosis": {"type": "string"}, "resolution": {"type": "string"},
            "labour": {"type": "array", "items": {"type": "object", "required": ["labour_item_id"], "properties": {
                "labour_item_id": {"type": "integer"}, "qty": {"type": "number", "exclusiveMinimum": 0}}}},
            "parts": {"type": "array", "items": {"type": "object", "required": ["part_id", "qty"], "properties": {
                "part_id": {"type": "integer"}, "qty": {"type": "integer", "minimum": 1}}},
                "description": "Issued from the assigned technician's van"},
            "outcome": {"type": "string", "enum": ["fixed", "awaiting_parts", "depot_repair"]},
            "loaner_serial": {"type": "string", "description": "Required for depot_repair"},
            "verdict": {"type": "string", "enum": ["satisfied", "unsatisfied"]},
            "customer_comment": {"type": "string"},
            "signer_name": {"type": "string"},
            "signature_png": {"type": "string", "format": "byte", "description": "Base64 PNG, ≤ 512 kB, ≤ 2000×1000"},
            "photos": {"type": "array", "items": {"type": "string", "format": "byte"},
                       "description": "Base64 JPEG or PNG, ≤ 8 MB each, at most 6"},
        },
    },
    "ReportCreated": {
        "type": "object", "required": ["report_id", "pdf_url", "sha256"],
        "properties": {"report_id": {"type": "integer"}, "pdf_url": {"type": "string"},
                       "sha256": {"type": "string"}, "verification_code": {"type": "string"},
                       "revision": {"type": "integer"}},
    },
}

OPENAPI_PATHS = {
    "/me/visits": {"get": {
        "summary": "The calling technician's visits on a day, in route order",
        "parameters": [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
                        "description": "Local date (service time zone); today when omitted"}],
        "responses": {"200": {"description": "Visits", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"date": {"type": "string", "format": "date"},
                                             "visits": {"type": "array",
                                                        "items": {"$ref": "#/components/schemas/Visit"}}}}}}},
                      **error_responses(401, 403, 422)},
    }},
    "/visits/{id}/complete": {"post": {
        "summary": "Complete and sign a visit: report, parts issue, PDF, status changes, once per key",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       {"name": "Idempotency-Key", "in": "header", "required": True,
                        "schema": {"type": "string", "maxLength": 100}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/VisitCompletion"}}}},
        "responses": {"201": {"description": "Signed (a replay returns the first answer with Idempotent-Replayed)",
                              "content": {"application/json": {
                                  "schema": {"$ref": "#/components/schemas/ReportCreated"}}}},
                      **error_responses(401, 403, 404, 409, 422)},
    }},
    "/reports/{id}/pdf": {"get": {
        "summary": "The signed report PDF, byte for byte as stored",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                      **error_responses(401, 403, 404)},
    }},
}

"""Booking for integrations: suggestions for a request, and booking one of its windows."""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, request

from ..api.core import api_roles, bp, idempotent_json, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
from ..errors import DomainError, NotFound
from ..i18n import current_locale, lazy_gettext as _l
from ..intake.services import find_request
from ..scheduling.services import book_appointment, suggestions_for_request
from ..validators import DB_INT_MAX

MAX_LIMIT = 20


def _request_or_404(number: str):
    # Numbers are short ASCII; anything else (a NUL byte would upset PostgreSQL) cannot exist.
    found = find_request(number) if len(number) <= 40 and number.isprintable() else None
    if found is None:
        raise NotFound("unknown_request", _l("No request with the number %(number)s.", number=number))
    return found


@bp.get("/requests/<number>/suggestions")
@api_roles(Role.AGENT, Role.MANAGER)
def request_suggestions(number: str):
    found = _request_or_404(number)
    raw = request.args.get("limit", "5")
    # isdecimal, not isdigit: int() cannot read "²"; and no limit has more than three digits.
    if not raw.isdecimal() or len(raw) > 3 or not 1 <= int(raw) <= MAX_LIMIT:
        raise DomainError("invalid_limit", _l("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT))
    zh = current_locale().startswith("zh")
    return jsonify({"suggestions": [{
        "technician_id": s.technician_id, "name": s.name, "phone": s.phone,
        "distance_km": s.distance_km, "travel_minutes": s.travel_minutes,
        "window_start": s.window_start.isoformat(), "window_end": s.window_end.isoformat(),
        "meets_promise": s.meets_promise, "load_count": s.load_count, "load_minutes": s.load_minutes,
        "added_km": s.added_km, "reason": s.reason.zh if zh else s.reason.en, "reason_code": str(s.reason.code),
    } for s in suggestions_for_request(found.id, int(raw))]})


@bp.post("/requests/<number>/appointments")
@api_roles(Role.AGENT, Role.MANAGER)
def create_appointment(number: str):
    body = json_body()
    technician_id, window_start, reason = _booking_input(body)
    found = _request_or_404(number)

    def action():
        appointment = book_appointment(found.id, technician_id, window_start, reason=reason)
        tech = appointment.technician
        return 201, {
            "appointment_id": appointment.id, "request_number": found.number,
            "window_start": appointment.window_start.isoformat(), "window_end": appointment.window_end.isoformat(),
            "after_promise": appointment.after_promise,
            "technician": {"id": tech.id, "name": tech.name, "phone": tech.phone},
            "confirmation": found.confirmation_text,
        }

    return idempotent_json("dispatch.create_appointment", {"number": found.number, **body}, action)


def _booking_input(body: dict) -> tuple[int, datetime, str | None]:
    technician_id, start, reason = body.get("technician_id"), body.get("window_start"), body.get("reason")
    if not isinstance(technician_id, int) or isinstance(technician_id, bool) or not 0 < technician_id <= DB_INT_MAX:
        raise DomainError("invalid_technician_id", _l("technician_id must be a whole number."))
    try:
        window_start = datetime.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        window_start = None
    if window_start is None or window_start.tzinfo is None:
        raise DomainError("invalid_window_start", _l("window_start must be an ISO 8601 time with its offset, "
                                                     "e.g. 2026-11-23T10:00:00+08:00."))
    if reason is not None and not isinstance(reason, str):
        raise DomainError("invalid_reason", _l("reason must be text."))
    return technician_id, window_start, reason


_NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "The request number, e.g. SR-20261122-0007."}

OPENAPI_SCHEMAS = {
    "Suggestion": {
        "type": "object",
        "required": ["technician_id", "name", "phone", "distance_km", "travel_minutes", "window_start", "window_end",
                     "meets_promise", "reason"],
        "properties": {
            "technician_id": {"type": "integer"},
            "name": {"type": "string"},
            "phone": {"type": "string"},
            "distance_km": {"type": "number", "description": "Straight line from where the technician is just "
                                                             "before (the previous visit that day, else the base)."},
            "travel_minutes": {"type": "number"},
            "window_start": {"type": "string", "format": "date-time"},
            "window_end": {"type": "string", "format": "date-time"},
            "meets_promise": {"type": "boolean", "description": "The window starts by the promise deadline."},
            "load_count": {"type": "integer", "description": "Visits the technician already has that day."},
            "load_minutes": {"type": "integer"},
            "added_km": {"type": "number", "description": "Detour of fitting this visit into the technician's day."},
            "reason": {"type": "string", "description": "Why this rank, in the language of Accept-Language."},
            "reason_code": {"type": "string", "enum": ["within_promise", "after_promise"]},
        },
    },
    "Suggestions": {
        "type": "object", "required": ["suggestions"],
        "properties": {"suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}}},
    },
    "NewAppointment": {
        "type": "object", "required": ["technician_id", "window_start"],
        "properties": {
            "technician_id": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
            "window_start": {"type": "string", "format": "date-time",
                             "description": "The start of one of the technician's windows (from the suggestions)."},
            "reason": {"type": "string", "nullable": True, "maxLength": 500,
                       "description": "Required when the window starts after the promise deadline: the "
                                      "customer's reason for the later visit."},
        },
    },
    "Appointment": {
        "type": "object",
        "required": ["appointment_id", "window_start", "window_end", "technician", "confirmation"],
        "properties": {
            "appointment_id": {"type": "integer"},
            "request_number": {"type": "string"},
            "window_start": {"type": "string", "format": "date-time"},
            "window_end": {"type": "string", "format": "date-time"},
            "after_promise": {"type": "boolean"},
            "technician": {"type": "object", "required": ["id", "name", "phone"],
                           "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                          "phone": {"type": "string"}}},
            "confirmation": {"type": "string", "description": "SMS-ready text in the customer's language."},
        },
    },
}

OPENAPI_PATHS = {
    "/requests/{number}/suggestions": {
        "get": {
            "summary": "The best technicians and windows for a request",
            "description": "Technicians with the skill and the area, each with its best free window: within the "
                           "promise the least extra driving first, then the earliest window.",
            "operationId": "requestSuggestions",
            "tags": ["booking"],
            "parameters": [_NUMBER, {"name": "limit", "in": "query", "required": False,
                                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5}}],
            "responses": {"200": {"description": "Suggestions, best first",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Suggestions"}}}},
                          **error_responses(401, 403, 404, 422)},
        },
    },
    "/requests/{number}/appointments": {
        "post": {
            "summary": "Book a window for a request",
            "description": "The database refuses overlapping bookings: a window just taken by someone else "
                           "answers 409 slot_taken. A window after the promise deadline without a reason answers "
                           "422 after_promise_needs_reason. Send an Idempotency-Key to make retries safe.",
            "operationId": "createAppointment",
            "tags": ["booking"],
            "parameters": [_NUMBER, {"name": "Idempotency-Key", "in": "header", "required": False,
                                     "schema": {"type": "string", "minLength": 1, "maxLength": 100}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/NewAppointment"}}}},
            "responses": {"201": {"description": "Booked",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Appointment"}}}},
                          **error_responses(401, 403, 404, 409, 422)},
        },
    },
}

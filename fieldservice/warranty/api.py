"""POST /api/v1/warranty/check: the warranty decision for a serial, for telephony and WeChat front ends."""
from __future__ import annotations

import re
from datetime import date

from flask import jsonify

from ..api.core import api_roles, bp, json_body
from ..api.openapi import error_responses
from ..auth.models import Role
from ..errors import DomainError
from ..i18n import current_locale, lazy_gettext as _l
from .rules import Component, Exclusion, WarrantyDecision
from .services import check_serial

# Dates an answer can be asked for: the purchase dates the system accepts, and not centuries ahead.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def decision_json(serial: str, decision: WarrantyDecision) -> dict:
    """The decision as the API shows it, reasons in the caller's language (Accept-Language)."""
    return {"serial": serial, **decision.to_dict(current_locale())}


def parse_api_date(value, code: str, field: str) -> date | None:
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else None
    except ValueError:
        parsed = None
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise DomainError(code, _l("%(field)s must be a date from 2000-01-01 to 2099-12-31 written as YYYY-MM-DD.",
                                   field=field))
    return parsed


def _check_input(body: dict) -> tuple[str, date | None, str, list[str]]:
    serial = body.get("serial")
    if not isinstance(serial, str):
        raise DomainError("invalid_serial", _l("serial must be the serial number as text."))
    on = parse_api_date(body.get("on"), "invalid_date", "on")
    component = body.get("component", Component.UNIT.value)
    if component not in tuple(Component):
        raise DomainError("invalid_component", _l("component must be unit or accessory."))
    exclusions = body.get("exclusions", [])
    if not isinstance(exclusions, list) or any(e not in tuple(Exclusion) for e in exclusions):
        raise DomainError("invalid_exclusion", _l("exclusions must be a list of: misuse, force_majeure, "
                                                  "model_mismatch, serial_altered."))
    return serial, on, component, exclusions


@bp.post("/warranty/check")
@api_roles(Role.AGENT, Role.MANAGER, Role.ADMIN, Role.TECHNICIAN)
def warranty_check():
    serial, on, component, exclusions = _check_input(json_body())
    result = check_serial(serial, on, component, exclusions)
    return jsonify(decision_json(result.unit.serial, result.decision))


_REASON = {"type": "object", "required": ["code", "message"],
           "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
_DATE_OR_NULL = {"type": "string", "format": "date", "nullable": True}

OPENAPI_SCHEMAS = {
    "WarrantyCheck": {
        "type": "object",
        "required": ["serial"],
        "properties": {
            "serial": {"type": "string", "minLength": 1, "maxLength": 64,
                       "description": "As on the label; case, spaces and full-width characters do not matter."},
            "on": {"type": "string", "format": "date",
                   "description": "The day of the failure (default today, service time zone); 2000-01-01 to "
                                  "2099-12-31."},
            "component": {"type": "string", "enum": [c.value for c in Component], "default": "unit"},
            "exclusions": {"type": "array", "items": {"type": "string", "enum": [e.value for e in Exclusion]},
                           "description": "What was found or reported: each makes the repair chargeable."},
        },
    },
    "WarrantyDecision": {
        "type": "object",
        "required": ["serial", "status", "covered_until", "chargeable", "reasons", "replacement"],
        "properties": {
            "serial": {"type": "string"},
            "status": {"type": "string", "enum": ["in_warranty", "expired", "excluded", "unverified"]},
            "component": {"type": "string", "enum": [c.value for c in Component]},
            "covered_until": {**_DATE_OR_NULL, "description": "Last covered day of the component asked about."},
            "unit_covered_until": _DATE_OR_NULL,
            "accessory_covered_until": _DATE_OR_NULL,
            "chargeable": {"type": "boolean"},
            "reasons": {"type": "array", "items": _REASON,
                        "description": "In plain words to read to the customer, in the Accept-Language language."},
            "replacement": {"type": "object", "required": ["entitled", "reason"],
                            "properties": {"entitled": {"type": "boolean"},
                                           "reason": {"type": "string", "nullable": True},
                                           "reason_code": {"type": "string", "nullable": True}}},
        },
    },
}

OPENAPI_PATHS = {
    "/warranty/check": {
        "post": {
            "summary": "Warranty decision for a serial number",
            "description": "Status in_warranty, expired (still repaired, for a fee), excluded (chargeable: misuse, "
                           "force majeure, model mismatch, serial altered, clearance sale) or unverified (no "
                           "purchase date or invoice on record), with reasons and free-replacement entitlement.",
            "operationId": "checkWarranty",
            "tags": ["warranty"],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/WarrantyCheck"},
                "example": {"serial": "KFR35-2401-000123", "on": "2026-11-22", "component": "unit",
                            "exclusions": []}}}},
            "responses": {"200": {"description": "The decision",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/WarrantyDecision"}}}},
                          **error_responses(401, 403, 404, 422)},
        },
    },
}

"""The OpenAPI 3 document, assembled from each area's OPENAPI_PATHS and OPENAPI_SCHEMAS."""
from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"],
                             "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                             "additionalProperties": True}},
}


def error_responses(*statuses: int) -> dict:
    descriptions = {400: "Bad request", 401: "Missing or invalid token", 403: "Role not allowed",
                    404: "Not found", 409: "Conflict", 422: "Invalid input"}
    return {str(s): {"description": descriptions[s],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for s in statuses}


def build_document(modules) -> dict:
    paths: dict = {}
    schemas: dict = {"Error": ERROR_SCHEMA}
    for module in modules:
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.0.3",
        "info": {"title": "fieldservice API", "version": "1.0.0",
                 "description": "Integrations (telephony, WeChat front ends) for the after-sales service centre."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
        "paths": paths,
    }

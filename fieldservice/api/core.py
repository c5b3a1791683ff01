"""The JSON API under /api/v1: bearer-token auth, JSON bodies, idempotent POSTs, OpenAPI fragments.

Areas add endpoints in <area>/api.py with `@bp.route(...)` on this blueprint and describe them in
OPENAPI_PATHS / OPENAPI_SCHEMAS dicts in the same module (merged into /api/v1/openapi.json).
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request

from ..auth.models import Role
from ..auth.services import user_for_token
from ..errors import DomainError, Forbidden
from ..extensions import csrf
from ..i18n import lazy_gettext as _l
from .idempotency import run_idempotent

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated, never cookie-authenticated: CSRF does not apply, and cookies are ignored here.
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}


class Unauthorized(DomainError):
    status_code = 401


@bp.before_request
def authenticate_token():
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise Unauthorized("unauthorized", _l("A valid API token is required (Authorization: Bearer <token>)."))
    g.api_user = user
    return None


def api_roles(*roles: Role):
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.api_user.role not in allowed:
                raise Forbidden("forbidden", _l("Your role may not use this endpoint."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError("invalid_json", _l("The request body must be a JSON object."))
    return body


def idempotent_json(endpoint: str, payload, action):
    """Run a POST's action once per Idempotency-Key header; a retry gets the stored response."""
    outcome = run_idempotent(g.api_user.id, request.headers.get("Idempotency-Key"), endpoint, payload, action)
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response

from flask import jsonify

from .. import AREAS, import_optional
from .core import bp
from .openapi import build_document

# Each area's endpoints live in <area>/api.py and register themselves on the blueprint when imported.
API_MODULES = [m for m in (import_optional(f"fieldservice.{area}.api") for area in AREAS) if m is not None]


@bp.route("/openapi.json")
def openapi():
    return jsonify(build_document(API_MODULES))

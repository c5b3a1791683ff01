"""GET /api/v1/models: the product models integrations may register units with."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from ..api.core import bp
from ..api.openapi import error_responses
from ..extensions import db
from .models import ProductModel
from .rules import ProductLine


@bp.get("/models")
def list_models():
    models = db.session.scalars(select(ProductModel).order_by(ProductModel.code))
    return jsonify({"models": [{"code": m.code, "name": m.name, "product_line": m.product_line,
                                "unit_warranty_months": m.unit_warranty_months,
                                "accessory_warranty_months": m.accessory_warranty_months} for m in models]})


OPENAPI_SCHEMAS = {
    "ProductModels": {
        "type": "object",
        "required": ["models"],
        "properties": {"models": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "name", "product_line", "unit_warranty_months", "accessory_warranty_months"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                           "product_line": {"type": "string", "enum": [line.value for line in ProductLine]},
                           "unit_warranty_months": {"type": "integer", "minimum": 0},
                           "accessory_warranty_months": {"type": "integer", "minimum": 0}},
        }}},
    },
}

OPENAPI_PATHS = {
    "/models": {
        "get": {
            "summary": "Product models",
            "description": "The model codes to send with a new unit (POST /requests with model_code).",
            "operationId": "listModels",
            "tags": ["catalogue"],
            "responses": {"200": {"description": "All models, by code",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/ProductModels"}}}},
                          **error_responses(401)},
        },
    },
}

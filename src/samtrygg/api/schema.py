"""The OpenAPI document: every operation lists the error responses it can give, in the one error body
(:mod:`samtrygg.api.errors`), and GeoJSON responses get the GeoJSON schema."""

from __future__ import annotations

from .geo import FEATURE_COLLECTION_SCHEMA
from .views_common import FEATURE_SCHEMA

ERRORS_REF = {"$ref": "#/components/schemas/Errors"}
ERRORS_SCHEMA = {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["field", "code", "message"],
        "properties": {
            "field": {"type": "string", "nullable": True,
                      "description": "The input at fault (`occurred_at`, `reports[3].lat`, a query parameter), "
                                     "or null for the whole request."},
            "code": {"type": "string", "description": "A stable word for scripts (invalid, required, "
                                                      "unknown_field, not_authenticated, …)."},
            "message": {"type": "string", "description": "What is wrong, for people."},
            "index": {"type": "integer", "description": "Bulk import: the index of the report in `reports`."},
        }}}},
}
COMMON = {
    "400": "Bad input: every problem is listed with the field it concerns.",
    "401": "No valid API key (missing, malformed, unknown, revoked or expired).",
    "403": "The key's role may not do this.",
    "404": "No such object, or not one you may see.",
    "405": "Method not allowed.",
    "406": "The format asked for (Accept, ?format=) is not offered here.",
}
WITH_BODY = {
    "409": "Conflicts with an existing object (e.g. the external_id is taken).",
    "413": "The request body is too large.",
    "415": "The body is not JSON (send Content-Type: application/json).",
}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERRORS_REF}}}


def postprocess(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Errors"] = ERRORS_SCHEMA
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON, **(WITH_BODY if method in ("post", "put", "patch") else {}))
            for code, description in codes.items():
                existing = responses.get(code)
                if existing is None or "content" not in existing:
                    responses[code] = _error_response(existing["description"] if existing else description)
            for code, response in responses.items():
                content = response.get("content", {})
                if "application/geo+json" in content and code.startswith("2"):
                    many = operation.get("operationId", "").endswith("_list")
                    content["application/geo+json"]["schema"] = FEATURE_COLLECTION_SCHEMA if many else FEATURE_SCHEMA
    return result

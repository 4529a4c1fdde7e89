"""What the API views share: renderers, the ``format`` parameter, GeoJSON responses in the schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer

from .geo import FEATURE_COLLECTION_SCHEMA

JSON_RENDERERS = [JSONRenderer]

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "geojson", ""],
    description="`geojson` for GeoJSON (RFC 7946, WGS84); the same as `Accept: application/geo+json`.")

# An empty value of an optional parameter means "not given", as in the web's filter forms.
DATE_OR_EMPTY = {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$", "example": "2026-03-01"}


def boolean_param(request, name: str) -> bool:
    """A true/false query parameter; anything else is a 400 naming it."""
    from django.utils.translation import gettext as _

    from .errors import field_error

    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw.lower() not in ("true", "false", "1", "0"):
        raise field_error(name, _("Write true or false."))
    return raw.lower() in ("true", "1")

FEATURE_SCHEMA = {
    "type": "object", "required": ["type", "geometry", "properties"],
    "properties": {"type": {"type": "string", "enum": ["Feature"]},
                   "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                   "geometry": {"type": "object", "nullable": True},
                   "properties": {"type": "object", "additionalProperties": True}},
}


def geojson_responses(serializer, *, paged: str | None = None, single_feature: bool | None = None) -> dict:
    """A 200 in JSON (the serializer, paged by the view's paginator) or GeoJSON."""
    many = getattr(serializer, "many", False)
    geo = FEATURE_COLLECTION_SCHEMA if many else FEATURE_SCHEMA
    return {(200, "application/json"): serializer,
            (200, "application/geo+json"): OpenApiResponse(geo, description="GeoJSON")}


PAGE = {"page", "page_size"}
CURSOR = {"cursor", "page_size"}


class StrictQueryMixin:
    """Refuses query parameters the endpoint does not know, naming them: a typo in a filter
    (``categroy=klotter``) must not silently return everything. ``query_params`` maps an action (``list``,
    ``retrieve``, … or ``get`` for a plain view) to the parameter names it takes; "*" applies to all."""

    query_params: dict[str, set[str]] = {}

    def allowed_query_params(self) -> set[str]:
        action = getattr(self, "action", None) or self.request.method.lower()
        return set(self.query_params.get("*", set())) | set(self.query_params.get(action, set()))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        from django.utils.translation import gettext as _
        from rest_framework.exceptions import ErrorDetail, ValidationError

        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, getattr(self, "action_map", {}).get(
                method, method)):
            return  # an unsupported method: 405 comes next
        allowed = self.allowed_query_params()
        unknown = sorted(k for k in request.query_params if k not in allowed)
        if unknown:
            message = (_("Unknown query parameter. Known here: %(known)s.") % {"known": ", ".join(sorted(allowed))}
                       if allowed else _("This address takes no query parameters."))
            raise ValidationError({name: [ErrorDetail(message, code="unknown_field")] for name in unknown})

"""One machine-readable error body for every API error:

    {"errors": [{"field": "occurred_at", "code": "invalid", "message": "…"}, …]}

``field`` names the input at fault as a path into the request (``reports[3].lat``; a query parameter by its
name), or is null for an error of the whole request (a malformed body, a missing key, a refused permission).
``code`` is a stable English word for scripts; ``message`` is for people, in the request's language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

NON_FIELD = ("non_field_errors", "__all__")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with an existing object.")
    default_code = "conflict"


def error(field: str | None, code: str, message) -> dict:
    return {"field": field, "code": code, "message": str(message)}


def field_error(field: str, message, code: str = "invalid") -> exceptions.ValidationError:
    """A ValidationError for one named field (query parameter or body key)."""
    return exceptions.ValidationError({field: [ErrorDetail(str(message), code=code)]})


def flatten(detail, path: str = "") -> list[dict]:
    """DRF's nested error detail (dicts by field, lists by index) as a flat list of error objects."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in NON_FIELD:
                child = path
            elif path:
                child = f"{path}[{key}]" if key.isdigit() else f"{path}.{key}"
            else:
                child = key
            out.extend(flatten(value, child))
    elif isinstance(detail, list):
        if all(isinstance(item, (str, ErrorDetail)) for item in detail):
            for item in detail:
                out.extend(flatten(item, path))
        else:
            for index, item in enumerate(detail):
                if item:
                    out.extend(flatten(item, f"{path}[{index}]"))
    else:
        code = getattr(detail, "code", None) or "invalid"
        out.append(error(path or None, code, detail))
    return out


def from_form_errors(form, prefix: str = "") -> list[dict]:
    """A Django form's errors (with their codes) as error objects."""
    out = []
    for name, errors in form.errors.as_data().items():
        field = None if name == "__all__" else f"{prefix}{name}"
        for exc in errors:
            for message in exc.messages:
                out.append(error(field, exc.code or "invalid", message))
    return out


class FormErrors(exceptions.ValidationError):
    """A 400 carrying a form's (or any list of) error objects unchanged."""

    def __init__(self, errors: list[dict]):
        super().__init__("invalid")
        self.error_list = errors


def exception_handler(exc, context):
    # Imported here: rest_framework.views loads the API settings, which import this package's parser,
    # which imports this module (a cycle when this module is imported first).
    from rest_framework.views import set_rollback

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, FormErrors):
        errors = exc.error_list
    elif isinstance(exc, exceptions.ValidationError) or isinstance(exc.detail, (dict, list)):
        errors = flatten(exc.detail)
    else:
        codes = exc.get_codes()
        errors = [error(None, codes if isinstance(codes, str) else exc.default_code, exc.detail)]
    request = context.get("request")
    if request is not None:
        # Errors are always JSON, also when the request asked for GeoJSON (?format=geojson).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    set_rollback()
    return Response({"errors": errors}, status=exc.status_code, headers=headers)

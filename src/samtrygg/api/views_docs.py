"""The API's documentation pages: the written guide and the interactive reference (Swagger UI)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .views_tokens import can_manage_tokens


def guide(request):
    base = settings.SAMTRYGG_BASE_URL
    return render(request, "api/guide.html", {
        "base_url": base, "api_url": base + "/api/v1/",
        "schema_url": reverse("api:schema"), "docs_url": reverse("api:docs"),
        "can_manage_tokens": can_manage_tokens(request.user),
    })


def swagger(request):
    """Swagger UI from drf-spectacular-sidecar's files, started by a static script (no inline script)."""
    return render(request, "api/swagger.html", {"schema_url": reverse("api:schema")})


@csrf_exempt
def not_found(request, *args, **kwargs):
    return JsonResponse({"errors": [{"field": None, "code": "not_found",
                                     "message": _("There is no such address in the API.")}]}, status=404)

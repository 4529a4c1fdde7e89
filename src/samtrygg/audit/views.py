"""The audit log for admins: filter, page through, export (the export itself is audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import browse, chain, log

PAGE_SIZE = 50
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _admin(user) -> None:
    if not getattr(user, "is_samtrygg_admin", False):
        raise PermissionDenied


@login_required
def entries(request):
    _admin(request.user)
    form = browse.LogFilterForm(request.GET or None)
    page = Paginator(browse.filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page})


@login_required
def export(request, fmt: str):
    _admin(request.user)
    if fmt not in FORMATS:
        raise Http404
    form = browse.LogFilterForm(request.GET or None)
    qs = browse.filtered(form)
    content = browse.to_csv(qs) if fmt == "csv" else browse.to_xlsx(qs)
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    log.record(request.user, "export", object_type="audit.auditentry",
               summary=f"audit log as {fmt}", changes={"filters": query})
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="samtrygg-audit-log.{fmt}"'
    return response


@login_required
def verify(request):
    """The chain check on demand (the same as `samtrygg audit-verify`)."""
    _admin(request.user)
    return render(request, "audit/verify.html", {"verdict": chain.verify()})

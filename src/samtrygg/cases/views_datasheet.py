"""The case's data sheet page and the case report PDF. Thin: the numbers come from ``datasheet``, the PDF
from ``report``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from samtrygg.audit import log
from samtrygg.categories.models import Category

from . import access, datasheet, report
from .models import PlaceCase


def _case(request, pk) -> PlaceCase:
    if not access.can_read(request.user):
        raise PermissionDenied
    return get_object_or_404(PlaceCase.objects.select_related("place"), pk=pk)


def _category(value: str | None):
    if not value:
        return None
    try:
        return Category.objects.get(pk=int(value))
    except (ValueError, Category.DoesNotExist):
        raise datasheet.DatasheetError(
            _("Category: “%(value)s” is not a category. Choose one from the list.") % {"value": value[:20]},
            "category") from None


@login_required
def datasheet_page(request, pk):
    case = _case(request, pk)
    error = None
    sheet = None
    params = {"from": request.GET.get("from", ""), "to": request.GET.get("to", ""),
              "category": request.GET.get("category", "")}
    try:
        period = datasheet.parse_period(params["from"], params["to"])
        category = _category(params["category"])
        sheet = datasheet.build(case, request.user, period, category=category)
        params = {"from": period.from_param, "to": period.to_param,
                  "category": str(category.pk) if category else ""}
    except datasheet.DatasheetError as exc:
        error = exc
    context = {
        "case": case, "sheet": sheet, "error": error, "params": params,
        "categories": Category.objects.order_by("sort_order", "name"),
        "chart": report.monthly_chart_uri(sheet) if sheet else None,
    }
    return render(request, "cases/datasheet.html", context, status=400 if error else 200)


@login_required
def report_pdf(request, pk):
    case = _case(request, pk)
    content = report.build_pdf(case, request.user)
    log.record(request.user, "export", case, summary=f"case report {case.pk} as pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(case)}"'
    return response

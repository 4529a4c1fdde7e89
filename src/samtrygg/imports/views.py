"""Importing reports on the web: upload → preview with all bad rows → import all, only the valid / cancel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samtrygg.analysis import geo
from samtrygg.areas.models import Area
from samtrygg.audit import log
from samtrygg.categories.models import Category
from samtrygg.reports import access

from . import parsing, services
from .forms import COMMON_CRS, DecisionForm, UploadForm
from .models import ImportBatch
from .police import TYPE_TO_CATEGORY
from .validation import unit_word

ERRORS_PER_PAGE = 200


def _require_importer(user) -> None:
    if not access.can_import(user):
        raise PermissionDenied


def _batch_for(user, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("organization", "created_by"), pk=pk)
    if batch.created_by_id != user.pk and not user.is_samtrygg_admin:
        raise Http404
    return batch


@login_required
def upload(request):
    _require_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        organization = form.organization_for()
        if organization is None:
            form.add_error("organization", _("Choose the organisation the reports are from."))
        else:
            upload_file = form.cleaned_data["file"]
            data = upload_file.read()
            upload_file.seek(0)
            try:
                batch = services.create_batch(data=data, upload=upload_file, user=request.user,
                                              organization=organization, kind=form.cleaned_data["kind"],
                                              crs=form.cleaned_data["crs"])
            except parsing.FileProblem as exc:
                form.add_error("file", str(exc))
            except ValueError as exc:
                form.add_error("crs", str(exc))
            else:
                return redirect("imports:detail", pk=batch.pk)
    form.mark_errors()
    recent = ImportBatch.objects.filter(created_by=request.user).select_related("organization")[:5]
    return render(request, "imports/upload.html", {
        "form": form,
        "recent": recent,
        "crs_choices": COMMON_CRS,
        "categories": Category.objects.filter(is_active=True),
        "police_types": sorted(TYPE_TO_CATEGORY.items()),
        "max_bytes": settings.SAMTRYGG_MAX_IMPORT_BYTES,
    })


@login_required
def batch_detail(request, pk: int):
    _require_importer(request.user)
    batch = _batch_for(request.user, pk)
    page = Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/preview.html", {
        "batch": batch,
        "errors_page": page,
        "unit": unit_word(batch.unit),
        "waiting": batch.status == ImportBatch.Status.VALIDATED,
        "skipped_total": sum(batch.skipped.values()),
    })


@login_required
@require_POST
def decide(request, pk: int):
    _require_importer(request.user)
    batch = _batch_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the buttons."))
        return redirect("imports:detail", pk=batch.pk)
    action = form.cleaned_data["action"]
    try:
        decision = services.decide(batch.pk, request.user, action)
    except services.AlreadyDecided:
        batch.refresh_from_db()
        messages.info(request, _("This file was already handled (%(status)s); nothing more was done.")
                      % {"status": batch.get_status_display().lower()})
    except services.NotAllValid as exc:
        services.fill_batch(batch, exc.validated)
        batch.save()
        messages.error(request, _("The file was checked again and now has bad rows. Nothing was imported."))
    else:
        if decision.outcome is None:
            messages.info(request, _("The import was cancelled. Nothing was imported."))
        else:
            o = decision.outcome
            messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d "
                                        "unchanged, %(skipped)d skipped.")
                             % {"created": o.created, "updated": o.updated, "unchanged": o.unchanged,
                                "skipped": o.skipped})
    return redirect("imports:detail", pk=batch.pk)


@login_required
def errors_csv(request, pk: int):
    _require_importer(request.user)
    batch = _batch_for(request.user, pk)
    content = services.errors_csv(batch)
    log.record(request.user, "export", batch, summary=f"import {batch.pk}: bad rows as csv")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="errors-{batch.pk}.csv"'
    return response


@login_required
def template_csv(request):
    """An example file with every column, whose rows import cleanly in this installation."""
    _require_importer(request.user)
    area = Area.objects.filter(is_active=True).order_by("-min_x").first()
    lat = lon = x = y = ""
    if area is not None:
        point = area.shape.representative_point()
        lo, la = geo.sweref_to_wgs84([point.x], [point.y])
        lat, lon = f"{la[0]:.6f}", f"{lo[0]:.6f}"
        x, y = f"{point.x:.1f}", f"{point.y:.1f}"
    when = timezone.localtime() - timedelta(days=1)
    org = request.user.organization.code if request.user.organization else ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "occurred_at", "category", "lat", "lon", "x", "y", "place", "description",
                     "organization", "quantity"])
    writer.writerow(["A-1001", when.strftime("%Y-%m-%dT%H:%M"), "klotter", lat, lon, "", "", "",
                     _("Tags on the wall by the entrance"), org, "3"])
    writer.writerow(["A-1002", (when - timedelta(hours=5)).strftime("%Y-%m-%d %H:%M"), "Skadegörelse", "", "",
                     x, y, "", _("Broken bench"), org, ""])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="samtrygg-reports-template.csv"'
    return response

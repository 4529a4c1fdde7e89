"""Finding reports: the filtered list, the map, exports, and a report's page with its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samtrygg.audit import history as audit_history
from samtrygg.audit import log

from . import access, datacache, exports, map_clusters, services
from .filters import ReportFilterForm, filter_query, reports_for
from .models import Report, ReportPlace

PAGE_SIZE = 50
LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``LIST_COUNT_CAP`` + 1 rows (``SELECT count(*) FROM (… LIMIT n)``), so the list's
    "N reports" line costs the same with one year or ten years stored; above the cap the page says
    "more than 10 000" and pages through the first 10 000 (narrow the filters or export for the rest)."""

    capped = False

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            n = self.object_list[:LIST_COUNT_CAP + 1].count()
            self.capped = n > LIST_COUNT_CAP
            self._capped_count = min(n, LIST_COUNT_CAP)
        return self._capped_count
MAP_CAP = 20_000
SORTS = {  # query value → (label, order_by field); anything else falls back to the default
    "time": (gettext_lazy("Time"), "occurred_at"),
    "category": (gettext_lazy("Category"), "category__name"),
    "organization": (gettext_lazy("Organisation"), "organization__name"),
    "quantity": (gettext_lazy("Quantity"), "quantity"),
}
DEFAULT_SORT = ("time", "desc")


def sort_params(query) -> tuple[str, str]:
    """The (column, direction) to sort by, only from the whitelist."""
    column = query.get("sort")
    if column not in SORTS:
        return DEFAULT_SORT
    order = query.get("order")
    return column, order if order in ("asc", "desc") else "asc"


def ordering(column: str, order: str) -> list[str]:
    field = SORTS[column][1]
    sign = "-" if order == "desc" else ""
    return [f"{sign}{field}", f"{sign}occurred_at", f"{sign}id"] if column != "time" else [
        f"{sign}{field}", f"{sign}id"]


def _filter_context(request):
    form = ReportFilterForm(request.GET, user=request.user)
    reports = reports_for(request.user, form)
    return form, reports, {"form": form, "filter_query": filter_query(request.GET),
                           "can_see_deleted": access.can_see_deleted(request.user)}


@login_required
def report_list(request):
    form, reports, context = _filter_context(request)
    column, order = sort_params(request.GET)
    page = None
    if reports is not None:
        reports = (reports.select_related("category", "organization", "place")
                   .order_by(*ordering(column, order)))
        page = CappedPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        add_place_names(page.object_list)
    headers = []
    for key, (label, _field) in SORTS.items():
        current = key == column
        next_order = "asc" if current and order == "desc" else "desc" if current else (
            "desc" if key in ("time", "quantity") else "asc")
        headers.append({"key": key, "label": label, "current": current, "order": order if current else "",
                        "next_order": next_order,
                        "aria_sort": ("ascending" if order == "asc" else "descending") if current else None})
    context.update({"page": page, "headers": dict((h["key"], h) for h in headers), "sort": column,
                    "order": order})
    return render(request, "reports/list.html", context)


def add_place_names(reports) -> None:
    """Give each report `place_names`: its named place, else the registered places it lies in."""
    reports = list(reports)
    inside: dict[int, list[str]] = {}
    links = (ReportPlace.objects.filter(report_id__in=[r.pk for r in reports if not r.place_id])
             .order_by("place__name").values_list("report_id", "place__name"))
    for report_id, name in links:
        inside.setdefault(report_id, []).append(name)
    for r in reports:
        r.place_names = r.place.name if r.place_id else ", ".join(inside.get(r.pk, ()))


@login_required
def report_map(request):
    form, reports, context = _filter_context(request)
    total = reports.count() if reports is not None else None
    data_url = reverse("reports:map_data")
    if context["filter_query"]:
        data_url += "?" + context["filter_query"]
    # The map asks for the reports of its view (points, or counts per grid cell: map_clusters); it starts on
    # the extent of the filtered reports.
    context.update({"total": total, "data_url": data_url,
                    "extent": map_clusters.extent(reports) if total else None})
    return render(request, "reports/map.html", context)


def map_features(reports, *, cap: int = MAP_CAP) -> dict:
    """A GeoJSON FeatureCollection of at most `cap` reports, newest first, with what a popup needs."""
    detail = reverse("reports:detail", args=[0]).replace("/0/", "/{}/")
    rows = list(reports.order_by("-occurred_at", "-id")
                .values_list("id", "occurred_at", "category__name", "lat", "lon", "deleted_at")[:cap + 1])
    capped = len(rows) > cap
    features = []
    for pk, occurred_at, category, lat, lon, deleted_at in rows[:cap]:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "id": pk,
                "time": date_format(timezone.localtime(occurred_at), "Y-m-d H:i"),
                "category": category,
                "url": detail.format(pk),
                "deleted": deleted_at is not None,
            },
        })
    return {"type": "FeatureCollection", "features": features, "capped": capped, "cap": cap}


@login_required
def map_data(request):
    form = ReportFilterForm(request.GET, user=request.user)
    reports = reports_for(request.user, form)
    if reports is None:
        return JsonResponse({"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}}, status=400)
    view, errors = map_clusters.parse_view(request.GET)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    if view is None:  # the whole filtered set, newest first (exports and scripts that ask without a view)
        return JsonResponse(map_features(reports))
    # Everyone opening the map sees the same month at the same zoom first; a view's clusters (a few kB)
    # are kept under the versions of the weeks shown and the set of reports the user may see.
    parts = (sorted(request.GET.lists()), access.visibility_key(request.user), access.can_see_deleted(request.user))
    window = (form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to"))
    return JsonResponse(datacache.cached("report-map", parts,
                                         lambda: map_clusters.view_data(reports, view, map_features), window=window))


@login_required
def export(request, fmt):
    if fmt not in exports.FORMATS:
        raise Http404(_("Unknown export format."))
    form, reports, context = _filter_context(request)
    if reports is None:
        context.update({"page": None, "headers": {}, "export_failed": True})
        return render(request, "reports/list.html", context, status=400)
    count = reports.count()
    log.record(request.user, "export", object_type="reports",
               summary=f"{fmt}, {count} reports, filters: {filter_query(request.GET) or '-'}")
    content_type, suffix = exports.FORMATS[fmt]
    filename = f"samtrygg-reports-{timezone.localtime():%Y%m%d-%H%M}.{suffix}"
    rows = exports.iter_rows(reports)
    if fmt == "xlsx":
        return FileResponse(exports.xlsx_file(rows), as_attachment=True, filename=filename,
                            content_type=content_type)
    chunks = exports.csv_chunks(rows) if fmt == "csv" else exports.geojson_chunks(rows)
    response = StreamingHttpResponse((c.encode("utf-8") for c in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_or_404(user, pk) -> Report:
    visible = access.visible_reports(user, include_deleted=True)
    return get_object_or_404(visible.select_related("category", "organization", "created_by", "place",
                                                    "deleted_by"), pk=pk)


FIELD_LABELS = {"photos": gettext_lazy("photos")}


def history(report: Report) -> list[dict]:
    return audit_history.history(report, labels=FIELD_LABELS)


@login_required
def detail(request, pk):
    report = _report_or_404(request.user, pk)
    user = request.user
    return render(request, "reports/detail.html", {
        "report": report,
        "areas": list(report.areas.defer("geometry_wgs84", "geometry_sweref").order_by("name")),
        "places": list(report.places.defer("geometry_wgs84", "geometry_sweref").order_by("name")),
        "photos": list(report.photos.order_by("uploaded_at", "pk")),
        "history": history(report),
        "can_edit": report.deleted_at is None and access.can_edit(user, report),
        "can_delete": report.deleted_at is None and access.can_delete(user, report),
        "can_restore": report.deleted_at is not None and access.can_delete(user, report),
        "position": {"lat": report.lat, "lon": report.lon},
    })


@login_required
def delete(request, pk):
    report = _report_or_404(request.user, pk)
    if not access.can_delete(request.user, report):
        raise PermissionDenied
    if report.deleted_at is not None:
        return redirect("reports:detail", pk=report.pk)
    if request.method == "POST":
        services.delete_report(request.user, report)
        messages.success(request, _("The report was deleted. It can be restored from its page."))
        if access.visible_reports(request.user, include_deleted=True).filter(pk=report.pk).exists():
            return redirect("reports:detail", pk=report.pk)
        return redirect("reports:list")
    return render(request, "reports/delete.html", {"report": report})


@login_required
@require_POST
def restore(request, pk):
    report = _report_or_404(request.user, pk)
    if not access.can_delete(request.user, report):
        raise PermissionDenied
    if report.deleted_at is not None:
        services.restore_report(request.user, report)
        messages.success(request, _("The report was restored."))
    return redirect("reports:detail", pk=report.pk)

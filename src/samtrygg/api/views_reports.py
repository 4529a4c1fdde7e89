"""Reports over the API: list (the web list's filters, keyset pages, GeoJSON), one report, create, change,
delete, and bulk creation. Every rule is the web's: `reports.access` decides who sees and changes what, and
writes go through `reports.services` (area assignment, audit log) or the file importer (bulk)."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from samtrygg.accounts.models import Organization
from samtrygg.analysis import geo as geo_core
from samtrygg.areas.models import Area, Place
from samtrygg.categories.models import Category
from samtrygg.imports.parsing import FileProblem
from samtrygg.reports import access, services
from samtrygg.reports.filters import ReportFilterForm, filter_reports
from samtrygg.reports.forms import ReportForm
from samtrygg.reports.models import Report, ReportArea

from . import bulk, geo
from .errors import Conflict, FormErrors, error, field_error, from_form_errors
from .pagination import ReportCursorPagination
from .renderers import GeoJSONRenderer, wants_geojson
from .serializers import (
    BulkRequestSerializer,
    BulkResultSerializer,
    ReportPatchSerializer,
    ReportSerializer,
    ReportWriteSerializer,
)
from .views_common import CURSOR, DATE_OR_EMPTY, FORMAT_PARAMETER, JSON_RENDERERS, StrictQueryMixin, geojson_responses

CODE_LOOKUPS = {"area": Area, "place": Place, "organization": Organization, "category": Category}

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", DATE_OR_EMPTY, description="From this day (Swedish time), inclusive."),
    OpenApiParameter("date_to", DATE_OR_EMPTY, description="To this day (Swedish time), inclusive."),
    OpenApiParameter("area", str, description="An area's id or code: reports inside it (nested areas too)."),
    OpenApiParameter("place", str, description="A place's id or code: inside it or named as it."),
    OpenApiParameter("category", str, many=True, explode=True,
                     description="Category ids or codes; repeat for several."),
    OpenApiParameter("organization", str, description="The reporting organisation's id or code."),
    OpenApiParameter("q", str, description="Text in the description (at most 200 characters)."),
    OpenApiParameter("deleted", bool, description="Include deleted reports (coordinators and admins)."),
]


def filter_data(query) -> QueryDict:
    """The query string for ReportFilterForm, with codes (``area=centrum``) turned into the ids it takes."""
    data = query.copy()
    for name, model in CODE_LOOKUPS.items():
        values = [v for v in data.getlist(name) if v.strip()]
        data.setlist(name, values)
        if not values:
            continue
        codes = [v for v in values if v and not v.isdigit()]
        found = dict(model.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
        data.setlist(name, [str(found.get(v, v)) for v in values])
    if "deleted" in data:
        raw = data.get("deleted", "").lower()
        if raw not in ("true", "false", "1", "0"):
            raise field_error("deleted", _("Write true or false."))
        data["deleted"] = "on" if raw in ("true", "1") else ""
    return data


def area_codes(report_ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for report_id, code in (ReportArea.objects.filter(report_id__in=list(report_ids))
                            .order_by("area__code").values_list("report_id", "area__code")):
        out[report_id].append(code)
    return out


def report_feature(data: dict) -> dict:
    return geo.feature(data["id"], geo.point(data["lon"], data["lat"]), data)


def _category_pk(text: str, categories: list[Category]) -> int | None:
    key = text.strip().casefold()
    for category in categories:
        if key in {category.code.casefold(), category.name.casefold(), (category.name_en or "").casefold()}:
            return category.pk
    return None


def _place_pk(text: str) -> int | None:
    key = text.strip()
    place = (Place.objects.filter(is_active=True, code__iexact=key).only("pk").first()
             or Place.objects.filter(is_active=True, name__iexact=key).only("pk").first())
    return place.pk if place else None


def form_data(data: dict, categories: list[Category], report: Report | None = None) -> dict:
    """What the web form would post for this API input (a change keeps what it does not name).

    ``categories``: every category (read once per request; the form is given the same list)."""
    out: dict = {}
    if report is not None:
        out = {"occurred_at": report.occurred_at.isoformat(),
               "occurred_until": report.occurred_until.isoformat() if report.occurred_until else "",
               "category": str(report.category_id), "quantity": str(report.quantity),
               "description": report.description, "place": str(report.place_id or ""),
               "lat": repr(report.lat), "lon": repr(report.lon)}
    errors = []
    for name in ("occurred_at", "occurred_until", "description"):
        if name in data:
            out[name] = data[name] or ""
    if "quantity" in data:
        out["quantity"] = str(data["quantity"])
    elif report is None:
        out["quantity"] = "1"
    if data.get("category") is not None:
        pk = _category_pk(data["category"], categories)
        if pk is None:
            errors.append(error("category", "invalid_choice", _("Unknown category “%(value)s”.")
                                % {"value": data["category"][:100]}))
        out["category"] = str(pk or "")
    if "place" in data:
        pk = _place_pk(data["place"]) if data["place"] else None
        if data["place"] and pk is None:
            errors.append(error("place", "invalid_choice", _("Unknown place “%(value)s”.")
                                % {"value": data["place"][:100]}))
        out["place"] = str(pk or "")
    has_ll = data.get("lat") is not None or data.get("lon") is not None
    has_xy = data.get("x") is not None or data.get("y") is not None
    if has_ll and has_xy:
        errors.append(error("x", "invalid", _("Give either lat/lon or x/y, not both.")))
    elif has_xy:
        if data.get("x") is None or data.get("y") is None:
            errors.append(error("x" if data.get("x") is None else "y", "required",
                                _("Give both x and y (SWEREF 99 TM).")))
        else:
            lon, lat = geo_core.sweref_to_wgs84(data["x"], data["y"])
            out["lat"], out["lon"] = repr(float(lat)), repr(float(lon))
    elif has_ll:
        out["lat"] = "" if data.get("lat") is None else repr(data["lat"])
        out["lon"] = "" if data.get("lon") is None else repr(data["lon"])
    elif data.get("place") and report is not None:
        out["lat"] = out["lon"] = ""  # a new place without coordinates moves the report to the place
    if data.get("allow_personal_data"):
        out["save_anyway"] = "on"
    if errors:
        raise FormErrors(errors)
    return out


def _check_external_id(user, external_id: str | None, report: Report | None = None) -> None:
    if not external_id:
        return
    clash = Report.objects.filter(organization_id=user.organization_id if report is None
                                  else report.organization_id, external_id=external_id)
    if report is not None:
        clash = clash.exclude(pk=report.pk)
    existing = clash.only("pk").first()
    if existing is None:
        return
    visible = access.visible_reports(user, include_deleted=True).filter(pk=existing.pk).exists()
    message = _("Your organisation already has a report with external_id “%(id)s”.") % {"id": external_id}
    if visible:
        message += " " + _("Change it (PATCH %(url)s) or use the bulk import, which updates.") % {
            "url": reverse("api:report-detail", args=[existing.pk])}
    raise Conflict({"external_id": [message]}, code="conflict")


class ReportViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    queryset = Report.objects.none()  # for the schema (the id's type); every action starts from visible_reports
    pagination_class = ReportCursorPagination
    renderer_classes = [*JSON_RENDERERS, GeoJSONRenderer]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"
    query_params = {"*": {"format"}, "list": {*CURSOR, "date_from", "date_to", "area", "place", "category",
                                              "organization", "q", "deleted"}}

    def get_queryset(self):
        return access.visible_reports(self.request.user).select_related("organization", "category", "place")

    def _object(self, pk, *, include_deleted: bool) -> Report:
        qs = access.visible_reports(self.request.user, include_deleted=include_deleted)
        report = qs.select_related("organization", "category", "place").filter(pk=pk).first()
        if report is None:
            raise NotFound(_("There is no report %(pk)s that you may see.") % {"pk": pk})
        return report

    def _render_one(self, report: Report, status_code=status.HTTP_200_OK, *, areas: list[str] | None = None,
                    **headers):
        codes = {report.pk: areas} if areas is not None else area_codes([report.pk])
        data = ReportSerializer(report, context={"areas": codes}).data
        body = report_feature(data) if wants_geojson(self.request) else data
        return Response(body, status=status_code, headers=headers)

    @extend_schema(summary="List reports", parameters=[*FILTER_PARAMETERS, FORMAT_PARAMETER],
                   responses=geojson_responses(ReportSerializer(many=True), paged="cursor"))
    def list(self, request):
        form = ReportFilterForm(filter_data(request.query_params), user=request.user)
        if not form.is_valid():
            raise FormErrors(from_form_errors(form))
        base = access.visible_reports(request.user, include_deleted=form.include_deleted)
        reports = filter_reports(base, form.cleaned_data).select_related("organization", "category", "place")
        paginator = self.paginator
        page = paginator.paginate_queryset(reports, request, view=self)
        data = ReportSerializer(page, many=True, context={"areas": area_codes(r.pk for r in page)}).data
        if wants_geojson(request):
            return Response(geo.collection([report_feature(d) for d in data], next=paginator.get_next_link()))
        return paginator.get_paginated_response(data)

    @extend_schema(summary="One report", parameters=[FORMAT_PARAMETER], responses=geojson_responses(ReportSerializer))
    def retrieve(self, request, pk=None):
        report = self._object(pk, include_deleted=access.can_see_deleted(request.user))
        return self._render_one(report)

    @extend_schema(summary="Create a report", request=ReportWriteSerializer,
                   responses={201: ReportSerializer, 409: OpenApiResponse(description="external_id already used")})
    def create(self, request):
        if not access.can_report(request.user):
            raise PermissionDenied(_("Your role may not create reports."))
        serializer = ReportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        categories = list(Category.objects.all())
        form = ReportForm(form_data(data, categories), {}, categories=categories)
        if not form.is_valid():
            raise FormErrors(from_form_errors(form))
        external_id = (data.get("external_id") or "").strip() or None
        try:
            report = services.submit_report(request.user, source="api", external_id=external_id,
                                            containment=form.containment, **form.report_fields())
        except IntegrityError:
            # The database's unique constraint finds a used external_id (posted before, or twice at once): one
            # query fewer for every submission than asking first. Which report has it is only read now.
            _check_external_id(request.user, external_id)
            raise
        # Shown as GET shows it, from what was just saved: the reporter's own organisation's report is always
        # visible to them, and its category, place, organisation and areas are in memory.
        return self._render_one(report, status.HTTP_201_CREATED, areas=report.area_codes,
                                Location=request.build_absolute_uri(reverse("api:report-detail", args=[report.pk])))

    @extend_schema(summary="Change a report", request=ReportPatchSerializer, responses={200: ReportSerializer})
    def partial_update(self, request, pk=None):
        report = self._object(pk, include_deleted=False)
        if not access.can_edit(request.user, report):
            raise PermissionDenied(_("You may not change this report."))
        serializer = ReportPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        categories = list(Category.objects.all())
        form = ReportForm(form_data(data, categories, report), {}, report=report, categories=categories)
        if not form.is_valid():
            raise FormErrors(from_form_errors(form))
        fields = form.report_fields()
        if "external_id" in data:
            fields["external_id"] = (data["external_id"] or "").strip() or None
            _check_external_id(request.user, fields["external_id"], report)
        services.update_report(request.user, report, **fields)
        return self._render_one(self._object(report.pk, include_deleted=False))

    @extend_schema(summary="Delete a report", responses={204: None})
    def destroy(self, request, pk=None):
        report = self._object(pk, include_deleted=access.can_see_deleted(request.user))
        if not access.can_delete(request.user, report):
            raise PermissionDenied(_("You may not delete this report."))
        if report.deleted_at is None:
            services.delete_report(request.user, report)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportBulkViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    serializer_class = BulkResultSerializer

    @extend_schema(summary="Create or update many reports (as a file import)", request=BulkRequestSerializer,
                   responses={200: BulkResultSerializer, 201: BulkResultSerializer})
    def create(self, request):
        if not access.can_import(request.user):
            raise PermissionDenied(_("Your role may not import reports."))
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token = getattr(request, "api_token", None)
        summary = f"API bulk import, {len(data['reports'])} reports" + (f", token {token.prefix}" if token else "")
        try:
            result = bulk.check_and_import(request.user, data["reports"], valid_only=data["valid_only"],
                                           dry_run=data["dry_run"], crs=data["crs"], summary=summary)
        except ValueError as exc:  # an unknown CRS (FileProblem is a ValueError too)
            if isinstance(exc, FileProblem):
                raise FormErrors([error("reports", "invalid", exc)]) from None
            raise field_error("crs", _("Unknown coordinate reference system “%(crs)s”.") % {"crs": data["crs"]}) \
                from None
        body = bulk_body(result, dry_run=data["dry_run"])
        if result.outcome is None and not data["dry_run"]:
            return Response({"errors": result.errors or [error("reports", "invalid", _("No report is valid."))]},
                            status=status.HTTP_400_BAD_REQUEST)
        created = result.outcome is not None and result.outcome.created > 0
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def bulk_body(result: bulk.BulkResult, *, dry_run: bool) -> dict:
    outcome = result.outcome
    return {
        "dry_run": dry_run, "total": result.total, "valid": result.valid,
        "created": outcome.created if outcome else (result.valid - result.would_update if dry_run else 0),
        "updated": outcome.updated if outcome else (result.would_update if dry_run else 0),
        "unchanged": outcome.unchanged if outcome else 0,
        "deleted_matched": outcome.deleted_matched if outcome else 0,
        "skipped": result.total - result.valid,
        "errors": result.errors, "warnings": result.warnings, "reports": result.ids,
    }

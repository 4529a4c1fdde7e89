"""The API's other resources: organisations, categories, areas, places, the weekly picture and signals,
quarterly analyses and the live ranking, actions, place cases and the published safety-walk feedback.
Each reads through the same functions and permission checks as its web page."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from samtrygg.accounts.models import Organization
from samtrygg.actions import access as action_access
from samtrygg.actions.forms import ActionFilterForm
from samtrygg.actions.models import Action
from samtrygg.actions.views import filtered_actions
from samtrygg.areas.models import Area, Place
from samtrygg.cases import access as case_access
from samtrygg.cases.models import CasePartner, PlaceCase
from samtrygg.categories.models import Category
from samtrygg.quarterly import ranking_service as rs
from samtrygg.quarterly import views as quarterly_views
from samtrygg.quarterly.models import QuarterlyAnalysis
from samtrygg.quarterly.quarters import Quarter, QuarterError
from samtrygg.reports.access import sees_all_sensitive
from samtrygg.weekly import disclosure, signal_service
from samtrygg.weekly.picture import build_picture
from samtrygg.weekly.views import read_filters
from samtrygg.weekly.weeks import IsoWeek, WeekError

from . import geo
from .errors import FormErrors, error, field_error, from_form_errors
from .pagination import PagePagination
from .renderers import GeoJSONRenderer, wants_geojson
from .serializers import (
    ActionSerializer,
    AnalysisDetailSerializer,
    AnalysisSerializer,
    AreaSerializer,
    CaseSerializer,
    CategorySerializer,
    FeedbackSerializer,
    MeSerializer,
    OrganizationSerializer,
    PlaceSerializer,
    SignalListSerializer,
)
from .views_common import (
    FORMAT_PARAMETER,
    JSON_RENDERERS,
    PAGE,
    StrictQueryMixin,
    boolean_param,
    geojson_responses,
)

GEOMETRY = ("geometry_wgs84", "geometry_sweref")


class PagedReadOnly(StrictQueryMixin, viewsets.GenericViewSet):
    """list + retrieve with page numbers; GeoJSON when the subclass can place its objects."""

    pagination_class = PagePagination
    query_params = {"list": PAGE}
    lookup_field = "pk"

    def feature(self, obj, data: dict) -> dict:  # pragma: no cover - only geo subclasses are asked
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        if wants_geojson(request):
            return Response(geo.collection([self.feature(o, d) for o, d in zip(page, data, strict=True)],
                                           count=self.paginator.page.paginator.count,
                                           next=self.paginator.get_next_link()))
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.get_serializer(obj).data
        return Response(self.feature(obj, data) if wants_geojson(request) else data)


# ---- reference data ------------------------------------------------------------------------------------

@extend_schema(tags=["reference"])
class OrganizationViewSet(PagedReadOnly):
    """Partner organisations (their ids and codes are what the report filters take)."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.filter(is_active=True).order_by("name")
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


@extend_schema(tags=["reference"])
class CategoryViewSet(PagedReadOnly):
    """Report categories: the codes reports are created and filtered with."""

    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("sort_order", "name")
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


@extend_schema(tags=["reference"], parameters=[FORMAT_PARAMETER])
class AreaViewSet(PagedReadOnly):
    """The municipality's areas (nested). GeoJSON gives their polygons."""

    serializer_class = AreaSerializer
    renderer_classes = [*JSON_RENDERERS, GeoJSONRenderer]
    query_params = {"*": {"format"}, "list": PAGE}
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        qs = Area.objects.filter(is_active=True).select_related("parent").order_by("name")
        if not wants_geojson(self.request):
            qs = qs.defer(*GEOMETRY, "parent__geometry_wgs84", "parent__geometry_sweref")
        return qs

    def feature(self, obj, data):
        return geo.feature(obj.code, obj.geometry_wgs84, data)

    @extend_schema(responses=geojson_responses(AreaSerializer(many=True)))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=geojson_responses(AreaSerializer))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["reference"], parameters=[FORMAT_PARAMETER])
class PlaceViewSet(AreaViewSet):
    """Named places (parks, squares, school yards). GeoJSON gives their polygons."""

    serializer_class = PlaceSerializer

    def get_queryset(self):
        qs = Place.objects.filter(is_active=True).select_related("area").order_by("name")
        if not wants_geojson(self.request):
            qs = qs.defer(*GEOMETRY, "area__geometry_wgs84", "area__geometry_sweref")
        return qs

    @extend_schema(responses=geojson_responses(PlaceSerializer(many=True)))
    def list(self, request, *args, **kwargs):
        return PagedReadOnly.list(self, request, *args, **kwargs)

    @extend_schema(responses=geojson_responses(PlaceSerializer))
    def retrieve(self, request, *args, **kwargs):
        return PagedReadOnly.retrieve(self, request, *args, **kwargs)


# ---- the weekly picture and signals --------------------------------------------------------------------

WEEK_PATTERN = r"\d{4}-W\d{2}|latest"
MIN_YEAR, MAX_YEAR = 1900, 2999
WEEK_PARAMETERS = [
    OpenApiParameter("week", str, OpenApiParameter.PATH, pattern=f"^({WEEK_PATTERN})$",
                     description="An ISO week (`2026-W47`), or `latest`: the last complete week."),
    OpenApiParameter("area", str, description="An area's code: that area and the areas inside it."),
    OpenApiParameter("category", str, many=True, explode=True, description="Category ids or codes; repeatable."),
]


def read_week(text: str) -> IsoWeek:
    if text == "latest":
        return IsoWeek.last_complete()
    try:
        week = IsoWeek.parse(text)
        # IsoWeek.parse takes any four-digit year; date arithmetic fails before year 1 (week 0000-W01).
        if not MIN_YEAR <= week.year <= MAX_YEAR:
            raise field_error("week", _("Give a week between %(first)s and %(last)s.")
                              % {"first": MIN_YEAR, "last": MAX_YEAR})
    except WeekError as exc:
        raise field_error("week", exc.message) from None
    except ValueError:  # the year's week count cannot be computed (year 0)
        raise field_error("week", _("Give a week between %(first)s and %(last)s.")
                          % {"first": MIN_YEAR, "last": MAX_YEAR}) from None
    if week.is_future():
        raise field_error("week", _("Week %(week)s has not started yet, so there is nothing to show.")
                          % {"week": week}, code="future")
    return week


def week_filters(query):
    data = QueryDict(mutable=True)
    for name in ("area", "organization"):
        if query.get(name):
            data[name] = query.get(name)
    categories = [c for c in query.getlist("category") if c.strip()]
    codes = [c for c in categories if c and not c.isdigit()]
    found = dict(Category.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
    data.setlist("category", [str(found.get(c, c)) for c in categories])
    org = data.get("organization")
    if org and not org.isdigit():
        pk = Organization.objects.filter(code=org).values_list("pk", flat=True).first()
        data["organization"] = str(pk) if pk else org
    filters = read_filters(data)
    if filters.errors:
        raise FormErrors([error(name, "invalid", message) for name, message in filters.errors.items()])
    return filters


@extend_schema(tags=["weekly"])
class WeeklyPictureView(StrictQueryMixin, APIView):
    """The weekly picture (lägesbild) of a week: counts, signals, notable reports, actions, assessment."""

    query_params = {"get": {"area", "category", "organization"}}

    @extend_schema(summary="The weekly picture", parameters=[*WEEK_PARAMETERS, OpenApiParameter(
        "organization", str, description="An organisation's id or code: count only its reports.")],
        responses={200: OpenApiTypes.OBJECT})
    def get(self, request, week):
        iso = read_week(week)
        filters = week_filters(request.query_params)
        return Response(build_picture(request.user, iso, area=filters.area, categories=filters.categories,
                                      organization=filters.organization))


@extend_schema(tags=["weekly"])
class WeeklySignalsView(StrictQueryMixin, APIView):
    """The signals of a week: area × category counts that are unusually high."""

    query_params = {"get": {"area", "category", "all"}}

    @extend_schema(summary="The week's signals", parameters=[*WEEK_PARAMETERS, OpenApiParameter(
        "all", bool, description="Every judged series, not only the alarms.")],
        responses={200: SignalListSerializer})
    def get(self, request, week):
        iso = read_week(week)
        filters = week_filters(request.query_params)
        every = boolean_param(request, "all")
        areas = None
        if filters.area is not None:
            from samtrygg.weekly.picture import area_scope

            areas = area_scope(filters.area)
        categories = filters.categories or None
        if every:
            rows = signal_service.signals_for_weeks(iso, iso, areas, categories)
        else:
            rows = signal_service.alarms(iso, areas, categories)
        signals = [r.as_dict() for r in rows]
        if not sees_all_sensitive(request.user):
            disclosure.suppress_signal_dicts(signals, disclosure.sensitive_category_ids())
        return Response({"week": str(iso), "signals": signals})


# ---- quarterly -----------------------------------------------------------------------------------------

def _require_quarterly(user):
    if not quarterly_views.can_read(user):
        raise PermissionDenied(_("Your role does not read the quarterly analysis."))


@extend_schema(tags=["quarterly"])
class AnalysisViewSet(PagedReadOnly):
    """Saved quarterly analyses: the weights, the conclusions and a snapshot of every number."""

    serializer_class = AnalysisSerializer
    queryset = QuarterlyAnalysis.objects.order_by("-year", "-quarter", "-created_at", "-id")
    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_quarterly(request.user)

    def get_serializer_class(self):
        return AnalysisDetailSerializer if self.action == "retrieve" else AnalysisSerializer


@extend_schema(tags=["quarterly"])
class RankingView(StrictQueryMixin, APIView):
    """The live quarterly ranking of areas by need, with the weights you give (as the "new analysis" page)."""

    query_params = {"get": {"quarter", "kind", *[f"w_{k}" for k in rs.COMPONENTS]}}

    @extend_schema(summary="The live quarterly ranking", parameters=[
        OpenApiParameter("quarter", str, pattern=r"^(\d{4}-Q[1-4])?$",
                         description="`2026-Q3`; default the last complete quarter."),
        OpenApiParameter("kind", str, description="Area kind to rank (default `district`)."),
        *[OpenApiParameter(f"w_{k}", float, description=f"Weight of {k} (default {rs.DEFAULT_WEIGHTS[k]:g}).")
          for k in rs.COMPONENTS]],
        responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        _require_quarterly(request.user)
        for key in rs.COMPONENTS:
            if request.query_params.get(f"w_{key}") == "":
                raise field_error(f"w_{key}", _("Enter a number, e.g. 1 or 0.5."))
        text = (request.query_params.get("quarter") or "").strip()
        if text:
            try:
                year = Quarter.parse(text).year
            except QuarterError:
                year = None  # read_form names the error
            if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                raise field_error("quarter", _("Give a quarter between %(first)s and %(last)s.")
                                  % {"first": MIN_YEAR, "last": MAX_YEAR})
        form = quarterly_views.read_form(request.query_params)
        errors = [error(name, "invalid", message) for name, message in form["errors"].items()]
        errors += [error(f"w_{name}", "invalid", message) for name, message in form["weight_errors"].items()]
        if errors:
            raise FormErrors(errors)
        try:
            snapshot = rs.compute(form["quarter"], form["kind"], form["weights"])
        except rs.RankingError as exc:
            raise field_error("quarter", str(exc)) from None
        return Response(snapshot)


# ---- actions and place cases ---------------------------------------------------------------------------

@extend_schema(tags=["actions"], parameters=[
    FORMAT_PARAMETER,
    OpenApiParameter("state", str, enum=["open", "closed", "overdue", ""]),
    OpenApiParameter("status", str, enum=[*Action.Status.values, ""]),
    OpenApiParameter("kind", str, enum=[*Action.Kind.values, ""]),
    OpenApiParameter("area", str, description="An area's id or code (actions in it or its places)."),
    OpenApiParameter("responsible", str, description="The responsible organisation's id or code."),
    OpenApiParameter("q", str, description="Text in the title, description or follow-up."),
])
class ActionViewSet(PagedReadOnly):
    """Actions (insatser, åtgärder) with the web list's filters. Read only."""

    serializer_class = ActionSerializer
    renderer_classes = [*JSON_RENDERERS, GeoJSONRenderer]
    queryset = Action.objects.all()  # for the schema; get_queryset filters
    query_params = {"*": {"format"}, "list": {*PAGE, "state", "status", "kind", "area", "responsible", "q"}}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if not action_access.can_read(self.request.user):
            raise PermissionDenied
        if self.action != "list":
            return Action.objects.select_related("area", "place", "responsible").defer(
                "area__geometry_wgs84", "area__geometry_sweref")
        data = self.request.query_params.copy()
        for name, model in (("area", Area), ("responsible", Organization)):
            value = data.get(name)
            if value and not value.isdigit():
                pk = model.objects.filter(code=value).values_list("pk", flat=True).first()
                data[name] = str(pk) if pk else value
        form = ActionFilterForm(data)
        if not form.is_valid():
            raise FormErrors(from_form_errors(form))
        return filtered_actions(form).order_by("-start_date", "-id")

    def feature(self, obj, data):
        geometry = geo.point(obj.lon, obj.lat)
        if geometry is None and obj.place_id:
            geometry = geo.centroid_point(obj.place.shape)
        return geo.feature(obj.pk, geometry, data)

    @extend_schema(responses=geojson_responses(ActionSerializer(many=True)))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=geojson_responses(ActionSerializer))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["cases"], parameters=[FORMAT_PARAMETER])
class CaseViewSet(PagedReadOnly):
    """Place cases (platssamverkan): the problem, the place, status, partners and measures. Read only."""

    serializer_class = CaseSerializer
    renderer_classes = [*JSON_RENDERERS, GeoJSONRenderer]
    queryset = PlaceCase.objects.all()  # for the schema; get_queryset filters
    query_params = {"*": {"format"}, "list": {*PAGE, "status"}}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if not case_access.can_read(self.request.user):
            raise PermissionDenied
        qs = (PlaceCase.objects.select_related("place", "control_area")
              .prefetch_related(Prefetch("partners", CasePartner.objects.select_related("organization")),
                                Prefetch("measures", Action.objects.only("id", "case_id")))
              .order_by("-opened_on", "-id"))
        status = self.request.query_params.get("status")
        if status:
            if status not in PlaceCase.Status.values:
                raise field_error("status", _("Unknown status “%(value)s”.") % {"value": status[:40]})
            qs = qs.filter(status=status)
        return qs.defer("control_area__geometry_wgs84", "control_area__geometry_sweref")

    def feature(self, obj, data):
        geometry = obj.geometry_wgs84 or (obj.place.geometry_wgs84 if obj.place_id else None)
        return geo.feature(obj.pk, geometry, data)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[*PlaceCase.Status.values, ""])],
                   responses=geojson_responses(CaseSerializer(many=True)))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=geojson_responses(CaseSerializer))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# ---- safety-walk feedback (public) ---------------------------------------------------------------------

@extend_schema(tags=["feedback"])
class FeedbackViewSet(PagedReadOnly):
    """The published feedback to residents: exactly what the public feedback page shows (no group under 5
    answers). No key is needed, as for the public page."""

    serializer_class = FeedbackSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "questionnaire__slug"
    lookup_url_kwarg = "slug"
    query_params = {"list": PAGE, "retrieve": {"area", "lang"}}
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        from samtrygg.walks.models import Feedback

        return (Feedback.objects.filter(published_at__isnull=False, area__isnull=True)
                .select_related("questionnaire", "area").order_by("-published_at", "-id"))

    @extend_schema(summary="Published results of a questionnaire", parameters=[
        OpenApiParameter("area", str, description="An area's code: that area's results."),
        OpenApiParameter("lang", str, enum=["sv", "en"], description="Language of the texts (default sv).")],
        responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, slug=None):
        from samtrygg.walks import results as svc

        code = (request.query_params.get("area") or "").strip()[:60] or None
        lang = request.query_params.get("lang", "sv")
        if lang not in ("sv", "en"):
            raise field_error("lang", _("Write sv or en."))
        feedback = svc.published_feedback(slug, code)
        if feedback is None:
            raise NotFound(_("There is no published feedback here."))
        area = None
        if code:
            area = Area.objects.filter(code=code).defer(*GEOMETRY).first()
            if area is None:
                raise field_error("area", _("There is no area with the code “%(code)s”.") % {"code": code})
        with translation.override(lang):
            data = svc.public_results(feedback, area=area, lang=lang)
            return Response(public_feedback_json(data, lang))


def public_feedback_json(data: dict, lang: str) -> dict:
    """The public page's data as plain JSON: model objects become their public fields only."""
    area = data["area"]
    return {
        "questionnaire": {"slug": data["questionnaire"].slug, "title": data["questionnaire"].title},
        "area": {"code": area.code, "name": area.name} if area else None,
        "lang": lang,
        "published_at": data["feedback"].published_at.isoformat() if data["feedback"].published_at else None,
        "respondents": data["respondents"],
        "summary": data["summary"],
        "key_figures": data["key_figures"],
        "questions": data["questions"],
        "actions": [{"id": a.pk, "title": a.title, "status": a.status,
                     "start_date": a.start_date.isoformat() if a.start_date else None,
                     "end_date": a.end_date.isoformat() if a.end_date else None} for a in data["actions"]],
    }


# ---- who am I ------------------------------------------------------------------------------------------

@extend_schema(tags=["reference"])
class MeView(StrictQueryMixin, APIView):
    """Who the request acts as: for a key, its service user, organisation, role and expiry."""

    @extend_schema(summary="Who am I", responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        token = getattr(request, "api_token", None)
        org = user.organization
        return Response({
            "username": user.get_username(),
            "organization": OrganizationSerializer(org).data if org else None,
            "role": user.role,
            "token": {"name": token.name, "prefix": token.prefix,
                      "expires_at": token.expires_at.isoformat() if token.expires_at else None} if token else None,
        })

"""/api/v1/: the REST API, its OpenAPI schema and the interactive documentation."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views_data, views_docs, views_reports

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("reports/bulk", views_reports.ReportBulkViewSet, basename="report-bulk")
router.register("reports", views_reports.ReportViewSet, basename="report")
router.register("organizations", views_data.OrganizationViewSet, basename="organization")
router.register("categories", views_data.CategoryViewSet, basename="category")
router.register("areas", views_data.AreaViewSet, basename="area")
router.register("places", views_data.PlaceViewSet, basename="place")
router.register("quarterly/analyses", views_data.AnalysisViewSet, basename="analysis")
router.register("actions", views_data.ActionViewSet, basename="action")
router.register("cases", views_data.CaseViewSet, basename="case")
router.register("feedback", views_data.FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views_docs.swagger, name="docs"),
    path("me/", views_data.MeView.as_view(), name="me"),
    re_path(r"^weekly/(?P<week>[^/]+)/$", views_data.WeeklyPictureView.as_view(), name="weekly"),
    re_path(r"^weekly/(?P<week>[^/]+)/signals/$", views_data.WeeklySignalsView.as_view(), name="signals"),
    path("quarterly/ranking/", views_data.RankingView.as_view(), name="ranking"),
    *router.urls,
    # Anything else under /api/v1/ is a JSON 404, not the web's HTML page.
    re_path(r"^[\s\S]*$", views_docs.not_found, name="not_found"),
]

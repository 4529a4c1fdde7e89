from django.urls import path

from . import views, views_datasheet, views_evaluation

app_name = "cases"
urlpatterns = [
    # The case file: list, open, page with journal and partners, edit, cause analysis, measures (engineer "case")
    path("", views.case_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/journal/", views.journal, name="journal"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    # The data sheet and the case report PDF (engineer "datasheet")
    path("<int:pk>/data/", views_datasheet.datasheet_page, name="datasheet"),
    path("<int:pk>/report.pdf", views_datasheet.report_pdf, name="report"),
    # The evaluation (engineer "evaluation")
    path("<int:pk>/evaluation/", views_evaluation.evaluation, name="evaluation"),
]

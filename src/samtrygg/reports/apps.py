from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "samtrygg.reports"
    label = "reports"

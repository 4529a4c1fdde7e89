from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeeklyConfig(AppConfig):
    name = "samtrygg.weekly"
    label = "weekly"
    verbose_name = _("Weekly picture")

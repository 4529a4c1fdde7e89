from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "samtrygg.areas"
    label = "areas"

    def ready(self):
        from . import signals  # noqa: F401

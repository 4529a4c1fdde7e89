from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samtrygg.core"
    label = "core"

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "samtrygg.imports"
    label = "imports"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samtrygg.demo"
    label = "demo"

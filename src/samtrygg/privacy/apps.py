from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "samtrygg.privacy"
    label = "privacy"

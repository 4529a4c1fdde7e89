from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samtrygg.accounts"
    label = "accounts"

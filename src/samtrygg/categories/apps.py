from django.apps import AppConfig


class CategoriesConfig(AppConfig):
    name = "samtrygg.categories"
    label = "categories"

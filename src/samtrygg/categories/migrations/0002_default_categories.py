from decimal import Decimal

from django.db import migrations

from samtrygg.categories.defaults import DEFAULT_CATEGORIES


def seed(apps, schema_editor):
    Category = apps.get_model("categories", "Category")
    for order, (code, name, name_en, severity, description) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "severity": Decimal(severity),
                      "description": description, "sort_order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("categories", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

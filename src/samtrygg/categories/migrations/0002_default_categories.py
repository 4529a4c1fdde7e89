from django.db import migrations

from samtrygg.categories.defaults import ensure_default_categories


def seed(apps, schema_editor):
    ensure_default_categories(apps.get_model("categories", "Category"))


class Migration(migrations.Migration):
    dependencies = [("categories", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

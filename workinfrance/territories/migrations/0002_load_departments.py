"""Load every French department (metropolitan and overseas), all closed until an administrator opens them."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "departments.csv"


def load(apps, schema_editor):
    Department = apps.get_model("territories", "Department")
    with DATA.open(encoding="utf-8") as handle:
        Department.objects.bulk_create(
            [Department(code=row["code"], name=row["name"], is_open=False) for row in csv.DictReader(handle)]
        )


def unload(apps, schema_editor):
    apps.get_model("territories", "Department").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

"""Units' departments through an explicit model, and at most one unit per department.

The table stays the one Django made for the plain many-to-many. Where several units claimed the
same department (the admin allowed it), the oldest unit keeps it, as routing already decided; the
others' claims are removed and printed."""

from django.db import migrations, models
from django.db.models import Min


def keep_the_oldest_claim(apps, schema_editor):
    UnitDepartment = apps.get_model("territories", "UnitDepartment")
    shared = (
        UnitDepartment.objects.values("department_id")
        .annotate(first_unit=Min("unit_id"), claims=models.Count("id"))
        .filter(claims__gt=1)
    )
    for row in shared:
        removed = UnitDepartment.objects.filter(department_id=row["department_id"]).exclude(
            unit_id=row["first_unit"]
        )
        units = sorted(removed.values_list("unit_id", flat=True))
        removed.delete()
        print(f"\n  department {row['department_id']}: kept by unit {row['first_unit']}, removed from {units}")


class Migration(migrations.Migration):
    dependencies = [("territories", "0003_unit_require_proconnect")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UnitDepartment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "department",
                            models.ForeignKey(on_delete=models.deletion.CASCADE, to="territories.department"),
                        ),
                        ("unit", models.ForeignKey(on_delete=models.deletion.CASCADE, to="territories.unit")),
                    ],
                    options={
                        "db_table": "territories_unit_departments",
                        "verbose_name": "département couvert",
                        "verbose_name_plural": "départements couverts",
                    },
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="departments",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="units",
                        through="territories.UnitDepartment",
                        to="territories.department",
                        verbose_name="départements couverts",
                    ),
                ),
            ],
        ),
        migrations.RunPython(keep_the_oldest_claim, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="unitdepartment",
            constraint=models.UniqueConstraint(fields=["department"], name="department_covered_by_one_unit"),
        ),
    ]

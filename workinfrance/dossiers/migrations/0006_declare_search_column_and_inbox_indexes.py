"""The dossiers table's search column and inbox indexes, declared on the `Dossier` model.

Back-office migrations 0001-0004 and dossiers 0003 created them in raw SQL, outside the model.
The model now declares them (`Dossier.search_vector`, `Dossier.Meta.indexes`); this migration
records them in the migration state and adopts what already exists instead of rebuilding it:

- PostgreSQL: the column and its GIN index exist (dossiers 0003): nothing to build. The three
  back-office indexes are renamed to the model's names (`ALTER INDEX ... RENAME`, no rebuild).
- SQLite: the three back-office indexes are dropped and built again under the model's names
  (SQLite cannot rename an index; development databases are small); the column, its plain index
  and the processing-time index, which were PostgreSQL-only, are added.
"""

import django.contrib.postgres.search
import django.db.models.expressions
from django.db import migrations, models

import workinfrance.dossiers.search_document

RENAMED = {
    "backoffice_dossier_unit_filed_idx": "dossier_unit_filed_idx",
    "backoffice_dossier_open_filed_idx": "dossier_open_filed_idx",
    "backoffice_dossier_assignee_filed_idx": "dossier_assignee_filed_idx",
    "backoffice_dossier_processing_idx": "dossier_processing_idx",
}


def search_vector_field():
    return models.GeneratedField(
        db_persist=True,
        editable=False,
        expression=workinfrance.dossiers.search_document.SearchDocument(),
        output_field=django.contrib.postgres.search.SearchVectorField(),
    )


INDEXES = [
    models.Index(fields=["unit", "submitted_at", "id"], name="dossier_unit_filed_idx"),
    models.Index(
        condition=models.Q(("state__in", ["in_review", "submitted"])),
        fields=["unit", "submitted_at", "id"],
        name="dossier_open_filed_idx",
    ),
    models.Index(
        fields=["assignee", "state", "submitted_at", "id"],
        include=("unit",),
        name="dossier_assignee_filed_idx",
    ),
    models.Index(
        models.F("unit"),
        django.db.models.expressions.CombinedExpression(
            models.F("decided_at"), "-", models.F("submitted_at")
        ),
        models.F("id"),
        name="dossier_processing_idx",
    ),
    workinfrance.dossiers.search_document.SearchIndex(
        fields=["search_vector"], name="dossier_search_vector_idx"
    ),
]


def add_search_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return  # dossiers 0003 created it
    field = search_vector_field()
    field.set_attributes_from_name("search_vector")
    schema_editor.add_field(apps.get_model("dossiers", "Dossier"), field)


def drop_search_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("ALTER TABLE dossiers_dossier DROP COLUMN search_vector")


def adopt_indexes(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for old, new in RENAMED.items():
            run(f"ALTER INDEX IF EXISTS {old} RENAME TO {new}")
        return
    for old in RENAMED:
        run(f"DROP INDEX IF EXISTS {old}")
    Dossier = apps.get_model("dossiers", "Dossier")
    for index in INDEXES:
        run(f"DROP INDEX IF EXISTS {index.name}")
        schema_editor.add_index(Dossier, index)


def unadopt_indexes(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for old, new in RENAMED.items():
            run(f"ALTER INDEX IF EXISTS {new} RENAME TO {old}")
        return
    for index in INDEXES:
        run(f"DROP INDEX IF EXISTS {index.name}")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_transition_log"), ("backoffice", "0004_search_column")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_search_column, drop_search_column, elidable=False)],
            state_operations=[
                migrations.AddField(model_name="dossier", name="search_vector", field=search_vector_field())
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(adopt_indexes, unadopt_indexes, elidable=False)],
            state_operations=[migrations.AddIndex(model_name="dossier", index=index) for index in INDEXES],
        ),
    ]

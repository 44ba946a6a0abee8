"""Indexes on dossiers for the back-office inbox and search (the Dossier model belongs to `dossiers`).

- `backoffice_dossier_unit_filed_idx` (unit_id, submitted_at, id): the inbox's default order within
  a unit, for the tabs that span several states ("decided", "all") and for pagination ties.
- `backoffice_dossier_search_idx` (PostgreSQL only): GIN index on the French full-text document
  searched by `workinfrance.backoffice.search` (number, student and employer names, SIRET).
"""

from django.db import migrations

UNIT_FILED_INDEX = "backoffice_dossier_unit_filed_idx"
SEARCH_INDEX = "backoffice_dossier_search_idx"
# Frozen copy of `workinfrance.backoffice.search.search_document_sql()` (a test keeps them equal).
SEARCH_DOCUMENT = (
    "to_tsvector('french'::regconfig, replace(coalesce(number, ''), '-', ' ') || ' ' || student_first_name"
    " || ' ' || student_last_name || ' ' || employer_name || ' ' || employer_siret)"
)


def create_indexes(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {UNIT_FILED_INDEX} ON dossiers_dossier (unit_id, submitted_at, id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON dossiers_dossier USING gin (({SEARCH_DOCUMENT}))"
        )


def drop_indexes(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {UNIT_FILED_INDEX}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]

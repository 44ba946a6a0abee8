"""Index for the "decided" tab sorted by processing time (decision date minus filing date).

The expression is immutable (difference of two timestamps), so PostgreSQL and SQLite can both
index it; the inbox orders by exactly `decided_at - submitted_at` within a unit.
"""

from django.db import migrations

INDEX = "backoffice_dossier_processing_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON dossiers_dossier "
            "(unit_id, (decided_at - submitted_at), id)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_search_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

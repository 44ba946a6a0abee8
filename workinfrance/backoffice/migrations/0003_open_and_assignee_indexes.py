"""Indexes that keep two inbox views index-ordered at a million dossiers.

- `backoffice_dossier_open_filed_idx` (unit_id, submitted_at, id) over undecided dossiers
  (submitted, in review): the "waiting > 7 days" and "implicit refusal" signals read the oldest
  undecided files of a unit without walking past the (older, far more numerous) decided ones.
- `backoffice_dossier_assignee_filed_idx` (assignee_id, state, submitted_at, id), including
  unit_id on PostgreSQL: "my files" in filing order, and their count from the index alone.
"""

from django.db import migrations

OPEN_INDEX = "backoffice_dossier_open_filed_idx"
ASSIGNEE_INDEX = "backoffice_dossier_assignee_filed_idx"


def create_indexes(apps, schema_editor):
    # Partial indexes exist on both PostgreSQL and SQLite; the predicate repeats the inbox's filter.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OPEN_INDEX} ON dossiers_dossier (unit_id, submitted_at, id) "
        "WHERE state IN ('submitted', 'in_review')"
    )
    # The unit rides along (PostgreSQL INCLUDE) so that counting "my files" never visits the table.
    include = " INCLUDE (unit_id)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {ASSIGNEE_INDEX} ON dossiers_dossier "
        f"(assignee_id, state, submitted_at, id){include}"
    )


def drop_indexes(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ASSIGNEE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_processing_time_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]

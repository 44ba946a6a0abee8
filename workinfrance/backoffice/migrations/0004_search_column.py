"""Search on a stored generated column instead of an expression index (PostgreSQL only).

`dossiers_dossier.search_vector` is a tsvector (French configuration) of the number, student and
employer names and SIRET, GENERATED ALWAYS ... STORED, with a GIN index. The database keeps it
up to date, so no code path can forget it; it is not a model field (Django never reads or writes
it), only `workinfrance.backoffice.search` queries it. Stored rather than computed by an
expression index so that checking one row costs a lookup, not a French stemming pass, when the
planner walks the inbox order and filters on the search: at a million dossiers this is the
difference between 10 ms and 300 ms for a common surname.
"""

from django.db import migrations

EXPRESSION_INDEX = "backoffice_dossier_search_idx"  # from 0001, replaced
SEARCH_INDEX = "backoffice_dossier_search_vector_idx"
SEARCH_COLUMN = "search_vector"
# The searched text (a test checks that the column holds exactly this).
SEARCH_DOCUMENT = (
    "to_tsvector('french'::regconfig, replace(coalesce(number, ''), '-', ' ') || ' ' || student_first_name"
    " || ' ' || student_last_name || ' ' || employer_name || ' ' || employer_siret)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {EXPRESSION_INDEX}")
    schema_editor.execute(
        f"ALTER TABLE dossiers_dossier ADD COLUMN IF NOT EXISTS {SEARCH_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON dossiers_dossier USING gin ({SEARCH_COLUMN})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    schema_editor.execute(f"ALTER TABLE dossiers_dossier DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {EXPRESSION_INDEX} ON dossiers_dossier USING gin (({SEARCH_DOCUMENT}))"
    )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_open_and_assignee_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
